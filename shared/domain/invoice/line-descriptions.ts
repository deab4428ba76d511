/**
 * Invoice line descriptions, written for the person who pays: which meter, which slice of the
 * usage a line prices, and when usage arrived late, which month it belongs to. Built as phrases
 * of the message catalogue (line-text.ts), so the documents write them in the customer's
 * language; the English text (the invoice's `description`) prints numbers in English style
 * (1,234,567.5) to match the English wording.
 */
import type { Meter } from '../catalog/types.ts';
import type { Segment } from '../subscriptions/segments.ts';
import type { TierRange } from '../pricing/charges.ts';
import { type Decimal, decimal, decimalText } from '../money.ts';
import { phrase, type LinePhrase, type LineText } from './line-text.ts';

/** 1234567.5 -> "1,234,567.5"; never exponent notation. */
export function formatQuantity(value: Decimal | string): string {
  const [whole = '0', fraction] = decimalText(decimal(value)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

const quantity = (value: Decimal | string) => ({ quantity: decimalText(decimal(value)) });

/** The meter's code, with how its quantity was measured when that is not a plain count or sum. */
export function meterLabel(meter: Meter): LinePhrase {
  const values = { meter: { text: meter.code } };
  switch (meter.aggregation) {
    case 'count':
    case 'sum':
      return phrase('line.meter', values);
    case 'max':
      return phrase('line.meterPeak', values);
    case 'unique_count':
      return phrase('line.meterDistinct', values);
    case 'latest':
      return phrase('line.meterLast', values);
  }
}

/**
 * A tier's range. Counted meters have whole quantities, so (10000, 100000] reads as
 * "10,001 – 100,000"; measured ones (sum, max, latest) can have fractions, so the same tier
 * reads "over 10,000 up to 100,000", which is exact for 10,000.5 too.
 */
export function tierRange(meter: Meter, range: TierRange): LinePhrase {
  const counted = (meter.aggregation === 'count' || meter.aggregation === 'unique_count') && range.from.isInteger();
  if (counted) {
    const from = quantity(range.from.plus(1));
    return range.to === null ? phrase('line.range.from', { from }) : phrase('line.range.fromTo', { from, to: quantity(range.to.floor()) });
  }
  if (range.from.isZero()) return range.to === null ? phrase('line.range.any') : phrase('line.range.upTo', { to: quantity(range.to) });
  const from = quantity(range.from);
  return range.to === null ? phrase('line.range.over', { from }) : phrase('line.range.overUpTo', { from, to: quantity(range.to) });
}

export function graduatedDescription(meter: Meter, range: TierRange, flatPrice: string | undefined): LineText {
  return [
    phrase('line.graduated', { meter: { phrase: meterLabel(meter) }, range: { phrase: tierRange(meter, range) } }),
    ...flatFee(flatPrice),
  ];
}

export function volumeDescription(meter: Meter, range: TierRange, flatPrice: string | undefined): LineText {
  return [
    phrase('line.volume', { meter: { phrase: meterLabel(meter) }, range: { phrase: tierRange(meter, range) } }),
    ...flatFee(flatPrice),
  ];
}

export function packageDescription(meter: Meter, units: Decimal, packageSize: string): LineText {
  return [phrase('line.package', { meter: { phrase: meterLabel(meter) }, units: quantity(units), size: quantity(packageSize) })];
}

/** Appended to every line of usage that belongs to an earlier period than the invoice's. */
export function lateUsageSuffix(period: string): LinePhrase {
  return phrase('line.lateUsage', { period: { month: period } });
}

const DAY_MS = 86_400_000;

/**
 * Which dates a segment covers, as a customer reads a service period: whole days inclusive
 * ("2026-11-10 – 2026-11-19"), or instants when a boundary falls within a day.
 */
export function segmentDates(segment: Pick<Segment, 'from' | 'to'>): LinePhrase {
  if (segment.from % DAY_MS === 0 && segment.to % DAY_MS === 0) {
    return phrase('line.days', { from: { date: isoDate(segment.from) }, to: { date: isoDate(segment.to - DAY_MS) } });
  }
  return phrase('line.instants', { from: { instant: isoInstant(segment.from) }, to: { instant: isoInstant(segment.to) } });
}

/** Appended to the lines of a segment that is not its whole period. */
export function segmentSuffix(segment: Pick<Segment, 'from' | 'to'>, plan?: string): LinePhrase {
  const dates = { phrase: segmentDates(segment) };
  return plan === undefined ? phrase('line.segment', { dates }) : phrase('line.segmentOfPlan', { plan: { text: plan }, dates });
}

/** "10/30 days": the share of the period a segment is prorated by. */
export function periodShare(segment: Pick<Segment, 'seconds' | 'periodSeconds'>): LinePhrase {
  const days = segment.seconds % 86_400 === 0 && segment.periodSeconds % 86_400 === 0;
  return days
    ? phrase('line.shareDays', {
        days: quantity(String(segment.seconds / 86_400)),
        periodDays: quantity(String(segment.periodSeconds / 86_400)),
      })
    : phrase('line.shareSeconds', { seconds: quantity(String(segment.seconds)), periodSeconds: quantity(String(segment.periodSeconds)) });
}

/** ", 49.00 EUR x 10/30 days": the fixed amount and the share of the period it is prorated by. */
export function prorationText(amount: string, currency: string, segment: Pick<Segment, 'seconds' | 'periodSeconds'>): LinePhrase {
  return phrase('line.proration', { amount: { price: amount, currency }, share: { phrase: periodShare(segment) } });
}

function isoDate(instant: number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

function isoInstant(instant: number): string {
  return new Date(instant).toISOString();
}

function flatFee(flatPrice: string | undefined): LineText {
  // As written in the catalog, so it reads like the price list the customer agreed to.
  return flatPrice === undefined ? [] : [phrase('line.flatFee', { price: { decimal: flatPrice } })];
}
