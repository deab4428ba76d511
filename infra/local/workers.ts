/**
 * Runs every queue-fed function of infra/resources.ts locally: the handler module Lambda
 * would run (`consumers[*].entry`), fed by a poller with the event source mapping's settings.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { consumers, queues } from '../resources.ts';
import { startQueuePoller, type QueuePoller, type SqsHandler } from './queue-poller.ts';
import type { ProvisionedResources } from './provision.ts';

export interface LocalWorkersOptions {
  readonly sqs: SQSClient;
  readonly region: string;
  readonly resources: ProvisionedResources;
  readonly prefix: string;
  /** Pollers per function. */
  readonly concurrency: number;
  /** Replaces a function's handler (tests inject faults this way). */
  readonly handlers?: Partial<Record<keyof typeof consumers, SqsHandler>>;
  readonly onError: (functionId: string, error: unknown) => void;
}

const repoRoot = resolve(import.meta.dirname, '..', '..');

export async function startLocalWorkers(options: LocalWorkersOptions): Promise<{ stop(): Promise<void> }> {
  const pollers: QueuePoller[] = [];
  for (const [name, consumer] of Object.entries(consumers) as [keyof typeof consumers, (typeof consumers)[keyof typeof consumers]][]) {
    const queue = Object.values(queues).find((candidate) => candidate.id === consumer.queueId);
    if (queue === undefined) throw new Error(`consumer ${name} reads unknown queue ${consumer.queueId}`);
    const queueUrl = options.resources.env[queue.envVar]!;
    const handler = options.handlers?.[name] ?? (await importHandler(consumer.entry));
    const { Attributes } = await options.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    pollers.push(
      startQueuePoller({
        sqs: options.sqs,
        queueUrl,
        queueArn: Attributes?.QueueArn ?? queueUrl,
        region: options.region,
        functionName: `${options.prefix}-${consumer.functionId}`,
        batchSize: consumer.batchSize,
        maxBatchingWindowSeconds: consumer.maxBatchingWindowSeconds,
        timeoutSeconds: consumer.timeoutSeconds,
        memorySize: consumer.memorySize,
        handler,
        concurrency: options.concurrency,
        onError: (error) => options.onError(consumer.functionId, error),
      }),
    );
  }
  return {
    async stop() {
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };
}

async function importHandler(entry: string): Promise<SqsHandler> {
  const module = (await import(pathToFileURL(resolve(repoRoot, entry)).href)) as { handler?: SqsHandler };
  if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a handler function`);
  return module.handler;
}
