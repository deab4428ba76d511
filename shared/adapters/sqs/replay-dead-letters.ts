/**
 * Sends chosen messages of a dead-letter queue back to its source queue (receive, send,
 * delete what was sent); the others are released at the end and stay dead-lettered. Done with
 * plain SQS calls rather than StartMessageMoveTask so it works the same on AWS and on the local
 * emulator (which lacks message move tasks).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';

type Attributes = Record<string, MessageAttributeValue>;

/** What to send again for a dead-lettered message: a body and attributes, or undefined to leave it. */
export type ReplayChoice = (body: string, attributes: Attributes | undefined) => { body: string; attributes?: Attributes } | undefined;

export async function replayDeadLetters(
  sqs: SQSClient,
  fromQueueUrl: string,
  toQueueUrl: string,
  choose: ReplayChoice,
): Promise<{ replayed: number; left: number }> {
  let replayed = 0;
  const left: Message[] = [];
  let emptyReceives = 0;
  // An empty receive can be a sampling miss on SQS; two in a row mean the queue is drained. Left
  // messages stay invisible until the end, so each is looked at once.
  while (emptyReceives < 2) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: fromQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 120,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) {
      emptyReceives += 1;
      continue;
    }
    emptyReceives = 0;
    const chosen = Messages.flatMap((message) => {
      const choice = choose(message.Body ?? '', message.MessageAttributes);
      if (choice === undefined) left.push(message);
      return choice === undefined ? [] : [{ message, choice }];
    });
    if (chosen.length === 0) continue;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: toQueueUrl,
        Entries: chosen.map(({ choice }, index) => ({
          Id: String(index),
          MessageBody: choice.body,
          ...(choice.attributes === undefined ? {} : { MessageAttributes: choice.attributes }),
        })),
      }),
    );
    const done = (sent.Successful ?? []).map((entry) => chosen[Number(entry.Id)]!.message);
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: fromQueueUrl,
          Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
        }),
      );
    }
    replayed += done.length;
    if ((sent.Failed ?? []).length > 0) {
      throw new Error(
        `could not move ${sent.Failed!.length} messages (${sent.Failed![0]!.Code}); they stay in the dead-letter queue: run again`,
      );
    }
  }
  for (let start = 0; start < left.length; start += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: fromQueueUrl,
        Entries: left
          .slice(start, start + 10)
          .map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
  return { replayed, left: left.length };
}
