/**
 * Ingest benchmark (issue 2), measured side by side in one run on the local services:
 * - billflow's ingest path: bodies of 100 events on the real queue, consumed by the real
 *   handler behind the event-source-mapping poller, stored as packed chunks;
 * - the naive storage ceiling: the same events written one item per event with plain
 *   BatchWriteItem (no queue, no validation, no conditions);
 * and the write units per accepted event as DynamoDB Local reports them.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { CachedCatalog } from '#adapters/cached-catalog.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/event-store.ts';
import { DynamoDbRejectedEventStore } from '#adapters/dynamodb/rejected-event-store.ts';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import { batchBodies, sendBodies } from '#adapters/sqs/send-bodies.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { accountEvents } from '#use-cases/account-events.ts';
import { createIngestHandler } from '#functions/ingest-events/ingest-handler.ts';
import { startQueuePoller } from '#infra/local/queue-poller.ts';
import { consumers, pipelineSettings, tables } from '#infra/resources.ts';
import { billingPeriodOf } from '#domain/period.ts';
import { generateSampleEvents } from '#cli/sample-events.ts';
import { aCatalog } from '#test-support/factories.ts';
import { waitForDrained } from '#test-support/ingest-harness.ts';
import { BENCH_REGION, createNaiveTable, type BenchStack } from './bench-stack.ts';
import { meteredDocumentClient } from './capacity-meter.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

export interface IngestBenchResult {
  readonly events: number;
  readonly customers: number;
  /** Share of all events stored in the busiest partition (customer, period, shard). */
  readonly busiestPartitionShare: number;
  readonly ingestSeconds: number;
  readonly ingestEventsPerSecond: number;
  readonly naiveSeconds: number;
  readonly naiveEventsPerSecond: number;
  readonly ratio: number;
  readonly ingestWcuPerEvent: number;
  readonly naiveWcuPerEvent: number;
  readonly chunks: number;
  readonly invocations: number;
  readonly accepted: number;
  readonly pollers: number;
  readonly naiveConcurrency: number;
  readonly batchSize: number;
}

const CUSTOMERS = 100;
const POLLERS = 2;

export async function benchIngest(
  stack: BenchStack,
  eventCount: number,
  batchSize: number,
  customers: number = CUSTOMERS,
): Promise<IngestBenchResult> {
  const { services, resources, clients } = stack;
  const customerIds = Array.from({ length: customers }, (_, i) => `cus_${String(i).padStart(3, '0')}`);
  const repository = new DynamoDbCatalogRepository(clients.dynamodb, resources.env[tables.billing.envVar]!);
  const applied = await applyCatalog(aCatalog(customerIds), repository);
  if (!applied.ok) throw new Error('benchmark catalog is invalid');
  const now = Date.now();
  const { events } = generateSampleEvents({
    customerIds,
    count: eventCount,
    period: billingPeriodOf(now),
    duplicateShare: 0,
    invalidShare: 0,
    seed: 42,
    notAfter: now,
  });

  // billflow: fill the queue, then time the consumers until every message is processed.
  const bodies = batchBodies(events, 100);
  const sent = await sendBodies(clients.sqs, resources.eventsQueueUrl, bodies);
  if (sent.failed.length > 0) throw new Error(`could not fill the queue: ${sent.failed[0]!.error}`);
  const meter = meteredDocumentClient(services.endpoints.dynamodb, BENCH_REGION);
  const eventsTable = resources.env[tables.events.envVar]!;
  const shardCount = Number(pipelineSettings.EVENT_WRITE_SHARDS);
  const catalog = new CachedCatalog(new DynamoDbCatalogRepository(meter.client, resources.env[tables.billing.envVar]!));
  const handler = createIngestHandler({
    outbound: noOutboundEvents,
    events: new DynamoDbEventStore({ client: meter.client, tableName: eventsTable, shardCount, retentionDays: 400 }),
    rejected: new DynamoDbRejectedEventStore({ client: meter.client, tableName: eventsTable, shardCount, retentionDays: 400 }),
    catalogRules: () => catalog.ingestRules(),
    knownCustomers: (ids) => catalog.knownCustomers(ids),
    now: Date.now,
    maxChunkBytes: 256 * 1024,
  });
  let invocations = 0;
  let lastDone = 0;
  const { QueueArn } =
    (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: resources.eventsQueueUrl, AttributeNames: ['QueueArn'] })))
      .Attributes ?? {};
  const started = performance.now();
  const poller = startQueuePoller({
    sqs: clients.sqs,
    queueUrl: resources.eventsQueueUrl,
    queueArn: QueueArn ?? '',
    region: BENCH_REGION,
    functionName: 'bench-ingest',
    batchSize,
    maxBatchingWindowSeconds: consumers.ingestEvents.maxBatchingWindowSeconds,
    timeoutSeconds: consumers.ingestEvents.timeoutSeconds,
    memorySize: consumers.ingestEvents.memorySize,
    concurrency: POLLERS,
    handler: async (event) => {
      const response = await handler(event);
      invocations += 1;
      lastDone = performance.now();
      return response;
    },
    onError: (error) => console.error('bench ingest:', error),
  });
  await waitForDrained(clients.sqs, resources.eventsQueueUrl, 600_000);
  await poller.stop();
  const ingestSeconds = (lastDone - started) / 1000;
  const ingestWrites = meter.totals.write;

  const rejectedStore = new DynamoDbRejectedEventStore({
    client: clients.dynamodb,
    tableName: eventsTable,
    shardCount,
    retentionDays: 400,
  });
  const eventStore = new DynamoDbEventStore({ client: clients.dynamodb, tableName: eventsTable, shardCount, retentionDays: 400 });
  const statement = await accountEvents(eventStore, rejectedStore);
  let chunkItems = 0;
  const eventsPerPartition = new Map<string, number>();
  for await (const chunk of eventStore.scanChunks()) {
    chunkItems += 1;
    const partition = `${chunk.customerId}|${chunk.period}|${chunk.shard}`;
    eventsPerPartition.set(partition, (eventsPerPartition.get(partition) ?? 0) + chunk.events.length);
  }
  const busiestPartitionShare = Math.max(...eventsPerPartition.values()) / statement.accepted;

  // Naive: one item per event, plain BatchWriteItem, as many requests in flight as billflow had.
  const naiveTable = `${resources.env[tables.events.envVar]}-naive`;
  await createNaiveTable(services.endpoints.dynamodb, naiveTable);
  meter.reset();
  const items = (events as { source: string; id: string; subject: string; time: string; type: string; data: unknown }[]).map((event) => ({
    pk: `${event.subject}|${event.time.slice(0, 7)}`,
    sk: `${event.source}|${event.id}`,
    type: event.type,
    time: event.time,
    data: event.data,
  }));
  const requests: (typeof items)[] = [];
  for (let start = 0; start < items.length; start += 25) requests.push(items.slice(start, start + 25));
  const naiveConcurrency = POLLERS * 8;
  const naiveStarted = performance.now();
  await forEachConcurrently(requests, naiveConcurrency, async (batch) => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const result = await meter.client.send(new BatchWriteCommand({ RequestItems: { [naiveTable]: pending } }));
      pending = (result.UnprocessedItems?.[naiveTable] ?? []) as typeof pending;
    }
  });
  const naiveSeconds = (performance.now() - naiveStarted) / 1000;
  const naiveWrites = meter.totals.write;

  return {
    events: eventCount,
    customers,
    busiestPartitionShare,
    ingestSeconds,
    ingestEventsPerSecond: eventCount / ingestSeconds,
    naiveSeconds,
    naiveEventsPerSecond: eventCount / naiveSeconds,
    ratio: eventCount / ingestSeconds / (eventCount / naiveSeconds),
    ingestWcuPerEvent: ingestWrites / statement.accepted,
    naiveWcuPerEvent: naiveWrites / eventCount,
    chunks: chunkItems,
    invocations,
    accepted: statement.accepted,
    pollers: POLLERS,
    naiveConcurrency,
    batchSize,
  };
}
