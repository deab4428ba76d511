/**
 * The invoice run on the local services with controllable clocks: events are ingested through
 * the real ingest use case at a chosen "now" (so they can be on time, in the grace period or
 * late), and periods are closed through the real close-billing-period code, either directly or
 * through the invoice-jobs queue and the event-source-mapping poller.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CachedCatalog } from '#adapters/cached-catalog.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/event-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbInvoiceRunLog } from '#adapters/dynamodb/invoice-run-log.ts';
import { DynamoDbInvoiceJobFailures } from '#adapters/dynamodb/invoice-job-failure-store.ts';
import { DynamoDbRejectedEventStore } from '#adapters/dynamodb/rejected-event-store.ts';
import { sendBodies } from '#adapters/sqs/send-bodies.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { closeBillingPeriod, type CloseOutcome } from '#use-cases/close-billing-period.ts';
import { ingestEvents } from '#functions/ingest-events/ingest-handler.ts';
import { startInvoiceRun, type InvoiceRunStarted } from '#use-cases/start-invoice-run.ts';
import { createCloseBillingPeriodHandler } from '#functions/close-billing-period/close-handler.ts';
import { startQueuePoller } from '#infra/local/queue-poller.ts';
import { consumers, queues, tables } from '#infra/resources.ts';
import type { CatalogDocument } from '#domain/catalog/types.ts';
import { CUSTOMERS_ENTERED } from './invoicing-catalog.ts';
import { createTestStack, TEST_REGION, type TestStack } from './local-stack.ts';
import { waitForDrained } from './ingest-harness.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

export const GRACE_MS = 3_600_000;
export const SETTLE_MS = 120_000;

export interface InvoicingHarness {
  readonly stack: TestStack;
  readonly invoices: DynamoDbInvoiceRepository;
  readonly events: DynamoDbEventStore;
  readonly catalog: DynamoDbCatalogRepository;
  /** Invoice numbers handed to rendering, in order (the documents queue is not consumed here). */
  readonly documentRequests: readonly string[];
  /** Ingests events as the ingest function would at instant `at`. */
  ingestAt(at: string, events: readonly unknown[]): Promise<void>;
  /** Closes one customer's period directly, the real clock reading `now`. */
  close(
    customerId: string,
    period: string,
    asOf: string,
    options?: { now?: string; dynamodb?: DynamoDBDocumentClient; periodNamed?: boolean },
  ): Promise<CloseOutcome>;
  /** The whole run through the queue: the hourly run's jobs, processed with pollers. */
  runThroughQueue(asOf: string, options?: { now?: string; concurrency?: number }): Promise<InvoiceRunStarted>;
}

export async function createInvoicingHarness(catalog: CatalogDocument): Promise<InvoicingHarness> {
  const stack = await createTestStack({ visibilityTimeoutSeconds: 10 });
  const client = stack.clients.dynamodb;
  const eventsTable = stack.env[tables.events.envVar]!;
  const billingTable = stack.env[tables.billing.envVar]!;
  const catalogRepository = new DynamoDbCatalogRepository(client, billingTable, CUSTOMERS_ENTERED);
  const applied = await applyCatalog(catalog, catalogRepository);
  if (!applied.ok) throw new Error(`test catalog is invalid: ${JSON.stringify(applied.issues)}`);
  const eventStoreFor = (c: DynamoDBDocumentClient) =>
    new DynamoDbEventStore({ client: c, tableName: eventsTable, shardCount: 4, retentionDays: 400 });
  const events = eventStoreFor(client);
  const rejected = new DynamoDbRejectedEventStore({ client, tableName: eventsTable, shardCount: 4, retentionDays: 400 });
  const invoices = new DynamoDbInvoiceRepository(client, billingTable);
  const cached = new CachedCatalog(catalogRepository);
  const closeDeps = (now: () => number, c: DynamoDBDocumentClient = client) => ({
    events: eventStoreFor(c),
    invoices: new DynamoDbInvoiceRepository(c, billingTable),
    catalog: new DynamoDbCatalogRepository(c, billingTable),
    now,
    settleMs: SETTLE_MS,
    requestDocument: async (number: string) => {
      documentRequests.push(number);
    },
    outbound: noOutboundEvents,
  });
  const documentRequests: string[] = [];
  const jobsQueueUrl = stack.env[queues.invoiceJobs.envVar]!;

  return {
    stack,
    invoices,
    events,
    catalog: catalogRepository,
    documentRequests,
    async ingestAt(at, payload) {
      const messages = [];
      for (let start = 0; start < payload.length; start += 100) {
        messages.push({ messageId: `m-${at}-${start}-${Math.random()}`, body: JSON.stringify(payload.slice(start, start + 100)) });
      }
      const outcome = await ingestEvents(messages, {
        outbound: noOutboundEvents,
        events,
        rejected,
        catalogRules: () => cached.ingestRules(),
        knownCustomers: (ids) => cached.knownCustomers(ids),
        customerSubscriptions: (ids) => cached.customerSubscriptions(ids),
        now: () => Date.parse(at),
        maxChunkBytes: 256 * 1024,
      });
      if (outcome.failedMessageIds.length > 0 || outcome.rejected > 0)
        throw new Error(`test events were not all stored: ${JSON.stringify(outcome)}`);
    },
    close(customerId, period, asOf, options = {}) {
      const now = Date.parse(options.now ?? asOf);
      return closeBillingPeriod(
        { customerId, period, asOf, ...(options.periodNamed ? { periodNamed: true } : {}) },
        closeDeps(() => now, options.dynamodb),
      );
    },
    async runThroughQueue(asOf, options = {}) {
      const now = Date.parse(options.now ?? asOf);
      const started = await startInvoiceRun(Date.parse(asOf), {
        catalog: catalogRepository,
        invoices,
        runs: new DynamoDbInvoiceRunLog(client, billingTable),
        enqueue: async (jobs) => ({
          failed: (
            await sendBodies(
              stack.clients.sqs,
              jobsQueueUrl,
              jobs.map((job) => JSON.stringify(job)),
            )
          ).failed.length,
        }),
      });
      const handler = createCloseBillingPeriodHandler(
        closeDeps(() => now),
        {
          jobFailures: new DynamoDbInvoiceJobFailures(client, billingTable),
          now: () => now,
        },
      );
      const { QueueArn } =
        (await stack.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: jobsQueueUrl, AttributeNames: ['QueueArn'] })))
          .Attributes ?? {};
      const poller = startQueuePoller({
        sqs: stack.clients.sqs,
        queueUrl: jobsQueueUrl,
        queueArn: QueueArn ?? jobsQueueUrl,
        region: TEST_REGION,
        functionName: 'close-billing-period',
        batchSize: consumers.closeBillingPeriod.batchSize,
        maxBatchingWindowSeconds: consumers.closeBillingPeriod.maxBatchingWindowSeconds,
        timeoutSeconds: consumers.closeBillingPeriod.timeoutSeconds,
        memorySize: consumers.closeBillingPeriod.memorySize,
        concurrency: options.concurrency ?? 2,
        handler: async (event) => {
          const failures: { itemIdentifier: string }[] = [];
          await Promise.all(
            event.Records.map(async (record) => {
              try {
                await handler(record);
              } catch (error) {
                console.error('close-billing-period:', error);
                failures.push({ itemIdentifier: record.messageId });
              }
            }),
          );
          return { batchItemFailures: failures };
        },
        onError: (error) => console.error('invoice jobs poller:', error),
      });
      await waitForDrained(stack.clients.sqs, jobsQueueUrl, 120_000);
      await poller.stop();
      return started;
    },
  };
}
