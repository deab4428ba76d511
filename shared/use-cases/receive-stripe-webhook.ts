/**
 * The door of Stripe's webhooks (CONTRACTS.md section 5):
 *
 * 0. Refuse (413) a body too large to store, before anything else: Stripe would get a 500 on
 *    every retry, for days, from the store's item limit.
 * 1. Verify the signature against the current secret(s); refuse (400) a missing or bad one or
 *    a stale timestamp, applying nothing.
 * 2. Parse the body as a Stripe event; refuse (400) anything else.
 * 3. Store the raw event (a duplicate only counts a delivery), then queue its id for applying.
 *    Only then answer 200: what Stripe was told is accepted is stored. A failure of either
 *    write answers 500, so Stripe delivers again, and both writes are safe to repeat.
 */
import { parseStripeEvent, NotAStripeEventError } from '../adapters/stripe/stripe-event.ts';
import { verifyStripeSignature, WebhookSignatureError, type SignatureProblem } from '../adapters/stripe/webhook-signature.ts';
import type { WebhookEventStore } from '../ports/webhook-event-store.ts';

/**
 * Largest body stored: the raw body goes into one DynamoDB item (400 KB with its other
 * attributes). Stripe's own events are a few KB; API Gateway refuses 10 MB on its own.
 */
export const MAX_WEBHOOK_BODY_BYTES = 350 * 1024;

export interface WebhookDependencies {
  readonly secrets: () => Promise<readonly string[]>;
  readonly events: WebhookEventStore;
  readonly enqueue: (eventId: string) => Promise<void>;
  readonly now: () => number;
}

export type WebhookOutcome =
  | { readonly status: 200; readonly eventId: string; readonly type: string; readonly duplicate: boolean }
  | { readonly status: 400; readonly refusal: SignatureProblem | 'not_a_stripe_event'; readonly message: string }
  | { readonly status: 413; readonly refusal: 'body_too_large'; readonly message: string };

export async function receiveStripeWebhook(
  request: { readonly body: string; readonly signature: string | undefined },
  deps: WebhookDependencies,
): Promise<WebhookOutcome> {
  const bytes = Buffer.byteLength(request.body, 'utf8');
  if (bytes > MAX_WEBHOOK_BODY_BYTES) {
    return {
      status: 413,
      refusal: 'body_too_large',
      message: `body is ${bytes} bytes; at most ${MAX_WEBHOOK_BODY_BYTES} are accepted (a Stripe event is a few KB): nothing was stored`,
    };
  }
  try {
    verifyStripeSignature(request.body, request.signature, await deps.secrets(), Math.floor(deps.now() / 1000));
  } catch (error) {
    if (error instanceof WebhookSignatureError) return { status: 400, refusal: error.problem, message: error.message };
    throw error;
  }
  let event;
  try {
    event = parseStripeEvent(request.body);
  } catch (error) {
    if (error instanceof NotAStripeEventError) return { status: 400, refusal: 'not_a_stripe_event', message: error.message };
    throw error;
  }
  const stored = await deps.events.record({
    provider: 'stripe',
    eventId: event.id,
    type: event.type,
    createdAt: new Date(event.created * 1000).toISOString(),
    receivedAt: new Date(deps.now()).toISOString(),
    body: request.body,
  });
  // Queued again on a duplicate delivery too: the first one may have failed after storing.
  await deps.enqueue(event.id);
  return { status: 200, eventId: event.id, type: event.type, duplicate: stored === 'duplicate' };
}
