/**
 * Invoice jobs (one customer and period) that failed, kept so a failing customer is loud: the
 * close-billing-period function records each failure before the job is retried, and
 * `billflow invoices run` lists the customers whose job failed during its run, with the reason.
 */
export interface InvoiceJobFailure {
  readonly customerId: string;
  readonly period: string;
  /** The last error, as `Name: message`. */
  readonly reason: string;
  /** When it last failed (ISO 8601). */
  readonly failedAt: string;
  /** Failed attempts so far (SQS dead-letters the job after 5 receives). */
  readonly attempts: number;
}

export interface InvoiceJobFailures {
  record(failure: Omit<InvoiceJobFailure, 'attempts'>): Promise<void>;
  /** Failures of `period` whose last attempt was at or after `since` (epoch ms). */
  listSince(period: string, since: number): Promise<InvoiceJobFailure[]>;
}
