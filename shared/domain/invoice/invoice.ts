/**
 * The invoice record: what is stored, printed by `billflow invoices show --json`, rendered and
 * sent. CONTRACTS.md section 3 names the required fields; the rest maps onto EN 16931.
 */
import type { PostalAddress } from '../catalog/types.ts';
import type { InvoiceLine, TaxSubtotal, TaxTreatment } from './types.ts';

/**
 * `not_issued`: the period closed with a total of zero, so no invoice was issued and no number
 * used (CONTRACTS.md's lifecycle has no state for it; it is counted, not silently skipped).
 */
export type InvoiceStatus = 'draft' | 'finalized' | 'void' | 'not_issued';

export type PaymentStatus = 'unpaid' | 'partially_paid' | 'paid' | 'overpaid' | 'refunded' | 'disputed';

/** Where a finalized invoice is on its way to the customer (issue 4's stage wiring). */
export type DeliveryStatus = 'pending' | 'rendered' | 'sending' | 'sent' | 'bounced' | 'failed';

export interface InvoiceDocument {
  readonly bucket: string;
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly renderedAt: string;
}

export interface SentEmail {
  readonly messageId: string;
  readonly sentAt: string;
  /** `invoice`: the one email per invoice; `resend`: sent again on purpose. */
  readonly kind: 'invoice' | 'resend';
  readonly to: string;
}

export interface InvoiceParty {
  readonly name: string;
  readonly address: PostalAddress;
  readonly vatId: string | null;
  readonly email: string;
  /** Seller: the issuer; buyer: the customer id (EN 16931 BT-46 buyer identifier). */
  readonly id: string;
}

export interface Invoice {
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
  readonly amountPaid: number;
  readonly amountDue: number;
  readonly tax: TaxTreatment;
  readonly legends: readonly string[];
  readonly seller: InvoiceParty;
  readonly buyer: InvoiceParty;
  /** EN 16931 payment means: credit transfer to the issuer's account. */
  readonly paymentMeans: { readonly code: '58'; readonly iban: string; readonly bic: string };
  /** The reference to quote when paying: the invoice number. */
  readonly paymentReference: string | null;
  readonly paymentTermsDays: number;
  /** Distinct events that fed the invoice (its own period and late usage), to re-derive it. */
  readonly eventCount: number;
  /** Deliveries of those events beyond the first (duplicates removed when reading). */
  readonly duplicateDeliveries: number;
  /**
   * Chunks of the invoice's period written before this instant are on it; the next invoice
   * bills later ones as late usage (docs/storage.md).
   */
  readonly readThrough: string;
  /** Late usage of earlier periods written in [from, to) is on this invoice. */
  readonly lateWindow: { readonly from: string; readonly to: string };
  readonly deliveryStatus: DeliveryStatus;
  readonly document: InvoiceDocument | null;
  readonly emails: readonly SentEmail[];
  /** While `sending`: when the sender claimed the email (a stale claim is taken over). */
  readonly sendingSince?: string;
  /** Last delivery problem: a bounce, a complaint or a send failure, with when. */
  readonly deliveryProblem: { readonly kind: 'bounce' | 'complaint' | 'send_failure'; readonly detail: string; readonly at: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finalizedAt: string | null;
  readonly voidedAt: string | null;
  readonly voidReason: string | null;
  readonly notIssuedReason: string | null;
}
