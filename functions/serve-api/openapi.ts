/**
 * The OpenAPI 3.1 document of the HTTP API, generated (zod-openapi) from the operations' own
 * zod schemas: the document cannot describe a request the handlers would not check the same way.
 */
import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import { DEFAULT_KEY_RATE_LIMIT } from '#domain/api-keys/rate-limit.ts';
import type { Operation } from './operation.ts';
import { problemSchema } from './schemas.ts';

export const API_VERSION = '1.0.0';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

const retryAfter = z.object({
  'Retry-After': z.int().min(1).meta({ description: 'Whole seconds until the key has a request again' }),
});

/** The answers every operation of a kind can give besides its own. */
function commonResponses(op: Operation): Record<string, ReturnType<typeof problem> & { headers?: typeof retryAfter }> {
  const responses: Record<string, ReturnType<typeof problem> & { headers?: typeof retryAfter }> = {};
  if (op.params !== undefined || op.query !== undefined || op.body !== undefined)
    responses['400'] = problem('The request is invalid: every issue by path in `errors`');
  if (op.scope !== undefined) {
    responses['401'] = problem('No API key, or one that is unknown or revoked');
    responses['403'] = problem(`The API key lacks the \`${op.scope}\` scope`);
    responses['429'] = {
      ...problem(
        `Over the API key's request limit (a token bucket per key: ${DEFAULT_KEY_RATE_LIMIT.ratePerSecond} requests/s, bursts of ${DEFAULT_KEY_RATE_LIMIT.burst}, unless the key has its own): retry after \`Retry-After\` seconds. In AWS the stage throttle (all keys together) answers 429 too, with API Gateway's own body \`{"message":"Too Many Requests"}\``,
      ),
      headers: retryAfter,
    };
  }
  if (op.idempotent === true) {
    responses['409'] = problem('A request with this Idempotency-Key is still running: retry after `Retry-After`');
    responses['422'] = problem('The Idempotency-Key was used for another request in the last 24 hours');
  }
  if (op.path === '/v1/events') responses['413'] = problem('The body is over 256 KiB');
  return responses;
}

export function openApiDocument(operations: readonly Operation[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const responses: Record<string, unknown> = commonResponses(op);
    for (const [status, spec] of Object.entries(op.responses)) {
      responses[status] =
        spec.schema !== undefined
          ? { description: spec.description, content: { 'application/json': { schema: spec.schema } } }
          : spec.headers !== undefined
            ? {
                description: spec.description,
                headers: z.object(
                  Object.fromEntries(Object.entries(spec.headers).map(([name, text]) => [name, z.string().meta({ description: text })])),
                ),
              }
            : problem(spec.description);
    }
    paths[op.path] = {
      ...paths[op.path],
      [op.method.toLowerCase()]: {
        operationId: op.operationId,
        summary: op.summary,
        tags: [op.tag],
        ...(op.scope === undefined ? { security: [] } : { security: [{ apiKey: [op.scope] }] }),
        requestParams: {
          ...(op.params === undefined ? {} : { path: op.params }),
          ...(op.query === undefined ? {} : { query: op.query }),
          ...(op.idempotent === true
            ? {
                header: z.object({
                  'Idempotency-Key': z
                    .string()
                    .min(1)
                    .max(255)
                    .optional()
                    .meta({ description: 'Repeats within 24 hours get the first response; another request with the same key gets 422' }),
                }),
              }
            : {}),
        },
        ...(op.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } }),
        responses,
      },
    };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'billflow HTTP API',
      version: API_VERSION,
      description:
        'Usage events, customers, subscriptions, usage and invoices for upstream systems. Authenticate with `Authorization: Bearer bf_...` (billflow api-keys create). Errors are application/problem+json (RFC 9457).',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `billflow api-keys create`' } },
    },
    paths: paths,
  });
}
