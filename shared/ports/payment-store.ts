/**
 * Payments as billflow tracks them between the provider and its invoices: the events of each
 * payment (Stripe PaymentIntent), and its link to an invoice, or the reason it has none.
 */
import type { PaymentEvent } from '../domain/payments/payment-event.ts';

export interface PaymentLink {
  readonly paymentId: string;
  readonly status: 'matched' | 'unmatched';
  /** The invoice the payment is applied to (matched), or null. */
  readonly invoiceNumber: string | null;
  /** What the payer named (Stripe metadata.invoice_number), whatever became of it. */
  readonly namedInvoice: string | null;
  readonly currency: string;
  /** Why the payment is unmatched; null when matched. */
  readonly reason: string | null;
  readonly linkedAt: string;
  /** `provider`: matched from the payment's own data; `operator`: by `billflow payments match`. */
  readonly linkedBy: 'provider' | 'operator';
}

export interface PaymentStore {
  /** Idempotent: an event id already recorded is left as it is. */
  recordEvent(event: PaymentEvent): Promise<void>;
  /** Every event of the payment, read consistently (after recordEvent, it is included). */
  eventsOf(paymentId: string): Promise<PaymentEvent[]>;
  linkOf(paymentId: string): Promise<PaymentLink | undefined>;
  /**
   * Writes the link unless the payment has one already (the first decision stands); an
   * unmatched link is also listed among the unmatched payments. Returns the link in force.
   */
  linkIfUnlinked(link: PaymentLink): Promise<PaymentLink>;
  /** Operator's match: an unmatched payment becomes matched to `invoiceNumber` (and leaves the unmatched list). */
  matchUnmatched(paymentId: string, invoiceNumber: string, at: string): Promise<PaymentLink>;
  listUnmatched(): Promise<PaymentLink[]>;
  listLinks(): Promise<PaymentLink[]>;
}
