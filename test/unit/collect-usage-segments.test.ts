/**
 * collect-usage with subscriptions: a period split into segments is aggregated per segment,
 * each event in the segment active at its time, for the invoice's own period and for late
 * usage (whose quantity already billed is per segment too); an unsplit period reads as before.
 */
import { describe, expect, it } from 'vitest';
import type { Meter } from '#domain/catalog/types.ts';
import { subscriptionsOf } from '#domain/subscriptions/subscription.ts';
import { collectUsage } from '#use-cases/collect-usage.ts';
import { ingestEvents } from '#functions/ingest-events/ingest-handler.ts';
import { InMemoryEventStore, InMemoryRejectedEventStore } from '#test-support/in-memory-stores.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const METERS: readonly Meter[] = [
  { code: 'api_calls', eventType: 'api.request', aggregation: 'count', unitCode: 'C62' },
  { code: 'seats', eventType: 'seats.changed', aggregation: 'max', valueProperty: 'count', unitCode: 'C62' },
];
const HISTORY = subscriptionsOf({
  subscriptions: [
    { plan: 'starter', start: '2026-11-10T00:00:00Z', end: '2026-11-20T00:00:00Z' },
    { plan: 'pro', start: '2026-11-20T00:00:00Z', end: '2026-12-01T00:00:00Z' },
  ],
});
const STARTER = '2026-11-10T00:00:00.000Z';
const PRO = '2026-11-20T00:00:00.000Z';

async function store(events: InMemoryEventStore, at: number, bodies: object[]): Promise<void> {
  await ingestEvents([{ messageId: `m-${at}`, body: JSON.stringify(bodies) }], {
    outbound: noOutboundEvents,
    events,
    rejected: new InMemoryRejectedEventStore(),
    catalogRules: async () => ({ meters: METERS, gracePeriodMs: 3_600_000 }),
    knownCustomers: async (ids) => new Set(ids),
    now: () => at,
    maxChunkBytes: 256 * 1024,
  });
}

const call = (id: string, time: string) => ({ specversion: '1.0', id, source: '//s', type: 'api.request', subject: 'cus_50', time });
const seats = (id: string, time: string, count: number) => ({ ...call(id, time), type: 'seats.changed', data: { count } });

describe('collectUsage over subscription segments', () => {
  it('splits the own period and late usage by segment; the quantity already billed is per segment', async () => {
    // Prepare: stored before November's cut, then late (after it).
    const events = new InMemoryEventStore({ shardCount: 4 });
    const cut = Date.parse('2026-12-01T02:00:00Z');
    await store(events, Date.parse('2026-11-30T12:00:00Z'), [
      call('a', '2026-11-12T00:00:00Z'),
      call('b', '2026-11-19T23:59:59Z'),
      call('c', '2026-11-20T00:00:00Z'),
      seats('s1', '2026-11-11T00:00:00Z', 7),
      seats('s2', '2026-11-25T00:00:00Z', 2),
    ]);
    await store(events, Date.parse('2026-12-10T00:00:00Z'), [call('d', '2026-11-21T00:00:00Z'), seats('s3', '2026-11-26T00:00:00Z', 3)]);

    // Act
    const november = await collectUsage(events, METERS, 'cus_50', '2026-11', { readThrough: cut, late: [], subscriptions: HISTORY });
    const unsplit = await collectUsage(events, METERS, 'cus_50', '2026-11', { readThrough: cut, late: [] });
    const december = await collectUsage(events, METERS, 'cus_50', '2026-12', {
      readThrough: Date.parse('2027-01-01T02:00:00Z'),
      late: [{ period: '2026-11', from: cut }],
      subscriptions: HISTORY,
    });

    // Assess: starter's peak (7) does not raise pro's (2, then 3 late).
    expect(november.usage).toEqual([
      { meter: 'api_calls', period: '2026-11', quantity: '2', eventCount: 2, segment: STARTER },
      { meter: 'seats', period: '2026-11', quantity: '7', eventCount: 1, segment: STARTER },
      { meter: 'api_calls', period: '2026-11', quantity: '1', eventCount: 1, segment: PRO },
      { meter: 'seats', period: '2026-11', quantity: '2', eventCount: 1, segment: PRO },
    ]);
    expect(unsplit.usage).toEqual([
      { meter: 'api_calls', period: '2026-11', quantity: '3', eventCount: 3 },
      { meter: 'seats', period: '2026-11', quantity: '7', eventCount: 2 },
    ]);
    expect(december.usage).toEqual([
      { meter: 'api_calls', period: '2026-11', quantity: '1', billedQuantity: '1', eventCount: 1, segment: PRO },
      { meter: 'seats', period: '2026-11', quantity: '1', billedQuantity: '2', eventCount: 1, segment: PRO },
    ]);
    expect(december.billedUsage).toEqual(
      expect.arrayContaining([
        { meter: 'api_calls', period: '2026-11', quantity: '2', eventCount: 2, segment: STARTER },
        { meter: 'seats', period: '2026-11', quantity: '2', eventCount: 1, segment: PRO },
      ]),
    );
  });
});
