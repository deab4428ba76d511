/**
 * API keys and Idempotency-Key handling, pure (in-memory stores): the bearer token read, the
 * verdicts (unknown, revoked, out of scope), and idempotent writes
 * including concurrent repeats.
 */
import { describe, expect, it } from 'vitest';
import { bearerToken, judgeKey, type ApiKeyRecord } from '#domain/api-keys/api-key.ts';
import type { ApiKeyStore } from '#ports/api-key-store.ts';
import type { IdempotencyClaim, IdempotencyStore, StoredResponse } from '#ports/idempotency-store.ts';
import { authenticateApiKey, createApiKey, hashApiKey } from '#use-cases/manage-api-keys.ts';
import { idempotently } from '#functions/serve-api/idempotency.ts';
import { ProblemError } from '#functions/serve-api/problems.ts';

class InMemoryKeys implements ApiKeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  create(record: ApiKeyRecord) {
    this.records.set(record.hash, record);
    return Promise.resolve();
  }
  findByHash(hash: string) {
    return Promise.resolve(this.records.get(hash));
  }
  list() {
    return Promise.resolve([...this.records.values()]);
  }
  revoke(id: string, at: string) {
    const record = [...this.records.values()].find((candidate) => candidate.id === id);
    if (record === undefined) return Promise.resolve(undefined);
    const revoked = { ...record, revokedAt: record.revokedAt ?? at };
    this.records.set(record.hash, revoked);
    return Promise.resolve(revoked);
  }
}

/** Claims as the DynamoDB store makes them: one conditional write, so exactly one concurrent claim wins. */
class InMemoryIdempotency implements IdempotencyStore {
  readonly items = new Map<string, { fingerprint: string; response: StoredResponse | null; expiresAt: number }>();
  claim(key: string, fingerprint: string, now: number, ttlSeconds: number): Promise<IdempotencyClaim> {
    const item = this.items.get(key);
    if (item !== undefined && item.expiresAt > now / 1000) {
      return Promise.resolve({ outcome: 'taken', fingerprint: item.fingerprint, response: item.response });
    }
    this.items.set(key, { fingerprint, response: null, expiresAt: now / 1000 + ttlSeconds });
    return Promise.resolve({ outcome: 'claimed' });
  }
  complete(key: string, response: StoredResponse) {
    this.items.get(key)!.response = response;
    return Promise.resolve();
  }
  release(key: string) {
    this.items.delete(key);
    return Promise.resolve();
  }
}

describe('API keys', () => {
  it('creates a bf_ key of 256 random bits, stores only its SHA-256, and accepts it for its scopes only', async () => {
    const keys = new InMemoryKeys();
    const { key, record } = await createApiKey({ name: 'orders', scopes: ['events:write'] }, { keys, now: () => 0 });
    expect(key).toMatch(/^bf_[A-Za-z0-9_-]{43}$/);
    expect([...keys.records.keys()]).toEqual([hashApiKey(key)]);
    expect(JSON.stringify([...keys.records.values()])).not.toContain(key);
    expect(record.id).toBe(`key_${hashApiKey(key).slice(0, 16)}`);
    expect(await authenticateApiKey(`Bearer ${key}`, 'events:write', keys)).toMatchObject({ ok: true });
    expect(await authenticateApiKey(`Bearer ${key}`, 'read', keys)).toEqual({ ok: false, refusal: 'out_of_scope' });
  });

  it('refuses a missing, malformed, unknown or revoked key, saying which', async () => {
    const keys = new InMemoryKeys();
    const { key, record } = await createApiKey({ name: 'old', scopes: ['read'] }, { keys, now: () => 0 });
    await keys.revoke(record.id, '2026-12-01T00:00:00Z');
    expect(await authenticateApiKey(undefined, 'read', keys)).toEqual({ ok: false, refusal: 'missing' });
    expect(await authenticateApiKey('Basic dXNlcjpwYXNz', 'read', keys)).toEqual({ ok: false, refusal: 'malformed' });
    expect(await authenticateApiKey(`Bearer bf_${'x'.repeat(43)}`, 'read', keys)).toEqual({ ok: false, refusal: 'unknown' });
    expect(await authenticateApiKey(`Bearer ${key}`, 'read', keys)).toEqual({ ok: false, refusal: 'revoked' });
  });

  it('reads the bearer token case-insensitively and judges scope after revocation', () => {
    expect(bearerToken(`bearer bf_${'a'.repeat(43)}`)).toEqual({ ok: true, key: `bf_${'a'.repeat(43)}` });
    const revoked = { id: 'key_1', name: 'n', scopes: ['read'], hash: 'h', createdAt: '', revokedAt: '2026-01-01' } as const;
    expect(judgeKey(revoked, 'events:write')).toEqual({ ok: false, refusal: 'revoked' });
  });
});

describe('Idempotency-Key', () => {
  const request = (body: string, idempotencyKey: string | null = 'k1') => ({
    idempotencyKey: idempotencyKey ?? undefined,
    apiKeyId: 'key_1',
    method: 'POST',
    path: '/v1/events',
    body,
  });
  const answer = (status: number): StoredResponse => ({ status, headers: { 'content-type': 'application/json' }, body: `{"n":${status}}` });

  it('runs concurrent repeats once: one runs, the others get 409 while it runs, then its answer', async () => {
    const idempotency = new InMemoryIdempotency();
    let runs = 0;
    let finish: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (finish = resolve));
    const first = idempotently(request('{}'), { idempotency, now: () => 0 }, async () => {
      runs += 1;
      await running;
      return answer(202);
    });
    const concurrent = await idempotently(request('{}'), { idempotency, now: () => 0 }, () => Promise.resolve(answer(500))).catch(
      (error: unknown) => error,
    );
    finish();
    expect(await first).toEqual(answer(202));
    const repeated = await idempotently(request('{}'), { idempotency, now: () => 1000 }, () => Promise.resolve(answer(500)));
    expect(concurrent).toBeInstanceOf(ProblemError);
    expect(concurrent).toMatchObject({ kind: 'idempotency-in-progress', headers: { 'retry-after': '1' } });
    expect(repeated).toEqual({ ...answer(202), headers: { ...answer(202).headers, 'idempotent-replayed': 'true' } });
    expect(runs).toBe(1);
  });

  it('refuses the key with another body (422), forgets it after 24 hours, and releases it when the request fails', async () => {
    const idempotency = new InMemoryIdempotency();
    const deps = (now: number) => ({ idempotency, now: () => now });
    await idempotently(request('{"a":1}'), deps(0), () => Promise.resolve(answer(202)));
    await expect(idempotently(request('{"a":2}'), deps(1000), () => Promise.resolve(answer(202)))).rejects.toMatchObject({
      kind: 'idempotency-conflict',
    });
    expect(await idempotently(request('{"a":2}'), deps(24 * 3_600_000), () => Promise.resolve(answer(201)))).toEqual(answer(201));
    await expect(idempotently(request('{}', 'k2'), deps(0), () => Promise.reject(new Error('DynamoDB down')))).rejects.toThrow(
      'DynamoDB down',
    );
    expect(await idempotently(request('{}', 'k2'), deps(0), () => Promise.resolve(answer(202)))).toEqual(answer(202));
  });

  it('runs a request without a key every time, and refuses an empty key', async () => {
    const idempotency = new InMemoryIdempotency();
    let runs = 0;
    const run = () => Promise.resolve(answer(202 + runs++));
    await idempotently(request('{}', null), { idempotency, now: () => 0 }, run);
    await idempotently(request('{}', null), { idempotency, now: () => 0 }, run);
    expect(runs).toBe(2);
    await expect(idempotently(request('{}', ' '), { idempotency, now: () => 0 }, run)).rejects.toMatchObject({ kind: 'validation' });
  });
});
