/**
 * Invoice line descriptions, written for the person who pays: which meter, which slice of the
 * usage a line prices, and when usage arrived late, which month it belongs to. Numbers are
 * printed in English style (1,234,567.5) to match the English wording.
 */
import type { Meter } from '../catalog/types.ts';
import type { Segment } from '../subscriptions/segments.ts';
import type { TierRange } from '../pricing/charges.ts';
import { type Decimal, decimal, decimalText } from '../money.ts';

/** 1234567.5 -> "1,234,567.5"; never exponent notation. */
export function formatQuantity(value: Decimal | string): string {
  const [whole = '0', fraction] = decimalText(decimal(value)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** The meter's code, with how its quantity was measured when that is not a plain count or sum. */
export function meterLabel(meter: Meter): string {
  switch (meter.aggregation) {
    case 'count':
    case 'sum':
      return meter.code;
    case 'max':
      return `${meter.code} (peak)`;
    case 'unique_count':
      return `${meter.code} (distinct)`;
    case 'latest':
      return `${meter.code} (last reported)`;
  }
}

/**
 * A tier's range. Counted meters have whole quantities, so (10000, 100000] reads as
 * "10,001 – 100,000"; measured ones (sum, max, latest) can have fractions, so the same tier
 * reads "over 10,000 up to 100,000", which is exact for 10,000.5 too.
 */
export function tierRangeText(meter: Meter, range: TierRange): string {
  const counted = (meter.aggregation === 'count' || meter.aggregation === 'unique_count') && range.from.isInteger();
  if (counted) {
    const first = formatQuantity(range.from.plus(1));
    return range.to === null ? `${first} and above` : `${first} – ${formatQuantity(range.to.floor())}`;
  }
  if (range.from.isZero()) return range.to === null ? 'any quantity' : `up to ${formatQuantity(range.to)}`;
  return range.to === null ? `over ${formatQuantity(range.from)}` : `over ${formatQuantity(range.from)} up to ${formatQuantity(range.to)}`;
}

export function graduatedDescription(meter: Meter, range: TierRange, flatPrice: string | undefined): string {
  return `${meterLabel(meter)}, ${tierRangeText(meter, range)}${flatFeeText(flatPrice)}`;
}

export function volumeDescription(meter: Meter, range: TierRange, flatPrice: string | undefined): string {
  return `${meterLabel(meter)}, all units at the price for ${tierRangeText(meter, range)}${flatFeeText(flatPrice)}`;
}

export function packageDescription(meter: Meter, units: Decimal, packageSize: string): string {
  return `${meterLabel(meter)}: ${formatQuantity(units)} in packages of ${formatQuantity(packageSize)}`;
}

/** Appended to every line of usage that belongs to an earlier period than the invoice's. */
export function lateUsageSuffix(period: string): string {
  return `, late usage from ${period}`;
}

const DAY_MS = 86_400_000;

/**
 * Which dates a segment covers, as a customer reads a service period: whole days inclusive
 * ("2026-11-10 – 2026-11-19"), or instants when a boundary falls within a day.
 */
export function segmentDates(segment: Pick<Segment, 'from' | 'to'>): string {
  if (segment.from % DAY_MS === 0 && segment.to % DAY_MS === 0) {
    return `${isoDate(segment.from)} – ${isoDate(segment.to - DAY_MS)}`;
  }
  return `${isoInstant(segment.from)} – ${isoInstant(segment.to)} (end excluded)`;
}

/** Appended to the lines of a segment that is not its whole period. */
export function segmentSuffix(segment: Pick<Segment, 'from' | 'to'>, plan?: string): string {
  return `${plan === undefined ? '' : `, plan ${plan}`}, ${segmentDates(segment)}`;
}

/** "49.00 EUR x 10/30 days": the fixed amount and the share of the period it is prorated by. */
export function prorationText(
  amount: string,
  currency: string,
  segment: Pick<Segment, 'seconds' | 'periodSeconds'>,
  label?: string,
): string {
  const days = segment.seconds % 86_400 === 0 && segment.periodSeconds % 86_400 === 0;
  const share = days
    ? `${segment.seconds / 86_400}/${segment.periodSeconds / 86_400} days`
    : `${formatQuantity(String(segment.seconds))}/${formatQuantity(String(segment.periodSeconds))} seconds`;
  return `${label === undefined ? '' : `${label} `}${amount} ${currency} x ${share}`;
}

function isoDate(instant: number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

function isoInstant(instant: number): string {
  return new Date(instant)
    .toISOString()
    .replace('T', ' ')
    .replace('.000Z', ' UTC')
    .replace(/\.(\d{3})Z$/, '.$1 UTC');
}

function flatFeeText(flatPrice: string | undefined): string {
  // As written in the catalog, so it reads like the price list the customer agreed to.
  return flatPrice === undefined ? '' : `, including a flat fee of ${flatPrice}`;
}
