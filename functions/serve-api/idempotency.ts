/**
 * `Idempotency-Key` on writes: the first request with a key runs and its response is kept 24
 * hours; a repeat with the same request (method, path, body) gets that response again, marked
 * `Idempotent-Replayed: true`; a repeat with another request gets 422; a repeat while the
 * first still runs gets 409 with `Retry-After`. Keys are per API key, so two callers never
 * share one. A request that fails with no answer (a 5xx) releases its key: retrying runs it.
 */
import { createHash } from 'node:crypto';
import type { IdempotencyStore, StoredResponse } from '#ports/idempotency-store.ts';
import { ProblemError } from './problems.ts';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const MAX_KEY_LENGTH = 255;

export async function idempotently(
  request: { idempotencyKey: string | undefined; apiKeyId: string; method: string; path: string; body: string },
  deps: { idempotency: IdempotencyStore; now: () => number },
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse> {
  if (request.idempotencyKey === undefined) return run();
  const key = request.idempotencyKey.trim();
  if (key === '' || key.length > MAX_KEY_LENGTH) {
    throw new ProblemError('validation', 'the Idempotency-Key header is invalid', [
      { path: 'header.Idempotency-Key', message: `must be 1 to ${MAX_KEY_LENGTH} characters, e.g. a UUID` },
    ]);
  }
  const fingerprint = createHash('sha256').update(`${request.method} ${request.path}\n${request.body}`).digest('hex');
  const storeKey = `${request.apiKeyId}#${key}`;
  const claim = await deps.idempotency.claim(storeKey, fingerprint, deps.now(), IDEMPOTENCY_TTL_SECONDS);
  if (claim.outcome === 'taken') {
    if (claim.fingerprint !== fingerprint) {
      throw new ProblemError(
        'idempotency-conflict',
        `Idempotency-Key "${key}" was first used with another request (method, path or body differ) in the last 24 hours: use a new key for a new request`,
      );
    }
    if (claim.response === null) {
      throw new ProblemError(
        'idempotency-in-progress',
        `the first request with Idempotency-Key "${key}" is still running: retry shortly`,
        [],
        {
          'retry-after': '1',
        },
      );
    }
    return { ...claim.response, headers: { ...claim.response.headers, 'idempotent-replayed': 'true' } };
  }
  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    await deps.idempotency.release(storeKey);
    throw error;
  }
  await deps.idempotency.complete(storeKey, response);
  return response;
}
