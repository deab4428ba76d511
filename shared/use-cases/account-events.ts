/**
 * The accounting identity of CONTRACTS.md section 1, per customer and period:
 * received = accepted + duplicates + rejected, derived from what is stored, so it cannot
 * drift from it. `received` counts deliveries; a re-delivered event counts again, as a
 * duplicate (or again as rejected, if it is rejected again).
 */
import { DistinctEventFilter } from '#domain/events/distinct-events.ts';
import type { EventStore } from '#ports/event-store.ts';
import type { RejectedEventStore } from '#ports/rejected-event-store.ts';

export interface EventAccount {
  readonly received: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
}

export interface EventAccountRow extends EventAccount {
  /** Null for rejected events that named no customer. */
  readonly customerId: string | null;
  readonly period: string;
}

export interface EventStatement extends EventAccount {
  readonly period: string | null;
  readonly customerId: string | null;
  readonly rows: EventAccountRow[];
}

export async function accountEvents(
  events: EventStore,
  rejected: RejectedEventStore,
  filter: { period?: string; customerId?: string } = {},
): Promise<EventStatement> {
  const groups = new Map<
    string,
    { customerId: string | null; period: string; filters: Map<number, DistinctEventFilter>; rejected: number }
  >();
  const groupFor = (customerId: string | null, period: string) => {
    const key = JSON.stringify([customerId, period]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { customerId, period, filters: new Map(), rejected: 0 };
      groups.set(key, group);
    }
    return group;
  };

  for await (const chunk of events.scanChunks(filter.period === undefined ? {} : { period: filter.period })) {
    if (filter.customerId !== undefined && chunk.customerId !== filter.customerId) continue;
    const group = groupFor(chunk.customerId, chunk.period);
    let shardFilter = group.filters.get(chunk.shard);
    if (shardFilter === undefined) {
      shardFilter = new DistinctEventFilter();
      group.filters.set(chunk.shard, shardFilter);
    }
    shardFilter.admit(chunk);
  }
  for await (const rejection of rejected.list(filter.period === undefined ? {} : { period: filter.period })) {
    if (filter.customerId !== undefined && rejection.customerId !== filter.customerId) continue;
    groupFor(rejection.customerId ?? null, rejection.period).rejected += rejection.deliveries;
  }

  const rows = [...groups.values()]
    .map((group): EventAccountRow => {
      let deliveries = 0;
      let accepted = 0;
      for (const shardFilter of group.filters.values()) {
        deliveries += shardFilter.tally.deliveries;
        accepted += shardFilter.tally.accepted;
      }
      return {
        customerId: group.customerId,
        period: group.period,
        received: deliveries + group.rejected,
        accepted,
        duplicates: deliveries - accepted,
        rejected: group.rejected,
      };
    })
    .sort((a, b) => (a.period === b.period ? String(a.customerId).localeCompare(String(b.customerId)) : a.period.localeCompare(b.period)));
  const total = (field: keyof EventAccount) => rows.reduce((sum, row) => sum + row[field], 0);
  return {
    period: filter.period ?? null,
    customerId: filter.customerId ?? null,
    received: total('received'),
    accepted: total('accepted'),
    duplicates: total('duplicates'),
    rejected: total('rejected'),
    rows,
  };
}
