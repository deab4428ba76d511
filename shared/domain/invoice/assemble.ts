/**
 * An invoice's lines, VAT and totals from plain values: the plan, the customer, the issuer and
 * the aggregated usage. Pure, so the invoice run can rebuild a draft as often as it likes and
 * always get the same invoice.
 *
 * 1. Decide the VAT treatment once for the invoice (../tax/tax-treatment.ts).
 * 2. Base fee line, when the plan has one.
 * 3. Usage lines, in the plan's charge order; per charge, its periods oldest first (late usage
 *    from earlier months, then the invoice's own month).
 * 4. Late usage re-rates its period: where the period's minimum commitment was topped up,
 *    late usage first fills that top-up (a line gives it back), so it adds only what re-rating
 *    the period with it adds to what the period was billed.
 * 5. Minimum-commitment top-up over the invoice's own period.
 * 6. Round each line half-up to minor units; VAT once per rate on the sum of the line nets.
 */
import type { Charge, Customer, Issuer, Meter, Plan } from '../catalog/types.ts';
import { utc } from '../events/rfc3339.ts';
import { Decimal, decimal, decimalText, formatMinor, roundMinorUnits, toMinorUnits } from '../money.ts';
import { isBillingPeriod, periodBounds } from '../period.ts';
import { priceCharge, type ChargeEntry } from '../pricing/charges.ts';
import { taxTreatment } from '../tax/tax-treatment.ts';
import {
  graduatedDescription,
  lateUsageSuffix,
  meterLabel,
  packageDescription,
  volumeDescription,
} from './line-descriptions.ts';
import type { InvoiceComputation, InvoiceLine, MeterUsage, TaxSubtotal, TaxTreatment } from './types.ts';

export interface InvoiceInput {
  readonly issuer: Issuer;
  readonly customer: Customer;
  readonly plan: Plan;
  readonly meters: readonly Meter[];
  readonly taxRates: Readonly<Record<string, string>>;
  /** The invoice's billing period, YYYY-MM. */
  readonly period: string;
  /** Usage per meter and period; periods before `period` are late usage. */
  readonly usage: readonly MeterUsage[];
  /**
   * For each earlier period with late usage: its usage already billed (before the late
   * events), per meter. Re-rates that period's minimum commitment; absent: nothing billed.
   */
  readonly billedUsage?: readonly MeterUsage[];
}

/** UN/ECE Recommendation 20 "one": for the base fee, the top-up and package counts. */
const UNIT_ONE = 'C62';

/** A line before VAT: every line of an invoice gets the invoice's single treatment. */
type NetLine = Omit<InvoiceLine, 'taxRate' | 'taxCategory'>;

export function computeInvoice(input: InvoiceInput): InvoiceComputation {
  const { plan, period } = input;
  const tax = taxTreatment(input.issuer.address.country, input.customer, input.taxRates);
  const currency = plan.currency;
  const invoicePeriod = isoBounds(period);
  const usageByMeter = groupUsage(input.usage, period);
  const metersByCode = new Map(input.meters.map((meter) => [meter.code, meter]));

  const ownPeriodLines: NetLine[] = [];
  const lines: NetLine[] = [];
  const add = (line: NetLine, late: boolean): void => {
    lines.push(line);
    if (!late) ownPeriodLines.push(line);
  };

  if (decimal(plan.baseFee).greaterThan(0)) {
    add(
      {
        kind: 'base_fee',
        description: `Base fee, plan ${plan.code}`,
        meter: null,
        period: invoicePeriod,
        quantity: '1',
        unitCode: UNIT_ONE,
        unitPrice: plan.baseFee,
        netAmount: toMinorUnits(plan.baseFee, currency),
      },
      false,
    );
  }

  const lateLines = new Map<string, NetLine[]>();
  // Usage of meters the plan does not charge for is simply not billed (groupUsage keeps it).
  for (const charge of plan.charges) {
    const meter = meterOf(charge, metersByCode, plan);
    for (const usage of usageByMeter.get(charge.meter) ?? []) {
      const late = usage.period !== period;
      for (const line of usageLines(charge, meter, usage, late, currency)) {
        add(line, late);
        if (late) lateLines.set(usage.period, [...(lateLines.get(usage.period) ?? []), line]);
      }
    }
  }
  for (const [latePeriod, linesOfPeriod] of lateLines) {
    const billed = (input.billedUsage ?? []).filter((usage) => usage.period === latePeriod);
    const adjustment = minimumAlreadyBilledLine(plan, latePeriod, billed, linesOfPeriod);
    if (adjustment !== undefined) lines.push(adjustment);
  }

  const topUp = minimumCommitmentLine(plan, ownPeriodLines, invoicePeriod);
  if (topUp !== undefined) lines.push(topUp);

  return withTax(lines, tax, currency);
}

/**
 * The lines one usage entry produces. A line priced at 0 is kept when its quantity is not 0,
 * so the customer sees usage the free tier covered; a line with neither quantity nor amount
 * (a meter with no events, or a negative sum priced as 0) says nothing and is left out.
 */
function usageLines(charge: Charge, meter: Meter, usage: MeterUsage, late: boolean, currency: string): NetLine[] {
  const priced = priceCharge(charge, usage.quantity, usage.billedQuantity ?? '0');
  const suffix = late ? lateUsageSuffix(usage.period) : '';
  const period = isoBounds(usage.period);
  return priced.entries
    .map((entry): NetLine => {
      const netAmount = toMinorUnits(entry.amount, currency);
      const description = describe(charge, meter, entry, priced.quantity) + suffix;
      return {
        kind: 'usage',
        description,
        meter: meter.code,
        period,
        quantity: decimalText(entry.quantity),
        // Package lines count packages, not meter units, so the meter's unit does not apply.
        unitCode: charge.model === 'package' ? UNIT_ONE : meter.unitCode,
        unitPrice: entry.unitPrice,
        netAmount,
        ...(entry.tier === undefined ? {} : { tier: entry.tier }),
        ...(entry.flatPrice === undefined ? {} : { flatPrice: entry.flatPrice }),
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
 * Late usage of a period whose minimum commitment was topped up: the period re-rated with it
 * needs a smaller top-up (or none), so the part of the top-up the late usage now covers is
 * given back on a line of its own. Late usage within what the minimum already charged thus
 * adds nothing; above it, exactly the excess. A negative correction can only bring the period
 * back down to its minimum (the line is then positive). What was billed is re-derived from the
 * period's events before the late window, priced line by line as its own invoice priced them.
 */
function minimumAlreadyBilledLine(
  plan: Plan,
  period: string,
  billedUsage: readonly MeterUsage[],
  lateLines: readonly NetLine[],
): NetLine | undefined {
  if (plan.minimumCommitment === undefined) return undefined;
  const minimum = toMinorUnits(plan.minimumCommitment, plan.currency);
  const billedNet = sum([
    decimal(plan.baseFee).greaterThan(0) ? toMinorUnits(plan.baseFee, plan.currency) : 0,
    ...plan.charges.flatMap((charge) => {
      const usage = billedUsage.find((entry) => entry.meter === charge.meter);
      if (usage === undefined) return [];
      return priceCharge(charge, usage.quantity).entries.map((entry) => toMinorUnits(entry.amount, plan.currency));
    }),
  ]);
  const lateNet = sum(lateLines.map((line) => line.netAmount));
  const topUpBefore = Math.max(0, minimum - billedNet);
  const topUpAfter = Math.max(0, minimum - safeAdd(billedNet, lateNet));
  const adjustment = topUpAfter - topUpBefore;
  if (adjustment === 0) return undefined;
  const commitment = `${formatMinor(minimum, plan.currency)} ${plan.currency}`;
  return {
    kind: 'minimum_commitment',
    description:
      adjustment < 0
        ? `Minimum commitment top-up already billed for ${period}, now covered by its late usage (commitment ${commitment})`
        : `Minimum commitment for ${period}: its late corrections bring it below the commitment (${commitment})`,
    meter: null,
    period: isoBounds(period),
    // A price is never negative (EN 16931 BR-27): a line that gives back has quantity -1.
    quantity: adjustment < 0 ? '-1' : '1',
    unitCode: UNIT_ONE,
    unitPrice: formatMinor(Math.abs(adjustment), plan.currency),
    netAmount: adjustment,
  };
}

function describe(charge: Charge, meter: Meter, entry: ChargeEntry, units: Decimal): string {
  switch (charge.model) {
    case 'per_unit':
      return meterLabel(meter);
    case 'graduated':
      return entry.tierRange === undefined ? meterLabel(meter) : graduatedDescription(meter, entry.tierRange, entry.flatPrice);
    case 'volume':
      return entry.tierRange === undefined ? meterLabel(meter) : volumeDescription(meter, entry.tierRange, entry.flatPrice);
    case 'package':
      return packageDescription(meter, units, charge.packageSize);
  }
}

/**
 * Brings the invoice's own period up to the plan's minimum. Late usage lines are left out of
 * the comparison: they belong to a month whose minimum its own invoice already settled, and
 * counting them would let late events silently replace this month's commitment.
 */
function minimumCommitmentLine(plan: Plan, ownPeriodLines: readonly NetLine[], period: NetLine['period']): NetLine | undefined {
  if (plan.minimumCommitment === undefined) return undefined;
  const minimum = toMinorUnits(plan.minimumCommitment, plan.currency);
  const topUp = minimum - sum(ownPeriodLines.map((line) => line.netAmount));
  if (topUp <= 0) return undefined;
  return {
    kind: 'minimum_commitment',
    description: `Minimum commitment top-up (commitment ${formatMinor(minimum, plan.currency)} ${plan.currency})`,
    meter: null,
    period,
    quantity: '1',
    unitCode: UNIT_ONE,
    unitPrice: formatMinor(topUp, plan.currency),
    netAmount: topUp,
  };
}

/**
 * VAT per (rate, category) on the sum of the line nets, rounded once per group: rounding per
 * line would let the cents drift from what the tax authority computes from the totals.
 * EN 16931 wants at least one VAT breakdown, so an invoice without lines still gets one.
 */
function withTax(netLines: readonly NetLine[], tax: TaxTreatment, currency: string): InvoiceComputation {
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

/**
 * Usage grouped by meter, periods oldest first. Two entries for the same meter and period
 * would be priced as two separate quantities (restarting tiers), so they are refused; so is
 * usage from after the invoice's period, which cannot belong on it.
 */
function groupUsage(usage: readonly MeterUsage[], period: string): Map<string, MeterUsage[]> {
  if (!isBillingPeriod(period)) throw new Error(`"${period}" is not a billing period: use YYYY-MM, e.g. 2026-11`);
  const byMeter = new Map<string, MeterUsage[]>();
  for (const entry of usage) {
    if (!isBillingPeriod(entry.period)) throw new Error(`Usage of meter ${entry.meter} has period "${entry.period}": use YYYY-MM`);
    if (entry.period > period) {
      throw new Error(`Usage of meter ${entry.meter} for ${entry.period} cannot be billed on the invoice for the earlier period ${period}`);
    }
    const entries = byMeter.get(entry.meter) ?? [];
    if (entries.some((other) => other.period === entry.period)) {
      throw new Error(`Usage of meter ${entry.meter} for ${entry.period} is given twice; aggregate it into one entry`);
    }
    entries.push(entry);
    byMeter.set(entry.meter, entries);
  }
  // YYYY-MM sorts chronologically as text.
  for (const entries of byMeter.values()) entries.sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
  return byMeter;
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
