/**
 * Cost model (issue 6): what a month of billflow costs in AWS at list prices, counted from a run
 * of the deployed handler modules (functions/<name>/handler.ts, the code Lambda runs) on the
 * local services, and printed with the counts it was computed from.
 *
 * Workload: EVENTS (default 1,000,000) usage events from CUSTOMERS (default 1,000) customers in
 * the current month, sent by upstream as CloudEvents batch bodies of 100 events, then the
 * invoice cycle of that month for every customer (one invoice each) and one Stripe payment
 * webhook per invoice.
 *
 * How it counts:
 * - Every AWS SDK request made while a measured function runs (or while the event source
 *   mapping stand-in polls for it) is counted by intercepting the SDK's `Client.send` in this
 *   process, attributed with AsyncLocalStorage; the benchmark's own set-up calls are not counted.
 *   DynamoDB requests ask for ReturnConsumedCapacity=TOTAL and the units DynamoDB Local reports
 *   are summed, except TransactWriteItems, where DynamoDB Local reports 2 units whatever the
 *   transaction holds: those are computed as AWS bills them (2 per started KB of each item, plus
 *   the index writes of an item that enters `open-receivables` or leaves `open-drafts`).
 * - SQS requests are billed per 64 KB chunk of their payload (message bodies sent or received);
 *   empty receives are reported but not charged to the workload (idle polling is a fixed cost).
 * - Lambda: invocations and duration. Each invocation of a handler is timed (wall clock, rounded
 *   up to 1 ms as Lambda bills it) and multiplied by the function's configured memory
 *   (infra/resources.ts). The local queue poller (infra/local/queue-poller.ts) stands in for the
 *   SQS event source mapping with the deployed batch sizes and batching windows. The times are
 *   this machine's, warm, with the emulators on the same cores: a stand-in for Lambda's, not a
 *   prediction of it.
 * - CloudWatch Logs: what the handlers write (Powertools logs at the deployed level INFO and
 *   the EMF metric lines), captured and counted, plus Lambda's START/END/REPORT lines (modelled).
 * - Modelled, not run: upstream's SendMessage (one per body), EventBridge Scheduler's
 *   invocations, API Gateway requests and their access log lines, Secrets Manager reads.
 * - X-Ray: Lambda's fixed sampling, the first invocation of each second and 5 % of the rest,
 *   counted per function on this machine's clock (an overcount: Lambda fans out faster, and
 *   X-Ray's reservoir is shared across functions).
 * - The invoice cycle runs on the schedule's clock: the hourly invoice run at 30 min after the
 *   month ends (drafts), at 1 h 30 (finalization, rendering, email), at 2 h 30 (no jobs: the
 *   catalog is unchanged and no draft is open, as the 21 further runs of the first day), and at
 *   24 h 30 (no jobs, only the open-drafts index queried; as
 *   the remaining 696 runs of a 30-day month). To get there the process clock (Date.now) is
 *   moved forward while those rounds run; the services accept it.
 *
 * Printed apart from the totals: storage, and fixed monthly costs (the secret, idle polling,
 * the hourly invoice runs that have no jobs), each also shown charged to the quoted volume.
 * Not modelled (printed as such): alarms, KMS keys, custom metric series, dunning reminders, SES
 * bounce events, cold-start (INIT) time, data transfer, free tiers.
 *
 * At the defaults it takes ~10 minutes on a 2-core machine (1,000 customers pack ~2.7 events per
 * item, so 1,000,000 events are ~385,000 DynamoDB Local writes). BENCH_COST_EVENTS=250000 runs a
 * quarter and scales ingest linearly (said in the output); the invoices then bill fewer events.
 *
 * The counting (SDK requests, Lambda time, logs, X-Ray samples) is in cost-meter.ts; pricing the
 * counts and the printout in cost-report.ts.
 */
import { apiGatewayEvent } from '#infra/local/http-api.ts';
import { withEnvironment } from './environment.ts';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import { batchBodies, sendBodies } from '#adapters/sqs/send-bodies.ts';
import { messagesInFlight } from '#adapters/sqs/queue-depth.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { billingPeriodOf, periodBounds } from '#domain/period.ts';
import { logger, metrics } from '#shared/observability.ts';
import { consumers, httpRoutes, pipelineSettings, queues, schedules, tables, type QueueConsumerDefinition } from '#infra/resources.ts';
import { localCredentials } from '#infra/local/credentials.ts';
import { localFunctionEnvironment } from '#infra/local/function-environment.ts';
import { localLambdaContext } from '#infra/local/lambda-context.ts';
import { startQueuePoller, type QueuePoller, type SqsHandler } from '#infra/local/queue-poller.ts';
import { generateSampleEvents } from '#cli/sample-events.ts';
import { invoicingCatalog, mixedProCustomers } from '#test-support/invoicing-catalog.ts';
import { waitForDrained } from '#test-support/ingest-harness.ts';
import { paymentSucceeded, signature } from '#test-support/stripe-events.ts';
import { BENCH_REGION, createNaiveTable, provisionBench, type BenchServices } from './bench-stack.ts';
import { asLambda, chunks, installMeters, newTally, scope, type Tally } from './cost-meter.ts';

// ---------------------------------------------------------------------------------------------
// Workload and model constants

/** The scale the figures are quoted at. */
export const EVENTS_QUOTED = 1_000_000;
export const INVOICES_QUOTED = 1_000;
/** Targets of issue 6 (with upstream sending batch bodies of 100 events). */
export const TARGET_PER_MILLION_EVENTS = 0.4;
export const TARGET_PER_THOUSAND_INVOICES = 0.15;
export const EVENTS_PER_BODY = 100;
/** Pollers per function: like the event source mapping's concurrent batches, fixed here. */
const POLLERS = 2;
/** Events generated and sent at a time, so the emulated queue stays small. */
const SLICE_EVENTS = 50_000;
/** One API Gateway access log line per webhook request (JSON, ~300 bytes). */
const ACCESS_LOG_BYTES_PER_REQUEST = 300;
/** Hourly invoice runs in a 30-day month, and how they split (see the file comment). */
const RUNS_PER_MONTH = 30 * 24;
export const CLOSED_RUNS_IN_FIRST_DAY = 22;
export const IDLE_RUNS = RUNS_PER_MONTH - 2 - CLOSED_RUNS_IN_FIRST_DAY;
const HOUR = 3_600_000;
/** Events are kept until EVENT_RETENTION_DAYS after their month ends: the month itself plus ~13. */
export const RETENTION_MONTHS = 1 + Math.round(Number(pipelineSettings.EVENT_RETENTION_DAYS) / 30.4);
const SECRET = 'whsec_bench_cost_0123456789abcdef';
const repoRoot = resolve(import.meta.dirname, '..', '..');

// ---------------------------------------------------------------------------------------------
// The run

export interface CostOptions {
  readonly events: number;
  readonly customers: number;
  /** Events of the naive design actually run; its figures are scaled to EVENTS_QUOTED. */
  readonly naiveEvents: number;
}

export function costOptionsFromEnv(env: NodeJS.ProcessEnv): CostOptions {
  const read = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
    return value;
  };
  return {
    events: read('BENCH_COST_EVENTS', EVENTS_QUOTED),
    customers: read('BENCH_COST_CUSTOMERS', INVOICES_QUOTED),
    naiveEvents: read('BENCH_COST_NAIVE_EVENTS', 100_000),
  };
}

export interface Measured {
  readonly tally: Tally;
  readonly seconds: number;
}

export interface CostRun {
  readonly options: CostOptions;
  readonly period: string;
  readonly ingest: Measured & { readonly eventsTableBytes: number; readonly eventsTableItems: number };
  readonly naive: Measured;
  /** The hourly rounds of the invoice run, each measured once. */
  readonly rounds: { readonly draft: Measured; readonly finalize: Measured; readonly closed: Measured; readonly idle: Measured };
  readonly payments: Measured;
  readonly checks: {
    readonly billedEvents: number;
    readonly finalized: number;
    readonly emailed: number;
    readonly pdfBytes: number;
    readonly paid: number;
  };
}

type Handlers = {
  ingest: SqsHandler;
  closeBillingPeriod: SqsHandler;
  renderInvoice: SqsHandler;
  sendInvoice: SqsHandler;
  applyPaymentEvent: SqsHandler;
  invoiceRun: (event: unknown, context: Context) => Promise<{ jobs: number; failed: number }>;
  stripeWebhook: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
};

/**
 * The deployed handler modules, imported afresh for this run (a query on the URL makes a new
 * module instance): each builds its clients once, from the environment of the first call, and
 * another benchmark in this process may have built its own copy for other resources.
 */
async function importHandlers(): Promise<Handlers> {
  const load = async <T>(entry: string): Promise<T> => {
    const module = (await import(`${pathToFileURL(resolve(repoRoot, entry)).href}?bench-cost`)) as { handler?: T };
    if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a handler function`);
    return module.handler;
  };
  return {
    ingest: await load(consumers.ingestEvents.entry),
    closeBillingPeriod: await load(consumers.closeBillingPeriod.entry),
    renderInvoice: await load(consumers.renderInvoice.entry),
    sendInvoice: await load(consumers.sendInvoice.entry),
    applyPaymentEvent: await load(consumers.applyPaymentEvent.entry),
    invoiceRun: await load(schedules.startInvoiceRun.entry),
    stripeWebhook: await load(httpRoutes.receiveStripeWebhook.entry),
  };
}

export async function benchCost(base: BenchServices, options: CostOptions): Promise<CostRun> {
  const stack = await provisionBench(base, 'benchcost');
  const naiveStack = await provisionBench(base, 'benchcostnaive');
  const { endpoints } = base.services;
  const environment = {
    ...localFunctionEnvironment(stack.resources, endpoints, BENCH_REGION, { verbose: false, stripeWebhookSecret: SECRET }),
    // As deployed (infra/constructs/billing-function.ts): INFO logs and EMF metrics.
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_DISABLED: 'false',
  };
  const harness = createAwsClients({ region: BENCH_REGION, endpoints, credentials: localCredentials });
  const errors: string[] = [];

  return withEnvironment(environment, async () => {
    // The shared Logger and Metrics were built with the bench's SILENT / disabled settings.
    const previousLevel = logger.getLevelName();
    const metricsSwitch = metrics as unknown as { disabled: boolean };
    const metricsWereDisabled = metricsSwitch.disabled;
    // Powertools resets the level to the one the Logger was built with at every warm invocation
    // (its debug-sampling refresh; the sample rate is 0 here): keep INFO for this run.
    const samplingRefresh = logger as unknown as { refreshSampleRateCalculation: () => void };
    samplingRefresh.refreshSampleRateCalculation = () => undefined;
    logger.setLogLevel('INFO');
    metricsSwitch.disabled = false;
    const uninstallMeters = installMeters();
    const realNow = Date.now;
    let clockOffsetMs = 0;
    // Handlers keep the Date.now they find when they build their dependencies: install first.
    Date.now = () => realNow() + clockOffsetMs;
    try {
      const handlers = await importHandlers();
      const customers = mixedProCustomers(options.customers);
      const customerIds = customers.map((customer) => customer.id);
      const billingTable = stack.resources.env[tables.billing.envVar]!;
      const applied = await applyCatalog(invoicingCatalog(customers), new DynamoDbCatalogRepository(harness.dynamodb, billingTable));
      if (!applied.ok) throw new Error('cost model: the catalog is invalid');
      const startedAt = realNow();
      const period = billingPeriodOf(startedAt);

      // 1. Ingest: upstream sends the month's events; the ingest function stores them.
      const ingestTally = newTally();
      const ingestStarted = performance.now();
      const ingestPoller = await startConsumer(
        harness.sqs,
        ingestTally,
        stack.resources.eventsQueueUrl,
        consumers.ingestEvents,
        handlers.ingest,
        errors,
      );
      await produce(harness.sqs, stack.resources.eventsQueueUrl, ingestTally, customerIds, period, options.events, 1, startedAt);
      await waitForDrained(harness.sqs, stack.resources.eventsQueueUrl, 3_600_000);
      await ingestPoller.stop();
      const ingestSeconds = (performance.now() - ingestStarted) / 1000;
      const described = await describeTable(endpoints.dynamodb, stack.resources.env[tables.events.envVar]!);

      // 2. Naive: one item per event, Lambda's default 10 messages per invocation.
      const naiveTally = newTally();
      const naiveStarted = performance.now();
      const naiveTable = `${naiveStack.resources.env[tables.events.envVar]}-naive`;
      await createNaiveTable(endpoints.dynamodb, naiveTable);
      const naivePoller = await startConsumer(
        harness.sqs,
        naiveTally,
        naiveStack.resources.eventsQueueUrl,
        { ...consumers.ingestEvents, functionId: 'naive-ingest', batchSize: 10, maxBatchingWindowSeconds: 0 },
        naiveHandler(createAwsClients().dynamodb, naiveTable),
        errors,
      );
      await produce(
        harness.sqs,
        naiveStack.resources.eventsQueueUrl,
        naiveTally,
        customerIds,
        period,
        options.naiveEvents,
        1_000,
        startedAt,
      );
      await waitForDrained(harness.sqs, naiveStack.resources.eventsQueueUrl, 3_600_000);
      await naivePoller.stop();
      const naiveSeconds = (performance.now() - naiveStarted) / 1000;

      // 3. The invoice run's hourly rounds after the month ends.
      const periodEnd = periodBounds(period).end;
      const queueUrl = (definition: { envVar: string }) => stack.resources.env[definition.envVar]!;
      const round = async (asOf: number): Promise<Measured> => {
        clockOffsetMs = asOf - realNow();
        const tally = newTally();
        const started = performance.now();
        const pollers = [
          await startConsumer(
            harness.sqs,
            tally,
            queueUrl(queues.invoiceJobs),
            consumers.closeBillingPeriod,
            handlers.closeBillingPeriod,
            errors,
          ),
          await startConsumer(
            harness.sqs,
            tally,
            queueUrl(queues.invoiceDocuments),
            consumers.renderInvoice,
            handlers.renderInvoice,
            errors,
          ),
          await startConsumer(harness.sqs, tally, queueUrl(queues.invoiceEmails), consumers.sendInvoice, handlers.sendInvoice, errors),
        ];
        tally.modelled.schedulerInvocations += 1;
        const run = schedules.startInvoiceRun;
        const enqueued = await scope.run({ tally }, () =>
          asLambda(run.functionId, run.memorySize, handlers.invoiceRun)({ asOf: new Date(asOf).toISOString() }, context(run)),
        );
        if (enqueued.failed > 0) errors.push(`invoice run as of ${new Date(asOf).toISOString()}: ${enqueued.failed} jobs not enqueued`);
        for (const definition of [queues.invoiceJobs, queues.invoiceDocuments, queues.invoiceEmails]) {
          await waitForDrained(harness.sqs, queueUrl(definition), 3_600_000);
        }
        await Promise.all(pollers.map((poller) => poller.stop()));
        return { tally, seconds: (performance.now() - started) / 1000 };
      };
      const draft = await round(periodEnd + HOUR / 2);
      const finalize = await round(periodEnd + 1.5 * HOUR);
      const closed = await round(periodEnd + 2.5 * HOUR);
      const idle = await round(periodEnd + 24.5 * HOUR);

      const invoices = new DynamoDbInvoiceRepository(harness.dynamodb, billingTable);
      const issued = (await invoices.list({ billingPeriod: period })).filter((invoice) => invoice.status === 'finalized');

      // 4. Payments: one Stripe payment_intent.succeeded webhook per invoice, three days later.
      clockOffsetMs = periodEnd + 72 * HOUR - realNow();
      const paymentsTally = newTally();
      const paymentsStarted = performance.now();
      const applyPoller = await startConsumer(
        harness.sqs,
        paymentsTally,
        queueUrl(queues.paymentEvents),
        consumers.applyPaymentEvent,
        handlers.applyPaymentEvent,
        errors,
      );
      const route = httpRoutes.receiveStripeWebhook;
      const webhook = asLambda(route.functionId, route.memorySize, handlers.stripeWebhook);
      await scope.run({ tally: paymentsTally }, () =>
        forEachConcurrently(issued, 8, async (invoice) => {
          const at = Math.floor(Date.now() / 1000);
          const body = JSON.stringify(
            paymentSucceeded({ amount: invoice.amountDue, currency: invoice.currency, invoiceNumber: invoice.number!, at }),
          );
          paymentsTally.modelled.apiRequests += 1;
          // The secret is cached for 5 minutes per container; 1,000 payments a month arrive ~43 minutes apart.
          paymentsTally.modelled.secretsApiCalls += 1;
          paymentsTally.modelled.accessLogBytes += ACCESS_LOG_BYTES_PER_REQUEST;
          const response = await webhook(webhookRequest(body, signature(body, SECRET, at)), context(route));
          if (response.statusCode !== 200) errors.push(`webhook for ${invoice.number}: HTTP ${response.statusCode} ${response.body}`);
        }),
      );
      await waitForDrained(harness.sqs, queueUrl(queues.paymentEvents), 3_600_000);
      await applyPoller.stop();
      const paymentsSeconds = (performance.now() - paymentsStarted) / 1000;

      const after = await invoices.list({ billingPeriod: period });
      const checks = {
        billedEvents: issued.reduce((sum, invoice) => sum + invoice.eventCount, 0),
        finalized: issued.length,
        emailed: after.filter((invoice) => invoice.deliveryStatus === 'sent').length,
        pdfBytes: issued.length === 0 ? 0 : finalize.tally.s3.putBytes,
        paid: after.filter((invoice) => invoice.paymentStatus === 'paid').length,
      };
      if (errors.length > 0) throw new Error(`cost model: ${errors.length} failures, first: ${errors[0]}`);
      if (checks.finalized !== options.customers || checks.emailed !== options.customers || checks.paid !== options.customers) {
        throw new Error(
          `cost model: expected ${options.customers} invoices finalized, emailed and paid, got ${checks.finalized}, ${checks.emailed}, ${checks.paid}`,
        );
      }
      if (checks.billedEvents !== options.events)
        throw new Error(`cost model: ${options.events} events sent, ${checks.billedEvents} billed`);
      return {
        options,
        period,
        ingest: {
          tally: ingestTally,
          seconds: ingestSeconds,
          eventsTableBytes: described.Table?.TableSizeBytes ?? 0,
          eventsTableItems: described.Table?.ItemCount ?? 0,
        },
        naive: { tally: naiveTally, seconds: naiveSeconds },
        rounds: { draft, finalize, closed, idle },
        payments: { tally: paymentsTally, seconds: paymentsSeconds },
        checks,
      };
    } finally {
      Date.now = realNow;
      uninstallMeters();
      delete (samplingRefresh as { refreshSampleRateCalculation?: unknown }).refreshSampleRateCalculation;
      logger.setLogLevel(previousLevel);
      metricsSwitch.disabled = metricsWereDisabled;
    }
  });
}

function context(fn: { functionId: string; memorySize: number; timeoutSeconds: number }): Context {
  return localLambdaContext({
    functionName: `bench-cost-${fn.functionId}`,
    region: BENCH_REGION,
    memorySize: fn.memorySize,
    timeoutSeconds: fn.timeoutSeconds,
  });
}

/** A queue consumer with the event source mapping's settings; its polling is counted in `tally`. */
async function startConsumer(
  sqs: SQSClient,
  tally: Tally,
  queueUrl: string,
  consumer: QueueConsumerDefinition,
  handler: SqsHandler,
  errors: string[],
): Promise<QueuePoller> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return scope.run({ tally }, () =>
    startQueuePoller({
      sqs,
      queueUrl,
      queueArn: Attributes?.QueueArn ?? queueUrl,
      region: BENCH_REGION,
      functionName: `bench-cost-${consumer.functionId}`,
      batchSize: consumer.batchSize,
      maxBatchingWindowSeconds: consumer.maxBatchingWindowSeconds,
      timeoutSeconds: consumer.timeoutSeconds,
      memorySize: consumer.memorySize,
      handler: asLambda(consumer.functionId, consumer.memorySize, handler),
      concurrency: POLLERS,
      onError: (error) => errors.push(`${consumer.functionId}: ${String(error)}`),
    }),
  );
}

/**
 * Upstream: the events in bodies of 100, sent to the queue a slice at a time (the bench sends
 * them with SendMessageBatch; upstream is modelled as one SendMessage per body, billed per 64 KB).
 */
async function produce(
  sqs: SQSClient,
  queueUrl: string,
  tally: Tally,
  customerIds: readonly string[],
  period: string,
  count: number,
  firstSeed: number,
  notAfter: number,
): Promise<void> {
  for (let start = 0, slice = 0; start < count; start += SLICE_EVENTS, slice += 1) {
    const { events } = generateSampleEvents({
      customerIds,
      count: Math.min(SLICE_EVENTS, count - start),
      period,
      duplicateShare: 0,
      invalidShare: 0,
      seed: firstSeed + slice,
      notAfter,
    });
    const bodies = batchBodies(events, EVENTS_PER_BODY);
    for (const body of bodies) tally.modelled.upstreamSends += chunks(Buffer.byteLength(body));
    // Keep about one slice queued: full batches for the consumers, little memory for fauxqs.
    while ((await messagesInFlight(sqs, queueUrl)) > bodies.length) await new Promise((resolve) => setTimeout(resolve, 100));
    const sent = await sendBodies(sqs, queueUrl, bodies);
    if (sent.failed.length > 0) throw new Error(`cost model: could not fill the queue: ${sent.failed[0]!.error}`);
  }
}

async function describeTable(endpoint: string, tableName: string) {
  const raw = new DynamoDBClient({ endpoint, region: BENCH_REGION, credentials: localCredentials });
  try {
    return await raw.send(new DescribeTableCommand({ TableName: tableName }));
  } finally {
    raw.destroy();
  }
}

/** The naive consumer (test/bench/ingest.ts's naive writer as a function): one item per event, plain BatchWriteItem. */
function naiveHandler(client: ReturnType<typeof createAwsClients>['dynamodb'], tableName: string): SqsHandler {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const items = event.Records.flatMap((record) =>
      (JSON.parse(record.body) as { source: string; id: string; subject: string; time: string; type: string; data: unknown }[]).map(
        (cloudEvent) => ({
          pk: `${cloudEvent.subject}|${cloudEvent.time.slice(0, 7)}`,
          sk: `${cloudEvent.source}|${cloudEvent.id}`,
          type: cloudEvent.type,
          time: cloudEvent.time,
          data: cloudEvent.data,
        }),
      ),
    );
    const requests: (typeof items)[] = [];
    for (let start = 0; start < items.length; start += 25) requests.push(items.slice(start, start + 25));
    await forEachConcurrently(requests, 8, async (batch) => {
      let pending = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      }
    });
    return { batchItemFailures: [] };
  };
}

/** The event API Gateway (HTTP API, payload 2.0) hands the webhook function. */
function webhookRequest(body: string, stripeSignature: string): APIGatewayProxyEventV2 {
  const route = httpRoutes.receiveStripeWebhook;
  return apiGatewayEvent(route, {
    method: route.method,
    path: route.path,
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stripeSignature,
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    },
    body: Buffer.from(body),
    sourceIp: '3.18.12.63',
  });
}
