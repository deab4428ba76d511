/**
 * API keys of the HTTP API (issue 18): what a key looks like, what it may do, and which
 * scope each request needs. Pure: generating and hashing the secret happen in the use case.
 *
 * A key is `bf_` + 43 base64url characters (256 random bits). Only its SHA-256 is stored:
 * a slow password hash (bcrypt, scrypt) protects guessable secrets against a stolen table;
 * 256 random bits cannot be guessed whatever the hash costs, so a fast hash loses nothing
 * and keeps the check cheap on every request.
 */
import { DEFAULT_KEY_RATE_LIMIT, type KeyRateLimit } from './rate-limit.ts';

export const API_KEY_SCOPES = ['events:write', 'customers:write', 'read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_PREFIX = 'bf_';
/** 32 random bytes as base64url, without padding. */
const KEY_PATTERN = /^bf_[A-Za-z0-9_-]{43}$/;

export interface ApiKeyRecord {
  /** Public id, `key_` + the first 16 hex digits of the hash: what `list` shows and `revoke` takes. */
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  /** SHA-256 of the key, hex. */
  readonly hash: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  /** The key's own request limit; absent: DEFAULT_KEY_RATE_LIMIT (./rate-limit.ts). */
  readonly rateLimit?: KeyRateLimit;
}

export function isWellFormedKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** The limit a key's requests are held to. */
export function rateLimitOf(record: Pick<ApiKeyRecord, 'rateLimit'>): KeyRateLimit {
  return record.rateLimit ?? DEFAULT_KEY_RATE_LIMIT;
}

export function keyIdOf(hash: string): string {
  return `key_${hash.slice(0, 16)}`;
}

export type KeyRefusal = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'out_of_scope';

/** A verdict on a request's Authorization header, given the key record found for it (if any). */
export function judgeKey(
  record: ApiKeyRecord | undefined,
  needed: ApiKeyScope | undefined,
): { ok: true; record: ApiKeyRecord } | { ok: false; refusal: KeyRefusal } {
  if (record === undefined) return { ok: false, refusal: 'unknown' };
  if (record.revokedAt !== null) return { ok: false, refusal: 'revoked' };
  if (needed !== undefined && !record.scopes.includes(needed)) return { ok: false, refusal: 'out_of_scope' };
  return { ok: true, record };
}

/** The bearer token of an `Authorization` header, or why there is none. */
export function bearerToken(header: string | undefined): { ok: true; key: string } | { ok: false; refusal: 'missing' | 'malformed' } {
  if (header === undefined || header.trim() === '') return { ok: false, refusal: 'missing' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null || !isWellFormedKey(match[1]!)) return { ok: false, refusal: 'malformed' };
  return { ok: true, key: match[1]! };
}
