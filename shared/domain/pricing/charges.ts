/**
 * The price of one plan charge for a quantity, exact (not yet rounded), with the breakdown an
 * invoice prints: one entry per graduated tier used, one entry for the other models.
 *
 * Quantities below zero (a sum meter fed corrections) are priced as zero for every model: a
 * negative usage line would credit the customer, and credits are a separate feature with
 * their own document (a credit note), not a side effect of pricing.
 *
 * `alreadyBilled` prices late usage as a continuation of its period: the units billed on an
 * earlier invoice already used the lower tiers and part of the last package, so the late units
 * start where those ended instead of getting a fresh free tier.
 */
import type { Charge, Tier } from '../catalog/types.ts';
import { Decimal, ZERO, decimal } from '../money.ts';

export interface TierRange {
  /** Exclusive lower bound (0 for the first tier). */
  readonly from: Decimal;
  /** Inclusive upper bound; null for the open-ended last tier. */
  readonly to: Decimal | null;
}

export interface ChargeEntry {
  /** 1-based tier number (graduated, volume). */
  readonly tier?: number;
  readonly tierRange?: TierRange;
  /** Units priced by this entry; packages for the package model. */
  readonly quantity: Decimal;
  /** Catalog text of the price per unit (per package for the package model). */
  readonly unitPrice: string;
  /** Catalog text of a tier's flat fee, when this entry charges it. */
  readonly flatPrice?: string;
  /** quantity x unitPrice + flatPrice, exact. */
  readonly amount: Decimal;
}

export interface ChargePrice {
  /** The usage quantity priced: the input, or 0 when it was negative. */
  readonly quantity: Decimal;
  readonly entries: readonly ChargeEntry[];
  /** Sum of the entries' amounts, exact. */
  readonly amount: Decimal;
}

export function priceCharge(charge: Charge, quantity: Decimal | string, alreadyBilled: Decimal | string = ZERO): ChargePrice {
  const units = Decimal.max(decimal(quantity), ZERO);
  const before = Decimal.max(decimal(alreadyBilled), ZERO);
  const entries = chargeEntries(charge, units, before);
  return { quantity: units, entries, amount: entries.reduce((total, entry) => total.plus(entry.amount), ZERO) };
}

function chargeEntries(charge: Charge, units: Decimal, before: Decimal): ChargeEntry[] {
  switch (charge.model) {
    case 'per_unit':
      return [{ quantity: units, unitPrice: charge.unitPrice, amount: units.times(charge.unitPrice) }];
    case 'graduated':
      return graduatedEntries(charge.meter, tierRanges(charge.meter, charge.tiers), units, before);
    case 'volume':
      return [volumeEntry(charge.meter, tierRanges(charge.meter, charge.tiers), units, before)];
    case 'package': {
      const packages = packagesFor(before.plus(units), charge.packageSize).minus(packagesFor(before, charge.packageSize));
      return [{ quantity: packages, unitPrice: charge.packagePrice, amount: packages.times(charge.packagePrice) }];
    }
  }
}

interface RangedTier extends TierRange {
  readonly tier: Tier;
  readonly number: number;
}

/** Tier i covers (upTo[i-1], upTo[i]]: a quantity exactly on a bound belongs to the lower tier. */
function tierRanges(meter: string, tiers: readonly Tier[]): RangedTier[] {
  let from = ZERO;
  return tiers.map((tier, index) => {
    const to = tier.upTo === null ? null : decimal(tier.upTo);
    if (to !== null && !to.greaterThan(from)) {
      throw new Error(`Charge for meter ${meter}: tier ${index + 1} ends at ${tier.upTo}, not above the previous tier's bound`);
    }
    const ranged = { tier, number: index + 1, from, to };
    from = to ?? from;
    return ranged;
  });
}

/** The catalog guarantees an open-ended last tier; a charge built without one fails loudly rather than bill nothing. */
function aboveLastTier(meter: string, ranges: readonly RangedTier[], total: Decimal): never {
  const last = ranges.at(-1);
  if (last === undefined) throw new Error(`Charge for meter ${meter} has no tiers`);
  throw new Error(
    `Charge for meter ${meter}: quantity ${total.toFixed()} is above the last tier (upTo ${last.tier.upTo ?? 'null'}); ` +
      'the last tier must have upTo: null',
  );
}

/**
 * Each tier prices the units that fall in it. A tier's flat fee is charged by the entry in which
 * usage first reaches into the tier (total > its lower bound), once per period.
 */
function graduatedEntries(meter: string, ranges: readonly RangedTier[], units: Decimal, before: Decimal): ChargeEntry[] {
  const total = before.plus(units);
  const last = ranges.at(-1);
  if (last === undefined || (last.to !== null && total.greaterThan(last.to))) aboveLastTier(meter, ranges, total);
  const entries: ChargeEntry[] = [];
  for (const range of ranges) {
    const start = Decimal.max(range.from, before);
    const end = range.to === null ? total : Decimal.min(range.to, total);
    if (!end.greaterThan(start)) continue;
    const inTier = end.minus(start);
    const reachedNow = !range.from.lessThan(before);
    const flatPrice = reachedNow ? range.tier.flatPrice : undefined;
    entries.push({
      tier: range.number,
      tierRange: { from: range.from, to: range.to },
      quantity: inTier,
      unitPrice: range.tier.unitPrice,
      ...(flatPrice === undefined ? {} : { flatPrice }),
      amount: inTier.times(range.tier.unitPrice).plus(flatPrice ?? ZERO),
    });
  }
  return entries;
}

/**
 * All units at the unit price of the tier the period's total falls in, plus that tier's flat
 * fee. No usage reaches no tier, so it charges no flat fee either (as graduated). For late
 * usage, units already invoiced are not repriced (finalized invoices are immutable); the late
 * units take the price of the tier the new total falls in, and its flat fee is charged only if
 * the total moved into that tier now.
 */
function volumeEntry(meter: string, ranges: readonly RangedTier[], units: Decimal, before: Decimal): ChargeEntry {
  const total = before.plus(units);
  const range = tierOf(ranges, total) ?? aboveLastTier(meter, ranges, total);
  const chargesFlat = units.greaterThan(0) && (before.isZero() || tierOf(ranges, before) !== range);
  const flatPrice = chargesFlat ? range.tier.flatPrice : undefined;
  return {
    tier: range.number,
    tierRange: { from: range.from, to: range.to },
    quantity: units,
    unitPrice: range.tier.unitPrice,
    ...(flatPrice === undefined ? {} : { flatPrice }),
    amount: units.times(range.tier.unitPrice).plus(flatPrice ?? ZERO),
  };
}

function tierOf(ranges: readonly RangedTier[], quantity: Decimal): RangedTier | undefined {
  return ranges.find((range) => range.to === null || quantity.lessThanOrEqualTo(range.to));
}

/** Whole packages needed for `quantity` units: partial packages round up, 0 units need none. */
function packagesFor(quantity: Decimal, packageSize: string): Decimal {
  const size = decimal(packageSize);
  if (!size.greaterThan(0)) throw new Error(`Package size must be positive, got ${packageSize}`);
  // divToInt and mod are exact, unlike a division that might round before the ceiling.
  const whole = quantity.divToInt(size);
  return quantity.mod(size).isZero() ? whole : whole.plus(1);
}
