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

interface ResponseObject {
  readonly description: string;
  readonly content: Record<string, { schema: z.ZodType }>;
  readonly headers?: z.ZodObject;
}

const problem = (description: string): ResponseObject => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** What API Gateway answers itself (an authorizer's refusal, the stage throttle): its own JSON, which HTTP APIs cannot change (docs/api.md). */
const gatewayMessage = z.object({ message: z.string() }).meta({
  id: 'GatewayMessage',
  description: "API Gateway's own answer (`Unauthorized`, `Forbidden`, `Too Many Requests`), not problem+json",
});

/** A problem from serve-api, or API Gateway's own answer before serve-api runs. */
const problemOrGateway = (description: string): ResponseObject => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema }, 'application/json': { schema: gatewayMessage } },
});

const retryAfter = z.object({
  'Retry-After': z.int().min(1).meta({ description: 'Whole seconds until the key has a request again' }),
});

/** The answers every operation of a kind can give besides its own. */
function commonResponses(op: Operation): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {};
  if (op.params !== undefined || op.query !== undefined || op.body !== undefined)
    responses['400'] = problem('The request is invalid: every issue by path in `errors`');
  if (op.scope !== undefined) {
    responses['401'] = problemOrGateway('No API key (API Gateway\'s `{"message":"Unauthorized"}`)');
    responses['403'] = problemOrGateway(
      `A malformed, unknown or revoked key (API Gateway's \`{"message":"Forbidden"}\`), or a key without the \`${op.scope}\` scope (problem+json)`,
    );
    responses['429'] = {
      ...problemOrGateway(
        `Over the API key's request limit (a token bucket per key: ${DEFAULT_KEY_RATE_LIMIT.ratePerSecond} requests/s, bursts of ${DEFAULT_KEY_RATE_LIMIT.burst}, unless the key has its own): problem+json, retry after \`Retry-After\` seconds. In AWS over the stage throttle (all keys together): API Gateway's own \`{"message":"Too Many Requests"}\``,
      ),
      headers: retryAfter,
    };
  } else {
    responses['429'] = {
      description: "In AWS, over the stage throttle: API Gateway's own answer",
      content: { 'application/json': { schema: gatewayMessage } },
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
