import type { StoredEvent } from '#domain/events/billable-event.ts';
import type { EventChunk } from '#domain/events/pack-chunks.ts';

export interface ChunkWriteOutcome {
  readonly chunk: EventChunk;
  readonly written: boolean;
  /** Why it was not written (throttled, timed out, ...), for the log. */
  readonly error?: string;
}

/** A chunk as read back: what was written, plus when. */
export interface StoredChunk {
  readonly customerId: string;
  readonly period: string;
  readonly shard: number;
  readonly ingestedAt: string;
  readonly late: boolean;
  readonly deliveries: number;
  readonly events: readonly StoredEvent[];
}

export interface ShardRange {
  /** Only chunks written strictly before this instant (epoch ms): a period's on-time events. */
  readonly ingestedBefore?: number;
  /** Only chunks written at or after this instant (epoch ms): a period's late events. */
  readonly ingestedFrom?: number;
  /**
   * Half the read units, for reads where a slightly stale answer is harmless (a draft, rebuilt
   * before it is finalized). Default: strongly consistent.
   */
  readonly eventuallyConsistent?: boolean;
}

/** Usage events, stored as packed chunks and deduplicated when read (docs/storage.md). */
export interface EventStore {
  readonly shardCount: number;
  /** Writes every chunk it can; reports each chunk's outcome instead of failing the whole call. */
  writeChunks(chunks: readonly EventChunk[], ingestedAt: number): Promise<ChunkWriteOutcome[]>;
  /** One shard of a customer's period, oldest write first, a page at a time. */
  readShard(customerId: string, period: string, shard: number, range?: ShardRange): AsyncIterable<StoredChunk>;
  /** Every chunk in the store, optionally of one period (operator statistics). */
  scanChunks(filter?: { period?: string }): AsyncIterable<StoredChunk>;
  /** Remembers that a customer's period received late events, so the next invoice looks there. */
  recordLatePeriods(entries: readonly { customerId: string; period: string }[]): Promise<void>;
  /** Periods of a customer that received late events. */
  latePeriods(customerId: string): Promise<string[]>;
}
