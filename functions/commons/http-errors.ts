/**
 * The one mapping from typed errors to HTTP answers, for every route (API Gateway, and the local
 * HTTP API in infra/local/http-api.ts, which hands handlers the same events). An error it does
 * not know is a fault of ours: it propagates, and the caller answers 500 so the sender retries.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotAStripeEventError } from '#formats/errors.ts';
import { type SignatureProblem } from '#formats/stripe-signature.ts';
import { WebhookSignatureError } from '#formats/errors.ts';
import { namedError } from '#domain/named-error.ts';

/** A request body over what a route stores. */
export class BodyTooLargeError extends namedError('BodyTooLargeError') {}

export type HttpRefusal =
  | { readonly status: 400; readonly refusal: SignatureProblem | 'not_a_stripe_event'; readonly message: string }
  | { readonly status: 413; readonly refusal: 'body_too_large'; readonly message: string };

/** The answer to a request refused by a typed error; undefined for any other error. */
export function httpRefusalOf(error: unknown): HttpRefusal | undefined {
  if (error instanceof BodyTooLargeError) return { status: 413, refusal: 'body_too_large', message: error.message };
  if (error instanceof WebhookSignatureError) return { status: 400, refusal: error.problem, message: error.message };
  if (error instanceof NotAStripeEventError) return { status: 400, refusal: 'not_a_stripe_event', message: error.message };
  return undefined;
}

/** Which metric counts a refusal: a body nobody could use, or a request not signed as it must be. */
export function refusalMetric(refusal: HttpRefusal): 'WebhookBodiesRefused' | 'WebhookSignatureFailures' {
  return refusal.status === 413 || refusal.refusal === 'not_a_stripe_event' ? 'WebhookBodiesRefused' : 'WebhookSignatureFailures';
}

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function refusalResponse(refusal: HttpRefusal): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(refusal.status, { error: refusal.message });
}
