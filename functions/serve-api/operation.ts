/**
 * One operation of the HTTP API: its route, the scope its key needs, the zod schemas of its
 * path parameters, query and body, its responses, and what it does. The router
 * (./handler.ts) and the OpenAPI document (./openapi.ts) are both built from the same list,
 * so the document describes exactly what the handlers check.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { ApiKeyScope } from '#domain/api-keys/api-key.ts';
import { issuesOf, ProblemError, type ProblemIssue } from './problems.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT';

export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ResponseSpec {
  readonly description: string;
  /** The JSON body; none for a body-less answer (302). */
  readonly schema?: z.ZodType;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiRequest<Params, Query, Body> {
  readonly params: Params;
  readonly query: Query;
  readonly body: Body;
  /** The body as sent (POST /v1/events reads it itself, as the ingest function does). */
  readonly rawBody: string;
  readonly event: APIGatewayProxyEventV2;
}

export interface Operation {
  readonly method: HttpMethod;
  /** API Gateway / OpenAPI path template, e.g. `/v1/customers/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** The scope a key needs; undefined: no key (the OpenAPI document). */
  readonly scope?: ApiKeyScope;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** The body is read by `handle` from `rawBody`, not by `body` (documented by it only). */
  readonly readsRawBody?: boolean;
  /** Writes take an `Idempotency-Key`. */
  readonly idempotent?: boolean;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  handle(request: ApiRequest<unknown, unknown, unknown>): Promise<ApiResponse>;
}

/** An operation whose `handle` is typed by its schemas. */
export function operation<P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined>(
  definition: Omit<Operation, 'handle' | 'params' | 'query' | 'body'> & {
    params?: P;
    query?: Q;
    body?: B;
    handle(request: ApiRequest<Infer<P>, Infer<Q>, Infer<B>>): Promise<ApiResponse>;
  },
): Operation {
  return definition;
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

/** Parses the request's parameters, query and JSON body with the operation's schemas; every issue at once. */
export function readRequest(op: Operation, event: APIGatewayProxyEventV2, rawBody: string): ApiRequest<unknown, unknown, unknown> {
  const issues: ProblemIssue[] = [];
  const parse = (schema: z.ZodType | undefined, value: unknown, prefix: string) => {
    if (schema === undefined) return undefined;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    issues.push(...issuesOf(parsed.error, prefix));
    return undefined;
  };
  const params = parse(op.params, decodedParameters(event.pathParameters), 'path');
  const query = parse(op.query, event.queryStringParameters ?? {}, 'query');
  let body: unknown;
  if (op.body !== undefined && op.readsRawBody !== true) {
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch (error) {
      throw new ProblemError('malformed-json', `the body is not JSON (${(error as Error).message}): send a JSON object`);
    }
    body = parse(op.body, json, '');
  }
  if (issues.length > 0) throw new ProblemError('validation', `${issues.length} problem(s) in the request: see errors`, issues);
  return { params, query, body, rawBody, event };
}

/** Path parameters as sent are percent-encoded (`cus%2042`): the handlers see the decoded value. */
function decodedParameters(parameters: Record<string, string | undefined> | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters ?? {})) {
    if (value === undefined || name === 'proxy') continue;
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      decoded[name] = value;
    }
  }
  return decoded;
}
