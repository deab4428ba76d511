/**
 * The invoice record: what is stored, printed by `billflow invoices show --json`, rendered and
 * sent. CONTRACTS.md section 3 names the required fields; the rest maps onto EN 16931.
 */
import type { PostalAddress } from '../catalog/types.ts';
import type { PaymentEvent } from '../payments/payment-event.ts';
import type { InvoiceLine, TaxSubtotal, TaxTreatment } from './types.ts';
import type { InvoiceEInvoice } from '../einvoice/settings.ts';
import type { EInvoiceFormat } from '../einvoice/format.ts';
import type { DocumentDelivery } from '../delivery/document-delivery.ts';

/**
 * `not_issued`: the period closed with a total of zero, so no invoice was issued and no number
 * used (CONTRACTS.md's lifecycle has no state for it; it is counted, not silently skipped).
 */
export type InvoiceStatus = 'draft' | 'finalized' | 'void' | 'not_issued';

/**
 * `credited`: nothing paid and credit notes settled it (issue 16): not due, never overdue.
 * `disputed`: a dispute is open, or one was lost and money is due (payments/ledger.ts disputeDecides).
 */
export type PaymentStatus = 'unpaid' | 'partially_paid' | 'paid' | 'overpaid' | 'refunded' | 'disputed' | 'credited';

/** A credit note issued for an invoice, as the invoice keeps it to derive its payment state (issue 16). */
export interface InvoiceCredit {
  readonly number: string;
  readonly total: number;
  /** The part of `total` that reduced the amount due when the credit note was issued. */
  readonly appliedToInvoice: number;
}

/** Where a finalized invoice is on its way to the customer (issue 4's stage wiring). */
export type DeliveryStatus = 'pending' | 'rendered' | 'sending' | 'sent' | 'bounced' | 'failed';

export interface InvoiceDocument {
  readonly bucket: string;
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly renderedAt: string;
}

export interface EInvoiceStoredDocument {
  readonly bucket: string;
  readonly key: string;
  readonly sha256: string;
  readonly format: EInvoiceFormat;
}

export interface SentEmail {
  readonly messageId: string;
  readonly sentAt: string;
  /** `invoice`: the one email per invoice; `resend`: sent again on purpose. */
  readonly kind: 'invoice' | 'resend';
  readonly to: string;
}

/**
 * One overdue reminder (dunning). `stage` is the configured days-overdue threshold it is for
 * (3, 10, 20 by default). `sending` is a claim, so a retried run sends it once; `skipped`
 * marks earlier stages passed over when the run first saw the invoice at a later stage.
 */
export interface Reminder {
  readonly stage: number;
  readonly status: 'sending' | 'sent' | 'skipped';
  /** When claimed, sent or skipped (ISO 8601). */
  readonly at: string;
  readonly messageId: string | null;
}

export interface InvoiceParty {
  readonly name: string;
  readonly address: PostalAddress;
  readonly vatId: string | null;
  readonly email: string;
  /** Seller: the issuer; buyer: the customer id (EN 16931 BT-46 buyer identifier). */
  readonly id: string;
}

/** Its delivery (deliveryStatus, document, emails, sendingSince, deliveryProblem, updatedAt) is a DocumentDelivery, as a credit note's is. */
export interface Invoice extends DocumentDelivery {
  /** Assigned at finalization, never reused; null for drafts and not-issued periods. */
  readonly number: string | null;
  readonly customerId: string;
  /** `YYYY-MM` of the supply period. */
  readonly billingPeriod: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly status: InvoiceStatus;
  readonly paymentStatus: PaymentStatus;
  readonly currency: string;
  /** YYYY-MM-DD, set at finalization. */
  readonly issueDate: string | null;
  readonly dueDate: string | null;
  readonly lines: readonly InvoiceLine[];
  readonly taxSubtotals: readonly TaxSubtotal[];
  readonly netTotal: number;
  readonly taxTotal: number;
  readonly total: number;
  /** Net money collected: received minus refunded minus withdrawn by disputes (minor units). */
  readonly amountPaid: number;
  /** total - amountPaid, never below zero. */
  readonly amountDue: number;
  readonly amountRefunded: number;
  /** Paid beyond the total: the customer's credit (CONTRACTS.md section 5). */
  readonly customerCredit: number;
  /**
   * What lost disputes (chargebacks) took back, within `amountPaid`'s reductions. Absent until a
   * dispute is lost, so invoices without one read (and print) as before (issue 16).
   */
  readonly amountReversed?: number;
  /**
   * Sum of the totals of the credit notes issued for it (CONTRACTS.md section 7). Absent until the
   * first one, so invoices never credited read (and print) as they did before credit notes existed.
   */
  readonly creditedAmount?: number;
  /** The customer's balance applied to it when issued (EN 16931 BT-113); absent: none (not applied yet by billflow). */
  readonly balanceApplied?: number;
  /** The credit notes issued for it, oldest first; with the payment ledger they give paymentStatus and amountDue. */
  readonly credits?: readonly InvoiceCredit[];
  /**
   * The payment ledger: every provider event applied to this invoice, once each (by event id),
   * in a canonical order. paymentStatus and the amounts above are a function of this set.
   */
  readonly payments: readonly PaymentEvent[];
  readonly reminders: readonly Reminder[];
  readonly tax: TaxTreatment;
  readonly legends: readonly string[];
  readonly seller: InvoiceParty;
  readonly buyer: InvoiceParty;
  /** EN 16931 payment means: credit transfer to the issuer's account. */
  readonly paymentMeans: { readonly code: '58'; readonly iban: string; readonly bic: string };
  /** The reference to quote when paying: the invoice number. */
  readonly paymentReference: string | null;
  readonly paymentTermsDays: number;
  /**
   * The BCP 47 tag the invoice's documents and emails are written in (the customer's `language`,
   * else the issuer's `defaultLanguage`), fixed when the draft is built. Absent: English.
   */
  readonly language?: string;
  /** The customer's e-invoice format and data (catalog `einvoice`); absent for PDF-only customers. */
  readonly einvoice?: InvoiceEInvoice;
  /** The XML document stored beside the PDF, for customers with an XML format. */
  readonly einvoiceDocument?: EInvoiceStoredDocument;
  /** Distinct events that fed the invoice (its own period and late usage), to re-derive it. */
  readonly eventCount: number;
  /** Deliveries of those events beyond the first (duplicates removed when reading). */
  readonly duplicateDeliveries: number;
  /**
   * The invoice's cut: chunks of its period written before this instant are on it; a later
   * invoice bills later ones as late usage (docs/storage.md).
   */
  readonly readThrough: string;
  /**
   * Per earlier period with late usage on this invoice: that period's chunks written in
   * [from, to) (from is the latest cut that billed the period before; to is this invoice's).
   * Invoices stored before this field existed have `lateWindow` ({from, to}, every period).
   */
  readonly lateWindows: readonly { readonly period: string; readonly from: string; readonly to: string }[];
  readonly createdAt: string;
  readonly finalizedAt: string | null;
  readonly voidedAt: string | null;
  readonly voidReason: string | null;
  readonly notIssuedReason: string | null;
}
