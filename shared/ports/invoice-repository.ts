/**
 * The invoice store, split by who needs what: each use case depends on the few methods it
 * calls, so a test fake implements those and no stubs. The repositories store and enforce
 * conditions; what may change from which state is decided in domain/invoice/lifecycle.ts.
 */
import type { InvoiceWithBalance } from '#domain/balance/apply-to-invoice.ts';
import type { BalanceMovement } from '#domain/balance/ledger.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { InvoiceSequence } from '#domain/invoice/numbering.ts';
import type { PendingFacts } from './outbound-outbox.ts';

export type SaveDraftOutcome = 'saved' | 'unchanged' | 'closed';

/** The invoice of one customer and period, from draft to closed (close-billing-period). */
export interface BillingPeriodInvoices {
  get(customerId: string, billingPeriod: string): Promise<Invoice | undefined>;
  /**
   * A customer's invoices of `fromPeriod` (YYYY-MM) and later, read strongly consistent: which
   * cuts have been taken, for where late windows start. One Query of the customer's partition.
   */
  listCustomerFrom(customerId: string, fromPeriod: string): Promise<Invoice[]>;
  /**
   * Creates or updates the draft for (customer, period). Never touches an invoice that is no
   * longer a draft (`closed`), and never replaces a draft with one built from fewer events.
   */
  saveDraft(draft: Invoice): Promise<SaveDraftOutcome>;
  /**
   * Allocates the next number of `sequence` and stores `finalized(position)` (the draft
   * finalized with the number at that position) in one transaction, unless the period was
   * closed meanwhile. Concurrent finalizations of one sequence are numbered together. Returns
   * the invoice as stored, and whether this call numbered it (false when another run closed
   * the period first). With `applyBalance`, the finalized invoice is passed through it with its
   * customer's ledger in its currency (read strongly consistent; earlier invoices of the same
   * transaction already took their part), and the movement it returns is recorded in the same
   * transaction, under the condition that the balance covers it.
   */
  finalize(
    draft: Invoice,
    sequence: InvoiceSequence,
    finalized: (position: number) => Invoice,
    applyBalance?: (finalized: Invoice, ledger: readonly BalanceMovement[]) => InvoiceWithBalance,
  ): Promise<{ invoice: Invoice; numbered: boolean }>;
  /** Stores `closed` (the period closed without a number) unless the period was closed meanwhile; returns what is stored. */
  closeDraft(closed: Invoice): Promise<Invoice>;
}

/** What the hourly invoice run still has to close (start-invoice-run). */
export interface OpenDrafts {
  /**
   * The (customer, period) of every invoice still in draft for `throughPeriod` (YYYY-MM) or
   * earlier. Read from a sparse index, not a table scan.
   */
  listOpenDrafts(throughPeriod: string): Promise<{ customerId: string; billingPeriod: string }[]>;
}

/** An issued invoice by its number, changed step by step: delivery, payments, dunning, voiding. */
export interface IssuedInvoices {
  findByNumber(number: string): Promise<Invoice | undefined>;
  /**
   * Applies `change` to the invoice with this number, optimistically: re-read and re-applied
   * if another writer changed it meanwhile. `change` returns undefined for "leave it as it is".
   * Throws InvoiceNotFoundError for an unknown number. `pending`: the facts the changed invoice
   * makes, recorded in the outbound outbox in the same write (ports/outbound-outbox.ts).
   */
  update(
    number: string,
    change: (invoice: Invoice) => Invoice | undefined,
    pending?: PendingFacts<Invoice>,
  ): Promise<{ invoice: Invoice; changed: boolean }>;
}

/** Which invoice an email provider message id belongs to (for bounces). */
export interface InvoiceEmailLinks {
  linkEmail(messageId: string, number: string): Promise<void>;
  findNumberByEmail(messageId: string): Promise<string | undefined>;
}

/** Deliveries whose next step was lost (recover-deliveries). */
export interface StuckDeliveries {
  /**
   * The numbers of finalized invoices whose delivery is not done (`pending`, `rendered`,
   * `sending`) and whose last delivery step (the claim, for `sending`) is before `before`
   * (ISO 8601). Read from a sparse keys-only index, not a table scan.
   */
  listStuckDeliveries(before: string): Promise<string[]>;
}

/** What dunning chases (run-dunning). */
export interface OpenReceivables {
  /**
   * Finalized invoices that still have an amount due and whose due date is before `dueBefore`
   * (YYYY-MM-DD). Read from a sparse index, not a table scan.
   */
  listOpenReceivables(dueBefore: string): Promise<Invoice[]>;
}

/** The operator's view (CLI, catalog checks): invoices by customer and period. */
export interface InvoiceListing {
  list(filter?: { customerId?: string; billingPeriod?: string }): Promise<Invoice[]>;
}

/** Invoices by period then customer, a page at a time (the HTTP API's listing): reads the page, not every invoice. */
export interface InvoicePages {
  /**
   * Up to `limit` invoices after `after` (`{period}|{customerId}` of the last one shown) in
   * that order, of one customer and/or period and/or status; `more`: another page follows.
   */
  invoicesPage(query: {
    limit: number;
    after?: string;
    customerId?: string;
    billingPeriod?: string;
    status?: Invoice['status'];
  }): Promise<{ invoices: Invoice[]; more: boolean }>;
}

/** Every part: what the DynamoDB adapter implements. */
export interface InvoiceRepository
  extends BillingPeriodInvoices, OpenDrafts, IssuedInvoices, InvoiceEmailLinks, StuckDeliveries, OpenReceivables, InvoiceListing {}
