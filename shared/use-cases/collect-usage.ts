/**
 * Aggregates a customer's usage for one invoice, straight from the stored chunks:
 * 1. the invoice's own period: chunks written before `readThrough`, one part per shard;
 * 2. late usage: for each earlier period that received late events, chunks written in the
 *    late window [from, to), deduplicated against everything that period stored before the
 *    window (a late copy of an event already billed must not be billed again). What is billed
 *    is the period's aggregate with the late events minus its aggregate without them, so a
 *    late seat count equal to the peak already billed (max), or a user already counted
 *    (unique_count), adds nothing; pricing continues from the quantity already billed.
 * Each part holds one shard's event keys; aggregates are merged across parts.
 */
import type { Meter } from '../domain/catalog/types.ts';
import { DistinctEventFilter } from '../domain/events/distinct-events.ts';
import type { StoredEvent } from '../domain/events/billable-event.ts';
import type { MeterUsage } from '../domain/invoice/types.ts';
import { createAggregator } from '../domain/pricing/aggregate.ts';
import { decimal, decimalText } from '../domain/money.ts';
import type { EventStore, StoredChunk } from '../ports/event-store.ts';
import { billableEventParts } from './read-billable-events.ts';

export interface UsageWindow {
  readonly readThrough: number;
  readonly lateFrom: number;
  readonly lateTo: number;
  /** Earlier periods that may hold late chunks (late markers, and always the previous period). */
  readonly latePeriods: readonly string[];
  /** For a draft or a preview: eventually consistent reads, half the read units. */
  readonly eventuallyConsistent?: boolean;
}

export interface CollectedUsage {
  readonly usage: MeterUsage[];
  readonly eventCount: number;
  /** Stored deliveries that were copies of events already counted (the `duplicates` of the identity). */
  readonly duplicateDeliveries: number;
}

type Aggregators = Map<string, ReturnType<typeof createAggregator>>;

export async function collectUsage(
  store: EventStore,
  meters: readonly Meter[],
  customerId: string,
  period: string,
  window: UsageWindow,
): Promise<CollectedUsage> {
  const usage: MeterUsage[] = [];
  let eventCount = 0;
  let duplicateDeliveries = 0;

  const own = aggregatorsFor(meters);
  const consistency = { eventuallyConsistent: window.eventuallyConsistent === true };
  const parts = billableEventParts(store, customerId, period, { ingestedBefore: window.readThrough, ...consistency });
  await Promise.all(
    parts.map(async (part) => {
      for await (const event of part.events()) feed(own, event);
    }),
  );
  eventCount += parts.reduce((sum, part) => sum + part.tally.accepted, 0);
  duplicateDeliveries += parts.reduce((sum, part) => sum + part.tally.deliveries - part.tally.accepted, 0);
  usage.push(...toUsage(own, period));

  for (const latePeriod of [...new Set(window.latePeriods)].filter((candidate) => candidate < period).sort()) {
    const billed = aggregatorsFor(meters);
    const withLate = aggregatorsFor(meters);
    const counts = await Promise.all(
      Array.from({ length: store.shardCount }, (_, shard) =>
        lateEventsOfShard(store, customerId, latePeriod, shard, window, { billed, withLate }),
      ),
    );
    const lateCount = counts.reduce((sum, count) => sum + count.fresh, 0);
    duplicateDeliveries += counts.reduce((sum, count) => sum + count.deliveries - count.fresh, 0);
    if (lateCount === 0) continue;
    eventCount += lateCount;
    usage.push(...lateUsage(billed, withLate, latePeriod));
  }
  return { usage, eventCount, duplicateDeliveries };
}

async function lateEventsOfShard(
  store: EventStore,
  customerId: string,
  period: string,
  shard: number,
  window: UsageWindow,
  aggregators: { billed: Aggregators; withLate: Aggregators },
): Promise<{ fresh: number; deliveries: number }> {
  const inWindow: StoredChunk[] = [];
  const consistency = { eventuallyConsistent: window.eventuallyConsistent === true };
  for await (const chunk of store.readShard(customerId, period, shard, { ingestedFrom: window.lateFrom, ingestedBefore: window.lateTo, ...consistency })) {
    inWindow.push(chunk);
  }
  if (inWindow.length === 0) return { fresh: 0, deliveries: 0 };
  const filter = new DistinctEventFilter();
  for await (const chunk of store.readShard(customerId, period, shard, { ingestedBefore: window.lateFrom, ...consistency })) {
    for (const event of filter.admit(chunk)) {
      feed(aggregators.billed, event);
      feed(aggregators.withLate, event);
    }
  }
  let fresh = 0;
  let deliveries = 0;
  for (const chunk of inWindow) {
    deliveries += chunk.deliveries;
    for (const event of filter.admit(chunk)) {
      feed(aggregators.withLate, event);
      fresh += 1;
    }
  }
  return { fresh, deliveries };
}

function aggregatorsFor(meters: readonly Meter[]): Aggregators {
  return new Map(meters.map((meter) => [meter.code, createAggregator(meter)]));
}

function feed(aggregators: Aggregators, event: StoredEvent): void {
  for (const aggregator of aggregators.values()) aggregator.add(event);
}

function lateUsage(billed: Aggregators, withLate: Aggregators, period: string): MeterUsage[] {
  const usage: MeterUsage[] = [];
  for (const [meter, aggregator] of withLate) {
    const before = billed.get(meter)!;
    const lateEvents = aggregator.eventCount - before.eventCount;
    if (lateEvents === 0) continue;
    usage.push({
      meter,
      period,
      quantity: decimalText(decimal(aggregator.quantity()).minus(before.quantity())),
      billedQuantity: before.quantity(),
      eventCount: lateEvents,
    });
  }
  return usage;
}

function toUsage(aggregators: Aggregators, period: string): MeterUsage[] {
  return [...aggregators.entries()]
    .filter(([, aggregator]) => aggregator.eventCount > 0)
    .map(([meter, aggregator]) => ({ meter, period, quantity: aggregator.quantity(), eventCount: aggregator.eventCount }));
}
