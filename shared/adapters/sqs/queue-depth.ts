/** Waiting for a queue to be worked off: what `billflow invoices run` does before and after enqueuing. */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Messages waiting to be received (visible or delayed), and received but not yet deleted (in flight). */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<{ waiting: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export async function messagesInFlight(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { waiting, inFlight } = await queueCounts(sqs, queueUrl);
  return waiting + inFlight;
}

/**
 * Resolves once the queue has read empty three times in a row, 150 ms apart (the counts are
 * approximate: one empty reading can be a message between receive and delete); rejects at the
 * deadline. Returns when the quiet began: a consumer that stamped its work before then had
 * finished it (its message was deleted), which is what an invoice's cut needs to know.
 */
export async function waitUntilEmpty(sqs: SQSClient, queueUrl: string, timeoutMs: number, what: string): Promise<number> {
  return waitUntilSettled(sqs, queueUrl, timeoutMs, what, async () => 0);
}

/**
 * Like waitUntilEmpty, except that up to `stuck()` messages may stay in flight: messages known
 * to have failed, which SQS gives back only after the visibility timeout (a failed invoice job
 * waits 12 minutes for its retry; the caller reports it instead of waiting for it).
 */
export async function waitUntilSettled(
  sqs: SQSClient,
  queueUrl: string,
  timeoutMs: number,
  what: string,
  stuck: () => Promise<number>,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let quietSince = 0;
  for (;;) {
    const askedAt = Date.now();
    const { waiting, inFlight } = await queueCounts(sqs, queueUrl);
    const pending = waiting + inFlight;
    quiet = waiting === 0 && (inFlight === 0 || inFlight <= (await stuck())) ? quiet + 1 : 0;
    if (quiet === 1) quietSince = askedAt;
    if (quiet >= 3) return quietSince;
    if (Date.now() > deadline) {
      throw new Error(
        `${what} still has ${pending} messages after ${Math.round(timeoutMs / 1000)} s: are the workers running (npm start)?`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
