/**
 * Payment events as billflow understands them, whatever provider reported them (Stripe today:
 * shared/formats/stripe-events.ts maps its webhook events onto these). Amounts are
 * integer minor units of `currency` (ISO 4217, upper case). Every event carries the provider's
 * event id, which is what "applied once" is keyed on.
 *
 * `paymentId` groups the events of one payment attempt (Stripe: the PaymentIntent id), so a
 * refund or dispute that names only the payment finds its invoice through the payment.
 */
export type PaymentEvent = PaymentSucceeded | PaymentFailed | RefundUpdated | DisputeOpened | DisputeClosed;

interface PaymentEventBase {
  /** Provider event id (Stripe `evt_...`): the key of exactly-once application. */
  readonly eventId: string;
  readonly paymentId: string;
  /** When the provider says it happened (Stripe `created`), ISO 8601 UTC. */
  readonly occurredAt: string;
  readonly currency: string;
}

/** Money received for a payment (Stripe `payment_intent.succeeded`, `amount_received`). */
export interface PaymentSucceeded extends PaymentEventBase {
  readonly kind: 'payment_succeeded';
  readonly amount: number;
  /** The invoice the payer named (Stripe `metadata.invoice_number`), if any. */
  readonly invoiceNumber: string | null;
}

/** An attempt that moved no money (Stripe `payment_intent.payment_failed`). */
export interface PaymentFailed extends PaymentEventBase {
  readonly kind: 'payment_failed';
  readonly amount: number;
  readonly invoiceNumber: string | null;
  readonly reason: string | null;
}

/**
 * Stripe `charge.refunded`: `amountRefunded` is the charge's CUMULATIVE refunded amount as of
 * this event, not the amount of one refund, so the latest figure is the largest.
 */
export interface RefundUpdated extends PaymentEventBase {
  readonly kind: 'refund_updated';
  readonly chargeId: string;
  readonly amountRefunded: number;
}

/** Stripe `charge.dispute.created`: the disputed amount is withdrawn while the dispute is open. */
export interface DisputeOpened extends PaymentEventBase {
  readonly kind: 'dispute_opened';
  readonly disputeId: string;
  readonly amount: number;
}

/**
 * Stripe `charge.dispute.closed`: `won` gives the amount back, `lost` keeps it withdrawn.
 * (Stripe's `warning_closed`, an inquiry closed without a chargeback, maps to `won`.)
 */
export interface DisputeClosed extends PaymentEventBase {
  readonly kind: 'dispute_closed';
  readonly disputeId: string;
  readonly amount: number;
  readonly outcome: 'won' | 'lost';
}
