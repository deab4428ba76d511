/**
 * Closes one customer's billing period (one message of the invoice run's fan-out).
 *
 * 1. Nothing to do before the period ends, or once its invoice is finalized, void or not issued.
 * 2. Read the catalog: issuer, customer, plan, meters, tax rates.
 * 3. Aggregate the period's usage (chunks written before the cutoff, or before now when run
 *    early by hand) and late usage of earlier periods (docs/storage.md).
 * 4. Price it and build the invoice.
 * 5. Before the grace period is over (plus a settle time): save it as the draft.
 *    After: finalize it with the next gap-free number, or close the period without an
 *    invoice when the total is zero.
 * Every step is idempotent: retries, re-runs and concurrent runs end with one invoice.
 */
import type { CatalogHead, Customer } from '../domain/catalog/types.ts';
import { computeInvoice, dueDate } from '../domain/invoice/assemble.ts';
import type { Invoice } from '../domain/invoice/invoice.ts';
import { draftInvoice, issue } from '../domain/invoice/invoice-record.ts';
import { lateCutoff, periodBounds, previousPeriod } from '../domain/period.ts';
import type { CatalogRepository } from '../ports/catalog-repository.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { InvoiceRepository } from '../ports/invoice-repository.ts';
import { collectUsage } from './collect-usage.ts';

export interface InvoiceJob {
  readonly customerId: string;
  /** `YYYY-MM` */
  readonly period: string;
  /** ISO instant the run is "as of" (the schedule's time, or --as-of). */
  readonly asOf: string;
}

export type CloseOutcome =
  | { readonly action: 'not_ended' }
  | { readonly action: 'already_closed'; readonly invoice: Invoice }
  | { readonly action: 'drafted' | 'draft_unchanged' | 'finalized' | 'not_issued'; readonly invoice: Invoice };

export interface CloseBillingPeriodDependencies {
  readonly events: EventStore;
  readonly invoices: InvoiceRepository;
  readonly catalog: CatalogRepository;
  /** The real clock: what has been written so far, whatever the run is "as of". */
  readonly now: () => number;
  readonly gracePeriodMs: number;
  readonly settleMs: number;
  /** Hands a finalized invoice to rendering and delivery (the invoice-documents queue). */
  readonly requestDocument: (number: string) => Promise<void>;
}

export class CatalogIncompleteError extends Error {
  override readonly name = 'CatalogIncompleteError';
}

export async function closeBillingPeriod(job: InvoiceJob, deps: CloseBillingPeriodDependencies): Promise<CloseOutcome> {
  const asOf = Date.parse(job.asOf);
  if (asOf < periodBounds(job.period).end) return { action: 'not_ended' };
  const existing = await deps.invoices.get(job.customerId, job.period);
  if (existing !== undefined && existing.status !== 'draft') {
    // A retry after the hand-over to rendering failed: hand it over again (rendering is idempotent).
    if (existing.status === 'finalized' && existing.deliveryStatus === 'pending') await deps.requestDocument(existing.number!);
    return { action: 'already_closed', invoice: existing };
  }

  const head = await deps.catalog.readHead();
  const found = (await deps.catalog.findCustomers([job.customerId])).get(job.customerId);
  const { issuer, plan, customer } = requireCatalog(head, found, job.customerId);

  const cutoff = lateCutoff(job.period, deps.gracePeriodMs);
  const readThrough = Math.min(cutoff, deps.now());
  // Before the grace period (and settle time) is over, this builds a draft.
  const drafting = asOf < cutoff + deps.settleMs;
  const previous = previousPeriod(job.period);
  const previousInvoice = await deps.invoices.get(job.customerId, previous);
  // A closed previous invoice read through its readThrough; an open draft will read through its
  // cutoff when it is finalized (possibly by a job running beside this one).
  const previousClosed = previousInvoice !== undefined && previousInvoice.status !== 'draft';
  const lateFrom = previousClosed ? Date.parse(previousInvoice.readThrough) : lateCutoff(previous, deps.gracePeriodMs);
  // Late chunks are marked by ingestion once a period's cutoff has passed. Chunks written
  // between an early finalization (a manual run as of a future instant) and the cutoff are not
  // marked, so then the previous period is searched as well.
  const closedEarly = previousClosed && lateFrom < lateCutoff(previous, deps.gracePeriodMs);
  const latePeriods = [...(await deps.events.latePeriods(job.customerId)), ...(closedEarly ? [previous] : [])];
  const collected = await collectUsage(deps.events, head.meters, job.customerId, job.period, {
    readThrough,
    lateFrom,
    lateTo: readThrough,
    latePeriods,
    // A draft may miss a chunk written a moment ago: it is rebuilt, strongly consistent, before
    // it is finalized. Half the read units for the first of the two full reads of the period.
    eventuallyConsistent: drafting,
  });

  const computation = computeInvoice({
    issuer,
    customer,
    plan,
    meters: head.meters,
    taxRates: head.taxRates,
    period: job.period,
    usage: collected.usage,
  });
  const now = deps.now();
  const draft = draftInvoice({
    computation,
    issuer,
    customer,
    billingPeriod: job.period,
    eventCount: collected.eventCount,
    duplicateDeliveries: collected.duplicateDeliveries,
    readThrough,
    lateWindow: { from: lateFrom, to: readThrough },
    now,
  });

  if (drafting) {
    const outcome = await deps.invoices.saveDraft(draft);
    if (outcome === 'closed') return { action: 'already_closed', invoice: (await deps.invoices.get(job.customerId, job.period))! };
    return { action: outcome === 'saved' ? 'drafted' : 'draft_unchanged', invoice: draft };
  }
  if (computation.total === 0) {
    const closed = await deps.invoices.markNotIssued({ ...draft, notIssuedReason: 'the total for the period is zero' });
    return closed.status === 'not_issued' ? { action: 'not_issued', invoice: closed } : { action: 'already_closed', invoice: closed };
  }
  const issueDate = new Date(asOf).toISOString().slice(0, 10);
  const { invoice, numbered } = await deps.invoices.finalize(
    issue(draft, issueDate, dueDate(issueDate, customer.paymentTermsDays), now),
    { prefix: issuer.invoicePrefix, year: Number(issueDate.slice(0, 4)) },
  );
  if (invoice.status === 'finalized' && invoice.deliveryStatus === 'pending') await deps.requestDocument(invoice.number!);
  return { action: numbered ? 'finalized' : 'already_closed', invoice };
}

function requireCatalog(head: CatalogHead, customer: Customer | undefined, customerId: string) {
  if (customer === undefined) throw new CatalogIncompleteError(`customer ${customerId} is not in the catalog`);
  if (head.issuer === undefined) throw new CatalogIncompleteError('the catalog has no issuer: add one (billflow catalog apply) before invoices can be issued');
  const plan = head.plans.find((candidate) => candidate.code === customer.plan);
  if (plan === undefined) throw new CatalogIncompleteError(`customer ${customerId} has plan ${customer.plan}, which is not in the catalog`);
  return { issuer: head.issuer, plan, customer };
}
