/**
 * A fixed amount (base fee, minimum commitment) for a segment of a billing period: the amount
 * times the segment's seconds over the period's seconds, exact, rounded half-up once to the
 * minor unit. A segment that is the whole period pays the amount as it stands.
 */
import { type Decimal, decimal, toMinorUnits } from '../money.ts';
import type { Segment } from './segments.ts';

export function proratedAmount(amount: string, segment: Pick<Segment, 'seconds' | 'periodSeconds' | 'whole'>): Decimal {
  if (segment.whole) return decimal(amount);
  return decimal(amount).times(segment.seconds).div(segment.periodSeconds);
}

export function proratedMinor(amount: string, segment: Pick<Segment, 'seconds' | 'periodSeconds' | 'whole'>, currency: string): number {
  return toMinorUnits(proratedAmount(amount, segment), currency);
}
