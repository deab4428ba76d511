/**
 * Feeds an SQS queue to a Lambda handler the way the SQS event source mapping does, so the
 * same handler code runs locally with the same semantics:
 * - batches of up to `batchSize` messages, filled for at most `maxBatchingWindowSeconds`
 *   (and at most 6 MB of bodies, Lambda's payload limit);
 * - ReportBatchItemFailures: messages named in `batchItemFailures` stay on the queue and come
 *   back after the visibility timeout; the others are deleted; a thrown error, or an
 *   identifier that is not in the batch, fails the whole batch;
 * - redrive to the dead-letter queue after maxReceiveCount is done by the queue itself.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { localLambdaContext } from './lambda-context.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface QueuePollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly functionName: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly handler: SqsHandler;
  /** Concurrent pollers, like the event source mapping's scaling (a fixed number here). */
  readonly concurrency: number;
  readonly onError: (error: unknown) => void;
}

export interface QueuePoller {
  stop(): Promise<void>;
}

const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  let stopping = false;
  const workers = Array.from({ length: options.concurrency }, async () => {
    while (!stopping) {
      try {
        const messages = await collectBatch(options, () => stopping);
        if (messages.length > 0) await invoke(options, messages);
      } catch (error) {
        options.onError(error);
        await sleep(500);
      }
    }
  });
  return {
    async stop() {
      stopping = true;
      await Promise.all(workers);
    },
  };
}

async function collectBatch(options: QueuePollerOptions, isStopping: () => boolean): Promise<Message[]> {
  const batch: Message[] = [];
  let bytes = 0;
  let windowEnds = Number.POSITIVE_INFINITY;
  while (batch.length < options.batchSize && !isStopping()) {
    const waiting = batch.length === 0;
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, options.batchSize - batch.length),
        // Long-poll for the first message; then only top the batch up within the window.
        WaitTimeSeconds: waiting ? 1 : 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    for (const message of Messages) {
      batch.push(message);
      bytes += Buffer.byteLength(message.Body ?? '', 'utf8');
    }
    if (batch.length > 0 && windowEnds === Number.POSITIVE_INFINITY) {
      windowEnds = Date.now() + options.maxBatchingWindowSeconds * 1000;
    }
    if (bytes >= PAYLOAD_LIMIT_BYTES || Date.now() >= windowEnds) break;
    if (!waiting && Messages.length === 0) await sleep(50);
  }
  return batch;
}

async function invoke(options: QueuePollerOptions, messages: Message[]): Promise<void> {
  const records = messages.map((message) => toRecord(message, options));
  const started = Date.now();
  let failed: Set<string>;
  try {
    const response = await options.handler({ Records: records }, localLambdaContext(options, started));
    const identifiers = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
    const known = new Set(records.map((record) => record.messageId));
    // As in Lambda: an empty or unknown identifier means the whole batch failed.
    failed = identifiers.some((id) => !id || !known.has(id)) ? known : new Set(identifiers);
  } catch (error) {
    options.onError(error);
    failed = new Set(records.map((record) => record.messageId));
  }
  const done = records.filter((record) => !failed.has(record.messageId));
  for (let start = 0; start < done.length; start += 10) {
    await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.slice(start, start + 10).map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
        })),
      }),
    );
  }
}

function toRecord(message: Message, options: QueuePollerOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType ?? 'String' },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
