/**
 * The one mapping of errors to SQS record failures, for every queue-fed function. A record that
 * throws is reported as a batch item failure, whatever the error: SQS receives it again and,
 * after the queue's maxReceiveCount, moves it to the dead-letter queue, where it is alarmed and
 * can be redriven after a fix. Nothing a queue accepted is deleted unprocessed (never lost).
 *
 * What the mapping adds is what the failure means for the person on call: a permanent one (a
 * body no consumer can read) will fail on every receive and waits in the dead-letter queue for
 * a fix; a retryable one (throttling, a link not written yet) is expected to pass on a retry.
 */
import type { SQSRecord } from 'aws-lambda';
import { InvoiceNotRenderableError } from '#adapters/errors.ts';
import { EInvoiceDataError, InvoiceNotFoundError, InvoiceStateError } from '#domain/errors.ts';
import { NotAMailNotificationError, NotAStripeEventError } from '#formats/errors.ts';
import { MalformedMessageError } from '#messages/queue-message.ts';
import { logger } from '#shared/observability.ts';

/** Errors no retry of the same record can help, by class. */
const PERMANENT: readonly (abstract new (...args: never[]) => Error)[] = [
  MalformedMessageError,
  NotAMailNotificationError,
  NotAStripeEventError,
  // A message naming an invoice that does not exist, or asking what its state forbids, and an
  // invoice the renderer cannot draw: the same on every receive until someone fixes the data.
  InvoiceNotFoundError,
  InvoiceStateError,
  InvoiceNotRenderableError,
  // An invoice that cannot be the customer's e-invoice format (e.g. a three-decimal currency).
  EInvoiceDataError,
];

export interface RecordFailure {
  readonly permanent: boolean;
  /** `Name: message`, for the log and the failure records. */
  readonly reason: string;
}

export function recordFailureOf(error: unknown): RecordFailure {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { permanent: PERMANENT.some((kind) => error instanceof kind), reason };
}

/** Logs a failed record with what its failure means; the caller rethrows, so it is reported as failed. */
export function logRecordFailure(record: SQSRecord, error: unknown): void {
  const { permanent, reason } = recordFailureOf(error);
  const where = { messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount, reason };
  if (permanent) {
    logger.error('record cannot be processed: it goes to the dead-letter queue after its receives; fix its producer, then redrive', where);
  } else logger.warn('record failed: it is retried', where);
}
