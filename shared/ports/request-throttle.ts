import type { KeyRateLimit } from '#domain/api-keys/rate-limit.ts';

export type ThrottleDecision = { readonly admitted: true } | { readonly admitted: false; readonly retryAfterSeconds: number };

/** The token buckets of the HTTP API's keys (shared/domain/api-keys/rate-limit.ts), shared by every container. */
export interface RequestThrottle {
  /** Takes one token from the key's bucket at `now` (epoch ms), or says in how many whole seconds one is there. */
  take(keyId: string, limit: KeyRateLimit, now: number): Promise<ThrottleDecision>;
}
