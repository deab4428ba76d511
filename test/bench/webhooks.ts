/**
 * Stripe webhook benchmark (issue 5), side by side in one run:
 * - billflow's webhook path end to end: signed `payment_intent.succeeded` events POSTed to the
 *   local HTTP API, which hands them to the real functions/receive-stripe-webhook/handler.ts as API
 *   Gateway would (signature check, raw event put into DynamoDB Local, event id sent to the
 *   payment-events queue on fauxqs, then 200), with a fixed number of keep-alive connections;
 * - the ceiling: `verifyStripeSignature` alone on the same bodies and headers, in a tight loop.
 *
 * The HTTP figures are a floor for API Gateway + Lambda, not a prediction: the load generator,
 * the HTTP server with the handler and fauxqs share this one Node process (one event loop), and
 * DynamoDB Local (Java) runs on the same machine, all competing for the same few cores.
 * Nothing consumes the payment-events queue (the apply worker is not started): only the time
 * to the 200 is measured, which is all Stripe waits for.
 */
import { withEnvironment } from './environment.ts';
import { Agent } from 'node:http';
import { postJson } from './keep-alive-post.ts';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import { verifyStripeSignature } from '#formats/stripe-signature.ts';
import { localFunctionEnvironment } from '#infra/local/function-environment.ts';
import { startLocalHttpApi } from '#infra/local/http-api.ts';
import { httpRoutes } from '#infra/resources.ts';
import { paymentSucceeded, signature } from '#test-support/stripe-events.ts';
import { BENCH_REGION, type BenchStack } from './bench-stack.ts';

export interface WebhookBenchResult {
  readonly requests: number;
  readonly warmup: number;
  readonly concurrency: number;
  /** Sockets the client opened in the timed run: equal to `concurrency` when keep-alive held. */
  readonly connections: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Responses other than a first-time 200 (status and body), warm-up included. */
  readonly failures: readonly string[];
  readonly signatureChecks: number;
  readonly signatureSeconds: number;
  readonly signatureChecksPerSecond: number;
  /** HTTP requests/s divided by signature checks/s. */
  readonly ratio: number;
}

interface SignedDelivery {
  readonly body: string;
  readonly header: string;
}

const SECRET = 'whsec_bench_0123456789abcdef';
const SIGNATURE_SECONDS = 1.5;

export async function benchWebhooks(stack: BenchStack, requests = 2_000, warmup = 200, concurrency = 16): Promise<WebhookBenchResult> {
  // One signing time for every event: the bench finishes well within the 300 s tolerance, and
  // the signature-only loop can pass the same `now` the handler sees.
  const signedAt = Math.floor(Date.now() / 1000);
  const deliveries = Array.from({ length: warmup + requests }, () => signedDelivery(signedAt));
  const failures: string[] = [];

  const http = await withEnvironment(
    localFunctionEnvironment(stack.resources, stack.services.endpoints, BENCH_REGION, { verbose: false, stripeWebhookSecret: SECRET }),
    async () => {
      const api = await startLocalHttpApi({
        port: 0,
        region: BENCH_REGION,
        prefix: 'bench-webhooks',
        onError: (functionId, error) => failures.push(`${functionId} threw: ${String(error)}`),
      });
      const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
      try {
        const url = new URL(httpRoutes.receiveStripeWebhook.path, api.url);
        // Warm-up: the handler's first call builds its SDK clients; DynamoDB Local's JIT warms up.
        await sendAll(agent, url, deliveries.slice(0, warmup), concurrency, failures);
        return await sendAll(agent, url, deliveries.slice(warmup), concurrency, failures);
      } finally {
        agent.destroy();
        await api.stop();
      }
    },
  );

  const signatures = signatureCeiling(deliveries.slice(warmup), signedAt);
  const sorted = [...http.latenciesMs].sort((a, b) => a - b);
  const requestsPerSecond = requests / http.seconds;
  return {
    requests,
    warmup,
    concurrency,
    connections: http.connections,
    seconds: http.seconds,
    requestsPerSecond,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? 0,
    failures,
    signatureChecks: signatures.checks,
    signatureSeconds: signatures.seconds,
    signatureChecksPerSecond: signatures.checks / signatures.seconds,
    ratio: requestsPerSecond / (signatures.checks / signatures.seconds),
  };
}

/** A distinct event (its own id), signed by the official stripe package as Stripe would. */
function signedDelivery(signedAt: number): SignedDelivery {
  const body = JSON.stringify(paymentSucceeded({ amount: 11_900, invoiceNumber: 'INV-2026-000001', at: signedAt }));
  return { body, header: signature(body, SECRET, signedAt) };
}

/**
 * POSTs every delivery with `concurrency` requests in flight over the agent's keep-alive
 * sockets; each latency runs from the request's start to the end of its response.
 */
async function sendAll(
  agent: Agent,
  url: URL,
  deliveries: readonly SignedDelivery[],
  concurrency: number,
  failures: string[],
): Promise<{ seconds: number; latenciesMs: number[]; connections: number }> {
  const latenciesMs: number[] = [];
  const sockets = new Set<unknown>();
  const started = performance.now();
  await forEachConcurrently(deliveries, concurrency, async (delivery) => {
    const sent = performance.now();
    const response = await postJson(agent, url, delivery.body, { 'stripe-signature': delivery.header }, (socket) => sockets.add(socket));
    latenciesMs.push(performance.now() - sent);
    // Every event is new, so anything but a first-time 200 is a failure (a duplicate would mean
    // the bench sent an event twice and measured less work than it claims).
    if (response.status !== 200 || response.body !== '{"received":true,"duplicate":false}') {
      failures.push(`HTTP ${response.status}: ${response.body.slice(0, 200)}`);
    }
  });
  return { seconds: (performance.now() - started) / 1000, latenciesMs, connections: sockets.size };
}

/**
 * The signature check alone, as the handler calls it (same bodies, headers, secret and `now`),
 * cycling through the deliveries for about SIGNATURE_SECONDS after a short warm-up.
 */
function signatureCeiling(deliveries: readonly SignedDelivery[], nowSeconds: number): { checks: number; seconds: number } {
  const run = (seconds: number) => {
    let checks = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    // The clock is read once per pass over the deliveries, not per check.
    while (performance.now() < deadline) {
      for (const delivery of deliveries) verifyStripeSignature(delivery.body, delivery.header, [SECRET], nowSeconds);
      checks += deliveries.length;
    }
    return { checks, seconds: (performance.now() - started) / 1000 };
  };
  run(0.2);
  return run(SIGNATURE_SECONDS);
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}
