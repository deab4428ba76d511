/**
 * Sends queue messages of one kind: each value is validated and serialized by its message
 * schema (shared/messages), then sent in batches by sendBodies. Failures come back by value.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { QueueMessage } from '#messages/queue-message.ts';
import { sendBodies } from './send-bodies.ts';

export async function sendMessages<T>(
  sqs: SQSClient,
  queueUrl: string,
  message: QueueMessage<T>,
  values: readonly T[],
): Promise<{ sent: number; failed: { value: T; error: string }[] }> {
  // Serialized before anything is sent: an invalid value is a bug, and sends none of them.
  const bodies = values.map((value) => message.serialize(value));
  const { sent, failed } = await sendBodies(sqs, queueUrl, bodies);
  return { sent, failed: failed.map(({ index, error }) => ({ value: values[index]!, error })) };
}

/** Sends one message; throws saying what could not be handed to which step. */
export async function sendMessage<T>(sqs: SQSClient, queueUrl: string, message: QueueMessage<T>, value: T, what: string): Promise<void> {
  const { failed } = await sendMessages(sqs, queueUrl, message, [value]);
  if (failed.length > 0) throw new Error(`could not hand ${what}: ${failed[0]!.error}`);
}
