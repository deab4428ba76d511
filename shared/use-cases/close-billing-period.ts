/**
 * Closes one customer's billing period (one message of the invoice run's fan-out).
 *
 * 1. Nothing to do before the period ends, or once its invoice is finalized, void or not issued.
 * 2. Read the catalog: issuer, customer, plan, meters, tax rates, grace period.
 * 3. Before the grace period is over (plus the settle time), build the draft from every event
 *    stored so far. After it, finalize: first the previous period's draft, if one is open (so
 *    a customer's invoices take their cuts in period order), then this period, whose cut is
 *    the instant finalization reads less the settle time. Every event of the period stored
 *    before the cut is on the invoice, however late after the period's end it arrived
 *    (CONTRACTS.md section 1); an event stored after it is late.
 * 4. Add late usage: for each earlier period whose invoice took its cut, the events stored
 *    since the last cut that billed it (docs/storage.md).
 * 5. A period with no active subscription and no late usage is left alone: no invoice.
 * 6. Price it (each subscription segment under its plan) and build the invoice: a draft, or
 *    after the grace period a finalized invoice, which takes the next gap-free number of the
 *    sequence of the issuer's prefix and the issue date's year, or a period closed without an
 *    invoice when the total is zero (no number used). The transitions are the lifecycle's.
 * 7. A finalized invoice uses the customer's balance in its currency (issue 16): it falls on its
 *    amount due, never below zero, recorded as `balanceApplied` in the finalization's own
 *    transaction, so a retry or a concurrent run can neither apply it twice nor lose it. A
 *    backfilled past period takes the balance available when it is finalized.
 * Every step is idempotent: retries, re-runs and concurrent runs end with one invoice.
 */
import { applyBalanceToInvoice } from '#domain/balance/apply-to-invoice.ts';
import { gracePeriodMsOf } from '#domain/catalog/billing-settings.ts';
import type { CatalogHead, Customer, Issuer } from '#domain/catalog/types.ts';
import { computeInvoice, dueDate } from '#domain/invoice/assemble.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { InvoiceComputation } from '#domain/invoice/types.ts';
import { draftInvoice, issue } from '#domain/invoice/invoice-record.ts';
import { closeNotIssued, finalizeDraft } from '#domain/invoice/lifecycle.ts';
import { invoiceSequence, numberIn } from '#domain/invoice/numbering.ts';
import { gracePeriodEnd, periodBounds, previousPeriod } from '#domain/period.ts';
import { periodSegments } from '#domain/subscriptions/segments.ts';
import { subscriptionsOf, type Subscription } from '#domain/subscriptions/subscription.ts';
import { invoiceDrafted, invoiceFinalized } from '#domain/outbound/facts.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import type { EventStore } from '#ports/event-store.ts';
import type { BillingPeriodInvoices } from '#ports/invoice-repository.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { collectUsage, type CollectedUsage, type LateWindow } from './collect-usage.ts';
import { CatalogIncompleteError } from './errors.ts';

export interface InvoiceJob {
  readonly customerId: string;
  /** `YYYY-MM` */
  readonly period: string;
  /** ISO instant the run is "as of" (the schedule's time, or --as-of). */
  readonly asOf: string;
  /**
   * The run named this period (`invoices run --period`): bill it even for a customer who entered
   * the catalog after it ended and has no events in it.
   */
  readonly periodNamed?: boolean;
  /**
   * ISO instant at which the sender saw ingestion idle (the events queue empty, nothing in
   * flight): every chunk stamped before it is written, so a cut may be taken there without
   * waiting for the settle time. Set by runs by hand, after events sent a moment ago.
   */
  readonly ingestSettledAt?: string;
}

export type CloseOutcome =
  | { readonly action: 'not_ended' }
  /** No subscription was active in the period and it has no late usage of earlier ones: nothing to bill, nothing saved. */
  | { readonly action: 'no_subscription' }
  /** The customer entered the catalog after the period ended and has no events in it: not billed for it. */
  | { readonly action: 'before_customer' }
  | { readonly action: 'already_closed'; readonly invoice: Invoice }
  | { readonly action: 'drafted' | 'draft_unchanged' | 'finalized' | 'not_issued'; readonly invoice: Invoice };

export interface CloseBillingPeriodDependencies {
  readonly events: EventStore;
  readonly invoices: BillingPeriodInvoices;
  readonly catalog: CatalogRepository;
  /** The real clock: what has been written so far, whatever the run is "as of". */
  readonly now: () => number;
  /** How long an ingest write can take, at most: a cut is taken this long before the read. */
  readonly settleMs: number;
  /** Hands a finalized invoice to rendering and delivery (the invoice-documents queue). */
  readonly requestDocument: (number: string) => Promise<void>;
  /** invoice.drafted and invoice.finalized, before the hand-over to rendering (so a retry republishes them). */
  readonly outbound: OutboundEvents;
}

export async function closeBillingPeriod(job: InvoiceJob, deps: CloseBillingPeriodDependencies): Promise<CloseOutcome> {
  const asOf = Date.parse(job.asOf);
  if (asOf < periodBounds(job.period).end) return { action: 'not_ended' };
  const existing = await deps.invoices.get(job.customerId, job.period);
  if (existing !== undefined && existing.status !== 'draft') {
    // A retry after the hand-over to rendering failed: hand it over again (rendering is idempotent).
    if (existing.status === 'finalized' && existing.deliveryStatus === 'pending') {
      await deps.outbound.publish([invoiceFinalized(existing)]);
      await deps.requestDocument(existing.number!);
    }
    return { action: 'already_closed', invoice: existing };
  }

  const terms = await readBillingTerms(deps.catalog, job.customerId);
  const { head, issuer, customer, subscriptions } = terms;

  const gracePeriodMs = gracePeriodMsOf(head);
  const drafting = asOf < gracePeriodEnd(job.period, gracePeriodMs) + deps.settleMs;
  const previous = drafting ? await deps.invoices.get(job.customerId, previousPeriod(job.period)) : await closePreviousDraft(job, deps);
  // A draft shows every event stored so far; a finalized invoice every event stored before its cut.
  const readThrough = drafting ? deps.now() : finalizationCut(job, deps.now(), deps.settleMs);
  const late = await lateWindows(job, previous, gracePeriodMs, deps);
  const collected = await collectUsage(deps.events, head.meters, job.customerId, job.period, {
    readThrough,
    late,
    // A draft may miss a chunk written a moment ago: it is rebuilt, strongly consistent, before
    // it is finalized. Half the read units for the first of the two full reads of the period.
    eventuallyConsistent: drafting,
    subscriptions,
  });
  if (collected.usage.length === 0 && periodSegments(subscriptions, job.period).length === 0) return { action: 'no_subscription' };
  if (existing === undefined && job.periodNamed !== true && collected.eventCount === 0 && enteredAfter(customer, job.period)) {
    // A base fee for a month before the customer existed (a run by hand as of a past instant,
    // a run delayed past a catalog apply). A backfill has events there, and is billed.
    return { action: 'before_customer' };
  }

  const computation = priceUsage(terms, job.period, collected);
  const now = deps.now();
  const draft = draftInvoice({
    computation,
    issuer,
    customer,
    billingPeriod: job.period,
    eventCount: collected.eventCount,
    duplicateDeliveries: collected.duplicateDeliveries,
    readThrough,
    lateWindows: late.filter((window) => window.from < readThrough).map((window) => ({ ...window, to: readThrough })),
    now,
  });

  if (drafting) {
    const outcome = await deps.invoices.saveDraft(draft);
    if (outcome === 'closed') return { action: 'already_closed', invoice: (await deps.invoices.get(job.customerId, job.period))! };
    if (outcome === 'saved') await deps.outbound.publish([invoiceDrafted(draft)]);
    return { action: outcome === 'saved' ? 'drafted' : 'draft_unchanged', invoice: draft };
  }
  if (computation.total === 0) {
    const closed = await deps.invoices.closeDraft(closeNotIssued(draft, 'the total for the period is zero'));
    return closed.status === 'not_issued' ? { action: 'not_issued', invoice: closed } : { action: 'already_closed', invoice: closed };
  }
  const issueDate = new Date(asOf).toISOString().slice(0, 10);
  const issued = issue(draft, issueDate, dueDate(issueDate, customer.paymentTermsDays), now);
  // The number is given here, at finalization: the next of the issuer's sequence for the issue
  // year, allocated by the repository in the transaction that stores the finalized invoice.
  const sequence = invoiceSequence(issuer.invoicePrefix, issueDate);
  const { invoice, numbered } = await deps.invoices.finalize(
    issued,
    sequence,
    (position) => finalizeDraft(issued, numberIn(sequence, position)),
    (finalized, ledger) => applyBalanceToInvoice(finalized, ledger, new Date(now).toISOString()),
  );
  if (invoice.status === 'finalized' && invoice.deliveryStatus === 'pending') {
    await deps.outbound.publish([invoiceFinalized(invoice)]);
    await deps.requestDocument(invoice.number!);
  }
  return { action: numbered ? 'finalized' : 'already_closed', invoice };
}

/**
 * The instant finalization reads, less the settle time: an ingest invocation that stamped its
 * chunk before the cut has written it by now. A sender that saw ingestion idle later than that
 * moves the cut up to then (never past now).
 */
export function finalizationCut(job: Pick<InvoiceJob, 'ingestSettledAt'>, now: number, settleMs: number): number {
  const settled = now - settleMs;
  if (job.ingestSettledAt === undefined) return settled;
  return Math.max(settled, Math.min(Date.parse(job.ingestSettledAt), now));
}

/**
 * Finalizing a period after the previous one would let both bill the previous period's
 * events stored between their cuts (once on its own invoice, once as late usage), so an open
 * draft of the previous period is finalized first, as of the same instant: it is due too,
 * since its grace period ended before this one's. Returns the previous period's invoice.
 */
async function closePreviousDraft(job: InvoiceJob, deps: CloseBillingPeriodDependencies): Promise<Invoice | undefined> {
  const period = previousPeriod(job.period);
  const previous = await deps.invoices.get(job.customerId, period);
  if (previous?.status !== 'draft') return previous;
  await closeBillingPeriod({ ...job, period }, deps);
  return deps.invoices.get(job.customerId, period);
}

/**
 * Where the late usage of each earlier period starts: at the latest cut taken by an invoice
 * that billed the period (its own, or a later one's late lines). A period whose own invoice
 * has not taken its cut has no late events: they are all still to be billed on that invoice.
 * Which periods to look at: those ingestion marked (events stored after their grace period),
 * and the previous period if its invoice was finalized before its grace period was over (by
 * a run as of a future instant), since ingestion marks nothing before then.
 */
async function lateWindows(
  job: InvoiceJob,
  previous: Invoice | undefined,
  gracePeriodMs: number,
  deps: CloseBillingPeriodDependencies,
): Promise<LateWindow[]> {
  const candidates = new Set((await deps.events.latePeriods(job.customerId)).filter((period) => period < job.period));
  const closedEarly =
    previous !== undefined &&
    isClosed(previous) &&
    Date.parse(previous.readThrough) < gracePeriodEnd(previous.billingPeriod, gracePeriodMs);
  if (closedEarly) candidates.add(previous.billingPeriod);
  if (candidates.size === 0) return [];
  const oldest = [...candidates].sort()[0]!;
  const closed = (await deps.invoices.listCustomerFrom(job.customerId, oldest)).filter(
    (invoice) => isClosed(invoice) && invoice.billingPeriod !== job.period,
  );
  const windows: LateWindow[] = [];
  for (const period of candidates) {
    if (!closed.some((invoice) => invoice.billingPeriod === period)) continue;
    const cuts = closed.filter((invoice) => invoice.billingPeriod >= period).map((invoice) => Date.parse(invoice.readThrough));
    windows.push({ period, from: Math.max(...cuts) });
  }
  return windows;
}

/** Finalized, void or not issued: the invoice took its cut and will not take another. */
function isClosed(invoice: Invoice): boolean {
  return invoice.status !== 'draft';
}

/** The customer entered the catalog after `period` had ended (unknown for customers stored before that was recorded). */
function enteredAfter(customer: Customer, period: string): boolean {
  return customer.enteredAt !== undefined && Date.parse(customer.enteredAt) >= periodBounds(period).end;
}

/** The catalog head, the issuer, the customer and its subscriptions, each plan of which the catalog must define. */
export async function readBillingTerms(catalog: CatalogRepository, customerId: string): Promise<BillingTerms> {
  const head = await catalog.readHead();
  const customer = (await catalog.findCustomers([customerId])).get(customerId);
  if (customer === undefined) throw new CatalogIncompleteError(`customer ${customerId} is not in the catalog`);
  if (head.issuer === undefined)
    throw new CatalogIncompleteError('the catalog has no issuer: add one (billflow catalog apply) before invoices can be issued');
  const subscriptions = subscriptionsOf(customer);
  for (const subscription of subscriptions) {
    if (!head.plans.some((candidate) => candidate.code === subscription.plan)) {
      throw new CatalogIncompleteError(`customer ${customerId} has plan ${subscription.plan}, which is not in the catalog`);
    }
  }
  return { head, issuer: head.issuer, customer, subscriptions };
}

export interface BillingTerms {
  readonly head: CatalogHead;
  readonly issuer: Issuer;
  readonly customer: Customer;
  readonly subscriptions: readonly Subscription[];
}

/** What the customer's usage of `period` costs by the catalog's plans, meters and tax rates. */
export function priceUsage(
  { head, issuer, customer, subscriptions }: BillingTerms,
  period: string,
  collected: Pick<CollectedUsage, 'usage' | 'billedUsage'>,
): InvoiceComputation {
  return computeInvoice({
    issuer,
    customer,
    plans: head.plans,
    subscriptions,
    meters: head.meters,
    taxRates: head.taxRates,
    period,
    usage: collected.usage,
    billedUsage: collected.billedUsage,
  });
}
