/**
 * The catalog's `billing` section: how the invoice run closes periods (CONTRACTS.md section 7).
 */
import type { CatalogHead } from './types.ts';

/** Hours after a period's end before its invoice may be finalized, when the catalog sets none. */
export const DEFAULT_GRACE_PERIOD_HOURS = 1;
/** A month: a longer grace period would leave a period open while the next one closes. */
export const MAX_GRACE_PERIOD_HOURS = 744;

const HOUR_MS = 3_600_000;

/** The grace period in milliseconds: the catalog's, or the default of one hour. */
export function gracePeriodMsOf(head: Pick<CatalogHead, 'billing'>): number {
  return (head.billing?.gracePeriodHours ?? DEFAULT_GRACE_PERIOD_HOURS) * HOUR_MS;
}
