import type { Invoice } from '../domain/invoice/invoice.ts';

export type SaveDraftOutcome = 'saved' | 'unchanged' | 'closed';

export interface InvoiceRepository {
  get(customerId: string, billingPeriod: string): Promise<Invoice | undefined>;
  findByNumber(number: string): Promise<Invoice | undefined>;
  /**
   * Creates or updates the draft for (customer, period). Never touches an invoice that is no
   * longer a draft (`closed`), and never replaces a draft with one built from fewer events.
   */
  saveDraft(draft: Invoice): Promise<SaveDraftOutcome>;
  /**
   * Finalizes: allocates the next number of (prefix, year) and stores the finalized invoice in
   * one transaction. Returns the invoice as stored, and whether this call numbered it (false when
   * another run closed the period first).
   */
  finalize(invoice: Invoice, numbering: { prefix: string; year: number }): Promise<{ invoice: Invoice; numbered: boolean }>;
  /** Closes the period without issuing an invoice (zero total); no number is used. */
  markNotIssued(invoice: Invoice): Promise<Invoice>;
  void(number: string, reason: string, at: string): Promise<Invoice>;
  list(filter?: { customerId?: string; billingPeriod?: string }): Promise<Invoice[]>;
  /**
   * A customer's invoices of `fromPeriod` (YYYY-MM) and later, read strongly consistent: which
   * cuts have been taken, for where late windows start. One Query of the customer's partition.
   */
  listCustomerFrom(customerId: string, fromPeriod: string): Promise<Invoice[]>;
  /**
   * Finalized invoices that still have an amount due and whose due date is before `dueBefore`
   * (YYYY-MM-DD): the ones dunning looks at. Read from a sparse index, not a table scan.
   */
  listOpenReceivables(dueBefore: string): Promise<Invoice[]>;
  /**
   * The (customer, period) of every invoice still in draft for `throughPeriod` (YYYY-MM) or
   * earlier: what the invoice run still has to close. Read from a sparse index, not a table scan.
   */
  listOpenDrafts(throughPeriod: string): Promise<{ customerId: string; billingPeriod: string }[]>;
  /**
   * The numbers of finalized invoices whose delivery is not done (`pending`, `rendered`,
   * `sending`) and whose last delivery step (the claim, for `sending`) is before `before`
   * (ISO 8601). Read from a sparse keys-only index, not a table scan.
   */
  listStuckDeliveries(before: string): Promise<string[]>;
  /**
   * Applies `change` to the invoice with this number, optimistically: re-read and re-applied
   * if another writer changed it meanwhile. `change` returns undefined for "leave it as it is".
   */
  /** Remembers which invoice an email provider message id belongs to (for bounces). */
  linkEmail(messageId: string, number: string): Promise<void>;
  findNumberByEmail(messageId: string): Promise<string | undefined>;
  update(number: string, change: (invoice: Invoice) => Invoice | undefined): Promise<{ invoice: Invoice; changed: boolean }>;
}
