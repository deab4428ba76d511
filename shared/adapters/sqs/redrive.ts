/**
 * Moves every message from a dead-letter queue back to its source queue: receive, send,
 * then delete only what was sent. Done with plain SQS calls rather than StartMessageMoveTask
 * so it works the same on AWS and on the local emulator (which lacks message move tasks).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export async function redriveMessages(sqs: SQSClient, fromQueueUrl: string, toQueueUrl: string): Promise<{ moved: number }> {
  let moved = 0;
  let emptyReceives = 0;
  // An empty receive can be a sampling miss on SQS; two in a row mean the queue is drained.
  while (emptyReceives < 2) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: fromQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) {
      emptyReceives += 1;
      continue;
    }
    emptyReceives = 0;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: toQueueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes === undefined ? {} : { MessageAttributes: message.MessageAttributes }),
        })),
      }),
    );
    const done = (sent.Successful ?? []).map((entry) => Messages[Number(entry.Id)]!);
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: fromQueueUrl,
          Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
        }),
      );
    }
    moved += done.length;
    if ((sent.Failed ?? []).length > 0) {
      throw new Error(
        `could not move ${sent.Failed!.length} messages (${sent.Failed![0]!.Code}); they stay in the dead-letter queue: run again`,
      );
    }
  }
  return { moved };
}
