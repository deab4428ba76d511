/**
 * Payments as billflow tracks them between the provider and its invoices: the events of each
 * payment (Stripe PaymentIntent), and its link to an invoice, or the reason it has none.
 */
import type { PaymentLink } from '#domain/payments/link.ts';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';

export type { PaymentLink };

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
  /**
   * Stores `matched` (decided by domain/payments/link.ts) in place of the payment's link if that
   * is still unmatched, and takes it off the unmatched list, in one transaction. False when the
   * link was matched meanwhile: decide again on the link as it is now.
   */
  replaceUnmatched(matched: PaymentLink): Promise<boolean>;
  listUnmatched(): Promise<PaymentLink[]>;
  listLinks(): Promise<PaymentLink[]>;
}
