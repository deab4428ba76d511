/**
 * The hourly invoice run: one job per customer for the period that has just ended (during the
 * first day after it ends: drafts, then finalization after the grace period), plus a job for
 * every draft still open, fanned out on the invoice-jobs queue so 100,000 customers are 100,000
 * small messages rather than one long invocation. Later in the month only open drafts get
 * jobs: re-enqueuing every customer every hour would be 720 no-op jobs per customer a month.
 */
import { lastEndedPeriod, periodBounds } from '../domain/period.ts';
import type { CatalogRepository } from '../ports/catalog-repository.ts';
import type { InvoiceRepository } from '../ports/invoice-repository.ts';
import type { InvoiceJob } from './close-billing-period.ts';

export interface InvoiceRunDependencies {
  readonly catalog: CatalogRepository;
  readonly invoices: InvoiceRepository;
  /** Sends the jobs; returns the ones that could not be sent. */
  readonly enqueue: (jobs: readonly InvoiceJob[]) => Promise<{ failed: number }>;
}

export interface InvoiceRunStarted {
  readonly asOf: string;
  readonly period: string;
  readonly jobs: number;
  readonly failed: number;
}

/** How long after a period ends the hourly run still enqueues every customer for it. */
export const CLOSING_WINDOW_MS = 24 * 3_600_000;

export async function startInvoiceRun(asOf: number, deps: InvoiceRunDependencies, options: { period?: string } = {}): Promise<InvoiceRunStarted> {
  const period = options.period ?? lastEndedPeriod(asOf);
  const asOfIso = new Date(asOf).toISOString();
  const jobs = new Map<string, InvoiceJob>();
  // A period named by hand (--period) is always run for every customer.
  if (options.period !== undefined || asOf < periodBounds(period).end + CLOSING_WINDOW_MS) {
    for (const customer of await deps.catalog.listCustomers()) {
      jobs.set(`${customer.id}|${period}`, { customerId: customer.id, period, asOf: asOfIso });
    }
  }
  // Drafts left open by an earlier run (a missed hour, a failed job) are finalized too.
  for (const draft of (await deps.invoices.list()).filter((invoice) => invoice.status === 'draft' && invoice.billingPeriod <= period)) {
    jobs.set(`${draft.customerId}|${draft.billingPeriod}`, { customerId: draft.customerId, period: draft.billingPeriod, asOf: asOfIso });
  }
  const { failed } = await deps.enqueue([...jobs.values()]);
  return { asOf: asOfIso, period, jobs: jobs.size, failed };
}
