/**
 * The money guarantees of CONTRACTS.md sections 2 and 3 as properties: for any plan (all four
 * charge models, prices with up to 12 fraction digits, base fee, optional minimum), any usage
 * (decimals, negative sums, quantities exactly on tier bounds) and any tax situation, the
 * invoice adds up to the minor unit, every line is its quantity times its price rounded
 * half-up, VAT is rounded once per rate, and tiered and package pricing agree with reference
 * implementations written here independently of the code under test.
 *
 * The references use their own decimal.js clone, so a bug in shared/domain/money.ts cannot
 * hide itself by being used on both sides.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import DecimalJs from 'decimal.js';
import { computeInvoice } from '#domain/invoice/assemble.ts';
import { priceCharge } from '#domain/pricing/charges.ts';
import { createAggregator, type MeterAggregator } from '#domain/pricing/aggregate.ts';
import { currencyExponent } from '#domain/catalog/currencies.ts';
import type { Aggregation, Charge, Customer, Meter, Plan, Tier } from '#domain/catalog/types.ts';
import type { StoredEvent } from '#domain/events/billable-event.ts';
import type { InvoiceComputation, MeterUsage } from '#domain/invoice/types.ts';
import { issuer, TAX_RATES } from '#test-support/invoicing-catalog.ts';

const Ref = DecimalJs.clone({ precision: 80, rounding: DecimalJs.ROUND_HALF_UP });
type Ref = DecimalJs;
const RUNS = { numRuns: 200 };

/** Reference rounding: exact amount in currency units -> integer minor units, half-up. */
function refMinor(amount: Ref, currency: string): number {
  const exponent = currencyExponent(currency);
  return Number(amount.times(new Ref(10).pow(exponent)).toDecimalPlaces(0, Ref.ROUND_HALF_UP).toFixed(0));
}

// ---------------------------------------------------------------------------------------------
// Catalog fixtures.

/** The tax situations of the brief; currency is drawn separately, so JPY and KWD meet them all. */
const SITUATIONS = [
  { name: 'DE business (domestic)', country: 'DE', vatId: 'DE999999999' },
  { name: 'DE consumer (domestic)', country: 'DE' },
  { name: 'FR consumer (OSS)', country: 'FR' },
  { name: 'NL consumer (OSS)', country: 'NL' },
  { name: 'FR business (reverse charge)', country: 'FR', vatId: 'FR12345678901' },
  { name: 'US (outside scope)', country: 'US' },
  { name: 'JP (outside scope)', country: 'JP' },
  { name: 'KW (outside scope)', country: 'KW' },
] as const;

const METERS: readonly Meter[] = [
  { code: 'calls', eventType: 'call', aggregation: 'count', unitCode: 'C62' },
  { code: 'storage', eventType: 'storage', aggregation: 'sum', valueProperty: 'gb', unitCode: 'E34' },
  { code: 'seats', eventType: 'seats', aggregation: 'max', valueProperty: 'n', unitCode: 'C62' },
  { code: 'users', eventType: 'login', aggregation: 'unique_count', valueProperty: 'user', unitCode: 'C62' },
];

function customerIn(situation: (typeof SITUATIONS)[number]): Customer {
  return {
    id: 'cus_1',
    name: situation.name,
    email: 'ap@customer.example',
    address: { line1: '1 Main St', city: 'Somewhere', postalCode: '12345', country: situation.country },
    ...('vatId' in situation ? { vatId: situation.vatId } : {}),
    plan: 'generated',
    paymentTermsDays: 30,
  };
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const digitString = (maxLength: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength });
const joinDecimal = ([whole, fraction]: [number, string]): string => (fraction === '' ? String(whole) : `${whole}.${fraction}`);

/** A catalog price: up to 3 integer digits and 0-12 fraction digits ("0", "12.5", "0.000000000001"). */
const priceText = fc.tuple(fc.integer({ min: 0, max: 999 }), digitString(12)).map(joinDecimal);

/** A quantity: an integer or a decimal with up to 6 fraction digits, up to ten million. */
const quantityText = fc.oneof(
  fc.integer({ min: 0, max: 2_000 }).map(String),
  fc.integer({ min: 0, max: 10_000_000 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), digitString(6)).map(joinDecimal),
);

/** 1-4 tiers with ascending bounds, integer or fractional, the last open-ended. */
function tiersArb(integerBounds: boolean): fc.Arbitrary<Tier[]> {
  const step = integerBounds
    ? fc.integer({ min: 1, max: 5_000 }).map((n) => new Ref(n))
    : fc
        .tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 999 }))
        .map(([whole, thousandths]) => new Ref(whole).plus(new Ref(thousandths).div(1000)));
  const tier = fc.record({ step, unitPrice: priceText, flatPrice: fc.option(priceText, { nil: undefined }) });
  return fc.array(tier, { minLength: 1, maxLength: 4 }).map((drafts) => {
    let bound = new Ref(0);
    return drafts.map((draft, index): Tier => {
      bound = bound.plus(draft.step);
      return {
        upTo: index === drafts.length - 1 ? null : bound.toFixed(),
        unitPrice: draft.unitPrice,
        ...(draft.flatPrice === undefined ? {} : { flatPrice: draft.flatPrice }),
      };
    });
  });
}

function chargeArb(meter: string): fc.Arbitrary<Charge> {
  return fc.oneof(
    priceText.map((unitPrice): Charge => ({ meter, model: 'per_unit', unitPrice })),
    fc
      .boolean()
      .chain((integerBounds) => tiersArb(integerBounds))
      .map((tiers): Charge => ({ meter, model: 'graduated', tiers })),
    fc
      .boolean()
      .chain((integerBounds) => tiersArb(integerBounds))
      .map((tiers): Charge => ({ meter, model: 'volume', tiers })),
    fc
      .tuple(fc.integer({ min: 1, max: 5_000 }), priceText)
      .map(([size, packagePrice]): Charge => ({ meter, model: 'package', packageSize: String(size), packagePrice })),
  );
}

function boundsOf(charge: Charge): string[] {
  return charge.model === 'graduated' || charge.model === 'volume'
    ? charge.tiers.flatMap((tier) => (tier.upTo === null ? [] : [tier.upTo]))
    : [];
}

/** Quantities for a charge, landing exactly on its tier bounds (and just around them) often. */
function quantityFor(charge: Charge, aggregation: Aggregation): fc.Arbitrary<string> {
  const bounds = boundsOf(charge);
  const whole = aggregation === 'count' || aggregation === 'unique_count';
  const base =
    bounds.length === 0
      ? quantityText
      : fc.oneof(
          quantityText,
          fc.constantFrom(...bounds),
          fc.tuple(fc.constantFrom(...bounds), fc.constantFrom('1', '-1', '0.001', '-0.001')).map(([bound, delta]) => {
            const value = new Ref(bound).plus(delta);
            return value.isNegative() ? '0' : value.toFixed();
          }),
        );
  const typed = whole ? base.map((q) => new Ref(q).floor().toFixed()) : base;
  // A sum meter fed corrections can go below zero.
  return aggregation === 'sum' ? fc.oneof({ arbitrary: typed, weight: 5 }, { arbitrary: typed.map((q) => `-${q}`), weight: 1 }) : typed;
}

interface PricedMeter {
  readonly meter: Meter;
  readonly charge: Charge;
  readonly quantity: string;
}

const pricedMeterArb = (meter: Meter): fc.Arbitrary<PricedMeter> =>
  chargeArb(meter.code).chain((charge) => quantityFor(charge, meter.aggregation).map((quantity) => ({ meter, charge, quantity })));

const invoiceCaseArb = fc.record({
  currency: fc.constantFrom('EUR', 'JPY', 'KWD'),
  baseFee: fc.oneof(fc.constant('0'), priceText),
  minimumCommitment: fc.option(fc.integer({ min: 0, max: 5_000 }).map(String), { nil: undefined }),
  priced: fc.subarray([...METERS], { minLength: 0 }).chain((meters) => fc.tuple(...meters.map(pricedMeterArb))),
  situation: fc.constantFrom(...SITUATIONS),
});

type InvoiceCase = typeof invoiceCaseArb extends fc.Arbitrary<infer T> ? T : never;

function invoiceFor(testCase: InvoiceCase): InvoiceComputation {
  const plan: Plan = {
    code: 'generated',
    currency: testCase.currency,
    baseFee: testCase.baseFee,
    ...(testCase.minimumCommitment === undefined ? {} : { minimumCommitment: testCase.minimumCommitment }),
    charges: testCase.priced.map((priced) => priced.charge),
  };
  const usage: MeterUsage[] = testCase.priced.map((priced) => ({
    meter: priced.meter.code,
    period: '2026-11',
    quantity: priced.quantity,
    eventCount: 1,
  }));
  return computeInvoice({
    issuer,
    customer: customerIn(testCase.situation),
    plan,
    meters: METERS,
    taxRates: TAX_RATES,
    period: '2026-11',
    usage,
  });
}

// ---------------------------------------------------------------------------------------------
// Reference pricing, written independently of shared/domain/pricing/charges.ts.

interface RefTier {
  readonly from: Ref;
  readonly to: Ref | null;
  readonly price: Ref;
  readonly flat: Ref;
}

function refTiers(tiers: readonly Tier[]): RefTier[] {
  return tiers.map((tier, index) => ({
    from: index === 0 ? new Ref(0) : new Ref(tiers[index - 1]?.upTo ?? '0'),
    to: tier.upTo === null ? null : new Ref(tier.upTo),
    price: new Ref(tier.unitPrice),
    flat: new Ref(tier.flatPrice ?? '0'),
  }));
}

/** Graduated, unit by unit: unit k belongs to the first tier whose bound is >= k. Integer bounds only. */
function graduatedUnitByUnit(tiers: readonly Tier[], quantity: number): Map<number, Ref> {
  const ranges = refTiers(tiers);
  const amounts = new Map<number, Ref>();
  for (let unit = 1; unit <= quantity; unit += 1) {
    const index = ranges.findIndex((range) => range.to === null || range.to.greaterThanOrEqualTo(unit));
    const range = ranges[index];
    if (range === undefined) throw new Error('no tier for unit');
    // The first unit that reaches a tier also pays its flat fee.
    const previous = amounts.get(index + 1) ?? range.flat;
    amounts.set(index + 1, previous.plus(range.price));
  }
  return amounts;
}

/** Graduated for any decimal quantity: the part of [0, q] inside each tier, plus flat fees. */
function graduatedByFormula(tiers: readonly Tier[], quantity: Ref): Map<number, Ref> {
  const amounts = new Map<number, Ref>();
  refTiers(tiers).forEach((range, index) => {
    if (!quantity.greaterThan(range.from)) return;
    const top = range.to === null ? quantity : Ref.min(range.to, quantity);
    amounts.set(index + 1, top.minus(range.from).times(range.price).plus(range.flat));
  });
  return amounts;
}

function refVolumeTier(tiers: readonly Tier[], quantity: Ref): number {
  return refTiers(tiers).findIndex((range) => range.to === null || quantity.lessThanOrEqualTo(range.to)) + 1;
}

function refPackages(quantity: Ref, size: string): Ref {
  return Ref.max(quantity, 0).div(size).ceil();
}

const sumOf = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

// ---------------------------------------------------------------------------------------------

describe('invoice arithmetic for any plan, usage and tax situation', () => {
  it('adds up exactly: total = net + VAT, net = sum of lines, VAT once per rate, every amount a safe integer', () => {
    fc.assert(
      fc.property(invoiceCaseArb, (testCase) => {
        // Prepare / Act
        const invoice = invoiceFor(testCase);

        // Assess: totals
        expect(invoice.total).toBe(invoice.netTotal + invoice.taxTotal);
        expect(invoice.netTotal).toBe(sumOf(invoice.lines.map((line) => line.netAmount)));
        expect(invoice.taxTotal).toBe(sumOf(invoice.taxSubtotals.map((subtotal) => subtotal.taxAmount)));
        for (const amount of [invoice.total, invoice.netTotal, invoice.taxTotal]) expect(Number.isSafeInteger(amount)).toBe(true);

        // Assess: each VAT group is the sum of its lines, taxed and rounded half-up once
        for (const subtotal of invoice.taxSubtotals) {
          const lines = invoice.lines.filter((line) => line.taxRate === subtotal.rate && line.taxCategory === subtotal.category);
          expect(subtotal.taxableAmount).toBe(sumOf(lines.map((line) => line.netAmount)));
          const expectedTax = new Ref(subtotal.taxableAmount).times(subtotal.rate).div(100).toDecimalPlaces(0, Ref.ROUND_HALF_UP);
          expect(subtotal.taxAmount).toBe(Number(expectedTax.toFixed(0)));
          expect(Number.isSafeInteger(subtotal.taxAmount)).toBe(true);
        }

        // Assess: each line is quantity x unit price (+ flat fee), rounded half-up, never negative
        for (const line of invoice.lines) {
          expect(Number.isSafeInteger(line.netAmount)).toBe(true);
          expect(line.netAmount).toBeGreaterThanOrEqual(0);
          const exact = new Ref(line.quantity).times(line.unitPrice).plus(line.flatPrice ?? '0');
          expect(line.netAmount).toBe(refMinor(exact, testCase.currency));
          expect(line.quantity === '0' && line.netAmount === 0).toBe(false);
        }

        // Assess: the minimum commitment is met, by a top-up only when needed
        const topUps = invoice.lines.filter((line) => line.kind === 'minimum_commitment');
        if (testCase.minimumCommitment !== undefined) {
          const minimum = refMinor(new Ref(testCase.minimumCommitment), testCase.currency);
          expect(invoice.netTotal).toBeGreaterThanOrEqual(minimum);
          if (topUps.length === 1) expect(invoice.netTotal).toBe(minimum);
        } else {
          expect(topUps).toHaveLength(0);
        }
      }),
      RUNS,
    );
  });

  it('rounds VAT half-up on exact halves (taxable amounts ending in 50 minor units at 19 % and 21 %)', () => {
    // Random plans rarely hit a taxable amount whose VAT ends in exactly half a minor unit; here every one does.
    fc.assert(
      fc.property(
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        fc.integer({ min: 0, max: 10_000_000 }).map((hundreds) => hundreds * 100 + 50),
        fc.constantFrom(...SITUATIONS.filter((situation) => situation.country === 'DE' || situation.country === 'NL')),
        (currency, taxable, situation) => {
          // Prepare: a plan that is only a base fee of `taxable` minor units
          const exponent = currencyExponent(currency);
          const baseFee = new Ref(taxable).div(new Ref(10).pow(exponent)).toFixed(exponent);
          const plan: Plan = { code: 'flat', currency, baseFee, charges: [] };

          // Act
          const invoice = computeInvoice({
            issuer,
            customer: customerIn(situation),
            plan,
            meters: METERS,
            taxRates: TAX_RATES,
            period: '2026-11',
            usage: [],
          });

          // Assess: x.5 minor units always rounds up
          const exact = new Ref(taxable).times(situation.country === 'DE' ? 19 : 21).div(100);
          expect(exact.minus(exact.floor()).toFixed()).toBe('0.5');
          expect(invoice.taxTotal).toBe(exact.ceil().toNumber());
          expect(invoice.total).toBe(taxable + invoice.taxTotal);
        },
      ),
      RUNS,
    );
  });

  it('prices graduated usage tier by tier like the references, a bound belonging to the lower tier', () => {
    fc.assert(
      fc.property(invoiceCaseArb, (testCase) => {
        // Prepare
        const invoice = invoiceFor(testCase);

        for (const priced of testCase.priced) {
          const { charge } = priced;
          if (charge.model !== 'graduated') continue;
          const lines = invoice.lines.filter((line) => line.meter === priced.meter.code);
          const quantity = Ref.max(new Ref(priced.quantity), 0);
          const integerCase =
            quantity.isInteger() && quantity.lessThanOrEqualTo(2_000) && boundsOf(charge).every((bound) => new Ref(bound).isInteger());

          // Act
          const reference = integerCase
            ? graduatedUnitByUnit(charge.tiers, quantity.toNumber())
            : graduatedByFormula(charge.tiers, quantity);

          // Assess: same tiers, same rounded amount per tier, and the total is the sum of its tier lines
          const expected = [...reference.entries()].map(([tier, amount]) => ({ tier, netAmount: refMinor(amount, testCase.currency) }));
          expect(lines.map((line) => ({ tier: line.tier, netAmount: line.netAmount }))).toEqual(expected);
          expect(sumOf(lines.map((line) => line.netAmount))).toBe(sumOf(expected.map((entry) => entry.netAmount)));

          // Assess: a quantity exactly on a bound is priced no higher than the tier that bound closes
          const onBound = charge.tiers.findIndex((tier) => tier.upTo !== null && quantity.equals(tier.upTo));
          if (onBound >= 0) expect(Math.max(0, ...lines.map((line) => line.tier ?? 0))).toBeLessThanOrEqual(onBound + 1);
        }
      }),
      RUNS,
    );
  });

  it('prices volume usage with one unit price, from the tier the total falls in (a bound in the lower tier)', () => {
    fc.assert(
      fc.property(invoiceCaseArb, (testCase) => {
        // Prepare
        const invoice = invoiceFor(testCase);

        for (const priced of testCase.priced) {
          const { charge } = priced;
          if (charge.model !== 'volume') continue;
          const quantity = Ref.max(new Ref(priced.quantity), 0);

          // Act
          const lines = invoice.lines.filter((line) => line.meter === priced.meter.code);

          // Assess
          expect(new Set(lines.map((line) => line.unitPrice)).size).toBeLessThanOrEqual(1);
          if (quantity.isZero()) {
            expect(lines).toEqual([]);
            continue;
          }
          const tier = refVolumeTier(charge.tiers, quantity);
          const tierDefinition = charge.tiers[tier - 1];
          expect(lines).toHaveLength(1);
          expect(lines[0]?.tier).toBe(tier);
          expect(lines[0]?.unitPrice).toBe(tierDefinition?.unitPrice);
          expect(lines[0]?.quantity).toBe(quantity.toFixed());
          const exact = quantity.times(tierDefinition?.unitPrice ?? '0').plus(tierDefinition?.flatPrice ?? '0');
          expect(lines[0]?.netAmount).toBe(refMinor(exact, testCase.currency));
          const onBound = charge.tiers.findIndex((candidate) => candidate.upTo !== null && quantity.equals(candidate.upTo));
          if (onBound >= 0) expect(tier).toBe(onBound + 1);
        }
      }),
      RUNS,
    );
  });

  it('rounds partial packages up and bills no package for no usage', () => {
    fc.assert(
      fc.property(invoiceCaseArb, (testCase) => {
        for (const priced of testCase.priced) {
          const { charge } = priced;
          if (charge.model !== 'package') continue;
          // Prepare
          const quantity = Ref.max(new Ref(priced.quantity), 0);
          const expected = refPackages(quantity, charge.packageSize);

          // Act
          const price = priceCharge(charge, priced.quantity);

          // Assess: the fewest whole packages that hold the quantity
          const packages = new Ref(price.entries[0]?.quantity.toFixed() ?? 'NaN');
          expect(packages.toFixed()).toBe(expected.toFixed());
          expect(packages.times(charge.packageSize).greaterThanOrEqualTo(quantity)).toBe(true);
          if (packages.greaterThan(0)) expect(packages.minus(1).times(charge.packageSize).lessThan(quantity)).toBe(true);
          expect(price.amount.toFixed()).toBe(packages.times(charge.packagePrice).toFixed());
        }
      }),
      RUNS,
    );
  });

  it('prices late usage as a continuation of its period: price(billed + late) - price(billed), exactly', () => {
    const tieredOrPackage = chargeArb('m').filter((charge) => charge.model === 'graduated' || charge.model === 'package');
    fc.assert(
      fc.property(
        tieredOrPackage.chain((charge) => fc.tuple(fc.constant(charge), quantityFor(charge, 'sum'), quantityFor(charge, 'sum'))),
        ([charge, billedText, lateText]) => {
          // Prepare: negative quantities price as zero on both sides
          const billed = Ref.max(new Ref(billedText), 0).toFixed();
          const late = Ref.max(new Ref(lateText), 0).toFixed();

          // Act
          const continued = priceCharge(charge, late, billed);

          // Assess
          const whole = priceCharge(charge, new Ref(billed).plus(late).toFixed());
          const before = priceCharge(charge, billed);
          expect(continued.amount.toFixed()).toBe(whole.amount.minus(before.amount).toFixed());
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Aggregation.

const AGGREGATIONS: readonly Aggregation[] = ['count', 'sum', 'max', 'unique_count', 'latest'];

const meterFor = (aggregation: Aggregation): Meter => ({
  code: `m_${aggregation}`,
  eventType: 'usage',
  aggregation,
  ...(aggregation === 'count' ? {} : { valueProperty: 'v' }),
  unitCode: 'C62',
});

/** Values as senders write them: JSON numbers (integers and decimals) and decimal strings, some negative. */
const numericValue = fc.oneof(
  fc.integer({ min: -1_000, max: 1_000_000 }),
  fc
    .tuple(fc.integer({ min: -1_000, max: 1_000 }), fc.integer({ min: 0, max: 999 }))
    .map(([whole, fraction]) => Number(`${whole}.${fraction}`)),
  fc.tuple(fc.integer({ min: -1_000, max: 1_000_000 }), digitString(12)).map(joinDecimal),
);
/** unique_count values: small pools so repeats happen, and 1 next to "1". */
const distinctValue = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }).map(String), fc.constantFrom('u-1', 'u-2'));

const eventsArb = fc.uniqueArray(
  fc.record({
    source: fc.constantFrom('//a', '//b'),
    id: fc.integer({ min: 0, max: 40 }).map((n) => `e${n}`),
    type: fc.constantFrom('usage', 'usage', 'usage', 'other'),
    // A narrow time range, so `latest` often has to break ties on (source, id).
    t: fc.integer({ min: 0, max: 5 }),
    numeric: numericValue,
    distinct: distinctValue,
  }),
  { selector: (event) => `${event.source}|${event.id}`, maxLength: 60 },
);

type EventDraft = typeof eventsArb extends fc.Arbitrary<(infer T)[]> ? T : never;

function storedEvents(drafts: readonly EventDraft[], aggregation: Aggregation): StoredEvent[] {
  return drafts.map((draft) => ({
    source: draft.source,
    id: draft.id,
    type: draft.type,
    time: new Date(draft.t).toISOString(),
    t: draft.t,
    data: { v: aggregation === 'unique_count' ? draft.distinct : draft.numeric },
  }));
}

/** The quantity computed from scratch: the definition of each aggregation, nothing streamed. */
function referenceQuantity(aggregation: Aggregation, events: readonly StoredEvent[]): string {
  const mine = events.filter((event) => event.type === 'usage');
  const values = mine.map((event) => (event.data as { v: number | string }).v);
  const decimals = (): Ref[] => values.map((value) => new Ref(String(value)));
  switch (aggregation) {
    case 'count':
      return String(mine.length);
    case 'sum':
      return decimals()
        .reduce((total, value) => total.plus(value), new Ref(0))
        .toFixed();
    case 'max':
      return values.length === 0 ? '0' : Ref.max(...decimals()).toFixed();
    case 'unique_count':
      return String(new Set(values.map((value) => JSON.stringify(value))).size);
    case 'latest': {
      const ordered = [...mine].sort((a, b) => a.t - b.t || compareText(a.source, b.source) || compareText(a.id, b.id));
      const last = ordered.at(-1);
      return last === undefined ? '0' : new Ref(String((last.data as { v: number | string }).v)).toFixed();
    }
  }
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('aggregation', () => {
  it('gives the same quantity in one pass and over parts merged in any split and order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...AGGREGATIONS),
        eventsArb.chain((drafts) =>
          fc.tuple(
            fc.constant(drafts),
            fc.array(fc.integer({ min: 0, max: 3 }), { minLength: drafts.length, maxLength: drafts.length }),
            fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
            fc.shuffledSubarray(
              drafts.map((_, index) => index),
              { minLength: drafts.length, maxLength: drafts.length },
            ),
          ),
        ),
        (aggregation, [drafts, partOf, mergeOrder, eventOrder]) => {
          // Prepare
          const meter = meterFor(aggregation);
          const events = storedEvents(drafts, aggregation);

          // Act: one pass
          const whole = createAggregator(meter);
          for (const event of events) whole.add(event);

          // Act: events dealt to four parts in another order, parts merged in a random order
          const parts: MeterAggregator[] = [0, 1, 2, 3].map(() => createAggregator(meter));
          for (const index of eventOrder) {
            const event = events[index];
            const part = parts[partOf[index] ?? 0];
            if (event !== undefined) part?.add(event);
          }
          const [first, ...rest] = mergeOrder.map((index) => parts[index]).filter((part): part is MeterAggregator => part !== undefined);
          if (first === undefined) throw new Error('no parts');
          for (const part of rest) first.merge(part);

          // Assess
          const expected = referenceQuantity(aggregation, events);
          expect(whole.quantity()).toBe(expected);
          expect(first.quantity()).toBe(expected);
          expect(first.eventCount).toBe(whole.eventCount);
          expect(whole.eventCount).toBe(events.filter((event) => event.type === 'usage').length);
        },
      ),
      RUNS,
    );
  });
});
