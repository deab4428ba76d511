/**
 * The hourly invoice run: one job per customer for the period that has just ended, plus a job
 * for every draft still open from an earlier period, fanned out on the invoice-jobs queue so
 * 100,000 customers are 100,000 small messages rather than one long invocation.
 */
import { lastEndedPeriod } from '../domain/period.ts';
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

export async function startInvoiceRun(asOf: number, deps: InvoiceRunDependencies, options: { period?: string } = {}): Promise<InvoiceRunStarted> {
  const period = options.period ?? lastEndedPeriod(asOf);
  const asOfIso = new Date(asOf).toISOString();
  const customers = await deps.catalog.listCustomers();
  const jobs = new Map<string, InvoiceJob>();
  for (const customer of customers) jobs.set(`${customer.id}|${period}`, { customerId: customer.id, period, asOf: asOfIso });
  // Drafts left open by an earlier run (a missed hour, a failed job) are finalized too.
  for (const draft of (await deps.invoices.list()).filter((invoice) => invoice.status === 'draft' && invoice.billingPeriod < period)) {
    jobs.set(`${draft.customerId}|${draft.billingPeriod}`, { customerId: draft.customerId, period: draft.billingPeriod, asOf: asOfIso });
  }
  const { failed } = await deps.enqueue([...jobs.values()]);
  return { asOf: asOfIso, period, jobs: jobs.size, failed };
}
