/**
 * The hourly invoice run: fans out one close-billing-period job per customer and period on the
 * invoice-jobs queue, so 100,000 customers are 100,000 small messages rather than one long
 * invocation.
 *
 * - Every customer, for the period that has just ended: once, at the first run after it ends
 *   (drafts), however late that run is (an outage, a disabled schedule). Again within the day
 *   after it ends only if the catalog changed since (a customer added late, a plan fixed after
 *   a job failed on it), or if the last attempt could not enqueue every job. Re-enqueuing every
 *   customer every hour would be a no-op job per customer and run.
 * - Every draft still open, of that period or earlier (from a sparse index, not a scan): so
 *   drafts are finalized after the grace period, and a draft left open by a missed hour or a
 *   failed job is closed by the next run.
 * A period named by hand (--period) is always run for every customer.
 */
import { lastEndedPeriod, periodBounds } from '#domain/period.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import type { OpenDrafts } from '#ports/invoice-repository.ts';
import type { InvoiceRunLog } from '#ports/invoice-run-log.ts';
import type { InvoiceJob } from './close-billing-period.ts';

export interface InvoiceRunDependencies {
  readonly catalog: CatalogRepository;
  readonly invoices: OpenDrafts;
  readonly runs: InvoiceRunLog;
  /** Sends the jobs; returns the ones that could not be sent. */
  readonly enqueue: (jobs: readonly InvoiceJob[]) => Promise<{ failed: number }>;
}

export interface InvoiceRunStarted {
  readonly asOf: string;
  readonly period: string;
  readonly jobs: number;
  readonly failed: number;
  /** Whether this run enqueued every customer of `period`, not only the open drafts. */
  readonly everyCustomer: boolean;
}

/** How long after a period ends the hourly run may still enqueue every customer for it. */
export const CLOSING_WINDOW_MS = 24 * 3_600_000;

export interface InvoiceRunOptions {
  /** Close this period for every customer, instead of the last one ended at `asOf`. */
  readonly period?: string;
  /**
   * Whether a person named the period (`--period`): its jobs then bill customers who entered the
   * catalog after it ended (InvoiceJob.periodNamed). Default: whether `period` is given.
   */
  readonly periodNamed?: boolean;
  /** Epoch ms at which the caller saw ingestion idle (see InvoiceJob.ingestSettledAt). */
  readonly ingestSettledAt?: number;
}

export async function startInvoiceRun(
  asOf: number,
  deps: InvoiceRunDependencies,
  options: InvoiceRunOptions = {},
): Promise<InvoiceRunStarted> {
  const period = options.period ?? lastEndedPeriod(asOf);
  const asOfIso = new Date(asOf).toISOString();
  const settled = options.ingestSettledAt === undefined ? {} : { ingestSettledAt: new Date(options.ingestSettledAt).toISOString() };
  const jobs = new Map<string, InvoiceJob>();
  const named = (options.periodNamed ?? options.period !== undefined) ? { periodNamed: true } : {};
  const add = (customerId: string, billingPeriod: string) =>
    jobs.set(`${customerId}|${billingPeriod}`, {
      customerId,
      period: billingPeriod,
      asOf: asOfIso,
      ...settled,
      ...(billingPeriod === period ? named : {}),
    });

  let catalogVersion: string | undefined;
  const closing = asOf < periodBounds(period).end + CLOSING_WINDOW_MS;
  // Outside the closing day, the run log is read only to catch a period no run has fanned out yet.
  const enqueuedVersion = options.period === undefined ? await deps.runs.customersEnqueued(period) : undefined;
  if (options.period !== undefined || closing || enqueuedVersion === undefined) {
    // Read before the customers: a change made while they are listed shows as a new version next hour.
    const version = await deps.catalog.version();
    if (options.period !== undefined || enqueuedVersion !== version) {
      catalogVersion = version;
      for (const customer of await deps.catalog.listCustomers()) add(customer.id, period);
    }
  }
  for (const draft of await deps.invoices.listOpenDrafts(period)) add(draft.customerId, draft.billingPeriod);

  const { failed } = await deps.enqueue([...jobs.values()]);
  // Only a complete fan-out counts: otherwise the next run enqueues every customer again.
  if (catalogVersion !== undefined && failed === 0) await deps.runs.recordCustomersEnqueued(period, catalogVersion, asOfIso);
  return { asOf: asOfIso, period, jobs: jobs.size, failed, everyCustomer: catalogVersion !== undefined };
}
