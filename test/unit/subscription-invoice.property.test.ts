/**
 * Invoices of periods with several subscription segments (issue 15), as properties, against
 * a per-segment calculation written here apart from the code under test (its own decimal.js
 * clone, its own proration and tier arithmetic): the invoice equals it to the cent, and no
 * line is more than half a minor unit from its exact amount.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import DecimalJs from 'decimal.js';
import { computeInvoice } from '#domain/invoice/assemble.ts';
import type { Customer, Issuer, Meter, Plan } from '#domain/catalog/types.ts';
import type { MeterUsage } from '#domain/invoice/types.ts';
import type { Subscription } from '#domain/subscriptions/subscription.ts';
import { periodBounds } from '#domain/period.ts';
import { issuer } from '#test-support/invoicing-catalog.ts';

const Ref = DecimalJs.clone({ precision: 80, rounding: DecimalJs.ROUND_HALF_UP });
type Ref = DecimalJs;
const cents = (amount: Ref): number => Number(amount.times(100).toDecimalPlaces(0, Ref.ROUND_HALF_UP).toFixed(0));

const ISSUER: Issuer = issuer;
const CUSTOMER: Customer = {
  id: 'cus_1',
  name: 'Globex',
  email: 'ap@globex.example',
  address: { line1: '1 Main St', city: 'Austin', postalCode: '73301', country: 'US' },
  subscriptions: [],
  paymentTermsDays: 30,
};
const METERS: readonly Meter[] = [
  { code: 'calls', eventType: 'call', aggregation: 'count', unitCode: 'C62' },
  { code: 'seats', eventType: 'seat', aggregation: 'max', valueProperty: 'n', unitCode: 'C62' },
];

const price = (maxCents: number) => fc.integer({ min: 0, max: maxCents }).map((value) => new Ref(value).div(100).toFixed(2));
const plan = (code: string) =>
  fc
    .record({
      baseFee: price(20_000),
      minimum: fc.option(price(50_000), { nil: undefined }),
      freeCalls: fc.integer({ min: 1, max: 5_000 }),
      callPrice: fc.integer({ min: 0, max: 5_000 }).map((value) => new Ref(value).div(1_000_000).toFixed()),
      seatPrice: price(5_000),
    })
    .map(({ baseFee, minimum, freeCalls, callPrice, seatPrice }): Plan => ({
      code,
      currency: 'EUR',
      baseFee,
      ...(minimum === undefined ? {} : { minimumCommitment: minimum }),
      charges: [
        {
          meter: 'calls',
          model: 'graduated',
          tiers: [
            { upTo: String(freeCalls), unitPrice: '0' },
            { upTo: null, unitPrice: callPrice },
          ],
        },
        { meter: 'seats', model: 'per_unit', unitPrice: seatPrice },
      ],
    }));

/** A history of up to 4 subscriptions over the period, with gaps, back-to-back or open-ended. */
const scenario = fc
  .record({
    period: fc.constantFrom('2026-02', '2028-02', '2026-11', '2026-12'),
    plans: fc.tuple(plan('basic'), plan('pro'), plan('team')),
    boundaries: fc.uniqueArray(fc.integer({ min: -3 * 86_400, max: 32 * 86_400 }), { minLength: 2, maxLength: 8 }),
    choice: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
    openEnd: fc.boolean(),
    usage: fc.array(fc.record({ calls: fc.integer({ min: 0, max: 50_000 }), seats: fc.integer({ min: 0, max: 40 }) }), {
      minLength: 4,
      maxLength: 4,
    }),
  })
  .map(({ period, plans, boundaries, choice, openEnd, usage }) => {
    const { start } = periodBounds(period);
    const instants = [...boundaries].sort((a, b) => a - b).map((offset) => start + offset * 1000);
    const subscriptions: Subscription[] = [];
    // Pairs of boundaries are subscriptions: [b0, b1), [b2, b3), ... (back-to-back when equal).
    for (let index = 0; index + 1 < instants.length && subscriptions.length < 4; index += 2) {
      const last = index + 2 >= instants.length - 1;
      subscriptions.push({
        plan: plans[choice[subscriptions.length]!]!.code,
        start: instants[index]!,
        ...(last && openEnd ? {} : { end: instants[index + 1]! }),
      });
    }
    return { period, plans, subscriptions, usage };
  });

/** The reference: what each segment of the period owes, computed from first principles. */
function reference(
  period: string,
  plans: readonly Plan[],
  subscriptions: readonly Subscription[],
  usage: readonly { calls: number; seats: number }[],
) {
  const { start, end } = periodBounds(period);
  const periodSeconds = (end - start) / 1000;
  let net = 0;
  let exact = new Ref(0);
  let lineCount = 0;
  const usageEntries: MeterUsage[] = [];
  subscriptions.forEach((subscription) => {
    const from = Math.max(start, subscription.start!);
    const to = Math.min(end, subscription.end ?? end);
    if (to <= from) return;
    const index = usageEntries.length / 2;
    const quantities = usage[index]!;
    const key = new Date(from).toISOString();
    usageEntries.push(
      { meter: 'calls', period, quantity: String(quantities.calls), eventCount: 1, segment: key },
      { meter: 'seats', period, quantity: String(quantities.seats), eventCount: 1, segment: key },
    );
    const plan = plans.find((candidate) => candidate.code === subscription.plan)!;
    const share = new Ref((to - from) / 1000).div(periodSeconds);
    const amounts: Ref[] = [];
    if (new Ref(plan.baseFee).greaterThan(0)) amounts.push(new Ref(plan.baseFee).times(share));
    const calls = plan.charges[0]!;
    if (calls.model !== 'graduated') throw new Error('fixture');
    const free = Number(calls.tiers[0]!.upTo);
    // A tier's line is shown (at 0.00 when free) whenever it prices some units.
    if (quantities.calls > 0) amounts.push(new Ref(0));
    if (quantities.calls > free) amounts.push(new Ref(quantities.calls - free).times(calls.tiers[1]!.unitPrice));
    const seats = plan.charges[1]!;
    if (seats.model !== 'per_unit') throw new Error('fixture');
    if (quantities.seats > 0) amounts.push(new Ref(quantities.seats).times(seats.unitPrice));
    const segmentNet = amounts.reduce((total, amount) => total + cents(amount), 0);
    exact = amounts.reduce((total, amount) => total.plus(amount), exact);
    lineCount += amounts.length;
    net += segmentNet;
    if (plan.minimumCommitment !== undefined) {
      const minimum = cents(new Ref(plan.minimumCommitment).times(share));
      if (minimum > segmentNet) {
        net += minimum - segmentNet;
        exact = exact.plus(new Ref(minimum - segmentNet).div(100));
        lineCount += 1;
      }
    }
  });
  return { net, exact, lineCount, usage: usageEntries };
}

describe('an invoice over several subscription segments', () => {
  it('equals the per-segment calculation to the cent; rounding stays within half a cent per line', () => {
    fc.assert(
      fc.property(scenario, ({ period, plans, subscriptions, usage }) => {
        const expected = reference(period, plans, subscriptions, usage);
        const invoice = computeInvoice({
          issuer: ISSUER,
          customer: CUSTOMER,
          plans,
          subscriptions,
          meters: METERS,
          taxRates: { DE: '19' },
          period,
          usage: expected.usage,
        });
        expect(invoice.netTotal).toBe(expected.net);
        expect(invoice.lines).toHaveLength(expected.lineCount);
        expect(
          new Ref(invoice.netTotal).div(100).minus(expected.exact).abs().lessThanOrEqualTo(new Ref(expected.lineCount).times('0.005')),
        ).toBe(true);
        // Every line of a partial segment names its plan and dates.
        for (const line of invoice.lines.filter((candidate) => candidate.subscription !== undefined)) {
          expect(line.description).toContain(line.subscription!.start.slice(0, 10));
        }
      }),
      { numRuns: 300 },
    );
  });
});
