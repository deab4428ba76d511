/**
 * Errors of the HTTP API as `application/problem+json` (RFC 9457): one class a route throws,
 * one place that turns it into a response. `type` is a URN (absolute, never dereferenced);
 * validation problems list every issue by path, as `billflow catalog apply` does.
 */
import type { z } from 'zod';
import { namedError } from '#domain/named-error.ts';

export interface ProblemIssue {
  readonly path: string;
  readonly message: string;
}

export type ProblemKind =
  | 'validation'
  | 'malformed-json'
  | 'body-too-large'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'idempotency-conflict'
  | 'idempotency-in-progress'
  | 'too-many-requests';

const TITLES: Record<ProblemKind, { status: number; title: string }> = {
  validation: { status: 400, title: 'The request is invalid' },
  'malformed-json': { status: 400, title: 'The body is not JSON' },
  'body-too-large': { status: 413, title: 'The body is too large' },
  unauthorized: { status: 401, title: 'No valid API key' },
  forbidden: { status: 403, title: 'The API key may not do this' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The request conflicts with what is stored' },
  'idempotency-conflict': { status: 422, title: 'Idempotency-Key reused with a different request' },
  'idempotency-in-progress': { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  'too-many-requests': { status: 429, title: 'Too many requests for this API key' },
};

export class ProblemError extends namedError('ProblemError') {
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly issues: readonly ProblemIssue[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }

  get status(): number {
    return TITLES[this.kind].status;
  }
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly ProblemIssue[];
}

export function problemOf(error: ProblemError, instance?: string): Problem {
  const { status, title } = TITLES[error.kind];
  return {
    type: `urn:billflow:problem:${error.kind}`,
    title,
    status,
    detail: error.detail,
    ...(instance === undefined ? {} : { instance }),
    ...(error.issues.length === 0 ? {} : { errors: error.issues }),
  };
}

/** Every zod issue, by a path such as `data.tokens` or `subscriptions[1].start`. */
export function issuesOf(error: z.ZodError, prefix = ''): ProblemIssue[] {
  return error.issues.map((issue) => ({ path: pathText(prefix, issue.path), message: issue.message }));
}

function pathText(prefix: string, path: readonly PropertyKey[]): string {
  let text = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '(body)' : text;
}
