/**
 * A finalized invoice is immutable (CONTRACTS.md section 3): a subscription change may not
 * alter what any closed period bills. A period is altered when its segments (plans, dates)
 * differ before and after the change.
 */
import { periodSegments } from './segments.ts';
import type { Subscription } from './subscription.ts';

export interface ClosedPeriod {
  readonly period: string;
  /** The invoice number, or its status when it has none (not issued, void). */
  readonly label: string;
}

export function rewrittenPeriods(
  before: readonly Subscription[],
  after: readonly Subscription[],
  closed: readonly ClosedPeriod[],
): ClosedPeriod[] {
  return closed.filter(({ period }) => JSON.stringify(periodSegments(before, period)) !== JSON.stringify(periodSegments(after, period)));
}

export function rewriteMessage(periods: readonly ClosedPeriod[]): string {
  const list = periods.map((closed) => `${closed.period} (${closed.label})`).join(', ');
  return `would change ${list}, already invoiced: a finalized invoice is never rewritten; issue a credit note instead, or make the change from a period that is still open`;
}
