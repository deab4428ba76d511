import { isBillingPeriod } from '../shared/domain/period.ts';
import { MAX_EVENTS_PER_BODY } from '../shared/domain/events/message-body.ts';
import { UsageError } from './errors.ts';

export interface GlobalOptions {
  readonly json?: boolean;
  readonly outputs?: string;
}

export function parsePeriod(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isBillingPeriod(value)) throw new UsageError(`--period ${value} is not a billing period: use YYYY-MM, e.g. 2026-11`);
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
