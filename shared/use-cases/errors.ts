/**
 * The use cases' own errors, in one place (domain errors are in #domain/errors.ts, adapters' in
 * their adapter's errors.ts). Callers tell them apart by class; the handlers' commons map them to
 * record failures and the CLI to exit codes.
 */
import type { DunningSummary } from './run-dunning.ts';
import { namedError } from '#domain/named-error.ts';

export class WebhookEventMissingError extends namedError('WebhookEventMissingError') {}

export class PaymentMatchError extends namedError('PaymentMatchError') {}

/** A balance refund for a customer the catalog does not know and that has no balance: most likely a mistyped id. */
export class UnknownBalanceCustomerError extends namedError('UnknownBalanceCustomerError') {
  constructor(readonly customerId: string) {
    super(`no customer ${customerId} in the catalog and no balance for it`);
  }
}

export class UnknownEmailError extends namedError('UnknownEmailError') {}

/** Some reminders could not be sent for now; `summary` says which, and what did go out. */
export class DunningRunError extends namedError('DunningRunError') {
  constructor(readonly summary: DunningSummary) {
    const failed = summary.failed.filter((failure) => !failure.permanent);
    super(
      `${failed.length} overdue reminders failed; the next run retries them: ${failed.map((f) => `${f.number} (${f.reason})`).join('; ')}`,
    );
  }
}

export class CatalogIncompleteError extends namedError('CatalogIncompleteError') {}

export class EInvoiceNotFoundError extends namedError('EInvoiceNotFoundError') {}

/** The stored PDF carries no e-invoice XML: what the customer received cannot be validated as one. */
export class EInvoiceNotEmbeddedError extends namedError('EInvoiceNotEmbeddedError') {}

/** Some subscribed endpoints did not answer 2xx: the delivery message is retried with backoff, then dead-lettered. */
export class WebhookDeliveryError extends namedError('WebhookDeliveryError') {}
