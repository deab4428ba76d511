/**
 * An invoice's lines, VAT and totals from plain values: the plan, the customer, the issuer and
 * the aggregated usage. Pure, so the invoice run can rebuild a draft as often as it likes and
 * always get the same invoice.
 *
 * 1. Decide the VAT treatment once for the invoice (../tax/tax-treatment.ts).
 * 2. Split the periods into subscription segments (../subscriptions/segments.ts): each
 *    segment is priced under its own plan. A customer on the `plan:` shorthand has one
 *    segment, the whole period, and gets exactly the invoice it always got.
 * 3. Base fee line per segment of the invoice's period, prorated by the segment's share of the
 *    period in whole seconds unless it is the whole period.
 * 4. Usage lines, in the plans' charge order; per charge, its segments oldest first (late usage
 *    from earlier months, then the invoice's own month). Tiers and packages apply to each
 *    segment's own quantity.
 * 5. Late usage re-rates its period: where the period's (segment's) minimum commitment was
 *    topped up, late usage first fills that top-up (a line gives it back), so it adds only
 *    what re-rating the period with it adds to what the period was billed.
 * 6. Minimum-commitment top-up per segment of the invoice's own period, prorated like the base fee.
 * 7. Round each line half-up to minor units; VAT once per rate on the sum of the line nets.
 */
import type { Charge, Customer, Issuer, Meter, Plan } from '../catalog/types.ts';
import { NoSubscriptionError } from '../errors.ts';
import { utc } from '../events/rfc3339.ts';
import { Decimal, decimal, decimalText, formatMinor, roundMinorUnits, toMinorUnits } from '../money.ts';
import { isBillingPeriod, periodBounds } from '../period.ts';
import { priceCharge, type ChargeEntry } from '../pricing/charges.ts';
import { proratedMinor } from '../subscriptions/proration.ts';
import { periodSegments, segmentKey, type Segment } from '../subscriptions/segments.ts';
import type { Subscription } from '../subscriptions/subscription.ts';
import { taxTreatment } from '../tax/tax-treatment.ts';
import { englishLineText } from '../language/line-words.ts';
import {
  graduatedDescription,
  lateUsageSuffix,
  meterLabel,
  packageDescription,
  periodShare,
  prorationText,
  segmentDates,
  segmentSuffix,
  volumeDescription,
} from './line-descriptions.ts';
import { phrase, type LineText } from './line-text.ts';
import type { InvoiceComputation, InvoiceLine, LineSubscription, MeterUsage, TaxSubtotal, TaxTreatment } from './types.ts';

export interface InvoiceInput {
  readonly issuer: Issuer;
  readonly customer: Customer;
  /** The plan of a customer on one open-ended subscription (the catalog's `plan:` shorthand). */
  readonly plan?: Plan;
  /** Every plan the subscriptions name (with `subscriptions`). */
  readonly plans?: readonly Plan[];
  /** The customer's subscriptions over time; absent: one open-ended subscription to `plan`. */
  readonly subscriptions?: readonly Subscription[];
  readonly meters: readonly Meter[];
  readonly taxRates: Readonly<Record<string, string>>;
  /** The invoice's billing period, YYYY-MM. */
  readonly period: string;
  /** Usage per meter, period and segment; periods before `period` are late usage. */
  readonly usage: readonly MeterUsage[];
  /**
   * For each earlier period with late usage: its usage already billed (before the late
   * events), per meter and segment. Re-rates that period's minimum commitment; absent: nothing billed.
   */
  readonly billedUsage?: readonly MeterUsage[];
}

/** UN/ECE Recommendation 20 "one": for the base fee, the top-up and package counts. */
const UNIT_ONE = 'C62';

/** A line before VAT: every line of an invoice gets the invoice's single treatment. */
type NetLine = Omit<InvoiceLine, 'taxRate' | 'taxCategory'>;

/** Usage priced under one plan: one segment of one period (the invoice's own, or a late one). */
interface Block {
  readonly period: string;
  readonly segment: Segment;
  readonly plan: Plan;
  readonly late: boolean;
  readonly usage: Map<string, MeterUsage>;
  readonly billed: MeterUsage[];
  readonly lines: NetLine[];
}

export function computeInvoice(input: InvoiceInput): InvoiceComputation {
  const { period } = input;
  if (!isBillingPeriod(period)) throw new Error(`"${String(period)}" is not a billing period: use YYYY-MM, e.g. 2026-11`);
  const plans = new Map([...(input.plans ?? []), ...(input.plan === undefined ? [] : [input.plan])].map((plan) => [plan.code, plan]));
  const subscriptions = input.subscriptions ?? (input.plan === undefined ? [] : [{ plan: input.plan.code }]);
  const planOf = (code: string): Plan => {
    const plan = plans.get(code);
    if (plan === undefined)
      throw new Error(`Customer ${input.customer.id} has a subscription to plan ${code}, which the catalog does not define`);
    return plan;
  };
  const tax = taxTreatment(input.issuer.address.country, input.customer, input.taxRates);
  const blocks = usageBlocks(input, subscriptions, planOf);
  const ownBlocks = blocks.filter((block) => !block.late);
  const anyPlan = blocks[0]?.plan.code ?? subscriptions[0]?.plan;
  if (anyPlan === undefined)
    throw new NoSubscriptionError(
      `Customer ${input.customer.id} has no subscription: start one (billflow subscriptions start) before it can be billed`,
    );
  // All of a customer's subscriptions bill in one currency (the catalog refuses anything else).
  const currency = planOf(anyPlan).currency;
  const metersByCode = new Map(input.meters.map((meter) => [meter.code, meter]));
  const lines: NetLine[] = [];

  for (const block of ownBlocks) {
    const { plan, segment } = block;
    if (!decimal(plan.baseFee).greaterThan(0)) continue;
    const netAmount = proratedMinor(plan.baseFee, segment, currency);
    const line: NetLine = {
      kind: 'base_fee',
      ...described([
        phrase('line.baseFee', { plan: { text: plan.code } }),
        ...(segment.whole ? [] : [segmentSuffix(segment), prorationText(plan.baseFee, currency, segment)]),
      ]),
      meter: null,
      period: isoBounds(period),
      quantity: '1',
      unitCode: UNIT_ONE,
      unitPrice: segment.whole ? plan.baseFee : formatMinor(netAmount, currency),
      netAmount,
      ...lineSubscription(block),
    };
    lines.push(line);
    block.lines.push(line);
  }

  // Usage of meters no plan charges for is simply not billed. Meters in the order the plans
  // charge them; per meter, its blocks oldest first (late usage, then the invoice's own period).
  for (const meterCode of chargedMeters(blocks)) {
    for (const block of blocks) {
      const charge = block.plan.charges.find((candidate) => candidate.meter === meterCode);
      const usage = block.usage.get(meterCode);
      if (charge === undefined || usage === undefined) continue;
      const meter = meterOf(charge, metersByCode, block.plan);
      for (const line of usageLines(charge, meter, usage, block, currency)) {
        lines.push(line);
        block.lines.push(line);
      }
    }
  }
  for (const block of blocks.filter((candidate) => candidate.late && candidate.lines.length > 0)) {
    const adjustment = minimumAlreadyBilledLine(block, currency);
    if (adjustment !== undefined) lines.push(adjustment);
  }
  for (const block of ownBlocks) {
    const topUp = minimumCommitmentLine(block, currency);
    if (topUp !== undefined) lines.push(topUp);
  }
  return withTax(lines, tax, currency);
}

/**
 * The blocks of an invoice: one per segment of its own period (even without usage: the base
 * fee and minimum are charged per segment), and one per segment of an earlier period with late
 * usage. Usage names its segment by its start (`segment`); usage without one belongs to its
 * period's only segment.
 */
function usageBlocks(input: InvoiceInput, subscriptions: readonly Subscription[], planOf: (code: string) => Plan): Block[] {
  const blocks = new Map<string, Block>();
  const blockOf = (period: string, segment: Segment): Block => {
    const key = `${period}|${segmentKey(segment)}`;
    const existing = blocks.get(key);
    if (existing !== undefined) return existing;
    const block: Block = {
      period,
      segment,
      plan: planOf(segment.plan),
      late: period !== input.period,
      usage: new Map(),
      billed: [],
      lines: [],
    };
    blocks.set(key, block);
    return block;
  };
  for (const segment of periodSegments(subscriptions, input.period)) blockOf(input.period, segment);
  const segmentOf = (entry: MeterUsage): Segment => {
    if (!isBillingPeriod(entry.period)) throw new Error(`Usage of meter ${entry.meter} has period "${String(entry.period)}": use YYYY-MM`);
    if (entry.period > input.period) {
      throw new Error(
        `Usage of meter ${entry.meter} for ${entry.period} cannot be billed on the invoice for the earlier period ${input.period}`,
      );
    }
    const segments = periodSegments(subscriptions, entry.period);
    const found =
      entry.segment === undefined && segments.length === 1
        ? segments[0]
        : segments.find((segment) => segmentKey(segment) === entry.segment);
    if (found === undefined) {
      throw new NoSubscriptionError(
        `Customer ${input.customer.id} has usage of meter ${entry.meter} in ${entry.period}${entry.segment === undefined ? '' : ` from ${entry.segment}`} but no subscription active then: add one that covers it (billflow subscriptions start)`,
      );
    }
    return found;
  };
  for (const entry of input.usage) {
    const block = blockOf(entry.period, segmentOf(entry));
    if (block.usage.has(entry.meter)) {
      throw new Error(
        `Usage of meter ${entry.meter} for ${entry.period}${entry.segment === undefined ? '' : ` from ${entry.segment}`} is given twice; aggregate it into one entry`,
      );
    }
    block.usage.set(entry.meter, entry);
  }
  for (const entry of input.billedUsage ?? []) {
    const block = blocks.get(`${entry.period}|${segmentKey(segmentOf(entry))}`);
    block?.billed.push(entry);
  }
  // YYYY-MM and ISO instants sort chronologically as text.
  return [...blocks.values()].sort((a, b) => (a.period === b.period ? a.segment.from - b.segment.from : a.period < b.period ? -1 : 1));
}

/** Meter codes in the order the blocks' plans charge them, each once. */
function chargedMeters(blocks: readonly Block[]): string[] {
  return [...new Set(blocks.flatMap((block) => block.plan.charges.map((charge) => charge.meter)))];
}

/** Lines of a segment that is not its whole period say which plan, which dates and what share. */
function lineSubscription(block: Block): { subscription?: LineSubscription } {
  const { segment, plan } = block;
  if (segment.whole) return {};
  return {
    subscription: {
      plan: plan.code,
      start: new Date(segment.from).toISOString(),
      end: new Date(segment.to).toISOString(),
      seconds: segment.seconds,
      periodSeconds: segment.periodSeconds,
    },
  };
}

/**
 * The lines one usage entry produces. A line priced at 0 is kept when its quantity is not 0,
 * so the customer sees usage the free tier covered; a line with neither quantity nor amount
 * (a meter with no events, or a negative sum priced as 0) says nothing and is left out.
 */
function usageLines(charge: Charge, meter: Meter, usage: MeterUsage, block: Block, currency: string): NetLine[] {
  const priced = priceCharge(charge, usage.quantity, usage.billedQuantity ?? '0');
  const suffix = [
    ...(block.segment.whole ? [] : [segmentSuffix(block.segment, block.plan.code)]),
    ...(block.late ? [lateUsageSuffix(usage.period)] : []),
  ];
  const period = isoBounds(usage.period);
  return priced.entries
    .map((entry): NetLine => {
      const netAmount = toMinorUnits(entry.amount, currency);
      return {
        kind: 'usage',
        ...described([...describe(charge, meter, entry, priced.quantity), ...suffix]),
        meter: meter.code,
        period,
        quantity: decimalText(entry.quantity),
        // Package lines count packages, not meter units, so the meter's unit does not apply.
        unitCode: charge.model === 'package' ? UNIT_ONE : meter.unitCode,
        unitPrice: entry.unitPrice,
        netAmount,
        ...(entry.tier === undefined ? {} : { tier: entry.tier }),
        ...(entry.flatPrice === undefined ? {} : { flatPrice: entry.flatPrice }),
        ...lineSubscription(block),
      };
    })
    .filter((line) => line.quantity !== '0' || line.netAmount !== 0);
}

function meterOf(charge: Charge, metersByCode: ReadonlyMap<string, Meter>, plan: Plan): Meter {
  const meter = metersByCode.get(charge.meter);
  if (meter === undefined) throw new Error(`Plan ${plan.code} charges meter ${charge.meter}, which the catalog does not define`);
  return meter;
}

/**
 * Late usage of a period (segment) whose minimum commitment was topped up: the period re-rated
 * with it needs a smaller top-up (or none), so the part of the top-up the late usage now covers
 * is given back on a line of its own. Late usage within what the minimum already charged thus
 * adds nothing; above it, exactly the excess. A negative correction can only bring the period
 * back down to its minimum (the line is then positive). What was billed is re-derived from the
 * period's events before the late window, priced line by line as its own invoice priced them;
 * a segment's base fee and minimum are its prorated ones.
 */
function minimumAlreadyBilledLine(block: Block, currency: string): NetLine | undefined {
  const { plan, segment, period } = block;
  if (plan.minimumCommitment === undefined) return undefined;
  const minimum = proratedMinor(plan.minimumCommitment, segment, currency);
  const billedNet = sum([
    decimal(plan.baseFee).greaterThan(0) ? proratedMinor(plan.baseFee, segment, currency) : 0,
    ...plan.charges.flatMap((charge) => {
      const usage = block.billed.find((entry) => entry.meter === charge.meter);
      if (usage === undefined) return [];
      return priceCharge(charge, usage.quantity).entries.map((entry) => toMinorUnits(entry.amount, currency));
    }),
  ]);
  const lateNet = sum(block.lines.map((line) => line.netAmount));
  const topUpBefore = Math.max(0, minimum - billedNet);
  const topUpAfter = Math.max(0, minimum - safeAdd(billedNet, lateNet));
  const adjustment = topUpAfter - topUpBefore;
  if (adjustment === 0) return undefined;
  const amount = { price: formatMinor(minimum, currency), currency };
  const where = segment.whole
    ? phrase('line.wherePeriod', { period: { month: period } })
    : phrase('line.whereSegment', { period: { month: period }, plan: { text: plan.code }, dates: { phrase: segmentDates(segment) } });
  return {
    kind: 'minimum_commitment',
    ...described([phrase(adjustment < 0 ? 'line.minimumCovered' : 'line.minimumBelow', { where: { phrase: where }, amount })]),
    meter: null,
    period: isoBounds(period),
    // A price is never negative (EN 16931 BR-27): a line that gives back has quantity -1.
    quantity: adjustment < 0 ? '-1' : '1',
    unitCode: UNIT_ONE,
    unitPrice: formatMinor(Math.abs(adjustment), currency),
    netAmount: adjustment,
    ...lineSubscription(block),
  };
}

/** A line's description: its phrases, and the English text they make (what the invoice and its e-invoice carry). */
function described(text: LineText): { description: string; describedAs: LineText } {
  return { description: englishLineText(text), describedAs: text };
}

function describe(charge: Charge, meter: Meter, entry: ChargeEntry, units: Decimal): LineText {
  switch (charge.model) {
    case 'per_unit':
      return [meterLabel(meter)];
    case 'graduated':
      return entry.tierRange === undefined ? [meterLabel(meter)] : graduatedDescription(meter, entry.tierRange, entry.flatPrice);
    case 'volume':
      return entry.tierRange === undefined ? [meterLabel(meter)] : volumeDescription(meter, entry.tierRange, entry.flatPrice);
    case 'package':
      return packageDescription(meter, units, charge.packageSize);
  }
}

/**
 * Brings one segment of the invoice's own period up to its plan's minimum, prorated like the
 * base fee. Late usage lines are left out of the comparison: they belong to a month whose
 * minimum its own invoice already settled, and counting them would let late events silently
 * replace this month's commitment.
 */
function minimumCommitmentLine(block: Block, currency: string): NetLine | undefined {
  const { plan, segment } = block;
  if (plan.minimumCommitment === undefined) return undefined;
  const minimum = proratedMinor(plan.minimumCommitment, segment, currency);
  const topUp = minimum - sum(block.lines.map((line) => line.netAmount));
  if (topUp <= 0) return undefined;
  const total = { price: formatMinor(minimum, currency), currency };
  const commitment = segment.whole
    ? phrase('line.commitment', { amount: total })
    : phrase('line.segmentCommitment', {
        plan: { text: plan.code },
        dates: { phrase: segmentDates(segment) },
        amount: { price: plan.minimumCommitment, currency },
        share: { phrase: periodShare(segment) },
        total,
      });
  return {
    kind: 'minimum_commitment',
    ...described([phrase('line.minimumTopUp', { commitment: { phrase: commitment } })]),
    meter: null,
    period: isoBounds(block.period),
    quantity: '1',
    unitCode: UNIT_ONE,
    unitPrice: formatMinor(topUp, currency),
    netAmount: topUp,
    ...lineSubscription(block),
  };
}

/**
 * VAT per (rate, category) on the sum of the line nets, rounded once per group: rounding per
 * line would let the cents drift from what the tax authority computes from the totals.
 * EN 16931 wants at least one VAT breakdown, so an invoice without lines still gets one.
 */
export function withTax(netLines: readonly NetLine[], tax: TaxTreatment, currency: string): InvoiceComputation {
  const lines: InvoiceLine[] = netLines.map((line) => ({ ...line, taxRate: tax.rate, taxCategory: tax.category }));
  const groups = new Map<string, { rate: string; category: TaxSubtotal['category']; taxable: number }>();
  groups.set(groupKey(tax.rate, tax.category), { rate: tax.rate, category: tax.category, taxable: 0 });
  for (const line of lines) {
    const key = groupKey(line.taxRate, line.taxCategory);
    const group = groups.get(key) ?? { rate: line.taxRate, category: line.taxCategory, taxable: 0 };
    group.taxable = safeAdd(group.taxable, line.netAmount);
    groups.set(key, group);
  }
  const taxSubtotals: TaxSubtotal[] = [...groups.values()].map((group) => ({
    rate: group.rate,
    category: group.category,
    taxableAmount: group.taxable,
    taxAmount: roundMinorUnits(new Decimal(group.taxable).times(decimal(group.rate)).div(100)),
  }));
  const netTotal = sum(lines.map((line) => line.netAmount));
  const taxTotal = sum(taxSubtotals.map((subtotal) => subtotal.taxAmount));
  const total = safeAdd(netTotal, taxTotal);
  return {
    currency,
    lines,
    taxSubtotals,
    netTotal,
    taxTotal,
    total,
    tax,
    legends: tax.legend === undefined ? [] : [tax.legend],
  };
}

function groupKey(rate: string, category: string): string {
  // The rate as a number, so "19" and "19.0" are one group.
  return JSON.stringify([decimalText(decimal(rate)), category]);
}

function isoBounds(period: string): { start: string; end: string } {
  const { start, end } = periodBounds(period);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** Integer addition of minor units, refusing results a JavaScript number cannot hold exactly. */
function safeAdd(a: number, b: number): number {
  const result = a + b;
  if (!Number.isSafeInteger(result)) throw new RangeError(`Invoice amount ${a} + ${b} exceeds the safe integer range`);
  return result;
}

function sum(amounts: readonly number[]): number {
  return amounts.reduce(safeAdd, 0);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The issue date plus the customer's payment terms, as a calendar date (YYYY-MM-DD, UTC). */
export function dueDate(issueDate: string, paymentTermsDays: number): string {
  const match = ISO_DATE.exec(issueDate);
  if (match === null) throw new Error(`Issue date "${issueDate}" is not a date: use YYYY-MM-DD`);
  if (!Number.isSafeInteger(paymentTermsDays) || paymentTermsDays < 0) {
    throw new RangeError(`Payment terms must be a whole number of days, 0 or more, got ${paymentTermsDays}`);
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const issued = new Date(utc(year, month - 1, day));
  // utc() rolls 2026-02-30 over to March: refuse such a date rather than move it.
  if (issued.getUTCFullYear() !== year || issued.getUTCMonth() !== month - 1 || issued.getUTCDate() !== day) {
    throw new Error(`Issue date "${issueDate}" does not exist`);
  }
  return new Date(utc(year, month - 1, day + paymentTermsDays)).toISOString().slice(0, 10);
}
