/**
 * The per-key request limit (docs/api.md, "Throttling"), checked before a route runs, the same
 * in AWS and locally: the key takes a token from its bucket (shared across containers, in the
 * billing table) or the request is refused with 429 and `Retry-After`, counted in
 * `ApiRequestsThrottled`. The limit comes from the authorizer (the key record's own, or the
 * default); a context without one (a verdict cached before the limit existed) gets the default.
 */
import { z } from 'zod';
import { DEFAULT_KEY_RATE_LIMIT, rateLimitIssues, type KeyRateLimit } from '#domain/api-keys/rate-limit.ts';
import type { RequestThrottle } from '#ports/request-throttle.ts';
import { logger, metrics, MetricUnit } from '#shared/observability.ts';
import { ProblemError } from './problems.ts';

const limitFromAuthorizer = z.object({ ratePerSecond: z.coerce.number(), burst: z.coerce.number() });

export function rateLimitFrom(context: { readonly ratePerSecond?: unknown; readonly burst?: unknown }): KeyRateLimit {
  const parsed = limitFromAuthorizer.safeParse(context);
  return parsed.success && rateLimitIssues(parsed.data).length === 0 ? parsed.data : DEFAULT_KEY_RATE_LIMIT;
}

export async function throttleKey(
  keyId: string,
  limit: KeyRateLimit,
  deps: { throttle: RequestThrottle; now: () => number },
): Promise<void> {
  const decision = await deps.throttle.take(keyId, limit, deps.now());
  if (decision.admitted) return;
  metrics.addMetric('ApiRequestsThrottled', MetricUnit.Count, 1);
  logger.warn('api key over its request limit', { keyId, ...limit, retryAfterSeconds: decision.retryAfterSeconds });
  throw new ProblemError(
    'too-many-requests',
    `this API key may send ${limit.ratePerSecond} requests per second (bursts of ${limit.burst}): retry after ${decision.retryAfterSeconds} s, or spread the requests (batches of up to 100 events per POST /v1/events)`,
    [],
    { 'retry-after': String(decision.retryAfterSeconds) },
  );
}
