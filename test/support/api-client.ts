/**
 * A client for the HTTP API in tests: every response it receives is checked against the
 * API's own OpenAPI document, by libraries: openapi-backend validates JSON bodies against the
 * operation's response schema for the status, ajv (JSON Schema 2020-12, OpenAPI 3.1's
 * dialect) validates problem+json bodies against the document's Problem schema. A status or
 * content type the document does not list for the operation fails the test too.
 */
import { Agent } from 'node:http';
import { request as httpRequest } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { OpenAPIBackend, type Document } from 'openapi-backend';

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly json: unknown;
}

interface OperationRef {
  readonly operationId: string;
  readonly responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}

export class ApiClient {
  private backend: OpenAPIBackend | undefined;
  private validateProblem: ((value: unknown) => boolean) | undefined;
  private document: Record<string, unknown> | undefined;
  private readonly agent = new Agent({ keepAlive: true });
  /** operationId and status of every answer checked, for the coverage assertion. */
  readonly checked: { operationId: string; status: number }[] = [];

  constructor(readonly baseUrl: string) {}

  /** Reads GET /v1/openapi.json and checks the document itself; returns the validator's verdict. */
  async loadDocument(): Promise<{ valid: boolean; errors?: unknown }> {
    const answer = await this.send('GET', '/v1/openapi.json');
    this.document = answer.json as Record<string, unknown>;
    const verdict = await new Validator().validate(structuredClone(this.document));
    // `quick` skips openapi-backend's own check of the document, which knows OpenAPI 3.0 only (not 3.1's `const`,
    // type lists): @seriousme/openapi-schema-validator checked it above. Responses are still validated (ajv).
    this.backend = new OpenAPIBackend({ definition: structuredClone(this.document) as Document, quick: true });
    await this.backend.init();
    // The Problem schema has no formats to check.
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const schemas = (this.document.components as { schemas: Record<string, object> }).schemas;
    this.validateProblem = ajv.compile(schemas.Problem!);
    return verdict;
  }

  get openApi(): Record<string, unknown> {
    if (this.document === undefined) throw new Error('loadDocument first');
    return this.document;
  }

  /** Sends a request and checks the answer against the document. */
  async call(
    method: string,
    path: string,
    options: { key?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer> {
    const answer = await this.send(method, path, options);
    this.check(method, path, answer);
    return answer;
  }

  /** Sends without checking (for what API Gateway itself answers, e.g. the authorizer's 401/403). */
  send(
    method: string,
    path: string,
    options: { key?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer> {
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(options.key === undefined ? {} : { authorization: `Bearer ${options.key}` }),
            ...options.headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text === '' ? undefined : JSON.parse(text);
            } catch {
              json = undefined;
            }
            const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
            resolve({ status: response.statusCode ?? 0, headers, text, json });
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private check(method: string, path: string, answer: ApiAnswer): void {
    if (this.backend === undefined || this.validateProblem === undefined) throw new Error('loadDocument first');
    const url = new URL(path, this.baseUrl);
    const matched = this.backend.router.matchOperation({ method: method.toLowerCase(), path: url.pathname, headers: {}, query: {} });
    if (matched === undefined) throw new Error(`${method} ${url.pathname} is not in the OpenAPI document`);
    const operation = matched as unknown as OperationRef;
    const documented = operation.responses[String(answer.status)];
    if (documented === undefined) {
      throw new Error(`${operation.operationId} answered ${answer.status}, which the document does not list: ${answer.text.slice(0, 300)}`);
    }
    const contentType = (answer.headers['content-type'] ?? '').split(';')[0]!;
    if (documented.content !== undefined && !(contentType in documented.content)) {
      throw new Error(
        `${operation.operationId} ${answer.status} came as "${contentType}"; the document lists ${Object.keys(documented.content).join(', ')}`,
      );
    }
    if (contentType === 'application/problem+json') {
      if (!this.validateProblem(answer.json)) throw new Error(`${operation.operationId} ${answer.status}: not a Problem: ${answer.text}`);
    } else if (contentType === 'application/json') {
      const verdict = this.backend.validateResponse(answer.json, operation.operationId, answer.status);
      if (!verdict.valid) {
        throw new Error(
          `${operation.operationId} ${answer.status} does not match the document: ${JSON.stringify(verdict.errors).slice(0, 1000)}`,
        );
      }
    } else if (documented.content !== undefined) {
      throw new Error(`${operation.operationId} ${answer.status} has no body type the document lists`);
    }
    this.checked.push({ operationId: operation.operationId, status: answer.status });
  }
}
