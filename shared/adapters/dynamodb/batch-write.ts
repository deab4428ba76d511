/**
 * BatchWriteItem for many items, reporting per item whether it was written.
 *
 * Requests run a few at a time; throttled or unprocessed items are retried with backoff
 * (the SDK retries whole requests, this retries UnprocessedItems); whatever is still not
 * written is reported instead of thrown, so the caller can fail only the SQS messages that
 * fed it (partial batch response) and let the rest of the batch succeed.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import { backoffMs, sleep } from './retry-delay.ts';

const ITEMS_PER_REQUEST = 25;

export interface BatchWriteOptions {
  readonly concurrency: number;
  readonly maxUnprocessedRetries: number;
  readonly baseDelayMs: number;
}

export const defaultBatchWriteOptions: BatchWriteOptions = { concurrency: 8, maxUnprocessedRetries: 6, baseDelayMs: 50 };

export interface WriteFailure {
  readonly index: number;
  readonly error: string;
}

export async function batchPutAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  keyOf: (item: Record<string, unknown>) => string,
  options: BatchWriteOptions = defaultBatchWriteOptions,
): Promise<WriteFailure[]> {
  const failures: WriteFailure[] = [];
  const requests: number[][] = [];
  for (let start = 0; start < items.length; start += ITEMS_PER_REQUEST) {
    requests.push(Array.from({ length: Math.min(ITEMS_PER_REQUEST, items.length - start) }, (_, i) => start + i));
  }
  await forEachConcurrently(requests, options.concurrency, async (indexes) => {
    let pending = indexes;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > options.maxUnprocessedRetries) {
        for (const index of pending) failures.push({ index, error: 'still unprocessed after retries (throttled)' });
        return;
      }
      if (attempt > 0) await sleep(backoffMs(options.baseDelayMs, attempt));
      try {
        const result = await client.send(
          new BatchWriteCommand({
            RequestItems: { [tableName]: pending.map((index) => ({ PutRequest: { Item: items[index] } })) },
          }),
        );
        const unprocessed = new Set((result.UnprocessedItems?.[tableName] ?? []).map((request) => keyOf(request.PutRequest?.Item ?? {})));
        pending = pending.filter((index) => unprocessed.has(keyOf(items[index]!)));
      } catch (error) {
        // The SDK already retried this request; a second whole-request failure is reported per item.
        for (const index of pending) failures.push({ index, error: describe(error) });
        return;
      }
    }
  });
  return failures;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
