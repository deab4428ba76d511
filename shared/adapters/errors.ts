/**
 * The adapters' errors (DynamoDB, the PDF renderer), and how they recognise DynamoDB's own: by the SDK's exception
 * classes (lib-dynamodb's document client sends through client-dynamodb, whose deserializer
 * throws these; test/unit/dynamodb-errors.test.ts proves it), never by comparing names.
 */
import { ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { namedError } from '#domain/named-error.ts';

/** Some items could not be read or written even after retries (sustained throttling): try again. */
export class BatchGetError extends namedError('BatchGetError') {}

/** Some customers could not be written or read even after retries (sustained throttling). */
export class CatalogStoreError extends namedError('CatalogStoreError') {}

/** Other finalizations kept taking the sequence's next numbers: none could be allocated in the attempts allowed. */
export class NumberContentionError extends namedError('NumberContentionError') {}

/** Other writers kept changing an item between this writer's read and its conditional write. */
export class ConcurrentChangeError extends namedError('ConcurrentChangeError') {}

/** An item the adapter had just seen is gone (nothing in billflow deletes them: someone did by hand). */
export class ItemVanishedError extends namedError('ItemVanishedError') {}

/** A conditional write (Put, Update, Delete) found its condition false. */
export function isConditionFailed(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}

/** A transaction was cancelled: one of its conditions failed, or it conflicted with another. */
export function isTransactionCancelled(error: unknown): error is TransactionCanceledException {
  return error instanceof TransactionCanceledException;
}

/**
 * Why a TransactWriteItems failed, per item in request order (`ConditionalCheckFailed`, `None`,
 * ...): empty when it conflicted with another transaction as a whole, undefined when the error
 * is not a cancelled transaction (rethrow it).
 */
export function cancellationReasons(error: unknown): (string | undefined)[] | undefined {
  if (error instanceof TransactionCanceledException) return (error.CancellationReasons ?? []).map((reason) => reason.Code);
  if (error instanceof TransactionConflictException) return [];
  return undefined;
}

export class InvoiceNotRenderableError extends namedError('InvoiceNotRenderableError') {}

/** Outbound events the bus or queue did not accept after retries: the publishing step is retried. */
export class OutboundPublishError extends namedError('OutboundPublishError') {}
