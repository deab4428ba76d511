/**
 * The domain's errors: a billing rule refused what was asked. Each has its own class and `name`,
 * so callers tell them apart with `instanceof` (the CLI prints them as usage errors: a person
 * fixes them by asking for something else), never by comparing names or messages.
 */

/** An invoice lifecycle transition was asked of an invoice in a state it may not happen from (lifecycle.ts). */
export class InvoiceStateError extends Error {
  override readonly name = 'InvoiceStateError';
}

/** No invoice has this number (reported by the repositories, which look invoices up). */
export class InvoiceNotFoundError extends Error {
  override readonly name = 'InvoiceNotFoundError';
}

/** An operator's match was asked of a payment that is unknown or already matched to another invoice (payments/link.ts). */
export class PaymentNotUnmatchedError extends Error {
  override readonly name = 'PaymentNotUnmatchedError';
}

/** The customer has no subscription to price in the period (invoice/assemble.ts). */
export class NoSubscriptionError extends Error {
  override readonly name = 'NoSubscriptionError';
}
