/**
 * Packs the accepted events of one ingest invocation into chunks: one per customer, period and
 * shard (split further only when large). A chunk is stored as one item, which is what brings
 * the write cost below one write unit per event (docs/storage.md).
 */
import { gracePeriodEnd } from '../period.ts';
import { eventKey, type AcceptedEvent, type StoredEvent } from './billable-event.ts';
import { shardOf } from './shard.ts';

export interface EventChunk {
  readonly customerId: string;
  readonly period: string;
  readonly shard: number;
  /**
   * Written after the period's grace period: its invoice may already be finalized, so the
   * customer's next invoice looks at the period (events after the invoice's cut are late).
   */
  readonly late: boolean;
  /** Distinct events; copies within the invocation are dropped here, copies across invocations when reading. */
  readonly events: StoredEvent[];
  /** Every delivery that ended in this chunk, duplicates included (the `received` side of the identity). */
  deliveries: number;
  /** SQS message ids whose events are in this chunk: they must be retried if the chunk is not written. */
  readonly messageIds: Set<string>;
}

export interface PackOptions {
  readonly shardCount: number;
  readonly now: number;
  readonly gracePeriodMs: number;
  /** Upper bound of a chunk's serialized events; keeps items well under DynamoDB's 400 KB. */
  readonly maxChunkBytes: number;
}

export function packChunks(
  deliveries: Iterable<{ readonly messageId: string; readonly accepted: AcceptedEvent }>,
  options: PackOptions,
): EventChunk[] {
  const open = new Map<string, { chunk: EventChunk; bytes: number; seen: Map<string, EventChunk> }>();
  const chunks: EventChunk[] = [];
  for (const { messageId, accepted } of deliveries) {
    const { customerId, period, event } = accepted;
    const shard = shardOf(event, options.shardCount);
    const groupKey = `${customerId}|${period}|${shard}`;
    let group = open.get(groupKey);
    const key = eventKey(event);
    const earlier = group?.seen.get(key);
    if (earlier !== undefined) {
      // A copy within this invocation: counted as a delivery, stored once. The message must
      // still be retried if that chunk fails, or the copy's delivery would go unrecorded.
      earlier.deliveries += 1;
      earlier.messageIds.add(messageId);
      continue;
    }
    // UTF-8 bytes, not UTF-16 units: non-Latin text is up to 3 bytes a character in the item.
    const bytes = Buffer.byteLength(JSON.stringify(event), 'utf8');
    if (group === undefined || group.bytes + bytes > options.maxChunkBytes) {
      const chunk: EventChunk = {
        customerId,
        period,
        shard,
        late: options.now >= gracePeriodEnd(period, options.gracePeriodMs),
        events: [],
        deliveries: 0,
        messageIds: new Set(),
      };
      chunks.push(chunk);
      group = { chunk, bytes: 0, seen: group?.seen ?? new Map<string, EventChunk>() };
      open.set(groupKey, group);
    }
    group.chunk.events.push(event);
    group.chunk.deliveries += 1;
    group.chunk.messageIds.add(messageId);
    group.bytes += bytes;
    group.seen.set(key, group.chunk);
  }
  return chunks;
}
