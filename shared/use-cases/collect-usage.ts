/**
 * Aggregates a customer's usage for one invoice, straight from the stored chunks:
 * 1. the invoice's own period: chunks written before `readThrough` (the invoice's cut), one
 *    part per shard;
 * 2. late usage: for each earlier period whose invoice already took its cut, chunks written
 *    in its late window [from, readThrough), deduplicated against everything that period
 *    stored before the window (a late copy of an event already billed must not be billed
 *    again). What is billed is the period's aggregate with the late events minus its aggregate
 *    without them, so a late seat count equal to the peak already billed (max), or a user
 *    already counted (unique_count), adds nothing; pricing continues from the quantity already
 *    billed, read from every shard of the period. The quantities already billed are returned
 *    too, so pricing can re-rate the period (its minimum commitment).
 * Each part holds one shard's event keys; aggregates are merged across parts.
 * A period split into subscription segments is aggregated per segment (each event in the
 * segment active at its `time`), so each segment is priced under its own plan.
 */
import type { Meter } from '#domain/catalog/types.ts';
import { DistinctEventFilter } from '#domain/events/distinct-events.ts';
import type { StoredEvent } from '#domain/events/billable-event.ts';
import type { MeterUsage } from '#domain/invoice/types.ts';
import { createAggregator } from '#domain/pricing/aggregate.ts';
import { decimal, decimalText } from '#domain/money.ts';
import { periodSegments, segmentIndexAt, segmentKey, type Segment } from '#domain/subscriptions/segments.ts';
import type { Subscription } from '#domain/subscriptions/subscription.ts';
import type { EventStore, StoredChunk } from '#ports/event-store.ts';
import { billableEventParts } from './read-billable-events.ts';

/** An earlier period whose chunks written from `from` on (until the invoice's cut) are late usage. */
export interface LateWindow {
  readonly period: string;
  /** Epoch ms: the period's events written before it are already billed. */
  readonly from: number;
}

export interface UsageWindow {
  /** The invoice's cut: chunks written before it count, of its own period and as late usage. */
  readonly readThrough: number;
  /** Earlier periods that may hold late chunks, each with where its late window starts. */
  readonly late: readonly LateWindow[];
  /** For a draft or a preview: eventually consistent reads, half the read units. */
  readonly eventuallyConsistent?: boolean;
  /** The customer's subscriptions: usage is split by segment. Absent: each period whole. */
  readonly subscriptions?: readonly Subscription[];
}

export interface CollectedUsage {
  readonly usage: MeterUsage[];
  readonly eventCount: number;
  /** Stored deliveries that were copies of events already counted (the `duplicates` of the identity). */
  readonly duplicateDeliveries: number;
  /** Per period with late usage: what its events before the late window add up to (already billed). */
  readonly billedUsage: MeterUsage[];
}

type MeterAggregators = Map<string, ReturnType<typeof createAggregator>>;

/**
 * One period's aggregators: one set per subscription segment when the period has several
 * (or one partial one), a single set otherwise, exactly as before subscriptions existed.
 */
class Aggregators {
  private readonly sets: MeterAggregators[];
  constructor(
    meters: readonly Meter[],
    private readonly segments: readonly Segment[],
  ) {
    this.sets = Array.from(
      { length: Math.max(1, segments.length) },
      () => new Map(meters.map((meter) => [meter.code, createAggregator(meter)])),
    );
  }

  add(event: StoredEvent): void {
    const set = this.sets[this.segments.length === 0 ? 0 : segmentIndexAt(this.segments, event.t)]!;
    for (const aggregator of set.values()) aggregator.add(event);
  }

  /** Each set with the segment it names (undefined when the period is not split). */
  entries(): { segment: string | undefined; set: MeterAggregators }[] {
    const split = this.segments.length > 1 || (this.segments.length === 1 && !this.segments[0]!.whole);
    return this.sets.map((set, index) => ({ segment: split ? segmentKey(this.segments[index]!) : undefined, set }));
  }
}

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

  const own = aggregatorsFor(meters, period, window.subscriptions);
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

  const billedUsage: MeterUsage[] = [];
  const latePeriods = new Map(
    window.late.filter((late) => late.period < period && late.from < window.readThrough).map((late) => [late.period, late]),
  );
  for (const late of [...latePeriods.values()].sort((a, b) => (a.period < b.period ? -1 : 1))) {
    const found = await lateUsageOf(store, meters, customerId, late, window);
    if (found === undefined) continue;
    duplicateDeliveries += found.deliveries - found.fresh;
    if (found.fresh === 0) continue;
    eventCount += found.fresh;
    usage.push(...lateUsage(found.billed, found.withLate, late.period));
    billedUsage.push(...toUsage(found.billed, late.period));
  }
  return { usage, eventCount, duplicateDeliveries, billedUsage };
}

/**
 * One earlier period's late usage. The window is read first, on every shard: most periods
 * have none. When one has some, every shard's earlier chunks are read, so the quantity
 * already billed is the whole period's, not only the shards that received late events.
 */
async function lateUsageOf(
  store: EventStore,
  meters: readonly Meter[],
  customerId: string,
  late: LateWindow,
  window: UsageWindow,
): Promise<{ fresh: number; deliveries: number; billed: Aggregators; withLate: Aggregators } | undefined> {
  const consistency = { eventuallyConsistent: window.eventuallyConsistent === true };
  const shards = Array.from({ length: store.shardCount }, (_, shard) => shard);
  const inWindow = await Promise.all(
    shards.map((shard) =>
      readAll(
        store.readShard(customerId, late.period, shard, { ingestedFrom: late.from, ingestedBefore: window.readThrough, ...consistency }),
      ),
    ),
  );
  if (inWindow.every((chunks) => chunks.length === 0)) return undefined;
  const billed = aggregatorsFor(meters, late.period, window.subscriptions);
  const withLate = aggregatorsFor(meters, late.period, window.subscriptions);
  const counts = await Promise.all(
    shards.map(async (shard) => {
      const filter = new DistinctEventFilter();
      for await (const chunk of store.readShard(customerId, late.period, shard, { ingestedBefore: late.from, ...consistency })) {
        for (const event of filter.admit(chunk)) {
          feed(billed, event);
          feed(withLate, event);
        }
      }
      let fresh = 0;
      let deliveries = 0;
      for (const chunk of inWindow[shard]!) {
        deliveries += chunk.deliveries;
        for (const event of filter.admit(chunk)) {
          feed(withLate, event);
          fresh += 1;
        }
      }
      return { fresh, deliveries };
    }),
  );
  return {
    fresh: counts.reduce((sum, count) => sum + count.fresh, 0),
    deliveries: counts.reduce((sum, count) => sum + count.deliveries, 0),
    billed,
    withLate,
  };
}

async function readAll(chunks: AsyncIterable<StoredChunk>): Promise<StoredChunk[]> {
  const all: StoredChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

function aggregatorsFor(meters: readonly Meter[], period: string, subscriptions: readonly Subscription[] | undefined): Aggregators {
  return new Aggregators(meters, subscriptions === undefined ? [] : periodSegments(subscriptions, period));
}

function feed(aggregators: Aggregators, event: StoredEvent): void {
  aggregators.add(event);
}

function lateUsage(billed: Aggregators, withLate: Aggregators, period: string): MeterUsage[] {
  const usage: MeterUsage[] = [];
  const before = billed.entries();
  withLate.entries().forEach(({ segment, set }, index) => {
    for (const [meter, aggregator] of set) {
      const billedAggregator = before[index]!.set.get(meter)!;
      const lateEvents = aggregator.eventCount - billedAggregator.eventCount;
      if (lateEvents === 0) continue;
      usage.push({
        meter,
        period,
        quantity: decimalText(decimal(aggregator.quantity()).minus(billedAggregator.quantity())),
        billedQuantity: billedAggregator.quantity(),
        eventCount: lateEvents,
        ...(segment === undefined ? {} : { segment }),
      });
    }
  });
  return usage;
}

function toUsage(aggregators: Aggregators, period: string): MeterUsage[] {
  return aggregators.entries().flatMap(({ segment, set }) =>
    [...set.entries()]
      .filter(([, aggregator]) => aggregator.eventCount > 0)
      .map(([meter, aggregator]) => ({
        meter,
        period,
        quantity: aggregator.quantity(),
        eventCount: aggregator.eventCount,
        ...(segment === undefined ? {} : { segment }),
      })),
  );
}
