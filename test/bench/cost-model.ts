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
 * At the defaults it takes ~15 minutes on a 2-core machine (1,000 customers pack ~2.6 events per
 * item, so 1,000,000 events are ~385,000 DynamoDB Local writes). BENCH_COST_EVENTS=250000 runs a
 * quarter and scales ingest linearly (said in the output); the invoices then bill fewer events.
 */
import { apiGatewayEvent } from '../../infra/local/http-api.ts';
import { withEnvironment } from './environment.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { DynamoDbCatalogRepository } from '../../shared/adapters/dynamodb/catalog-repository.ts';
import { DynamoDbInvoiceRepository } from '../../shared/adapters/dynamodb/invoice-repository.ts';
import { forEachConcurrently } from '../../shared/adapters/for-each-concurrently.ts';
import { batchBodies, sendBodies } from '../../shared/adapters/sqs/send-bodies.ts';
import { messagesInFlight } from '../../shared/adapters/sqs/queue-depth.ts';
import { applyCatalog } from '../../shared/use-cases/apply-catalog.ts';
import { billingPeriodOf, periodBounds } from '../../shared/domain/period.ts';
import { logger, metrics } from '../../shared/observability.ts';
import { consumers, httpRoutes, pipelineSettings, queues, schedules, tables, type QueueConsumerDefinition } from '../../infra/resources.ts';
import { localCredentials } from '../../infra/local/credentials.ts';
import { localFunctionEnvironment } from '../../infra/local/function-environment.ts';
import { localLambdaContext } from '../../infra/local/lambda-context.ts';
import { startQueuePoller, type QueuePoller, type SqsHandler } from '../../infra/local/queue-poller.ts';
import { generateSampleEvents } from '../../cli/sample-events.ts';
import { invoicingCatalog, proCustomer } from '../support/invoicing-catalog.ts';
import { waitForDrained } from '../support/ingest-harness.ts';
import { paymentSucceeded, signature } from '../support/stripe-events.ts';
import { BENCH_REGION, provisionBench, type BenchServices } from './bench-stack.ts';
import { costOf, prices, PRICES_REGION, PRICES_TAKEN, type Price } from './aws-prices.ts';

// ---------------------------------------------------------------------------------------------
// Workload and model constants

/** The scale the figures are quoted at. */
export const EVENTS_QUOTED = 1_000_000;
export const INVOICES_QUOTED = 1_000;
/** Targets of issue 6 (with upstream sending batch bodies of 100 events). */
export const TARGET_PER_MILLION_EVENTS = 0.4;
export const TARGET_PER_THOUSAND_INVOICES = 0.15;
const EVENTS_PER_BODY = 100;
/** Pollers per function: like the event source mapping's concurrent batches, fixed here. */
const POLLERS = 2;
/** Events generated and sent at a time, so the emulated queue stays small. */
const SLICE_EVENTS = 50_000;
const SQS_CHUNK_BYTES = 64 * 1024;
/** Lambda's START, END and REPORT lines (with the XRAY line tracing adds) per invocation. */
const PLATFORM_LOG_BYTES_PER_INVOCATION = 370;
/** One API Gateway access log line per webhook request (JSON, ~300 bytes). */
const ACCESS_LOG_BYTES_PER_REQUEST = 300;
/** Hourly invoice runs in a 30-day month, and how they split (see the file comment). */
const RUNS_PER_MONTH = 30 * 24;
const CLOSED_RUNS_IN_FIRST_DAY = 22;
const IDLE_RUNS = RUNS_PER_MONTH - 2 - CLOSED_RUNS_IN_FIRST_DAY;
const HOUR = 3_600_000;
/** Events are kept until EVENT_RETENTION_DAYS after their month ends: the month itself plus ~13. */
const RETENTION_MONTHS = 1 + Math.round(Number(pipelineSettings.EVENT_RETENTION_DAYS) / 30.4);
const SECRET = 'whsec_bench_cost_0123456789abcdef';
const repoRoot = resolve(import.meta.dirname, '..', '..');

// ---------------------------------------------------------------------------------------------
// Counting

interface FunctionTally {
  memoryMb: number;
  invocations: number;
  billedMs: number;
  logBytes: number;
  /** X-Ray traces Lambda's fixed sampling records: the first invocation of each second, 5 % of the rest. */
  traces: number;
}

export interface Tally {
  lambda: Record<string, FunctionTally>;
  /** `units`: the read or write units of each operation's requests. */
  dynamodb: { write: number; read: number; requests: Record<string, number>; units: Record<string, number> };
  /** SQS requests as billed (64 KB chunks), by operation; empty receives are not counted. */
  sqs: { billed: Record<string, number> };
  s3: { putTier: number; getTier: number; putBytes: number };
  ses: { emails: number; bytes: number };
  /** Requests AWS answered with an error (charged all the same), by service, operation and error. */
  failed: Record<string, number>;
  /** Requests that happen outside the process (upstream, Scheduler, API Gateway, Secrets Manager). */
  modelled: { upstreamSends: number; schedulerInvocations: number; apiRequests: number; secretsApiCalls: number; accessLogBytes: number };
}

function newTally(): Tally {
  return {
    lambda: {},
    dynamodb: { write: 0, read: 0, requests: {}, units: {} },
    sqs: { billed: {} },
    s3: { putTier: 0, getTier: 0, putBytes: 0 },
    ses: { emails: 0, bytes: 0 },
    failed: {},
    modelled: { upstreamSends: 0, schedulerInvocations: 0, apiRequests: 0, secretsApiCalls: 0, accessLogBytes: 0 },
  };
}

/** Sum of tallies, each multiplied by its weight. */
function combine(parts: readonly (readonly [Tally, number])[]): Tally {
  const total = newTally();
  const addTo = (target: Record<string, number>, source: Record<string, number>, weight: number) => {
    for (const [key, value] of Object.entries(source)) target[key] = (target[key] ?? 0) + value * weight;
  };
  for (const [tally, weight] of parts) {
    for (const [name, fn] of Object.entries(tally.lambda)) {
      const into = (total.lambda[name] ??= { memoryMb: fn.memoryMb, invocations: 0, billedMs: 0, logBytes: 0, traces: 0 });
      into.invocations += fn.invocations * weight;
      into.traces += fn.traces * weight;
      into.billedMs += fn.billedMs * weight;
      into.logBytes += fn.logBytes * weight;
    }
    total.dynamodb.write += tally.dynamodb.write * weight;
    total.dynamodb.read += tally.dynamodb.read * weight;
    addTo(total.dynamodb.requests, tally.dynamodb.requests, weight);
    addTo(total.dynamodb.units, tally.dynamodb.units, weight);
    addTo(total.sqs.billed, tally.sqs.billed, weight);
    addTo(total.failed, tally.failed, weight);
    addTo(total.s3 as unknown as Record<string, number>, tally.s3 as unknown as Record<string, number>, weight);
    addTo(total.ses as unknown as Record<string, number>, tally.ses as unknown as Record<string, number>, weight);
    addTo(total.modelled as unknown as Record<string, number>, tally.modelled as unknown as Record<string, number>, weight);
  }
  return total;
}

interface Scope {
  readonly tally: Tally;
  /** Set while a function's handler runs: its requests, duration and output are its own. */
  readonly fn?: string;
}

const scope = new AsyncLocalStorage<Scope>();

const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / SQS_CHUNK_BYTES));
const DYNAMODB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const DOCUMENT_COMMANDS: Record<string, string> = {
  BatchWriteCommand: 'BatchWriteItem',
  BatchGetCommand: 'BatchGetItem',
  PutCommand: 'PutItem',
  GetCommand: 'GetItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  TransactWriteCommand: 'TransactWriteItems',
  TransactGetCommand: 'TransactGetItems',
};

type Send = (this: { config?: { serviceId?: string } }, command: { input: Record<string, unknown> }, ...rest: unknown[]) => Promise<unknown>;

/**
 * Counts every AWS SDK request made inside a scope, and swallows and counts what a function
 * writes to stdout/stderr while it runs (its CloudWatch log lines). Returns the undo.
 */
function installMeters(): () => void {
  // The SDK's clients all extend this one class (@smithy/core, loaded as CommonJS by the SDK).
  const { Client } = createRequire(import.meta.url)('@smithy/core/client') as { Client: { prototype: { send: Send } } };
  const originalSend = Client.prototype.send;
  Client.prototype.send = function meteredSend(command, ...rest) {
    const current = scope.getStore();
    const service = this.config?.serviceId;
    if (current === undefined || typeof rest[rest.length - 1] === 'function') return originalSend.call(this, command, ...rest);
    const name = command.constructor.name;
    const { tally } = current;
    const input = command.input;
    if (service === 'DynamoDB') input.ReturnConsumedCapacity = 'TOTAL';
    return originalSend.call(this, command, ...rest).then(
      (output) => {
        countRequest(tally, service, name, input, output as Record<string, unknown>);
        return output;
      },
      (error: unknown) => {
        // AWS bills refused requests too: a 404 HeadObject, a failed conditional write.
        countFailedRequest(tally, service, name, input, error);
        throw error;
      },
    );
  };

  const originalStdout = process.stdout.write;
  const originalStderr = process.stderr.write;
  const capture = (original: typeof process.stdout.write) =>
    function capturedWrite(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const current = scope.getStore();
      if (current?.fn === undefined) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      const fn = current.tally.lambda[current.fn];
      if (fn !== undefined) fn.logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    } as typeof process.stdout.write;
  process.stdout.write = capture(originalStdout);
  process.stderr.write = capture(originalStderr);

  return () => {
    Client.prototype.send = originalSend;
    process.stdout.write = originalStdout;
    process.stderr.write = originalStderr;
  };
}

function countRequest(tally: Tally, service: string | undefined, commandName: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
  const operation = DOCUMENT_COMMANDS[commandName] ?? commandName.replace(/Command$/, '');
  switch (service) {
    case 'DynamoDB': {
      tally.dynamodb.requests[operation] = (tally.dynamodb.requests[operation] ?? 0) + 1;
      let units: number;
      if (operation === 'TransactWriteItems') {
        units = transactWriteUnits(input);
      } else {
        const consumed = output.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
        units = (Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]).reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
        // DynamoDB Local reports 0 for a read that finds nothing; AWS bills every read request
        // at least one 4 KB unit: 1 strongly consistent, 0.5 eventually consistent.
        if (['GetItem', 'Query', 'Scan'].includes(operation)) units = Math.max(units, input.ConsistentRead === true ? 1 : 0.5);
      }
      tally.dynamodb.units[operation] = (tally.dynamodb.units[operation] ?? 0) + units;
      if (DYNAMODB_READS.has(operation)) tally.dynamodb.read += units;
      else tally.dynamodb.write += units;
      return;
    }
    case 'SQS': {
      let billed = 1;
      if (operation === 'SendMessage') billed = chunks(Buffer.byteLength(String(input.MessageBody ?? '')));
      if (operation === 'SendMessageBatch') {
        const entries = (input.Entries ?? []) as { MessageBody?: string }[];
        billed = chunks(entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? ''), 0));
      }
      if (operation === 'ReceiveMessage') {
        const messages = (output.Messages ?? []) as { Body?: string }[];
        // Idle polling is a fixed monthly cost (see the report), not the workload's.
        if (messages.length === 0) return;
        billed = chunks(messages.reduce((sum, message) => sum + Buffer.byteLength(message.Body ?? ''), 0));
      }
      tally.sqs.billed[operation] = (tally.sqs.billed[operation] ?? 0) + billed;
      return;
    }
    case 'S3': {
      if (['PutObject', 'CopyObject', 'PostObject', 'ListObjects', 'ListObjectsV2'].includes(operation)) tally.s3.putTier += 1;
      else tally.s3.getTier += 1;
      if (operation === 'PutObject') tally.s3.putBytes += byteLength(input.Body);
      return;
    }
    case 'SESv2': {
      if (operation === 'SendEmail') {
        tally.ses.emails += 1;
        tally.ses.bytes += byteLength((input.Content as { Raw?: { Data?: unknown } } | undefined)?.Raw?.Data);
      }
      return;
    }
    default:
      throw new Error(`cost model: a measured function called ${service ?? 'an unknown service'} ${operation}, which the model does not price`);
  }
}

function countFailedRequest(tally: Tally, service: string | undefined, commandName: string, input: Record<string, unknown>, error: unknown): void {
  const operation = DOCUMENT_COMMANDS[commandName] ?? commandName.replace(/Command$/, '');
  const reason = (error as { name?: string }).name ?? 'Error';
  tally.failed[`${service} ${operation} ${reason}`] = (tally.failed[`${service} ${operation} ${reason}`] ?? 0) + 1;
  switch (service) {
    case 'DynamoDB': {
      tally.dynamodb.requests[operation] = (tally.dynamodb.requests[operation] ?? 0) + 1;
      // A refused write is charged for the item it would have written (no ConsumedCapacity comes back).
      let units = 1;
      if (operation === 'TransactWriteItems') units = transactWriteUnits(input);
      else if (operation === 'PutItem') units = Math.ceil(itemBytes(input.Item as Record<string, unknown>) / 1024);
      tally.dynamodb.units[operation] = (tally.dynamodb.units[operation] ?? 0) + units;
      if (DYNAMODB_READS.has(operation)) tally.dynamodb.read += units;
      else tally.dynamodb.write += units;
      return;
    }
    case 'SQS':
      tally.sqs.billed[operation] = (tally.sqs.billed[operation] ?? 0) + 1;
      return;
    case 'S3':
      if (['PutObject', 'CopyObject', 'PostObject', 'ListObjects', 'ListObjectsV2'].includes(operation)) tally.s3.putTier += 1;
      else tally.s3.getTier += 1;
      return;
    default:
      // SES charges sent emails only.
      return;
  }
}

function byteLength(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  throw new Error('cost model: cannot size a streamed body');
}

/**
 * Write units of a TransactWriteItems as DynamoDB bills them: 2 per started KB of every item
 * (an Update, Delete or ConditionCheck is taken as an item of at most 1 KB: billflow's only ones
 * are number sequences and links), plus one unit per keys-only index entry written: an invoice
 * that enters `open-receivables`, and one that leaves `open-drafts` (billflow's transactions
 * only finalize invoices that were drafts).
 */
function transactWriteUnits(input: Record<string, unknown>): number {
  const [receivables, drafts] = tables.billing.globalIndexes;
  let units = 0;
  for (const action of (input.TransactItems ?? []) as { Put?: { Item: Record<string, unknown> } }[]) {
    if (action.Put === undefined) {
      units += 2;
      continue;
    }
    const { Item: item } = action.Put;
    units += 2 * Math.ceil(itemBytes(item) / 1024);
    if (item[receivables.partitionKey] !== undefined && item[receivables.sortKey] !== undefined) units += 1;
    if (String(item.pk).startsWith('INVOICE#') && item[drafts.partitionKey] === undefined) units += 1;
  }
  return units;
}

/** DynamoDB's item size: attribute names plus values (docs: "Item sizes and formats"). */
export function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + Buffer.byteLength(name) + valueBytes(value)), 0);
}

function valueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/e.*$/i, '').replace(/[-.]/g, '').replace(/^0+/, '').length || 1;
    return Math.ceil(digits / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + valueBytes(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, member) => sum + 1 + valueBytes(member), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [name, member]) => (member === undefined ? sum : sum + 1 + Buffer.byteLength(name) + valueBytes(member)), 0);
  }
  return 0;
}

/**
 * Lambda's X-Ray sampling (not configurable for Lambda): the first request each second, then
 * 5 % of the rest. The seconds are counted per function and from this machine's timing, which
 * is slower than Lambda's fan-out: both overcount traces, X-Ray's reservoir being shared.
 */
const XRAY_FIXED_RATE = 0.05;
const secondsTraced = new WeakMap<Tally, Map<string, Set<number>>>();
function tracedSeconds(tally: Tally, functionId: string): Set<number> {
  const byFunction = secondsTraced.get(tally) ?? new Map<string, Set<number>>();
  secondsTraced.set(tally, byFunction);
  const seconds = byFunction.get(functionId) ?? new Set<number>();
  byFunction.set(functionId, seconds);
  return seconds;
}

/** A handler run as one Lambda function: timed, attributed, its output counted as its logs. */
function asLambda<E, R>(functionId: string, memoryMb: number, handler: (event: E, context: Context) => Promise<R>) {
  return (event: E, context: Context): Promise<R> => {
    const outer = scope.getStore();
    if (outer === undefined) throw new Error(`cost model: ${functionId} invoked outside a measured scope`);
    const fn = (outer.tally.lambda[functionId] ??= { memoryMb, invocations: 0, billedMs: 0, logBytes: 0, traces: 0 });
    const seconds = tracedSeconds(outer.tally, functionId);
    const second = Math.floor(Date.now() / 1000);
    fn.traces += seconds.has(second) ? XRAY_FIXED_RATE : 1;
    seconds.add(second);
    return scope.run({ tally: outer.tally, fn: functionId }, async () => {
      const started = performance.now();
      try {
        return await handler(event, context);
      } finally {
        fn.invocations += 1;
        fn.billedMs += Math.max(1, Math.ceil(performance.now() - started));
        fn.logBytes += PLATFORM_LOG_BYTES_PER_INVOCATION;
      }
    });
  };
}

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
  readonly checks: { readonly billedEvents: number; readonly finalized: number; readonly emailed: number; readonly pdfBytes: number; readonly paid: number };
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
    ingest: await load(consumers.ingest.entry),
    closeBillingPeriod: await load(consumers.closeBillingPeriod.entry),
    renderInvoice: await load(consumers.renderInvoice.entry),
    sendInvoice: await load(consumers.sendInvoice.entry),
    applyPaymentEvent: await load(consumers.applyPaymentEvent.entry),
    invoiceRun: await load(schedules.invoiceRun.entry),
    stripeWebhook: await load(httpRoutes.stripeWebhook.entry),
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
      const customerIds = Array.from({ length: options.customers }, (_, i) => `cus_${String(i).padStart(6, '0')}`);
      const customers = customerIds.map((id, i) =>
        i % 3 === 1
          ? proCustomer(id, { address: { line1: '1 rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' }, vatId: 'FR12345678901' })
          : proCustomer(id),
      );
      const billingTable = stack.resources.env[tables.billing.envVar]!;
      const applied = await applyCatalog(invoicingCatalog(customers), new DynamoDbCatalogRepository(harness.dynamodb, billingTable));
      if (!applied.ok) throw new Error('cost model: the catalog is invalid');
      const startedAt = realNow();
      const period = billingPeriodOf(startedAt);

      // 1. Ingest: upstream sends the month's events; the ingest function stores them.
      const ingestTally = newTally();
      const ingestStarted = performance.now();
      const ingestPoller = await startConsumer(harness.sqs, ingestTally, stack.resources.eventsQueueUrl, consumers.ingest, handlers.ingest, errors);
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
        { ...consumers.ingest, functionId: 'naive-ingest', batchSize: 10, maxBatchingWindowSeconds: 0 },
        naiveHandler(createAwsClients().dynamodb, naiveTable),
        errors,
      );
      await produce(harness.sqs, naiveStack.resources.eventsQueueUrl, naiveTally, customerIds, period, options.naiveEvents, 1_000, startedAt);
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
          await startConsumer(harness.sqs, tally, queueUrl(queues.invoiceJobs), consumers.closeBillingPeriod, handlers.closeBillingPeriod, errors),
          await startConsumer(harness.sqs, tally, queueUrl(queues.invoiceDocuments), consumers.renderInvoice, handlers.renderInvoice, errors),
          await startConsumer(harness.sqs, tally, queueUrl(queues.invoiceEmails), consumers.sendInvoice, handlers.sendInvoice, errors),
        ];
        tally.modelled.schedulerInvocations += 1;
        const run = schedules.invoiceRun;
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
      const applyPoller = await startConsumer(harness.sqs, paymentsTally, queueUrl(queues.paymentEvents), consumers.applyPaymentEvent, handlers.applyPaymentEvent, errors);
      const route = httpRoutes.stripeWebhook;
      const webhook = asLambda(route.functionId, route.memorySize, handlers.stripeWebhook);
      await scope.run({ tally: paymentsTally }, () =>
        forEachConcurrently(issued, 8, async (invoice) => {
          const at = Math.floor(Date.now() / 1000);
          const body = JSON.stringify(paymentSucceeded({ amount: invoice.amountDue, currency: invoice.currency, invoiceNumber: invoice.number!, at }));
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
        throw new Error(`cost model: expected ${options.customers} invoices finalized, emailed and paid, got ${checks.finalized}, ${checks.emailed}, ${checks.paid}`);
      }
      if (checks.billedEvents !== options.events) throw new Error(`cost model: ${options.events} events sent, ${checks.billedEvents} billed`);
      return {
        options,
        period,
        ingest: { tally: ingestTally, seconds: ingestSeconds, eventsTableBytes: described.Table?.TableSizeBytes ?? 0, eventsTableItems: described.Table?.ItemCount ?? 0 },
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
  return localLambdaContext({ functionName: `bench-cost-${fn.functionId}`, region: BENCH_REGION, memorySize: fn.memorySize, timeoutSeconds: fn.timeoutSeconds });
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

async function createNaiveTable(endpoint: string, tableName: string): Promise<void> {
  const raw = new DynamoDBClient({ endpoint, region: BENCH_REGION, credentials: localCredentials });
  try {
    await raw.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
    );
  } finally {
    raw.destroy();
  }
}

/** The naive consumer (test/bench/ingest.ts's naive writer as a function): one item per event, plain BatchWriteItem. */
function naiveHandler(client: ReturnType<typeof createAwsClients>['dynamodb'], tableName: string): SqsHandler {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const items = event.Records.flatMap((record) =>
      (JSON.parse(record.body) as { source: string; id: string; subject: string; time: string; type: string; data: unknown }[]).map((cloudEvent) => ({
        pk: `${cloudEvent.subject}|${cloudEvent.time.slice(0, 7)}`,
        sk: `${cloudEvent.source}|${cloudEvent.id}`,
        type: cloudEvent.type,
        time: cloudEvent.time,
        data: cloudEvent.data,
      })),
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
  const route = httpRoutes.stripeWebhook;
  return apiGatewayEvent(route, {
    method: route.method,
    path: route.path,
    headers: { 'content-type': 'application/json', 'stripe-signature': stripeSignature, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
    body: Buffer.from(body),
    sourceIp: '3.18.12.63',
  });
}

// ---------------------------------------------------------------------------------------------
// Pricing and the printout

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly price: Price;
  readonly cost: number;
}

export interface CostScenario {
  readonly title: string;
  readonly basis: string;
  readonly lines: readonly CostLine[];
  readonly total: number;
  /** Where the counts came from: requests per DynamoDB operation, empty receives, ... */
  readonly notes: readonly string[];
}

const SQS_LABELS: Record<string, string> = {
  SendMessage: 'SQS SendMessage',
  SendMessageBatch: 'SQS SendMessageBatch',
  ReceiveMessage: 'SQS ReceiveMessage (event source mapping)',
  DeleteMessageBatch: 'SQS DeleteMessageBatch (event source mapping)',
};

function line(item: string, quantity: number, unit: string, price: Price): CostLine {
  return { item, quantity, unit, price, cost: costOf(price, quantity) };
}

/** Cost lines for a tally already scaled to the quoted workload. */
function priceTally(tally: Tally): { lines: CostLine[]; notes: string[] } {
  const lines: CostLine[] = [];
  const notes: string[] = [];
  if (tally.modelled.upstreamSends > 0) lines.push(line('SQS SendMessage, upstream (1 per body of 100)', tally.modelled.upstreamSends, 'requests', prices.sqsRequests));
  for (const [operation, billed] of Object.entries(tally.sqs.billed).sort()) {
    lines.push(line(SQS_LABELS[operation] ?? `SQS ${operation}`, billed, 'requests', prices.sqsRequests));
  }
  if (tally.modelled.schedulerInvocations > 0) lines.push(line('EventBridge Scheduler invocations', tally.modelled.schedulerInvocations, 'invocations', prices.schedulerInvocations));
  if (tally.modelled.apiRequests > 0) lines.push(line('API Gateway HTTP API requests', tally.modelled.apiRequests, 'requests', prices.apiGatewayHttpRequests));
  if (tally.modelled.secretsApiCalls > 0) lines.push(line('Secrets Manager GetSecretValue', tally.modelled.secretsApiCalls, 'API calls', prices.secretsManagerApiCalls));
  let invocations = 0;
  let traces = 0;
  let logBytes = tally.modelled.accessLogBytes;
  for (const [name, fn] of Object.entries(tally.lambda)) {
    invocations += fn.invocations;
    traces += fn.traces;
    logBytes += fn.logBytes;
    lines.push(line(`Lambda requests, ${name}`, fn.invocations, 'invocations', prices.lambdaRequests));
    const gbSeconds = (fn.billedMs / 1000) * (fn.memoryMb / 1024);
    lines.push(line(`Lambda duration, ${name} (${fn.memoryMb} MB, ${fmt(fn.billedMs / Math.max(1, fn.invocations))} ms avg)`, gbSeconds, 'GB-s', prices.lambdaGbSecond));
  }
  if (tally.dynamodb.write > 0) lines.push(line('DynamoDB write request units', tally.dynamodb.write, 'WRU', prices.dynamodbWriteUnits));
  if (tally.dynamodb.read > 0) lines.push(line('DynamoDB read request units', tally.dynamodb.read, 'RRU', prices.dynamodbReadUnits));
  if (tally.s3.putTier > 0) lines.push(line('S3 PUT requests', tally.s3.putTier, 'requests', prices.s3PutRequests));
  if (tally.s3.getTier > 0) lines.push(line('S3 GET/HEAD requests', tally.s3.getTier, 'requests', prices.s3GetRequests));
  if (tally.ses.emails > 0) {
    lines.push(line('SES emails', tally.ses.emails, 'emails', prices.sesEmails));
    lines.push(line('SES attachment data (whole raw message)', tally.ses.bytes / 1e9, 'GB', prices.sesAttachments));
  }
  lines.push(line('CloudWatch Logs ingested', logBytes / 1e9, 'GB', prices.cloudwatchLogsIngestion));
  if (invocations > 0) {
    lines.push(line(`X-Ray traces (Lambda sampling: 1st per second + 5 %, of ${fmt(invocations)} invocations)`, traces, 'traces', prices.xrayTraces));
  }
  const requests = Object.entries(tally.dynamodb.requests).sort(([, a], [, b]) => b - a);
  const unitsOf = (operation: string) => `${fmt(tally.dynamodb.units[operation] ?? 0)} ${DYNAMODB_READS.has(operation) ? 'RRU' : 'WRU'}`;
  if (requests.length > 0) notes.push(`DynamoDB requests: ${requests.map(([operation, count]) => `${operation} ${fmt(count)} (${unitsOf(operation)})`).join(', ')}`);
  const failed = Object.entries(tally.failed).sort(([, a], [, b]) => b - a);
  if (failed.length > 0) notes.push(`of which answered with an error (and counted): ${failed.map(([what, count]) => `${what} ${fmt(count)}`).join(', ')}`);
  return { lines, notes };
}

function scenario(title: string, basis: string, tally: Tally, extraNotes: readonly string[] = []): CostScenario {
  const { lines, notes } = priceTally(tally);
  return { title, basis, lines, total: lines.reduce((sum, entry) => sum + entry.cost, 0), notes: [...notes, ...extraNotes] };
}

export interface CostReport {
  readonly ingest: CostScenario;
  readonly naive: CostScenario;
  readonly invoices: CostScenario;
  readonly payments: CostScenario;
  readonly storage: readonly CostLine[];
  readonly fixed: readonly CostLine[];
  /** The hourly invoice runs with nothing to do: fixed, like `fixed`, but counted from a run. */
  readonly idleRuns: CostScenario;
  readonly run: CostRun;
}

export function costReport(run: CostRun): CostReport {
  const { options } = run;
  const eventScale = EVENTS_QUOTED / options.events;
  const naiveScale = EVENTS_QUOTED / options.naiveEvents;
  const invoiceScale = INVOICES_QUOTED / options.customers;
  const scaled = (measured: Measured, factor: number) => combine([[measured.tally, factor]]);
  const { draft, finalize, closed, idle } = run.rounds;
  // A month of hourly runs. What the drafting and finalizing runs do grows with the customers;
  // the runs with no jobs read the same few items whatever the number of customers.
  const monthOfRuns = (measured: Measured, runs: number, perCustomer = true): Tally => {
    const tally = combine([[measured.tally, runs * (perCustomer ? invoiceScale : 1)]]);
    tally.modelled.schedulerInvocations = runs;
    const runFunction = tally.lambda[schedules.invoiceRun.functionId];
    if (runFunction !== undefined) {
      runFunction.logBytes -= (runFunction.invocations - runs) * PLATFORM_LOG_BYTES_PER_INVOCATION;
      runFunction.invocations = runs;
      // An hourly run is alone in its second: each is traced.
      runFunction.traces = runs;
    }
    return tally;
  };
  const byRound = {
    draft: monthOfRuns(draft, 1),
    finalize: monthOfRuns(finalize, 1),
    closed: monthOfRuns(closed, CLOSED_RUNS_IN_FIRST_DAY, false),
    idle: monthOfRuns(idle, IDLE_RUNS, false),
  };
  // What grows with the invoices: the drafting and the finalizing run. The runs with nothing to
  // close cost the same at 10 invoices or 100,000: a fixed monthly cost, printed with the others.
  const month = combine([
    [byRound.draft, 1],
    [byRound.finalize, 1],
  ]);
  const noJobRuns = combine([
    [byRound.closed, 1],
    [byRound.idle, 1],
  ]);
  const measuredOn = (count: number, quoted: number, what: string) =>
    count === quoted ? `measured on ${fmt(count)} ${what}` : `measured on ${fmt(count)} ${what}, scaled x${fmt(quoted / count, 2)} (linear per ${what.replace(/s$/, '')})`;
  const per1k = (seconds: number) => `${fmt(seconds, 1)} s`;

  const eventsPerInvocation = options.events / Math.max(1, run.ingest.tally.lambda[consumers.ingest.functionId]?.invocations ?? 1);
  const ingest = scenario(
    `billflow ingest, per ${fmt(EVENTS_QUOTED)} events`,
    `${measuredOn(options.events, EVENTS_QUOTED, 'events')}; ${fmt(options.customers)} customers, one month, bodies of ${EVENTS_PER_BODY}, ${consumers.ingest.batchSize} messages per invocation (as deployed), ${per1k(run.ingest.seconds)}`,
    scaled(run.ingest, eventScale),
    [
      `${fmt(run.ingest.tally.dynamodb.write / options.events, 3)} write units per event: ${fmt(run.ingest.eventsTableItems)} chunks of ${fmt(options.events / Math.max(1, run.ingest.eventsTableItems), 1)} events ` +
        `(an invocation of ~${fmt(eventsPerInvocation)} events holds ~${fmt(eventsPerInvocation / options.customers, 1)} per customer, over ${pipelineSettings.EVENT_WRITE_SHARDS} shards)`,
    ],
  );
  const naive = scenario(
    `naive ingest (one item per event, plain BatchWriteItem, Lambda's default 10 messages per invocation), per ${fmt(EVENTS_QUOTED)} events`,
    `${measuredOn(options.naiveEvents, EVENTS_QUOTED, 'events')}; same customers, bodies and memory (${consumers.ingest.memorySize} MB), ${per1k(run.naive.seconds)}`,
    scaled(run.naive, naiveScale),
  );
  const invoices = scenario(
    `billflow invoicing and delivery, a month, per ${fmt(INVOICES_QUOTED)} invoices`,
    `${measuredOn(options.customers, INVOICES_QUOTED, 'invoices')} (${fmt(options.events / options.customers)} events each); the two hourly runs with jobs: drafting (${per1k(draft.seconds)}), finalizing + PDF + email (${per1k(finalize.seconds)})`,
    month,
    [
      `by round: drafting ${fmtCost(roundCost(byRound.draft))}, finalizing + PDF + email ${fmtCost(roundCost(byRound.finalize))}`,
      xrayFloor(month, [byRound.draft, byRound.finalize]),
    ],
  );
  const idleRuns = scenario(
    `the other ${CLOSED_RUNS_IN_FIRST_DAY + IDLE_RUNS} hourly invoice runs of a month, with no jobs (the same at any volume)`,
    `${CLOSED_RUNS_IN_FIRST_DAY} in the first day after the month (1 measured, ${per1k(closed.seconds)}: catalog version, run log, open drafts, ${fmt(closed.tally.dynamodb.read, 1)} read units), ` +
      `${IDLE_RUNS} later (1 measured, ${per1k(idle.seconds)}: open drafts, ${fmt(idle.tally.dynamodb.read, 1)} read units), however many invoices are kept`,
    noJobRuns,
  );
  const payments = scenario(
    `payments: one Stripe webhook per invoice (assumed), per ${fmt(INVOICES_QUOTED)} invoices`,
    `${measuredOn(options.customers, INVOICES_QUOTED, 'invoices')}; payment_intent.succeeded through stripe-webhook and apply-payment-event; Secrets Manager read once per webhook (5-minute cache, payments ~43 min apart)`,
    scaled(run.payments, invoiceScale),
  );

  // Storage: DynamoDB bills item size + 100 bytes per item; events are kept 400 days after their month.
  const eventsGb = ((run.ingest.eventsTableBytes + 100 * run.ingest.eventsTableItems) * eventScale) / 1e9;
  const pdfGb = (run.checks.pdfBytes * invoiceScale) / 1e9;
  const storage = [
    line(`DynamoDB storage of ${fmt(EVENTS_QUOTED)} events (${fmt(run.ingest.eventsTableItems * eventScale)} chunks), per month kept`, eventsGb, 'GB-month', prices.dynamodbStorage),
    line(`  the same over the ~${RETENTION_MONTHS} months they are kept`, eventsGb * RETENTION_MONTHS, 'GB-month', prices.dynamodbStorage),
    line(`S3 storage of ${fmt(INVOICES_QUOTED)} invoice PDFs, per month kept`, pdfGb, 'GB-month', prices.s3Storage),
  ];
  const fixed = [
    line('Secrets Manager secret (Stripe webhook secret)', 1, 'secret-months', prices.secretsManagerSecrets),
    // Estimate: Lambda keeps ~5 pollers long-polling (20 s) an idle queue; AWS does not document the count.
    line(`SQS idle polls, ${Object.keys(consumers).length} queue consumers (estimate: 5 x 20 s polls)`, Object.keys(consumers).length * 5 * 3 * 60 * 24 * 30, 'requests', prices.sqsRequests),
  ];
  return { ingest, naive, invoices, idleRuns, payments, storage, fixed, run };
}

/**
 * X-Ray's share is counted on this machine's timing, slower than Lambda's: the most it can be.
 * The least: every function's invocations of a round within one second (1 trace, then 5 %).
 */
function xrayFloor(total: Tally, rounds: readonly Tally[]): string {
  const counted = Object.values(total.lambda).reduce((sum, fn) => sum + fn.traces, 0);
  const fewest = rounds.reduce(
    (sum, round) =>
      sum +
      Object.entries(round.lambda).reduce((inRound, [name, fn]) => {
        // Hourly runs are an hour apart: each is traced.
        if (name === schedules.invoiceRun.functionId) return inRound + fn.invocations;
        return inRound + (fn.invocations === 0 ? 0 : 1 + XRAY_FIXED_RATE * (fn.invocations - 1));
      }, 0),
    0,
  );
  const saved = costOf(prices.xrayTraces, counted - fewest);
  return (
    `X-Ray, the range: ${fmt(counted)} traces counted here; ${fmt(fewest)} if Lambda ran each function's invocations of a round within one second ` +
    `(total ${fmtCost(scenario('', '', total).total - saved)})`
  );
}

function roundCost(tally: Tally): number {
  return scenario('', '', tally).total;
}

function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function fmtCost(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

function fmtQuantity(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 100) return fmt(value);
  if (Math.abs(value) >= 1) return fmt(value, 2);
  return value.toPrecision(3);
}

function fmtPrice(price: Price): string {
  const usd = price.usd < 0.001 ? price.usd.toString() : price.usd.toFixed(price.usd < 1 ? 4 : 2).replace(/0+$/, '').replace(/\.$/, '');
  return `$${usd} / ${price.per === 1 ? '' : `${fmt(price.per)} `}${price.unit}`;
}

function formatLines(lines: readonly CostLine[]): string[] {
  return lines.map(
    (entry) =>
      `    ${entry.item.padEnd(66)} ${fmtQuantity(entry.quantity).padStart(13)} ${entry.unit.padEnd(11)} x ${fmtPrice(entry.price).padEnd(42)} ${fmtCost(entry.cost).padStart(9)}`,
  );
}

function formatScenario(entry: CostScenario, total: string): string[] {
  return [
    `  ${entry.title}`,
    `    (${entry.basis})`,
    ...formatLines(entry.lines),
    ...entry.notes.map((note) => `      ${note}`),
    `    ${total.padEnd(66)} ${''.padStart(13)} ${''.padEnd(11)}   ${''.padEnd(42)} ${fmtCost(entry.total).padStart(9)}`,
  ];
}

export function formatCostReport(report: CostReport): string[] {
  const { ingest, naive, invoices, payments, run } = report;
  const verdict = (value: number, target: number) => (value <= target ? `target <= ${fmtCost(target)}: met` : `target <= ${fmtCost(target)}: MISSED`);
  return [
    `\nCost model: monthly cost at AWS list prices, ${PRICES_REGION}, prices as of ${PRICES_TAKEN} (test/bench/aws-prices.ts; free tiers ignored)`,
    `  workload: ${fmt(run.options.events)} events from ${fmt(run.options.customers)} customers in ${run.period}, upstream bodies of ${EVENTS_PER_BODY} events; the month's invoice cycle (1 invoice each); 1 payment webhook per invoice`,
    `  counted from the deployed handler modules on the local services: SDK requests, DynamoDB units (TransactWriteItems recomputed as AWS bills them), SQS per 64 KB chunk, Lambda time x configured memory (warm, this machine), log bytes`,
    '',
    ...formatScenario(ingest, `total per ${fmt(EVENTS_QUOTED)} events  (${verdict(ingest.total, TARGET_PER_MILLION_EVENTS)})`),
    '',
    ...formatScenario(naive, `total per ${fmt(EVENTS_QUOTED)} events, naive`),
    `    ratio billflow / naive ingest cost: ${fmt(ingest.total / naive.total, 2)}`,
    '',
    ...formatScenario(invoices, `total per ${fmt(INVOICES_QUOTED)} invoices  (${verdict(invoices.total, TARGET_PER_THOUSAND_INVOICES)})`),
    '',
    ...formatScenario(payments, `total per ${fmt(INVOICES_QUOTED)} invoices, payments`),
    `    invoicing, delivery and payments together: ${fmtCost(invoices.total + payments.total)} per ${fmt(INVOICES_QUOTED)} invoices  (${verdict(invoices.total + payments.total, TARGET_PER_THOUSAND_INVOICES)})`,
    `    with the month's ${CLOSED_RUNS_IN_FIRST_DAY + IDLE_RUNS} hourly runs that have no jobs (fixed, below) charged to these ${fmt(INVOICES_QUOTED)} invoices: ` +
      `invoicing and delivery ${fmtCost(invoices.total + report.idleRuns.total)}  (${verdict(invoices.total + report.idleRuns.total, TARGET_PER_THOUSAND_INVOICES)}), with payments ${fmtCost(invoices.total + payments.total + report.idleRuns.total)}`,
    '',
    `  storage, not in the totals above (events are kept until ${pipelineSettings.EVENT_RETENTION_DAYS} days after their month)`,
    ...formatLines(report.storage),
    '  fixed monthly costs, independent of volume, not in the totals above',
    ...formatLines(report.fixed),
    '',
    ...formatScenario(report.idleRuns, 'total a month, fixed'),
    
    '    not modelled: CloudWatch alarms, custom metric series (EMF), KMS keys, S3 access logs, data transfer, dunning reminders,',
    '    SES bounce/complaint events, Lambda INIT (cold start) time, free tiers',
    `  checks: ${fmt(run.checks.finalized)} invoices finalized, ${fmt(run.checks.emailed)} emailed, ${fmt(run.checks.paid)} paid; they bill ${fmt(run.checks.billedEvents)} events (sent: ${fmt(run.options.events)})`,
  ];
}
