/**
 * Ingest with subscriptions (issue 15): an event whose `time` falls where its customer has no
 * active subscription is rejected with a reason that says so, kept for replay; the accounting
 * identity holds (received = stored + rejected); an event inside a subscription is stored.
 */
import { describe, expect, it } from 'vitest';
import type { Meter } from '#domain/catalog/types.ts';
import { subscriptionsOf } from '#domain/subscriptions/subscription.ts';
import { ingestEvents } from '#functions/ingest-events/ingest-handler.ts';
import { InMemoryEventStore, InMemoryRejectedEventStore } from '#test-support/in-memory-stores.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const METERS: readonly Meter[] = [{ code: 'api_calls', eventType: 'api.request', aggregation: 'count', unitCode: 'C62' }];
const NOW = Date.parse('2026-12-05T00:00:00Z');
const event = (id: string, subject: string, time: string) => ({
  specversion: '1.0',
  id,
  source: '//s',
  type: 'api.request',
  subject,
  time,
});

describe('ingest: events outside every subscription', () => {
  it('are rejected with the reason and kept; events inside one are stored', async () => {
    // Prepare: cus_50 on starter from 10 to 20 November, then pro until 1 December; cus_42 on the plan: shorthand.
    const subscriptions = new Map([
      [
        'cus_50',
        subscriptionsOf({
          subscriptions: [
            { plan: 'starter', start: '2026-11-10T00:00:00Z', end: '2026-11-20T00:00:00Z' },
            { plan: 'pro', start: '2026-11-20T00:00:00Z', end: '2026-12-01T00:00:00Z' },
          ],
        }),
      ],
      ['cus_42', subscriptionsOf({ plan: 'pro' })],
      ['cus_60', subscriptionsOf({ subscriptions: [] })],
    ]);
    const events = new InMemoryEventStore({ shardCount: 4 });
    const rejected = new InMemoryRejectedEventStore();
    const bodies = [
      event('before', 'cus_50', '2026-11-09T23:59:59Z'),
      event('first', 'cus_50', '2026-11-10T00:00:00Z'),
      event('upgraded', 'cus_50', '2026-11-20T00:00:00+00:00'),
      event('last', 'cus_50', '2026-11-30T23:59:59Z'),
      event('after', 'cus_50', '2026-12-01T00:00:00Z'),
      event('always', 'cus_42', '2020-01-01T00:00:00Z'),
      event('never', 'cus_60', '2026-11-15T00:00:00Z'),
    ];

    // Act
    const outcome = await ingestEvents([{ messageId: 'm-1', body: JSON.stringify(bodies) }], {
      outbound: noOutboundEvents,
      events,
      rejected,
      catalogRules: async () => ({ meters: METERS, gracePeriodMs: 3_600_000 }),
      knownCustomers: async (ids) => new Set(ids),
      customerSubscriptions: async (ids) =>
        new Map(ids.flatMap((id) => (subscriptions.has(id) ? [[id, subscriptions.get(id)!] as const] : []))),
      now: () => NOW,
      maxChunkBytes: 256 * 1024,
    });

    // Assess
    expect(outcome.failedMessageIds).toEqual([]);
    expect([outcome.received, outcome.stored, outcome.rejected]).toEqual([7, 4, 3]);
    const reasons = Object.fromEntries(rejected.stored().map((rejection) => [rejection.id, rejection.reason]));
    expect(reasons).toEqual({
      before: expect.stringMatching(
        /^customer "cus_50" has no active subscription at time 2026-11-09T23:59:59Z: events are billed only while a subscription is active/,
      ),
      after: expect.stringContaining(
        'customer "cus_50" has no active subscription at time 2026-12-01T00:00:00Z (plan pro ended at 2026-12-01T00:00:00Z)',
      ),
      never: expect.stringContaining('customer "cus_60" has no subscription: '),
    });
    expect(reasons.after).toContain('billflow subscriptions start cus_50 --plan PLAN --at T), then billflow events replay');
    // Kept with the original body, so replay can re-submit it after the fix.
    expect(rejected.stored().find((rejection) => rejection.id === 'after')?.body).toBe(JSON.stringify(bodies[4]));
  });
});
