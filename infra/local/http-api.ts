/**
 * The local counterpart of the stack's API Gateway HTTP API: a node:http server that turns
 * each request into the event API Gateway sends a Lambda (payload format 2.0) and the
 * handler's result back into a response, for every route of infra/resources.ts.
 * As in API Gateway: unknown routes get 404, bodies over 10 MB 413, a handler that throws 500.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { httpRoutes, type HttpRouteDefinition } from '../resources.ts';
import { localLambdaContext } from './lambda-context.ts';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** A Lambda authorizer's handler (payload 2.0 simple responses), run before the route's handler as API Gateway does. */
type Authorizer = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<{ isAuthorized: boolean; context?: Record<string, unknown> }>;

interface LocalRoute {
  readonly handler: HttpHandler;
  readonly authorizer?: Authorizer;
  readonly route: HttpRouteDefinition;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface LocalHttpApi {
  readonly url: string;
  stop(): Promise<void>;
}

export interface LocalHttpApiOptions {
  readonly port: number;
  readonly region: string;
  readonly prefix: string;
  /** Replaces a route's handler (tests and benchmarks inject this way). */
  readonly handlers?: Partial<Record<keyof typeof httpRoutes, HttpHandler>>;
  readonly onError: (functionId: string, error: unknown) => void;
}

export async function startLocalHttpApi(options: LocalHttpApiOptions): Promise<LocalHttpApi> {
  const routes: LocalRoute[] = [];
  for (const [name, route] of Object.entries(httpRoutes) as [keyof typeof httpRoutes, HttpRouteDefinition][]) {
    const handler = options.handlers?.[name] ?? (await importHandler<HttpHandler>(route.entry));
    const authorizer = route.authorizer === undefined ? undefined : await importHandler<Authorizer>(route.authorizer.entry);
    routes.push({ handler, route, ...(authorizer === undefined ? {} : { authorizer }), ...compileRoutePath(route.path) });
  }
  // API Gateway picks the most specific route: literal paths before templates, longer literal prefixes first.
  routes.sort((a, b) => a.parameterNames.length - b.parameterNames.length || b.route.path.length - a.route.path.length);

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const target = matchRoute(routes, request.method ?? 'GET', path);
    const reply = (status: number, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
      response.writeHead(status, headers).end(body);
    };
    if (target === undefined) {
      reply(404, JSON.stringify({ message: 'Not Found' }));
      return;
    }
    readBody(request)
      .then(async (body) => {
        if (body === undefined) return reply(413, JSON.stringify({ message: 'Request Entity Too Large' }));
        const event = { ...toApiGatewayEvent(request, path, body, target.route), ...pathParametersOf(target.pathParameters) };
        const context = localLambdaContext({
          ...target.route,
          functionName: `${options.prefix}-${target.route.functionId}`,
          region: options.region,
        });
        const refused = await authorize(target, event, context);
        if (refused !== undefined) return reply(refused.status, JSON.stringify({ message: refused.message }));
        const result = await target.handler(event, context);
        const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));
        // A binary body (a PDF) is base64 in the result and sent as bytes, as API Gateway does.
        response
          .writeHead(result.statusCode ?? 200, headers)
          .end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
      })
      .catch((error: unknown) => {
        options.onError(target.route.functionId, error);
        if (!response.headersSent) reply(500, JSON.stringify({ message: 'Internal Server Error' }));
      });
  });
  // Keep-alive connections from benchmarks and Stripe-like clients are reused, as API Gateway does.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolveListen);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toApiGatewayEvent(
  request: IncomingMessage,
  path: string,
  body: Buffer,
  route: { method: string; path: string },
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return apiGatewayEvent(route, {
    method: request.method ?? 'GET',
    path,
    query: (request.url ?? '').split('?')[1] ?? '',
    headers,
    body,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    protocol: `HTTP/${request.httpVersion}`,
  });
}

/**
 * What API Gateway (HTTP API, payload 2.0) sends a Lambda for a request on `route`: lower-case
 * headers, text bodies as text, others base64. Also used by benchmarks that invoke the handler directly.
 */
export function apiGatewayEvent(
  route: { readonly method: string; readonly path: string },
  request: {
    method: string;
    path: string;
    query?: string;
    headers: Readonly<Record<string, string>>;
    body: Buffer;
    sourceIp?: string;
    protocol?: string;
  },
): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const contentType = headers['content-type'] ?? '';
  const isText = /^(text\/|application\/(json|xml|x-www-form-urlencoded))/i.test(contentType) || contentType === '';
  const now = Date.now();
  const { body } = request;
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: request.path,
    rawQueryString: request.query ?? '',
    ...(queryParametersOf(request.query ?? '') === undefined ? {} : { queryStringParameters: queryParametersOf(request.query ?? '') }),
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method,
        path: request.path,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length === 0 ? {} : { body: isText ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/**
 * An API Gateway route path as a pattern: `{name}` matches one path segment, `{name+}` (greedy)
 * the rest of the path; everything else literally.
 */
export function compileRoutePath(path: string): { pattern: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (parameter === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]!);
      return parameter[2] === '+' ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), parameterNames };
}

function matchRoute(
  routes: readonly LocalRoute[],
  method: string,
  path: string,
): (LocalRoute & { pathParameters: Record<string, string> }) | undefined {
  for (const route of routes) {
    if (route.route.method !== method && route.route.method !== 'ANY') continue;
    const match = route.pattern.exec(path);
    if (match === null) continue;
    const pathParameters: Record<string, string> = {};
    route.parameterNames.forEach((name, index) => {
      pathParameters[name] = decodeURIComponent(match[index + 1]!);
    });
    return { ...route, pathParameters };
  }
  return undefined;
}

/** API Gateway leaves `pathParameters` out when the route has none. */
function pathParametersOf(parameters: Record<string, string>): Partial<APIGatewayProxyEventV2> {
  return Object.keys(parameters).length === 0 ? {} : { pathParameters: parameters };
}

/** `queryStringParameters` as API Gateway (payload 2.0) gives them: repeated names joined by commas. */
function queryParametersOf(query: string): Record<string, string> | undefined {
  if (query === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query)) parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  return parameters;
}

/**
 * API Gateway's Lambda authorizer step (identity source `$request.header.Authorization`): no
 * header is 401 without calling the authorizer, a refusal 403; an accepted request carries the
 * authorizer's context in `requestContext.authorizer.lambda`. No verdict cache locally.
 */
async function authorize(
  target: LocalRoute,
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<{ status: number; message: string } | undefined> {
  if (target.authorizer === undefined) return undefined;
  if (event.headers.authorization === undefined) return { status: 401, message: 'Unauthorized' };
  const verdict = await target.authorizer({ ...event, type: 'REQUEST', identitySource: [event.headers.authorization] } as never, context);
  if (!verdict.isAuthorized) return { status: 403, message: 'Forbidden' };
  Object.assign(event.requestContext, { authorizer: { lambda: verdict.context ?? {} } });
  return undefined;
}

async function importHandler<Handler = HttpHandler>(entry: string): Promise<Handler> {
  const module = (await import(pathToFileURL(resolve(repoRoot, entry)).href)) as { handler?: Handler };
  if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a handler function`);
  return module.handler;
}
