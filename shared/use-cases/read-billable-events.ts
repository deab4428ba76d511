/**
 * Reads one customer's events for one period as the invoice run needs them: one part per
 * write shard, each deduplicated on its own (every copy of an event is in the same shard),
 * so parts run in parallel and each holds only its own shard's keys in memory.
 */
import { DistinctEventFilter, type ShardTally } from '#domain/events/distinct-events.ts';
import type { StoredEvent } from '#domain/events/billable-event.ts';
import type { EventStore, ShardRange } from '#ports/event-store.ts';

export interface BillableEventPart {
  readonly shard: number;
  /** Distinct events of this shard, oldest write first. */
  events(): AsyncIterable<StoredEvent>;
  /** Deliveries and distinct events seen so far (complete once `events()` is exhausted). */
  readonly tally: ShardTally;
}

export function billableEventParts(store: EventStore, customerId: string, period: string, range: ShardRange = {}): BillableEventPart[] {
  return Array.from({ length: store.shardCount }, (_, shard) => {
    const filter = new DistinctEventFilter();
    return {
      shard,
      tally: filter.tally,
      async *events() {
        for await (const chunk of store.readShard(customerId, period, shard, range)) {
          yield* filter.admit(chunk);
        }
      },
    };
  });
}

/** All distinct events of a customer's period, read part by part in parallel (tests, CLI). */
export async function collectBillableEvents(
  store: EventStore,
  customerId: string,
  period: string,
  range: ShardRange = {},
): Promise<{ events: StoredEvent[]; deliveries: number }> {
  const parts = billableEventParts(store, customerId, period, range);
  const perPart = await Promise.all(
    parts.map(async (part) => {
      const events: StoredEvent[] = [];
      for await (const event of part.events()) events.push(event);
      return events;
    }),
  );
  return { events: perPart.flat(), deliveries: parts.reduce((sum, part) => sum + part.tally.deliveries, 0) };
}
