/**
 * serve-api's per-key throttle (functions/serve-api/throttle.ts), with an in-memory bucket: a
 * key over its limit gets 429 problem+json with Retry-After before its route runs (nothing
 * else is read), out-of-scope requests take tokens too, and the limit comes from the
 * authorizer's context, or the default when the context has none or a bad one.
 */
import { describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { DEFAULT_KEY_RATE_LIMIT, microsOf, takeToken, type KeyRateLimit } from '#domain/api-keys/rate-limit.ts';
import type { RequestThrottle, ThrottleDecision } from '#ports/request-throttle.ts';
import { createApi } from '#functions/serve-api/api.ts';
import type { ApiDependencies } from '#functions/serve-api/dependencies.ts';
import { rateLimitFrom } from '#functions/serve-api/throttle.ts';
import { apiGatewayEvent } from '#infra/local/http-api.ts';

/** The domain's bucket per key, in memory, recording the limit each request was held to. */
class InMemoryThrottle implements RequestThrottle {
  readonly buckets = new Map<string, number>();
  readonly limits: KeyRateLimit[] = [];
  take(keyId: string, limit: KeyRateLimit, now: number): Promise<ThrottleDecision> {
    this.limits.push(limit);
    const decision = takeToken(this.buckets.get(keyId), microsOf(now), limit);
    if (decision.admitted) this.buckets.set(keyId, decision.fullAt);
    return Promise.resolve(decision.admitted ? { admitted: true } : decision);
  }
}

const customersRead: string[] = [];
function apiWith(throttle: RequestThrottle) {
  const deps = {
    catalog: {
      customersPage: () => {
        customersRead.push('page');
        return Promise.resolve({ customers: [], more: false });
      },
    },
    throttle,
    now: () => Date.UTC(2026, 11, 4, 23, 0, 0),
  } as unknown as ApiDependencies;
  return createApi(deps);
}

function request(method: string, path: string, authorizer: Record<string, unknown>) {
  const event = apiGatewayEvent({ method: 'ANY', path: '/v1/{proxy+}' }, { method, path, headers: {}, body: Buffer.alloc(0) });
  Object.assign(event.requestContext, { authorizer: { lambda: authorizer } });
  return event;
}

describe("serve-api's per-key throttle", () => {
  it('answers 429 problem+json with Retry-After once the key is over its limit, before the route reads anything', async () => {
    const api = apiWith(new InMemoryThrottle());
    const key = { keyId: 'key_a', scopes: 'read', ratePerSecond: 0.5, burst: 2 };
    customersRead.length = 0;
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await api(request('GET', '/v1/customers', key), {} as Context));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 429]);
    expect(customersRead).toHaveLength(2);
    expect(answers[2]!.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '2' });
    expect(JSON.parse(answers[2]!.body!)).toMatchObject({ status: 429, type: 'urn:billflow:problem:too-many-requests' });
  });

  it('takes a token for an out-of-scope request too, and keeps keys apart', async () => {
    const api = apiWith(new InMemoryThrottle());
    const readOnly = { keyId: 'key_r', scopes: 'read', ratePerSecond: 1, burst: 1 };
    const outOfScope = await api(request('POST', '/v1/events', readOnly), {} as Context);
    const afterIt = await api(request('GET', '/v1/customers', readOnly), {} as Context);
    const other = await api(request('GET', '/v1/customers', { ...readOnly, keyId: 'key_s' }), {} as Context);
    expect([outOfScope.statusCode, afterIt.statusCode, other.statusCode]).toEqual([403, 429, 200]);
  });

  it("holds a key to the authorizer's limit, or the default when the context has none or an invalid one", () => {
    expect(rateLimitFrom({ ratePerSecond: 5, burst: 10 })).toEqual({ ratePerSecond: 5, burst: 10 });
    expect(rateLimitFrom({ ratePerSecond: '5', burst: '10' })).toEqual({ ratePerSecond: 5, burst: 10 });
    expect(rateLimitFrom({})).toEqual(DEFAULT_KEY_RATE_LIMIT);
    expect(rateLimitFrom({ ratePerSecond: 0, burst: 0 })).toEqual(DEFAULT_KEY_RATE_LIMIT);
  });
});
