/**
 * What the cost model (test/bench/cost-model.ts) counts while its run goes on: every AWS SDK
 * request made in a measured scope, in the units AWS bills (DynamoDB units, SQS 64 KB chunks,
 * S3 request tiers, SES bytes), and each Lambda invocation's billed time, log bytes and X-Ray
 * samples. Apart from the run so that what is counted, and why, reads in one place; the prices
 * are applied in cost-report.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { Context } from 'aws-lambda';
import { tables } from '#infra/resources.ts';

const SQS_CHUNK_BYTES = 64 * 1024;
/** Lambda's START, END and REPORT lines (with the XRAY line tracing adds) per invocation. */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 370;

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

export function newTally(): Tally {
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
export function combine(parts: readonly (readonly [Tally, number])[]): Tally {
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
    addTo(total.s3, tally.s3, weight);
    addTo(total.ses, tally.ses, weight);
    addTo(total.modelled, tally.modelled, weight);
  }
  return total;
}

interface Scope {
  readonly tally: Tally;
  /** Set while a function's handler runs: its requests, duration and output are its own. */
  readonly fn?: string;
}

export const scope = new AsyncLocalStorage<Scope>();

export const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / SQS_CHUNK_BYTES));
export const DYNAMODB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
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

type Send = (
  this: { config?: { serviceId?: string } },
  command: { input: Record<string, unknown> },
  ...rest: unknown[]
) => Promise<unknown>;

/**
 * Counts every AWS SDK request made inside a scope, and swallows and counts what a function
 * writes to stdout/stderr while it runs (its CloudWatch log lines). Returns the undo.
 */
export function installMeters(): () => void {
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

  // Unbound on purpose: capturedWrite calls them with the stream as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const originalStdout = process.stdout.write;
  // eslint-disable-next-line @typescript-eslint/unbound-method
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

function countRequest(
  tally: Tally,
  service: string | undefined,
  commandName: string,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
): void {
  const operation = DOCUMENT_COMMANDS[commandName] ?? commandName.replace(/Command$/, '');
  switch (service) {
    case 'DynamoDB': {
      tally.dynamodb.requests[operation] = (tally.dynamodb.requests[operation] ?? 0) + 1;
      let units: number;
      if (operation === 'TransactWriteItems') {
        units = transactWriteUnits(input);
      } else {
        const consumed = output.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
        units = (Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]).reduce(
          (sum, entry) => sum + (entry.CapacityUnits ?? 0),
          0,
        );
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
      if (operation === 'SendMessage') billed = chunks(Buffer.byteLength(typeof input.MessageBody === 'string' ? input.MessageBody : ''));
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
      throw new Error(
        `cost model: a measured function called ${service ?? 'an unknown service'} ${operation}, which the model does not price`,
      );
  }
}

function countFailedRequest(
  tally: Tally,
  service: string | undefined,
  commandName: string,
  input: Record<string, unknown>,
  error: unknown,
): void {
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
  return Object.entries(item).reduce(
    (sum, [name, value]) => (value === undefined ? sum : sum + Buffer.byteLength(name) + valueBytes(value)),
    0,
  );
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
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (sum, [name, member]) => (member === undefined ? sum : sum + 1 + Buffer.byteLength(name) + valueBytes(member)),
        0,
      )
    );
  }
  return 0;
}

/**
 * Lambda's X-Ray sampling (not configurable for Lambda): the first request each second, then
 * 5 % of the rest. The seconds are counted per function and from this machine's timing, which
 * is slower than Lambda's fan-out: both overcount traces, X-Ray's reservoir being shared.
 */
export const XRAY_FIXED_RATE = 0.05;
const secondsTraced = new WeakMap<Tally, Map<string, Set<number>>>();
function tracedSeconds(tally: Tally, functionId: string): Set<number> {
  const byFunction = secondsTraced.get(tally) ?? new Map<string, Set<number>>();
  secondsTraced.set(tally, byFunction);
  const seconds = byFunction.get(functionId) ?? new Set<number>();
  byFunction.set(functionId, seconds);
  return seconds;
}

/** A handler run as one Lambda function: timed, attributed, its output counted as its logs. */
export function asLambda<E, R>(functionId: string, memoryMb: number, handler: (event: E, context: Context) => Promise<R>) {
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
