/**
 * The request limit of one API key (issue 18): a token bucket. The bucket holds `burst`
 * tokens and refills at `ratePerSecond`; a request takes a token or is refused (429) with the
 * whole seconds until the next one is there.
 *
 * The bucket is kept as one number, `fullAt`: the instant it will be full again (the
 * "theoretical arrival time" of the generic cell rate algorithm, which is this token bucket
 * written differently). Tokens at `now` = burst - max(0, fullAt - now) * rate, so
 * - a request is admitted iff fullAt <= now + (burst - 1) / rate (at least one token left),
 * - and then fullAt becomes max(fullAt, now) + 1 / rate.
 * One number instead of (tokens, last refill) because admitting is then a comparison and an
 * addition, which a DynamoDB conditional update does atomically without reading first
 * (shared/adapters/dynamodb/request-throttle.ts); tokens would need a multiplication.
 *
 * Times are integer microseconds and the interval between tokens is rounded up, so no
 * rounding can admit a request too many: in any window of t seconds at most
 * burst + rate * t requests pass (test/unit/rate-limit.property.test.ts).
 */

export interface KeyRateLimit {
  /** Tokens added per second (a decimal: 0.5 is one request every 2 seconds). */
  readonly ratePerSecond: number;
  /** Tokens the bucket holds: how many requests may come at once after a quiet time. */
  readonly burst: number;
}

/**
 * A key without its own limit: sized for ingestion (50 batches of up to 100 events a second,
 * 5,000 events/s per key), within the /v1 stage throttle of all keys together.
 */
export const DEFAULT_KEY_RATE_LIMIT: KeyRateLimit = { ratePerSecond: 50, burst: 100 };

/** Bounds of a key's own limit: at least one request every 100 s, at most what the stage throttle could ever pass. */
export const RATE_LIMIT_BOUNDS = { minRate: 0.01, maxRate: 10_000, maxBurst: 20_000 } as const;

const MICROS_PER_SECOND = 1_000_000;

/** The bucket in the integers an atomic update works with: microseconds per token, and how far `fullAt` may lie ahead of now. */
export interface BucketTerms {
  readonly intervalMicros: number;
  readonly toleranceMicros: number;
}

export function bucketTerms(limit: KeyRateLimit): BucketTerms {
  // Rounded up: a slightly slower refill, never a faster one.
  const intervalMicros = Math.ceil(MICROS_PER_SECOND / limit.ratePerSecond);
  return { intervalMicros, toleranceMicros: (limit.burst - 1) * intervalMicros };
}

/** Epoch milliseconds (a clock's reading) as whole microseconds. */
export function microsOf(epochMillis: number): number {
  return Math.floor(epochMillis * 1000);
}

export type TokenDecision =
  { readonly admitted: true; readonly fullAt: number } | { readonly admitted: false; readonly retryAfterSeconds: number };

/** Takes a token at `nowMicros` from a bucket full again at `fullAt` (undefined: never used, full). */
export function takeToken(fullAt: number | undefined, nowMicros: number, limit: KeyRateLimit): TokenDecision {
  const { intervalMicros, toleranceMicros } = bucketTerms(limit);
  if (fullAt !== undefined && fullAt > nowMicros + toleranceMicros) {
    return { admitted: false, retryAfterSeconds: retryAfterSeconds(fullAt, nowMicros, limit) };
  }
  return { admitted: true, fullAt: Math.max(fullAt ?? nowMicros, nowMicros) + intervalMicros };
}

/** Whole seconds (at least 1, as `Retry-After` says it) until the bucket full again at `fullAt` has a token. */
export function retryAfterSeconds(fullAt: number, nowMicros: number, limit: KeyRateLimit): number {
  const { toleranceMicros } = bucketTerms(limit);
  return Math.max(1, Math.ceil((fullAt - toleranceMicros - nowMicros) / MICROS_PER_SECOND));
}

/** What is wrong with a key's own limit, by option name; empty when it is fine. */
export function rateLimitIssues(limit: KeyRateLimit): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const { minRate, maxRate, maxBurst } = RATE_LIMIT_BOUNDS;
  if (!Number.isFinite(limit.ratePerSecond) || limit.ratePerSecond < minRate || limit.ratePerSecond > maxRate) {
    issues.push({ path: 'rate', message: `must be a number of requests per second from ${minRate} to ${maxRate}, e.g. 50` });
  }
  if (!Number.isInteger(limit.burst) || limit.burst < 1 || limit.burst > maxBurst) {
    issues.push({ path: 'burst', message: `must be a whole number of requests from 1 to ${maxBurst}, e.g. 100` });
  }
  return issues;
}
