import { describe, expect, it } from 'vitest';
import { compileRoutePath } from '#infra/local/http-api.ts';

describe('local HTTP API route paths (API Gateway templates)', () => {
  it('matches {name} to exactly one path segment', () => {
    const { pattern, parameterNames } = compileRoutePath('/v1/customers/{id}/usage');
    expect(parameterNames).toEqual(['id']);
    expect(pattern.exec('/v1/customers/cus_1/usage')?.[1]).toBe('cus_1');
    expect(pattern.test('/v1/customers/a/b/usage')).toBe(false);
    expect(pattern.test('/v1/customers//usage')).toBe(false);
  });

  it('matches {name+} to the rest of the path', () => {
    const { pattern, parameterNames } = compileRoutePath('/files/{key+}');
    expect(parameterNames).toEqual(['key']);
    expect(pattern.exec('/files/a/b/c.pdf')?.[1]).toBe('a/b/c.pdf');
  });

  it('takes everything else literally, regular-expression characters included', () => {
    expect(compileRoutePath('/webhooks/stripe').pattern.test('/webhooks/stripe')).toBe(true);
    expect(compileRoutePath('/v1/openapi.json').pattern.test('/v1/openapi-json')).toBe(false);
  });
});
