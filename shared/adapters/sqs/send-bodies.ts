/**
 * Sends message bodies to a queue with SendMessageBatch: up to 10 entries and 256 KB per
 * request, failed entries retried with backoff, and whatever still fails reported by index.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

export async function sendBodies(
  sqs: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
  options: { concurrency?: number; attempts?: number } = {},
): Promise<{ sent: number; failed: { index: number; error: string }[] }> {
  const requests: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  bodies.forEach((body, index) => {
    const size = Buffer.byteLength(body, 'utf8');
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) requests.push(current);

  const failed: { index: number; error: string }[] = [];
  let sent = 0;
  await forEachConcurrently(requests, options.concurrency ?? 8, async (indexes) => {
    let pending = indexes;
    let lastError = '';
    for (let attempt = 0; attempt < (options.attempts ?? 5) && pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      try {
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: pending.map((index) => ({ Id: String(index), MessageBody: bodies[index]! })),
          }),
        );
        sent += result.Successful?.length ?? 0;
        const retry = new Set((result.Failed ?? []).filter((entry) => !entry.SenderFault).map((entry) => Number(entry.Id)));
        for (const entry of result.Failed ?? []) {
          if (entry.SenderFault) failed.push({ index: Number(entry.Id), error: `${entry.Code}: ${entry.Message}` });
          else lastError = `${entry.Code}: ${entry.Message}`;
        }
        pending = pending.filter((index) => retry.has(index));
      } catch (error) {
        lastError = (error as Error).message;
      }
    }
    for (const index of pending) failed.push({ index, error: lastError || 'not sent' });
  });
  return { sent, failed };
}

/** Groups events into CloudEvents JSON batch bodies of at most `perBody` events and ~250 KB. */
export function batchBodies(events: readonly unknown[], perBody: number): string[] {
  const bodies: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const event of events) {
    const text = JSON.stringify(event);
    if (current.length > 0 && (current.length === perBody || bytes + text.length + 1 > 250 * 1024)) {
      bodies.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    current.push(text);
    bytes += text.length + 1;
  }
  if (current.length > 0) bodies.push(`[${current.join(',')}]`);
  return bodies;
}
