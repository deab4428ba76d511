/**
 * Idempotency keys of HTTP writes (IETF draft "The Idempotency-Key HTTP Header Field", as
 * Stripe does it): the first request with a key claims it, its response is stored for 24 hours
 * and given again to every repeat with the same request; a repeat with another request is refused.
 */

export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type IdempotencyClaim =
  | { readonly outcome: 'claimed' }
  /** Another request holds the key: its fingerprint, and its response once it has one. */
  | { readonly outcome: 'taken'; readonly fingerprint: string; readonly response: StoredResponse | null };

export interface IdempotencyStore {
  /** Claims `key` for the request with `fingerprint`, unless a claim that has not expired holds it. */
  claim(key: string, fingerprint: string, now: number, ttlSeconds: number): Promise<IdempotencyClaim>;
  /** Stores the response of the claimed request. */
  complete(key: string, response: StoredResponse): Promise<void>;
  /** Gives the key up (the request failed with no answer worth repeating): the next repeat runs it. */
  release(key: string): Promise<void>;
}
