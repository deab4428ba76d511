/**
 * Read-side deduplication: given one shard's chunks in storage order (oldest write first),
 * keeps the first stored copy of every (source, id). Memory is one key per distinct event of
 * that shard; other shards are read by other parts, in parallel.
 */
import { eventKey, type StoredEvent } from './billable-event.ts';

export interface ShardTally {
  /** Events delivered into stored chunks, duplicates included. */
  deliveries: number;
  /** Distinct events: what is billed. */
  accepted: number;
}

export class DistinctEventFilter {
  private readonly seen = new Set<string>();
  readonly tally: ShardTally = { deliveries: 0, accepted: 0 };

  /** Returns the chunk's events not seen before, and counts the chunk's deliveries. */
  admit(chunk: { readonly events: readonly StoredEvent[]; readonly deliveries: number }): StoredEvent[] {
    this.tally.deliveries += chunk.deliveries;
    const fresh: StoredEvent[] = [];
    for (const event of chunk.events) {
      const key = eventKey(event);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      fresh.push(event);
    }
    this.tally.accepted += fresh.length;
    return fresh;
  }
}
