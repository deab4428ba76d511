/**
 * Rejected events on DynamoDB, one item per distinct rejected body (keyed by its SHA-256),
 * so a re-delivered rejected event is one record whose delivery count goes up.
 */
import { createHash } from 'node:crypto';
import { ScanCommand, UpdateCommand, type DynamoDBDocumentClient, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { periodBounds } from '#domain/period.ts';
import type { RejectedEvent, RejectedEventStore, Rejection, RejectionStatus } from '#ports/rejected-event-store.ts';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import { rejectedPartitionKey } from './event-keys.ts';

export interface DynamoDbRejectedEventStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Rejections of one period spread over this many partitions (a flood of bad events must not throttle). */
  readonly shardCount: number;
  readonly retentionDays: number;
}

const DAY_MS = 86_400_000;

export class DynamoDbRejectedEventStore implements RejectedEventStore {
  constructor(private readonly options: DynamoDbRejectedEventStoreOptions) {}

  async record(rejections: readonly Rejection[], at: number): Promise<boolean[]> {
    const now = new Date(at).toISOString();
    const stored = rejections.map(() => false);
    await forEachConcurrently(
      rejections.map((rejection, index) => ({ rejection, index })),
      16,
      async ({ rejection, index }) => {
        const key = bodyKey(rejection.body);
        try {
          await this.options.client.send(
            new UpdateCommand({
              TableName: this.options.tableName,
              Key: { pk: rejectedPartitionKey(rejection.period, this.shardOf(key)), sk: key },
              UpdateExpression:
                'SET body = :body, reason = :reason, period = :period, customerId = :customerId, #source = :source, eventId = :eventId, ' +
                'messageId = :messageId, firstReceivedAt = if_not_exists(firstReceivedAt, :now), lastReceivedAt = :now, ' +
                '#status = :open, expiresAt = :expiresAt ADD deliveries :one',
              ExpressionAttributeNames: { '#source': 'source', '#status': 'status' },
              ExpressionAttributeValues: {
                ':body': rejection.body,
                ':reason': rejection.reason,
                ':period': rejection.period,
                ':customerId': rejection.customerId ?? null,
                ':source': rejection.source ?? null,
                ':eventId': rejection.id ?? null,
                ':messageId': rejection.messageId,
                ':now': now,
                ':open': 'open' satisfies RejectionStatus,
                ':one': 1,
                ':expiresAt': Math.floor((periodBounds(rejection.period).end + this.options.retentionDays * DAY_MS) / 1000),
              },
            }),
          );
          stored[index] = true;
        } catch {
          // Reported to the caller, which fails the message so SQS delivers it again.
          stored[index] = false;
        }
      },
    );
    return stored;
  }

  async *list(filter: { period?: string; status?: RejectionStatus } = {}): AsyncIterable<RejectedEvent> {
    let startKey: Record<string, unknown> | undefined;
    const prefix = filter.period === undefined ? 'R|' : `R|${filter.period}|`;
    do {
      const page: ScanCommandOutput = await this.options.client.send(
        new ScanCommand({
          TableName: this.options.tableName,
          FilterExpression: filter.status === undefined ? 'begins_with(pk, :r)' : 'begins_with(pk, :r) AND #status = :status',
          ExpressionAttributeValues: filter.status === undefined ? { ':r': prefix } : { ':r': prefix, ':status': filter.status },
          ...(filter.status === undefined ? {} : { ExpressionAttributeNames: { '#status': 'status' } }),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) yield toRejectedEvent(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  async markReplayed(events: readonly Pick<RejectedEvent, 'key' | 'period'>[], at: number): Promise<void> {
    await this.setStatus(events, 'SET #status = :status, replayedAt = :now', {
      ':status': 'replayed' satisfies RejectionStatus,
      ':now': new Date(at).toISOString(),
    });
  }

  async reopen(events: readonly Pick<RejectedEvent, 'key' | 'period'>[]): Promise<void> {
    await this.setStatus(events, 'SET #status = :status REMOVE replayedAt', { ':status': 'open' satisfies RejectionStatus });
  }

  /** Updates existing records only: a status change must never create a record without a body. */
  private async setStatus(
    events: readonly Pick<RejectedEvent, 'key' | 'period'>[],
    updateExpression: string,
    values: Record<string, string>,
  ): Promise<void> {
    await forEachConcurrently([...events], 16, async ({ key, period }) => {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: rejectedPartitionKey(period, this.shardOf(key)), sk: key },
          UpdateExpression: updateExpression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    });
  }

  private shardOf(key: string): number {
    return Number.parseInt(key.slice(0, 8), 16) % this.options.shardCount;
  }
}

export function bodyKey(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

function toRejectedEvent(item: Record<string, unknown>): RejectedEvent {
  const optional = (name: string) => {
    const value = item[name];
    return typeof value === 'string' ? value : undefined;
  };
  const customerId = optional('customerId');
  const source = optional('source');
  const id = optional('eventId');
  const replayedAt = optional('replayedAt');
  return {
    key: String(item.sk),
    body: String(item.body),
    reason: String(item.reason),
    period: String(item.period),
    messageId: String(item.messageId),
    firstReceivedAt: String(item.firstReceivedAt),
    lastReceivedAt: String(item.lastReceivedAt),
    deliveries: Number(item.deliveries),
    status: item.status === 'replayed' ? 'replayed' : 'open',
    ...(customerId === undefined ? {} : { customerId }),
    ...(source === undefined ? {} : { source }),
    ...(id === undefined ? {} : { id }),
    ...(replayedAt === undefined ? {} : { replayedAt }),
  };
}
