/**
 * The use cases' own errors, in one place (domain errors are in #domain/errors.ts, adapters' in
 * their adapter's errors.ts). Callers tell them apart by class; the handlers' commons map them to
 * record failures and the CLI to exit codes.
 */
import type { DunningSummary } from './run-dunning.ts';

export class WebhookEventMissingError extends Error {
  override readonly name = 'WebhookEventMissingError';
}

export class PaymentMatchError extends Error {
  override readonly name = 'PaymentMatchError';
}

export class UnknownEmailError extends Error {
  override readonly name = 'UnknownEmailError';
}

/** Some reminders could not be sent for now; `summary` says which, and what did go out. */
export class DunningRunError extends Error {
  override readonly name = 'DunningRunError';
  constructor(readonly summary: DunningSummary) {
    const failed = summary.failed.filter((failure) => !failure.permanent);
    super(
      `${failed.length} overdue reminders failed; the next run retries them: ${failed.map((f) => `${f.number} (${f.reason})`).join('; ')}`,
    );
  }
}

export class CatalogIncompleteError extends Error {
  override readonly name = 'CatalogIncompleteError';
}

export class EInvoiceNotFoundError extends Error {
  override readonly name = 'EInvoiceNotFoundError';
}
