/**
 * POST /v1/events benchmark (issue 18), side by side in one run with the SQS door it feeds:
 * - billflow over HTTP: batches of 100 CloudEvents POSTed to the local HTTP API over keep-alive
 *   connections, through the real authorize-api-key authorizer and serve-api handler (key
 *   lookup, every event judged, the body sent to the events queue on fauxqs, then 202);
 * - SQS: the same batch bodies sent straight to the events queue (SendMessage), with the same
 *   number in flight, which is what an upstream system does without the HTTP API.
 * Both measure the time to the acknowledgement (202 / SendMessage's answer); ingestion behind
 * the queue is the same for both and is measured by the ingest section.
 *
 * As for webhooks.ts, the local figures are a floor, not a prediction: load generator, HTTP
 * server, handlers and fauxqs share one Node process, and DynamoDB Local the same cores.
 */
import { Agent } from 'node:http';
import { postJson } from './keep-alive-post.ts';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { RATE_LIMIT_BOUNDS } from '#domain/api-keys/rate-limit.ts';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/api-key-store.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { localFunctionEnvironment } from '#infra/local/function-environment.ts';
import { startLocalHttpApi } from '#infra/local/http-api.ts';
import { queues, tables } from '#infra/resources.ts';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { createApiKey } from '#use-cases/manage-api-keys.ts';
import { apiRequest, invoicingCatalog, mixedProCustomers } from '#test-support/invoicing-catalog.ts';
import { BENCH_REGION, type BenchStack } from './bench-stack.ts';
import { withEnvironment } from './environment.ts';
import { percentile } from './webhooks.ts';

export interface DoorFigures {
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface HttpEventsBenchResult {
  readonly batches: number;
  readonly eventsPerBatch: number;
  readonly concurrency: number;
  /** Sockets opened for the timed HTTP run: equal to `concurrency` when keep-alive held. */
  readonly connections: number;
  readonly http: DoorFigures;
  readonly sqs: DoorFigures;
  /** Answers other than a 202 with every event accepted. */
  readonly failures: readonly string[];
}

const EVENTS_PER_BATCH = 100;

export async function benchHttpEvents(stack: BenchStack, batches = 200, warmup = 20, concurrency = 8): Promise<HttpEventsBenchResult> {
  const billingTable = stack.resources.env[tables.billing.envVar]!;
  const customers = mixedProCustomers(100);
  const applied = await applyCatalog(invoicingCatalog(customers), new DynamoDbCatalogRepository(stack.clients.dynamodb, billingTable));
  if (!applied.ok) throw new Error('bench catalog invalid');
  const { key } = await createApiKey(
    // Its own limit at the top of the range: the bench measures the door, not the per-key throttle (whose
    // token is taken all the same: one conditional UpdateItem per request, part of the figures).
    { name: 'bench', scopes: ['events:write'], rateLimit: { ratePerSecond: RATE_LIMIT_BOUNDS.maxRate, burst: RATE_LIMIT_BOUNDS.maxBurst } },
    { keys: new DynamoDbApiKeyStore(stack.clients.dynamodb, billingTable), now: Date.now },
  );
  // Events of the previous hour (never in the future), spread over the customers.
  const time = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  let sequence = 0;
  const body = () =>
    JSON.stringify(
      Array.from({ length: EVENTS_PER_BATCH }, () => {
        sequence += 1;
        return apiRequest(customers[sequence % customers.length]!.id, time, 100, `bench-http-${sequence}`);
      }),
    );
  const failures: string[] = [];

  return withEnvironment(
    localFunctionEnvironment(stack.resources, stack.services.endpoints, BENCH_REGION, { verbose: false }),
    async () => {
      const api = await startLocalHttpApi({
        port: 0,
        region: BENCH_REGION,
        prefix: 'bench-http',
        onError: (functionId, error) => failures.push(`${functionId} threw: ${String(error)}`),
      });
      const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
      try {
        const url = new URL('/v1/events', api.url);
        const post = (text: string, onSocket: (socket: unknown) => void) =>
          postJson(agent, url, text, { authorization: `Bearer ${key}` }, onSocket);
        const check = (answer: { status: number; body: string }) => {
          const accepted = answer.status === 202 && (JSON.parse(answer.body) as { accepted: number }).accepted === EVENTS_PER_BATCH;
          if (!accepted) failures.push(`HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
        };
        // Warm-up: handler and authorizer build their clients, DynamoDB Local's JIT warms up.
        await timed(Array.from({ length: warmup }, body), concurrency, async (text) => check(await post(text, () => undefined)));
        const sockets = new Set<unknown>();
        const http = await timed(Array.from({ length: batches }, body), concurrency, async (text) =>
          check(await post(text, (s) => sockets.add(s))),
        );
        const queueUrl = stack.resources.env[queues.events.envVar]!;
        const sqs = await timed(Array.from({ length: batches }, body), concurrency, async (text) => {
          await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: text }));
        });
        return {
          batches,
          eventsPerBatch: EVENTS_PER_BATCH,
          concurrency,
          connections: sockets.size,
          http: figures(http, batches),
          sqs: figures(sqs, batches),
          failures,
        };
      } finally {
        agent.destroy();
        await api.stop();
      }
    },
  );
}

async function timed(bodies: readonly string[], concurrency: number, send: (body: string) => Promise<void>) {
  const latenciesMs: number[] = [];
  const started = performance.now();
  await forEachConcurrently(bodies, concurrency, async (text) => {
    const sent = performance.now();
    await send(text);
    latenciesMs.push(performance.now() - sent);
  });
  return { seconds: (performance.now() - started) / 1000, latenciesMs };
}

function figures(run: { seconds: number; latenciesMs: number[] }, batches: number): DoorFigures {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  return {
    seconds: run.seconds,
    eventsPerSecond: (batches * EVENTS_PER_BATCH) / run.seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}
