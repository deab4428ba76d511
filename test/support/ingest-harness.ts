/**
 * The ingestion path on the local services, as in Lambda: events queue -> poller with the
 * event source mapping's settings -> ingest handler -> DynamoDB Local. Tests may swap the
 * DynamoDB client of the event store for one with injected faults.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { messagesInFlight, waitUntilEmpty } from '#adapters/sqs/queue-depth.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CachedCatalog } from '#adapters/cached-catalog.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/event-store.ts';
import { DynamoDbRejectedEventStore } from '#adapters/dynamodb/rejected-event-store.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { createIngestHandler } from '#functions/ingest-events/ingest-handler.ts';
import { startQueuePoller, type QueuePoller, type SqsHandler } from '#infra/local/queue-poller.ts';
import { consumers, tables } from '#infra/resources.ts';
import type { CatalogDocument } from '#domain/catalog/types.ts';
import { CUSTOMERS_ENTERED } from './invoicing-catalog.ts';
import { createTestStack, TEST_REGION, type TestStack } from './local-stack.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

export const SHARDS = 4;

export interface IngestHarness {
  readonly stack: TestStack;
  readonly events: DynamoDbEventStore;
  readonly rejected: DynamoDbRejectedEventStore;
  readonly catalog: DynamoDbCatalogRepository;
  startWorkers(options?: {
    dynamodb?: DynamoDBDocumentClient;
    concurrency?: number;
    now?: () => number;
    /** Wraps the real handler, e.g. to fail an invocation after it has stored its events. */
    wrap?: (handler: SqsHandler) => SqsHandler;
  }): QueuePoller;
}

export async function createIngestHarness(
  catalog: CatalogDocument,
  options: { visibilityTimeoutSeconds?: number } = {},
): Promise<IngestHarness> {
  const stack = await createTestStack({ visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 5 });
  const eventsTable = stack.env[tables.events.envVar]!;
  const billingTable = stack.env[tables.billing.envVar]!;
  const repository = new DynamoDbCatalogRepository(stack.clients.dynamodb, billingTable, CUSTOMERS_ENTERED);
  const applied = await applyCatalog(catalog, repository);
  if (!applied.ok) throw new Error(`test catalog is invalid: ${JSON.stringify(applied.issues)}`);
  const storesFor = (client: DynamoDBDocumentClient) => ({
    events: new DynamoDbEventStore({
      client,
      tableName: eventsTable,
      shardCount: SHARDS,
      retentionDays: 400,
      batchWrite: { concurrency: 8, maxUnprocessedRetries: 3, baseDelayMs: 10 },
    }),
    rejected: new DynamoDbRejectedEventStore({ client, tableName: eventsTable, shardCount: SHARDS, retentionDays: 400 }),
  });
  const { events, rejected } = storesFor(stack.clients.dynamodb);
  const { QueueArn } =
    (await stack.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.eventsQueueUrl, AttributeNames: ['QueueArn'] })))
      .Attributes ?? {};
  return {
    stack,
    events,
    rejected,
    catalog: repository,
    startWorkers(workerOptions = {}) {
      const stores = storesFor(workerOptions.dynamodb ?? stack.clients.dynamodb);
      const cached = new CachedCatalog(repository);
      const handler = createIngestHandler({
        outbound: noOutboundEvents,
        ...stores,
        catalogRules: () => cached.ingestRules(),
        knownCustomers: (ids) => cached.knownCustomers(ids),
        customerSubscriptions: (ids) => cached.customerSubscriptions(ids),
        now: workerOptions.now ?? Date.now,
        maxChunkBytes: 256 * 1024,
      });
      return startQueuePoller({
        sqs: stack.clients.sqs,
        queueUrl: stack.eventsQueueUrl,
        queueArn: QueueArn ?? stack.eventsQueueUrl,
        region: TEST_REGION,
        functionName: consumers.ingestEvents.functionId,
        batchSize: consumers.ingestEvents.batchSize,
        maxBatchingWindowSeconds: 0.2,
        timeoutSeconds: consumers.ingestEvents.timeoutSeconds,
        memorySize: consumers.ingestEvents.memorySize,
        handler: (workerOptions.wrap ?? ((h) => h))((event) => handler(event)),
        concurrency: workerOptions.concurrency ?? 2,
        onError: (error) => console.error('ingest worker:', error),
      });
    },
  };
}

/** Resolves once the queue holds no visible, in-flight or delayed message; fails at the deadline. */
export function waitForDrained(sqs: SQSClient, queueUrl: string, timeoutMs = 30_000): Promise<number> {
  return waitUntilEmpty(sqs, queueUrl, timeoutMs, `queue ${queueUrl}`);
}

/** Messages on the queue, visible or in flight (a DLQ's depth). */
export const queueDepth = messagesInFlight;
