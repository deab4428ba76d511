/**
 * In-memory EventStore and RejectedEventStore for unit and property tests. They keep the
 * semantics of the DynamoDB adapters (shared/adapters/dynamodb/event-store.ts and
 * rejected-event-store.ts), not just their signatures:
 *
 * - a chunk is one item in the partition (customer, period, shard) under the sort key
 *   `{ingestedAt ISO}|{fresh id}`, stored as serialized JSON (what gzip + JSON.parse give back);
 * - a shard is read in sort-key order, and ranges compare sort keys exactly as the adapter's
 *   key conditions do: `ingestedBefore` exclusive, `ingestedFrom` inclusive, both = BETWEEN;
 * - a rejection is one record per (period, SHA-256 of its body): re-recording it adds a
 *   delivery, refreshes its fields and sets it back to `open`; an unusable period makes the
 *   write fail (the adapter computes its TTL from the period inside the write's try block).
 *
 * A fault plan makes chosen writes fail, as throttling or a timeout would: the adapters report
 * such failures per chunk / per rejection instead of throwing, and so do the fakes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { StoredEvent } from '#domain/events/billable-event.ts';
import type { EventChunk } from '#domain/events/pack-chunks.ts';
import { periodBounds } from '#domain/period.ts';
import type { ChunkWriteOutcome, EventStore, ShardRange, StoredChunk } from '#ports/event-store.ts';
import type { RejectedEvent, RejectedEventStore, Rejection, RejectionStatus } from '#ports/rejected-event-store.ts';

// ---------------------------------------------------------------------------------------------
// Events

export interface EventStoreFaultPlan {
  /**
   * Asked once per chunk of every `writeChunks` call (`call` counts the calls from 0).
   * Return an error text to leave that chunk unwritten, undefined to write it.
   */
  readonly failChunk?: (chunk: EventChunk, call: number) => string | undefined;
  /** Asked once per `recordLatePeriods` call; an error text makes the call throw, as the adapter does. */
  readonly failLatePeriods?: (entries: readonly { customerId: string; period: string }[], call: number) => string | undefined;
}

export interface InMemoryEventStoreOptions {
  readonly shardCount: number;
  readonly faults?: EventStoreFaultPlan;
  /**
   * The id after the write time in a sort key. The adapter uses random bytes, so chunks written
   * in the same millisecond come back in no particular order; a test passes a seeded generator
   * to keep that arbitrary order reproducible.
   */
  readonly chunkId?: () => string;
}

interface ChunkItem {
  readonly sk: string;
  readonly ingestedAt: string;
  readonly late: boolean;
  readonly deliveries: number;
  /** The events as JSON text: stored data, not a reference to the caller's objects. */
  readonly z: string;
}

/** A chunk as the store holds it, for assertions about what was actually written. */
export interface WrittenChunk extends StoredChunk {
  readonly sk: string;
}

const chunkPartitionKey = (customerId: string, period: string, shard: number): string => `E|${customerId}|${period}|${shard}`;

export class InMemoryEventStore implements EventStore {
  readonly shardCount: number;
  private readonly partitions = new Map<string, { customerId: string; period: string; shard: number; items: ChunkItem[] }>();
  private readonly late = new Map<string, Set<string>>();
  private readonly faults: EventStoreFaultPlan;
  private readonly chunkId: () => string;
  private writeCalls = 0;
  private lateCalls = 0;

  constructor(options: InMemoryEventStoreOptions) {
    this.shardCount = options.shardCount;
    this.faults = options.faults ?? {};
    this.chunkId = options.chunkId ?? (() => randomBytes(9).toString('base64url'));
  }

  async writeChunks(chunks: readonly EventChunk[], ingestedAt: number): Promise<ChunkWriteOutcome[]> {
    const call = this.writeCalls;
    this.writeCalls += 1;
    const ingestedAtIso = new Date(ingestedAt).toISOString();
    // The adapter builds every item (TTL from the period) before writing any: a bad period throws.
    for (const chunk of chunks) periodBounds(chunk.period);
    return chunks.map((chunk): ChunkWriteOutcome => {
      const error = this.faults.failChunk?.(chunk, call);
      if (error !== undefined) return { chunk, written: false, error };
      const pk = chunkPartitionKey(chunk.customerId, chunk.period, chunk.shard);
      let partition = this.partitions.get(pk);
      if (partition === undefined) {
        partition = { customerId: chunk.customerId, period: chunk.period, shard: chunk.shard, items: [] };
        this.partitions.set(pk, partition);
      }
      const item: ChunkItem = {
        sk: `${ingestedAtIso}|${this.chunkId()}`,
        ingestedAt: ingestedAtIso,
        late: chunk.late,
        deliveries: chunk.deliveries,
        z: JSON.stringify(chunk.events),
      };
      if (partition.items.some((existing) => existing.sk === item.sk)) {
        throw new Error(`chunk id generator repeated sort key ${item.sk}: a put would overwrite a chunk`);
      }
      partition.items.push(item);
      partition.items.sort((a, b) => compareKeys(a.sk, b.sk));
      return { chunk, written: true };
    });
  }

  async *readShard(customerId: string, period: string, shard: number, range: ShardRange = {}): AsyncIterable<StoredChunk> {
    const partition = this.partitions.get(chunkPartitionKey(customerId, period, shard));
    const from = range.ingestedFrom === undefined ? undefined : new Date(range.ingestedFrom).toISOString();
    const before = range.ingestedBefore === undefined ? undefined : new Date(range.ingestedBefore).toISOString();
    if (from !== undefined && before !== undefined && compareKeys(from, before) > 0) {
      // DynamoDB refuses BETWEEN with a lower bound above the upper one.
      throw new Error('ValidationException: Invalid KeyConditionExpression: the BETWEEN lower bound is greater than the upper bound');
    }
    // Key conditions exactly as the adapter writes them: `sk >= :from`, `sk < :before`, or
    // `sk BETWEEN :from AND :before` (inclusive, but no sort key equals a bare ISO time).
    const inRange = (sk: string): boolean => {
      if (from !== undefined && before !== undefined) return compareKeys(sk, from) >= 0 && compareKeys(sk, before) <= 0;
      if (from !== undefined) return compareKeys(sk, from) >= 0;
      if (before !== undefined) return compareKeys(sk, before) < 0;
      return true;
    };
    const items = (partition?.items ?? []).filter((item) => inRange(item.sk));
    for (const item of items) yield toStoredChunk(partition!, item);
  }

  async *scanChunks(filter: { period?: string } = {}): AsyncIterable<StoredChunk> {
    // Like the adapter's segmented scan: a partition's chunks arrive together and in write order.
    for (const partition of [...this.partitions.values()]) {
      if (filter.period !== undefined && partition.period !== filter.period) continue;
      for (const item of [...partition.items]) yield toStoredChunk(partition, item);
    }
  }

  async recordLatePeriods(entries: readonly { customerId: string; period: string }[]): Promise<void> {
    const call = this.lateCalls;
    this.lateCalls += 1;
    const error = this.faults.failLatePeriods?.(entries, call);
    if (error !== undefined) throw new Error(error);
    for (const { customerId, period } of entries) {
      const periods = this.late.get(customerId) ?? new Set<string>();
      periods.add(period);
      this.late.set(customerId, periods);
    }
  }

  async latePeriods(customerId: string): Promise<string[]> {
    // A query on the customer's late partition returns its periods in sort-key order.
    return [...(this.late.get(customerId) ?? [])].sort(compareKeys);
  }

  /** Every chunk written so far, partition by partition, each in sort-key order. */
  writtenChunks(): WrittenChunk[] {
    return [...this.partitions.values()].flatMap((partition) =>
      partition.items.map((item) => ({ ...toStoredChunk(partition, item), sk: item.sk })),
    );
  }

  /** How many times `writeChunks` and `recordLatePeriods` were called. */
  calls(): { writeChunks: number; recordLatePeriods: number } {
    return { writeChunks: this.writeCalls, recordLatePeriods: this.lateCalls };
  }
}

function toStoredChunk(partition: { customerId: string; period: string; shard: number }, item: ChunkItem): StoredChunk {
  return {
    customerId: partition.customerId,
    period: partition.period,
    shard: partition.shard,
    ingestedAt: item.ingestedAt,
    late: item.late,
    deliveries: item.deliveries,
    events: JSON.parse(item.z) as StoredEvent[],
  };
}

/** DynamoDB compares string sort keys by their UTF-8 bytes; for these ASCII keys that is code-unit order. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Rejected events

export interface RejectedEventStoreFaultPlan {
  /** Asked once per rejection of every `record` call; true leaves that rejection unstored. */
  readonly failRejection?: (rejection: Rejection, call: number) => boolean;
}

export interface InMemoryRejectedEventStoreOptions {
  /** Partitions per period, as in the adapter (it only spreads load; kept for key fidelity). */
  readonly shardCount?: number;
  readonly faults?: RejectedEventStoreFaultPlan;
}

interface RejectedItem {
  body: string;
  reason: string;
  period: string;
  customerId: string | undefined;
  source: string | undefined;
  id: string | undefined;
  messageId: string;
  firstReceivedAt: string;
  lastReceivedAt: string;
  deliveries: number;
  status: RejectionStatus;
  replayedAt: string | undefined;
}

export function rejectionKey(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

export class InMemoryRejectedEventStore implements RejectedEventStore {
  /** By partition key `R|{period}|{shard}`, then by sort key (the body's SHA-256). */
  private readonly partitions = new Map<string, Map<string, RejectedItem>>();
  private readonly shardCount: number;
  private readonly faults: RejectedEventStoreFaultPlan;
  private recordCalls = 0;

  constructor(options: InMemoryRejectedEventStoreOptions = {}) {
    this.shardCount = options.shardCount ?? 4;
    this.faults = options.faults ?? {};
  }

  async record(rejections: readonly Rejection[], at: number): Promise<boolean[]> {
    const call = this.recordCalls;
    this.recordCalls += 1;
    const now = new Date(at).toISOString();
    return rejections.map((rejection) => {
      if (this.faults.failRejection?.(rejection, call) === true) return false;
      try {
        // The adapter computes the item's TTL from the period inside its try block: a period
        // that is not YYYY-MM fails this rejection's write (reported as not stored).
        periodBounds(rejection.period);
      } catch {
        return false;
      }
      const key = rejectionKey(rejection.body);
      const partition = this.partition(rejection.period, key, true)!;
      const existing = partition.get(key);
      partition.set(key, {
        body: rejection.body,
        reason: rejection.reason,
        period: rejection.period,
        customerId: rejection.customerId,
        source: rejection.source,
        id: rejection.id,
        messageId: rejection.messageId,
        firstReceivedAt: existing?.firstReceivedAt ?? now,
        lastReceivedAt: now,
        deliveries: (existing?.deliveries ?? 0) + 1,
        status: 'open',
        // The adapter's update does not remove replayedAt; only reopen() does.
        replayedAt: existing?.replayedAt,
      });
      return true;
    });
  }

  async *list(filter: { period?: string; status?: RejectionStatus } = {}): AsyncIterable<RejectedEvent> {
    const prefix = filter.period === undefined ? 'R|' : `R|${filter.period}|`;
    for (const [pk, partition] of [...this.partitions]) {
      if (!pk.startsWith(prefix)) continue;
      for (const [key, item] of [...partition]) {
        if (filter.status !== undefined && item.status !== filter.status) continue;
        yield toRejectedEvent(key, item);
      }
    }
  }

  async markReplayed(events: readonly Pick<RejectedEvent, 'key' | 'period'>[], at: number): Promise<void> {
    const now = new Date(at).toISOString();
    this.updateExisting(events, (item) => {
      item.status = 'replayed';
      item.replayedAt = now;
    });
  }

  async reopen(events: readonly Pick<RejectedEvent, 'key' | 'period'>[]): Promise<void> {
    this.updateExisting(events, (item) => {
      item.status = 'open';
      item.replayedAt = undefined;
    });
  }

  /** Every stored rejection, for assertions. */
  stored(): RejectedEvent[] {
    return [...this.partitions.values()].flatMap((partition) => [...partition].map(([key, item]) => toRejectedEvent(key, item)));
  }

  private partition(period: string, key: string, create: boolean): Map<string, RejectedItem> | undefined {
    const pk = `R|${period}|${Number.parseInt(key.slice(0, 8), 16) % this.shardCount}`;
    let partition = this.partitions.get(pk);
    if (partition === undefined && create) {
      partition = new Map();
      this.partitions.set(pk, partition);
    }
    return partition;
  }

  /** Conditional updates (attribute_exists): every existing item is updated, then a missing one fails the call. */
  private updateExisting(events: readonly Pick<RejectedEvent, 'key' | 'period'>[], update: (item: RejectedItem) => void): void {
    const missing: string[] = [];
    for (const { key, period } of events) {
      const item = this.partition(period, key, false)?.get(key);
      if (item === undefined) missing.push(key);
      else update(item);
    }
    if (missing.length > 0) {
      throw Object.assign(new Error(`The conditional request failed (no rejected event ${missing[0]})`), {
        name: 'ConditionalCheckFailedException',
      });
    }
  }
}

function toRejectedEvent(key: string, item: RejectedItem): RejectedEvent {
  return {
    key,
    body: item.body,
    reason: item.reason,
    period: item.period,
    messageId: item.messageId,
    firstReceivedAt: item.firstReceivedAt,
    lastReceivedAt: item.lastReceivedAt,
    deliveries: item.deliveries,
    status: item.status,
    ...(item.customerId === undefined ? {} : { customerId: item.customerId }),
    ...(item.source === undefined ? {} : { source: item.source }),
    ...(item.id === undefined ? {} : { id: item.id }),
    ...(item.replayedAt === undefined ? {} : { replayedAt: item.replayedAt }),
  };
}
