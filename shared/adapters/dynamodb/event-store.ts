/**
 * EventStore on DynamoDB: one item per chunk of events (customer, period, shard), written
 * without conditions; duplicates are removed when reading (docs/storage.md explains why).
 */
import { randomBytes } from 'node:crypto';
import {
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { EventChunk } from '#domain/events/pack-chunks.ts';
import { periodBounds } from '#domain/period.ts';
import type { ChunkWriteOutcome, EventStore, ShardRange, StoredChunk } from '#ports/event-store.ts';
import { batchPutAll, type BatchWriteOptions } from './batch-write.ts';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import { gunzipJson, gzipJson } from './gzip-json.ts';
import type { StoredEvent } from '#domain/events/billable-event.ts';
import { chunkPartitionKey, chunkSortKey, latePartitionKey, parseChunkPartitionKey } from './event-keys.ts';

export interface DynamoDbEventStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly shardCount: number;
  /** Days after a period's end that its events are kept (TTL); at least 40 by the contract. */
  readonly retentionDays: number;
  readonly batchWrite?: BatchWriteOptions;
  /** Parallel segments for full scans. */
  readonly scanSegments?: number;
}

const DAY_MS = 86_400_000;

export class DynamoDbEventStore implements EventStore {
  readonly shardCount: number;

  constructor(private readonly options: DynamoDbEventStoreOptions) {
    this.shardCount = options.shardCount;
  }

  async writeChunks(chunks: readonly EventChunk[], ingestedAt: number): Promise<ChunkWriteOutcome[]> {
    const ingestedAtIso = new Date(ingestedAt).toISOString();
    const items = chunks.map((chunk) => ({
      pk: chunkPartitionKey(chunk.customerId, chunk.period, chunk.shard),
      // A fresh id per write: a retried message writes a new chunk, which reading deduplicates.
      sk: chunkSortKey(ingestedAtIso, randomBytes(9).toString('base64url')),
      n: chunk.events.length,
      d: chunk.deliveries,
      late: chunk.late,
      z: gzipJson(chunk.events),
      expiresAt: Math.floor((periodBounds(chunk.period).end + this.options.retentionDays * DAY_MS) / 1000),
    }));
    const failures = await batchPutAll(
      this.options.client,
      this.options.tableName,
      items,
      (item) => `${String(item.pk)}#${String(item.sk)}`,
      this.options.batchWrite,
    );
    const failed = new Map(failures.map((failure) => [failure.index, failure.error]));
    return chunks.map((chunk, index) => {
      const error = failed.get(index);
      return error === undefined ? { chunk, written: true } : { chunk, written: false, error };
    });
  }

  async *readShard(customerId: string, period: string, shard: number, range: ShardRange = {}): AsyncIterable<StoredChunk> {
    const pk = chunkPartitionKey(customerId, period, shard);
    const conditions = ['pk = :pk'];
    const values: Record<string, unknown> = { ':pk': pk };
    // Sort keys start with the ISO write time; '|' sorts after every character of an ISO time.
    if (range.ingestedFrom !== undefined && range.ingestedBefore !== undefined) {
      conditions.push('sk BETWEEN :from AND :before');
      values[':from'] = new Date(range.ingestedFrom).toISOString();
      // No sort key equals a bare ISO time (each has '|' and an id after it), so BETWEEN's
      // inclusive upper bound still excludes chunks written at exactly `ingestedBefore`.
      values[':before'] = new Date(range.ingestedBefore).toISOString();
    } else if (range.ingestedFrom !== undefined) {
      conditions.push('sk >= :from');
      values[':from'] = new Date(range.ingestedFrom).toISOString();
    } else if (range.ingestedBefore !== undefined) {
      conditions.push('sk < :before');
      values[':before'] = new Date(range.ingestedBefore).toISOString();
    }
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: conditions.join(' AND '),
          ExpressionAttributeValues: values,
          // Strong reads unless asked otherwise: an invoice must see every chunk written before its cutoff.
          ConsistentRead: range.eventuallyConsistent !== true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) yield toStoredChunk(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  async *scanChunks(filter: { period?: string } = {}): AsyncIterable<StoredChunk> {
    const segments = this.options.scanSegments ?? 4;
    const buffered: StoredChunk[][] = Array.from({ length: segments }, () => []);
    // Segments are scanned in parallel and yielded segment by segment: a partition lives in
    // one segment, so a shard's chunks arrive together and in write order.
    await forEachConcurrently(
      Array.from({ length: segments }, (_, segment) => segment),
      segments,
      async (segment) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page: ScanCommandOutput = await this.options.client.send(
            new ScanCommand({
              TableName: this.options.tableName,
              Segment: segment,
              TotalSegments: segments,
              FilterExpression: filter.period === undefined ? 'begins_with(pk, :e)' : 'begins_with(pk, :e) AND contains(pk, :period)',
              ExpressionAttributeValues: filter.period === undefined ? { ':e': 'E|' } : { ':e': 'E|', ':period': `|${filter.period}|` },
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of page.Items ?? []) buffered[segment]!.push(toStoredChunk(item));
          startKey = page.LastEvaluatedKey;
        } while (startKey !== undefined);
      },
    );
    for (const segment of buffered) yield* segment;
  }

  async recordLatePeriods(entries: readonly { customerId: string; period: string }[]): Promise<void> {
    const distinct = new Map(entries.map((entry) => [`${entry.customerId}|${entry.period}`, entry]));
    await forEachConcurrently([...distinct.values()], 8, async ({ customerId, period }) => {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: latePartitionKey(customerId), sk: period },
          UpdateExpression: 'SET lastLateAt = :now',
          ExpressionAttributeValues: { ':now': new Date().toISOString() },
        }),
      );
    });
  }

  async latePeriods(customerId: string): Promise<string[]> {
    const periods: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': latePartitionKey(customerId) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) periods.push(String(item.sk));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return periods;
  }
}

function toStoredChunk(item: Record<string, unknown>): StoredChunk {
  const key = parseChunkPartitionKey(String(item.pk));
  if (key === undefined) throw new Error(`item ${String(item.pk)} is not an event chunk`);
  return {
    ...key,
    ingestedAt: String(item.sk).split('|')[0]!,
    late: item.late === true,
    deliveries: Number(item.d),
    events: gunzipJson<StoredEvent[]>(item.z as Uint8Array),
  };
}
