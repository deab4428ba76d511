/**
 * Subscriptions over time, as properties: the segments of a period follow the subscription
 * history, their shares (whole seconds) add up to exactly the period when it is covered, and
 * a prorated fixed amount is the exact share rounded half-up, never more than half a minor
 * unit away. The reference uses its own decimal.js clone.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import DecimalJs from 'decimal.js';
import { periodSegments, segmentIndexAt } from '#domain/subscriptions/segments.ts';
import { proratedMinor } from '#domain/subscriptions/proration.ts';
import { subscriptionProblems } from '#domain/subscriptions/rules.ts';
import { activeAt, subscriptionsOf, type Subscription } from '#domain/subscriptions/subscription.ts';
import { periodBounds } from '#domain/period.ts';

const Ref = DecimalJs.clone({ precision: 80, rounding: DecimalJs.ROUND_HALF_UP });
const RUNS = { numRuns: 300 };
const PERIODS = ['2026-02', '2028-02', '2026-11', '2026-12', '2027-01'];

/** A history of back-to-back subscriptions with cut points in and around the period. */
const coveringHistory = fc
  .record({
    period: fc.constantFrom(...PERIODS),
    cuts: fc.uniqueArray(fc.integer({ min: -5 * 86_400, max: 35 * 86_400 }), { maxLength: 5 }),
    plans: fc.array(fc.constantFrom('basic', 'pro', 'team'), { minLength: 6, maxLength: 6 }),
    openStart: fc.boolean(),
  })
  .map(({ period, cuts, plans, openStart }) => {
    const { start } = periodBounds(period);
    const instants = [...cuts].sort((a, b) => a - b).map((offset) => start + offset * 1000);
    const history: Subscription[] = [];
    let from: number | undefined = openStart ? undefined : start - 40 * 86_400_000;
    instants.forEach((instant, index) => {
      history.push({ plan: plans[index]!, ...(from === undefined ? {} : { start: from }), end: instant });
      from = instant;
    });
    history.push({ plan: plans[instants.length]!, ...(from === undefined ? {} : { start: from }) });
    return { period, history };
  });

describe('segments of a billing period', () => {
  it('add up to exactly the period, in whole seconds, when subscriptions cover it', () => {
    fc.assert(
      fc.property(coveringHistory, ({ period, history }) => {
        const segments = periodSegments(history, period);
        const { start, end } = periodBounds(period);
        expect(segments.reduce((total, segment) => total + segment.seconds, 0)).toBe((end - start) / 1000);
        expect(segments[0]!.from).toBe(start);
        expect(segments.at(-1)!.to).toBe(end);
        segments.forEach((segment, index) => {
          if (index > 0) expect(segment.from).toBe(segments[index - 1]!.to);
          // The plan is the one active at every instant of the segment.
          expect(activeAt(history, segment.from)?.plan).toBe(segment.plan);
          expect(activeAt(history, segment.to - 1000)?.plan).toBe(segment.plan);
          expect(segment.whole).toBe(segments.length === 1);
        });
        expect(subscriptionProblems(history, () => 'EUR')).toEqual([]);
      }),
      RUNS,
    );
  });

  it('price every event in the segment active at its time', () => {
    fc.assert(
      fc.property(coveringHistory, fc.integer({ min: 0, max: 27 * 86_400 - 1 }), ({ period, history }, offset) => {
        const segments = periodSegments(history, period);
        const instant = periodBounds(period).start + offset * 1000;
        const segment = segments[segmentIndexAt(segments, instant)]!;
        expect(segment.from <= instant && instant < segment.to).toBe(true);
      }),
      RUNS,
    );
  });

  it('the plan: shorthand is one whole segment in every period', () => {
    for (const period of PERIODS) {
      const segments = periodSegments(subscriptionsOf({ plan: 'pro' }), period);
      expect(segments).toHaveLength(1);
      expect(segments[0]!.whole).toBe(true);
    }
  });

  it('a period with no active subscription has no segments', () => {
    const history = subscriptionsOf({ subscriptions: [{ plan: 'pro', start: '2026-10-10T00:00:00Z', end: '2026-11-01T00:00:00Z' }] });
    expect(periodSegments(history, '2026-11')).toEqual([]);
    expect(periodSegments(history, '2026-10')[0]).toMatchObject({ seconds: 22 * 86_400, periodSeconds: 31 * 86_400, whole: false });
  });
});

describe('proration', () => {
  it('is the exact share rounded half-up: at most half a minor unit off, whole segments unchanged', () => {
    fc.assert(
      fc.property(
        coveringHistory,
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom(['EUR', 2], ['JPY', 0], ['KWD', 3]),
        ({ period, history }, minor, [currency, exponent]) => {
          const amount = new Ref(minor).div(new Ref(10).pow(exponent)).toFixed(exponent);
          for (const segment of periodSegments(history, period)) {
            const exact = new Ref(amount).times(segment.seconds).div(segment.periodSeconds).times(new Ref(10).pow(exponent));
            const prorated = proratedMinor(amount, segment, currency);
            expect(exact.minus(prorated).abs().lessThanOrEqualTo(0.5)).toBe(true);
            expect(prorated).toBe(Number(exact.toDecimalPlaces(0, Ref.ROUND_HALF_UP).toFixed(0)));
            if (segment.whole) expect(prorated).toBe(minor);
          }
        },
      ),
      RUNS,
    );
  });
});

describe('subscription rules', () => {
  const currencies: Record<string, string> = { pro: 'EUR', basic: 'EUR', usd: 'USD' };
  const history = (terms: { plan: string; start: string; end?: string }[]) => subscriptionsOf({ subscriptions: terms });

  it('refuses an end before its start, overlaps and a second currency, each at its index', () => {
    const problems = subscriptionProblems(
      history([
        { plan: 'basic', start: '2026-11-10T00:00:00Z', end: '2026-11-20T00:00:00Z' },
        { plan: 'pro', start: '2026-11-15T00:00:00Z' },
        { plan: 'usd', start: '2026-12-20T00:00:00Z', end: '2026-12-01T00:00:00Z' },
      ]),
      (code) => currencies[code],
    );
    expect(problems).toEqual([
      { index: 2, field: 'end', message: 'must be after start (2026-12-20T00:00:00Z)' },
      expect.objectContaining({
        index: 1,
        field: 'start',
        message: expect.stringContaining(
          'overlaps the subscription to plan basic (from 2026-11-10T00:00:00Z), which ends at 2026-11-20T00:00:00Z',
        ),
      }),
      expect.objectContaining({ index: 2, field: 'start', message: expect.stringContaining('which has no end') }),
      expect.objectContaining({ index: 2, field: 'plan', message: expect.stringContaining('bills in USD') }),
    ]);
  });

  it('accepts back-to-back subscriptions with a gap between them', () => {
    expect(
      subscriptionProblems(
        history([
          { plan: 'basic', start: '2026-11-10T00:00:00Z', end: '2026-11-20T00:00:00Z' },
          { plan: 'pro', start: '2026-11-20T00:00:00Z', end: '2026-12-01T00:00:00Z' },
          { plan: 'pro', start: '2027-01-05T00:00:00Z' },
        ]),
        (code) => currencies[code],
      ),
    ).toEqual([]);
  });
});
