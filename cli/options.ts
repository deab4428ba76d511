import { isBillingPeriod, lastEndedPeriod } from '#domain/period.ts';
import { parseRfc3339 } from '#domain/events/rfc3339.ts';
import { MAX_EVENTS_PER_BODY } from '#formats/cloudevents-batch.ts';
import { UsageError } from './errors.ts';

export interface GlobalOptions {
  readonly json?: boolean;
  readonly outputs?: string;
}

export function parsePeriod(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isBillingPeriod(value)) throw new UsageError(`--period ${String(value)} is not a billing period: use YYYY-MM, e.g. 2026-11`);
  return value;
}

export function parseBatchSize(value: string): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > MAX_EVENTS_PER_BODY) {
    throw new UsageError(`--batch-size ${value} must be a whole number from 1 to ${MAX_EVENTS_PER_BODY}`);
  }
  return size;
}

export function parseWholeNumber(flag: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`${flag} ${value} must be a whole number from ${min} to ${max}`);
  }
  return number;
}

export function parseShare(flag: string, value: string): number {
  const share = Number(value);
  if (!Number.isFinite(share) || share < 0 || share > 0.9) throw new UsageError(`${flag} ${value} must be a number from 0 to 0.9`);
  return share;
}

/**
 * An instant given on the command line: a strict RFC 3339 date-time with an offset, read by the
 * same parser as event times, so `1` or `2027-02-30T00:00:00Z` is refused rather than read as
 * 2001-01-01 or rolled over to 2 March. Undefined: now.
 */
export function parseInstant(flag: string, value: string | undefined, example: string): number {
  if (value === undefined) return Date.now();
  const instant = parseRfc3339(value);
  if (instant === undefined) {
    throw new UsageError(`${flag} ${value} is not an RFC 3339 date-time: give a real date and time with an offset, e.g. ${example}`);
  }
  return instant;
}

/** How far back a run may go from the last ended period without naming the period. */
export const MAX_PERIODS_BACK = 3;

/**
 * The period `invoices run --as-of T` closes when no --period is given: the last one ended at T,
 * unless that is more than a few periods before the last one ended now. A mistyped --as-of
 * would otherwise draft (and later finalize, number and email) an invoice for every customer
 * in a period long before any of them was billed.
 */
export function periodToRun(asOf: number, now: number, asOfText: string | undefined): string {
  const period = lastEndedPeriod(asOf);
  const latest = lastEndedPeriod(now);
  const back = monthIndex(latest) - monthIndex(period);
  if (back > MAX_PERIODS_BACK) {
    throw new UsageError(
      `--as-of ${asOfText} would bill ${period}, ${back} periods before the last ended period (${latest}); ` +
        `a run more than ${MAX_PERIODS_BACK} periods back must name its period: check --as-of, or add --period ${period} if that is meant`,
    );
  }
  return period;
}

function monthIndex(period: string): number {
  return Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1;
}
