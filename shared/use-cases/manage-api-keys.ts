/**
 * API keys: created by an operator (the key is shown once), listed, revoked, and checked on
 * every HTTP API request.
 *
 * Checking a key: 1. read the bearer token; 2. hash it and look the hash up (a lookup by hash
 * reveals nothing about the secret through timing: finding a hash prefix does not find a key);
 * 3. compare the stored hash with a constant-time compare anyway; 4. judge revoked and scope.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  API_KEY_PREFIX,
  bearerToken,
  judgeKey,
  keyIdOf,
  type ApiKeyRecord,
  type ApiKeyScope,
  type KeyRefusal,
} from '#domain/api-keys/api-key.ts';
import type { KeyRateLimit } from '#domain/api-keys/rate-limit.ts';
import type { ApiKeyStore } from '#ports/api-key-store.ts';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export async function createApiKey(
  request: { name: string; scopes: readonly ApiKeyScope[]; rateLimit?: KeyRateLimit },
  deps: { keys: ApiKeyStore; now: () => number },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const hash = hashApiKey(key);
  const record: ApiKeyRecord = {
    id: keyIdOf(hash),
    name: request.name,
    scopes: [...new Set(request.scopes)],
    hash,
    createdAt: new Date(deps.now()).toISOString(),
    revokedAt: null,
    ...(request.rateLimit === undefined ? {} : { rateLimit: request.rateLimit }),
  };
  await deps.keys.create(record);
  return { key, record };
}

export type KeyVerdict = { ok: true; record: ApiKeyRecord } | { ok: false; refusal: KeyRefusal };

/** The verdict on an `Authorization` header; `needed` undefined checks the key only (not its scope). */
export async function authenticateApiKey(
  authorization: string | undefined,
  needed: ApiKeyScope | undefined,
  keys: Pick<ApiKeyStore, 'findByHash'>,
): Promise<KeyVerdict> {
  const token = bearerToken(authorization);
  if (!token.ok) return token;
  const hash = hashApiKey(token.key);
  const found = await keys.findByHash(hash);
  const record = found !== undefined && timingSafeEqual(Buffer.from(found.hash, 'hex'), Buffer.from(hash, 'hex')) ? found : undefined;
  return judgeKey(record, needed);
}
