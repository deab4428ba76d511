/** Waiting for a queue to be worked off: what `billflow invoices run` does before and after enqueuing. */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export async function messagesInFlight(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * Resolves once the queue has read empty three times in a row, 150 ms apart (the counts are
 * approximate: one empty reading can be a message between receive and delete); rejects at the
 * deadline. Returns when the quiet began: a consumer that stamped its work before then had
 * finished it (its message was deleted), which is what an invoice's cut needs to know.
 */
export async function waitUntilEmpty(sqs: SQSClient, queueUrl: string, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let quietSince = 0;
  for (;;) {
    const askedAt = Date.now();
    const pending = await messagesInFlight(sqs, queueUrl);
    quiet = pending === 0 ? quiet + 1 : 0;
    if (quiet === 1) quietSince = askedAt;
    if (quiet >= 3) return quietSince;
    if (Date.now() > deadline) {
      throw new Error(`${what} still has ${pending} messages after ${Math.round(timeoutMs / 1000)} s: are the workers running (npm start)?`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
