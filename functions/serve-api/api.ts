/**
 * The HTTP API (issue 18) as one function of an API Gateway payload 2.0 event: the route is
 * found by @middy/http-router, the key's request limit and scope checked (the key itself was
 * checked by the authorizer, ../authorize-api-key), the request read with the operation's zod schemas, run
 * once per Idempotency-Key, and answered in JSON, or as problem+json when refused.
 */
import httpRouterHandler from '@middy/http-router';
import { z } from 'zod';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger, metrics, MetricUnit } from '#shared/observability.ts';
import type { StoredResponse } from '#ports/idempotency-store.ts';
import type { ApiDependencies } from './dependencies.ts';
import { idempotently } from './idempotency.ts';
import { openApiDocument } from './openapi.ts';
import { operation, readRequest, type Operation } from './operation.ts';
import { eventOperations } from './operations/events.ts';
import { customerOperations } from './operations/customers.ts';
import { balanceOperations } from './operations/balance.ts';
import { invoiceOperations } from './operations/invoices.ts';
import { ProblemError, problemOf } from './problems.ts';
import { rateLimitFrom, throttleKey } from './throttle.ts';

/** What the authorizer passes on (payload 2.0 simple response `context`). */
interface AuthorizerContext {
  readonly keyId?: string;
  /** Space-separated scopes. */
  readonly scopes?: string;
  /** The key's request limit (./throttle.ts). */
  readonly ratePerSecond?: number;
  readonly burst?: number;
}

export function apiOperations(deps: ApiDependencies): Operation[] {
  const operations = [...eventOperations(deps), ...customerOperations(deps), ...balanceOperations(deps), ...invoiceOperations(deps)];
  let document: unknown;
  const openApi = operation({
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document (no API key needed)',
    tag: 'meta',
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document',
        schema: z.looseObject({
          openapi: z.string(),
          info: z.looseObject({ title: z.string(), version: z.string() }),
          paths: z.record(z.string(), z.unknown()),
        }),
      },
    },
    handle: () => {
      document ??= openApiDocument([...operations, openApi], '/');
      return Promise.resolve({ status: 200, body: document });
    },
  });
  return [...operations, openApi];
}

export function createApi(deps: ApiDependencies) {
  const routes = apiOperations(deps).map((op) => ({
    method: op.method,
    path: op.path,
    handler: (event: APIGatewayProxyEventV2) => answer(op, event, deps),
  }));
  const route = httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    routes,
    notFoundResponse: ({ method, path }) => {
      throw new ProblemError('not-found', `no route ${method} ${path}: see GET /v1/openapi.json`);
    },
  });
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      return await route(event, context);
    } catch (error) {
      if (error instanceof ProblemError) return toResult(problemResponse(error, event.rawPath));
      throw error;
    }
  };
}

async function answer(op: Operation, event: APIGatewayProxyEventV2, deps: ApiDependencies): Promise<APIGatewayProxyStructuredResultV2> {
  const rawBody = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const authorizer = (event.requestContext as { authorizer?: { lambda?: AuthorizerContext } }).authorizer?.lambda;
  try {
    if (op.scope !== undefined) {
      // The authorizer refused unknown and revoked keys; without its context the route is misconfigured: refuse.
      if (authorizer?.keyId === undefined) throw new ProblemError('unauthorized', 'send an API key: Authorization: Bearer bf_...');
      // Before anything else the request costs: a key over its limit is refused whatever it asks.
      await throttleKey(authorizer.keyId, rateLimitFrom(authorizer), deps);
      if (!(authorizer.scopes ?? '').split(' ').includes(op.scope)) {
        metrics.addMetric('ApiKeysRefused', MetricUnit.Count, 1);
        logger.warn('api key out of scope', { keyId: authorizer.keyId, needed: op.scope, route: `${op.method} ${op.path}` });
        throw new ProblemError(
          'forbidden',
          `this API key lacks the "${op.scope}" scope that ${op.method} ${op.path} needs: create one with --scope ${op.scope}`,
        );
      }
    }
    const run = async (): Promise<StoredResponse> => {
      try {
        const response = await op.handle(readRequest(op, event, rawBody));
        return {
          status: response.status,
          headers: { ...(response.body === undefined ? {} : { 'content-type': 'application/json' }), ...response.headers },
          body: response.body === undefined ? '' : JSON.stringify(response.body),
        };
      } catch (error) {
        // A refusal is an answer, kept for the Idempotency-Key like any other.
        if (error instanceof ProblemError) return problemResponse(error, event.rawPath);
        throw error;
      }
    };
    const response = op.idempotent
      ? await idempotently(
          {
            idempotencyKey: event.headers['idempotency-key'],
            apiKeyId: authorizer?.keyId ?? '-',
            method: op.method,
            path: event.rawPath,
            body: rawBody,
          },
          deps,
          run,
        )
      : await run();
    return toResult(response);
  } catch (error) {
    if (error instanceof ProblemError) return toResult(problemResponse(error, event.rawPath));
    throw error;
  }
}

function problemResponse(error: ProblemError, instance: string): StoredResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', ...error.headers },
    body: JSON.stringify(problemOf(error, instance)),
  };
}

function toResult(response: StoredResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
}
