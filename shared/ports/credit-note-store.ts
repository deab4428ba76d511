/**
 * Credit notes as stored beside their invoices. Issuing is one step that storage runs under a
 * condition: the decision (domain/credit-notes) is taken on the invoice and the set of its
 * credit notes as read, and kept only if neither changed, so concurrent credits of one invoice
 * cannot together exceed it; the number is allocated in the same write, so none is skipped.
 */
import type { BalanceMovement } from '#domain/balance/ledger.ts';
import type { CreditNoteDelivery, DeliveredCreditNote } from '#domain/credit-notes/delivery.ts';
import type { CreditNote, CreditNoteDraft } from '#domain/credit-notes/types.ts';
import type { CreditNoteSequence } from '#domain/credit-notes/numbering.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';

/** What a credit note makes of an invoice: decided on the invoice and its credit notes as stored. */
export interface CreditDecision {
  readonly draft: CreditNoteDraft;
  readonly sequence: CreditNoteSequence;
  /** The credit note with the number at `position` of its sequence. */
  numbered(position: number): CreditNote;
  /** The invoice once `creditNote` is issued for it (lifecycle.ts creditFinalized). */
  invoiceAfter(creditNote: CreditNote): Invoice;
  /** What `creditNote` adds to the customer's balance (balance/ledger.ts creditNoteMovement), recorded in the same write; undefined: nothing. */
  balanceMovement?(creditNote: CreditNote): BalanceMovement | undefined;
  /** The facts the credit note makes (credit_note.issued), recorded in the outbound outbox in the same write (ports/outbound-outbox.ts). */
  pendingFacts?(creditNote: CreditNote, invoice: Invoice): readonly OutboundFact[];
}

export interface IssuedCreditNote {
  readonly creditNote: CreditNote;
  readonly invoice: Invoice;
}

export interface CreditNoteStore {
  /**
   * Reads the invoice with this number and its credit notes, lets `decide` make the credit note
   * (a domain error refuses it and is rethrown), then allocates its number, stores it and the
   * invoice after it in one transaction, conditioned on the invoice not having changed. If it
   * did (another credit, a payment), `decide` is called again on what is stored now.
   * Throws InvoiceNotFoundError for an unknown number.
   */
  issue(invoiceNumber: string, decide: (invoice: Invoice, creditNotes: readonly CreditNote[]) => CreditDecision): Promise<IssuedCreditNote>;
  findByNumber(number: string): Promise<CreditNote | undefined>;
  /** Oldest first. */
  listForInvoice(invoiceNumber: string): Promise<CreditNote[]>;
  /** An operator's listing, by number. */
  list(filter?: { customerId?: string; invoiceNumber?: string }): Promise<CreditNote[]>;
}

/** The HTTP API's listing: a page at a time, by number, reading only that page. */
export interface CreditNotePages {
  /** Up to `limit` credit notes numbered after `after`, by number; `more` when others follow. */
  creditNotesPage(query: {
    limit: number;
    after?: string;
    customerId?: string;
    invoiceNumber?: string;
  }): Promise<{ creditNotes: CreditNote[]; more: boolean }>;
}

/** Credit notes whose delivery's next step was lost (recover-deliveries, as for invoices). */
export interface StuckCreditNoteDeliveries {
  /**
   * The numbers of credit notes whose delivery is not done (`pending`, `rendered`, `sending`) and
   * whose last delivery step (the claim, for `sending`) is before `before` (ISO 8601). Read from
   * the sparse keys-only index invoices use, in a partition of their own: no table scan.
   */
  listStuckDeliveries(before: string): Promise<string[]>;
}

/** A credit note's delivery (render-invoice and send-invoice for credit notes, `credit-notes pdf | resend`). */
export interface CreditNoteDeliveries {
  /** The credit note with its delivery (`pending` until its PDF is recorded), read strongly consistent. */
  findDelivered(number: string): Promise<DeliveredCreditNote | undefined>;
  /**
   * Applies `change` to the delivery as stored and stores the result unless the delivery changed
   * meanwhile, then decides again (optimistic). `undefined` from `change`: nothing to do.
   * Throws CreditNoteNotFoundError for an unknown number.
   */
  updateDelivery(
    number: string,
    change: (current: DeliveredCreditNote) => CreditNoteDelivery | undefined,
  ): Promise<{ delivered: DeliveredCreditNote; changed: boolean }>;
}
