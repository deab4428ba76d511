/**
 * The per-key token bucket (shared/domain/api-keys/rate-limit.ts), property-tested: whatever
 * the limit and the arrivals, no window of t seconds admits more than burst + rate * t
 * requests; a full bucket admits `burst` at once; a refused request is admitted when retried
 * after its Retry-After, and not a whole second earlier.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { microsOf, rateLimitIssues, takeToken, type KeyRateLimit } from '#domain/api-keys/rate-limit.ts';

const limitArbitrary: fc.Arbitrary<KeyRateLimit> = fc.record({
  // 0.01 to 500 requests/s in hundredths: fractional rates give intervals that do not divide a second.
  ratePerSecond: fc.integer({ min: 1, max: 50_000 }).map((hundredths) => hundredths / 100),
  burst: fc.integer({ min: 1, max: 50 }),
});

/** Arrival instants in epoch ms, non-decreasing, often several at the same instant. */
const arrivalsArbitrary = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 30_000 })), { minLength: 1, maxLength: 300 })
  .map((gaps) => {
    let at = Date.UTC(2026, 11, 4, 23, 0, 0);
    return gaps.map((gap) => (at += gap));
  });

function admittedOf(limit: KeyRateLimit, arrivals: readonly number[]): number[] {
  let fullAt: number | undefined;
  const admitted: number[] = [];
  for (const at of arrivals) {
    const decision = takeToken(fullAt, microsOf(at), limit);
    if (decision.admitted) {
      fullAt = decision.fullAt;
      admitted.push(microsOf(at));
    }
  }
  return admitted;
}

describe('the per-key token bucket', () => {
  it('never admits more than burst + rate * t requests in any window of t seconds', () => {
    fc.assert(
      fc.property(limitArbitrary, arrivalsArbitrary, (limit, arrivals) => {
        const admitted = admittedOf(limit, arrivals);
        for (let first = 0; first < admitted.length; first++) {
          for (let last = first; last < admitted.length; last++) {
            const seconds = (admitted[last]! - admitted[first]!) / 1_000_000;
            expect(last - first + 1).toBeLessThanOrEqual(limit.burst + limit.ratePerSecond * seconds + 1e-9);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('admits a whole burst at once after a quiet time, and refuses the request after it', () => {
    fc.assert(
      fc.property(limitArbitrary, (limit) => {
        const at = Date.UTC(2026, 11, 31, 23, 59, 59);
        const arrivals = Array.from({ length: limit.burst + 1 }, () => at);
        expect(admittedOf(limit, arrivals)).toHaveLength(limit.burst);
      }),
    );
  });

  it('admits a refused request retried after Retry-After seconds, and not one whole second earlier', () => {
    fc.assert(
      fc.property(limitArbitrary, arrivalsArbitrary, (limit, arrivals) => {
        let fullAt: number | undefined;
        for (const at of arrivals) {
          const decision = takeToken(fullAt, microsOf(at), limit);
          if (decision.admitted) {
            fullAt = decision.fullAt;
            continue;
          }
          expect(Number.isInteger(decision.retryAfterSeconds) && decision.retryAfterSeconds >= 1).toBe(true);
          expect(takeToken(fullAt, microsOf(at + decision.retryAfterSeconds * 1000), limit).admitted).toBe(true);
          if (decision.retryAfterSeconds > 1) {
            expect(takeToken(fullAt, microsOf(at + (decision.retryAfterSeconds - 1) * 1000), limit).admitted).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a clock that runs behind add tokens: it sees the bucket emptier, not fuller', () => {
    // Lambda containers' clocks differ a little: a request dated before the last admitted one refills nothing.
    const limit = { ratePerSecond: 1, burst: 2 };
    const at = Date.UTC(2026, 10, 30, 12, 0, 0);
    const first = takeToken(undefined, microsOf(at), limit);
    const behind = first.admitted ? takeToken(first.fullAt, microsOf(at - 5_000), limit) : first;
    const onTime = first.admitted ? takeToken(first.fullAt, microsOf(at), limit) : first;
    expect([first.admitted, behind, onTime.admitted]).toEqual([true, { admitted: false, retryAfterSeconds: 5 }, true]);
  });

  it('refuses a limit out of bounds with what to fix, per option', () => {
    expect(rateLimitIssues({ ratePerSecond: 50, burst: 100 })).toEqual([]);
    expect(rateLimitIssues({ ratePerSecond: 0, burst: 1.5 }).map((issue) => issue.path)).toEqual(['rate', 'burst']);
    expect(rateLimitIssues({ ratePerSecond: Number.NaN, burst: 0 })[0]!.message).toContain('from 0.01 to 10000');
  });
});
