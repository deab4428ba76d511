/**
 * BatchGetItem for any number of keys: requests of at most 100 keys, UnprocessedKeys retried
 * with backoff (the SDK retries whole requests only). Keys still unprocessed after the retries
 * are an error, never a silent gap: the caller would take a missing item for one that does not
 * exist.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetError } from '../errors.ts';
import { backoffMs, sleep } from './retry-delay.ts';

const KEYS_PER_REQUEST = 100;

export interface BatchGetOptions {
  /** Strongly consistent (1 unit per 4 KB) or eventually consistent (half). */
  readonly consistentRead: boolean;
  /** Only these attributes (the key attributes are not added). Units are billed on whole items. */
  readonly attributes?: readonly string[];
  readonly maxUnprocessedRetries?: number;
  readonly baseDelayMs?: number;
}

export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: BatchGetOptions,
): Promise<Record<string, unknown>[]> {
  const maxRetries = options.maxUnprocessedRetries ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const items: Record<string, unknown>[] = [];
  const projection =
    options.attributes === undefined
      ? {}
      : {
          ProjectionExpression: options.attributes.map((_, i) => `#a${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(options.attributes.map((name, i) => [`#a${i}`, name])),
        };
  for (let start = 0; start < keys.length; start += KEYS_PER_REQUEST) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + KEYS_PER_REQUEST);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > maxRetries) {
        throw new BatchGetError(`${pending.length} items still unprocessed after ${attempt} BatchGetItem attempts (throttled); try again`);
      }
      if (attempt > 0) await sleep(backoffMs(baseDelayMs, attempt));
      const result = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistentRead, ...projection } } }),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}
