/**
 * Billing periods: calendar months in UTC, half-open [start, end).
 * A period is named by its month, `YYYY-MM`, which is also how it appears in storage keys.
 */

import { utc } from './events/rfc3339.ts';

export type BillingPeriod = string;

const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function billingPeriodOf(epochMs: number): BillingPeriod {
  const date = new Date(epochMs);
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function isBillingPeriod(value: string): value is BillingPeriod {
  return PERIOD_PATTERN.test(value);
}

/** Start (inclusive) and end (exclusive) of the period, epoch milliseconds. */
export function periodBounds(period: BillingPeriod): { start: number; end: number } {
  const match = PERIOD_PATTERN.exec(period);
  if (match === null) throw new Error(`"${period}" is not a billing period: use YYYY-MM, e.g. 2026-11`);
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  return { start: utc(year, month, 1), end: utc(year, month + 1, 1) };
}

/**
 * The end of `period`'s grace period: the earliest instant its invoice may be finalized.
 * Whether an event is late is decided by the cut its invoice takes when it is finalized
 * (docs/storage.md), which is never before this. Ingestion marks chunks written from this
 * instant on, so the next invoice knows which earlier periods may hold late events.
 */
export function gracePeriodEnd(period: BillingPeriod, gracePeriodMs: number): number {
  return periodBounds(period).end + gracePeriodMs;
}

export function previousPeriod(period: BillingPeriod): BillingPeriod {
  return billingPeriodOf(periodBounds(period).start - 1);
}

/** The latest period that has ended at `instant`: the one before the period containing it. */
export function lastEndedPeriod(instant: number): BillingPeriod {
  return previousPeriod(billingPeriodOf(instant));
}
