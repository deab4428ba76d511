/** Moves every message from a dead-letter queue back to its source queue, attributes and all. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { replayDeadLetters } from './replay-dead-letters.ts';

export async function redriveMessages(sqs: SQSClient, fromQueueUrl: string, toQueueUrl: string): Promise<{ moved: number }> {
  const { replayed } = await replayDeadLetters(sqs, fromQueueUrl, toQueueUrl, (body, attributes) => ({
    body,
    ...(attributes === undefined ? {} : { attributes }),
  }));
  return { moved: replayed };
}
