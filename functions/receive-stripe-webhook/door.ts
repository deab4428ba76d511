/**
 * The door of Stripe's webhooks (CONTRACTS.md section 5), at the edge:
 *
 * 0. Refuse (413) a body too large to store, before anything else: Stripe would get a 500 on
 *    every retry, for days, from the store's item limit.
 * 1. Verify the signature against the current secret(s); refuse (400) a missing or bad one or
 *    a stale timestamp, applying nothing.
 * 2. Parse the body as a Stripe event; refuse (400) anything else.
 * 3. Hand the event to the use case (stored, then queued), and only then answer 200.
 * Refusals are typed errors, turned into answers by the one mapping in ../commons/http-errors.ts.
 */
import { parseStripeEvent } from '#formats/stripe-events.ts';
import { verifyStripeSignature } from '#formats/stripe-signature.ts';
import { receiveWebhookEvent, type WebhookDependencies } from '#use-cases/receive-stripe-webhook.ts';
import { BodyTooLargeError, httpRefusalOf, type HttpRefusal } from '../commons/http-errors.ts';

/**
 * Largest body stored: the raw body goes into one DynamoDB item (400 KB with its other
 * attributes). Stripe's own events are a few KB; API Gateway refuses 10 MB on its own.
 */
export const MAX_WEBHOOK_BODY_BYTES = 350 * 1024;

export interface StripeDoorDependencies extends WebhookDependencies {
  readonly secrets: () => Promise<readonly string[]>;
  readonly now: () => number;
}

export type WebhookOutcome =
  { readonly status: 200; readonly eventId: string; readonly type: string; readonly duplicate: boolean } | HttpRefusal;

export async function receiveStripeWebhook(
  request: { readonly body: string; readonly signature: string | undefined },
  deps: StripeDoorDependencies,
): Promise<WebhookOutcome> {
  let event;
  try {
    const bytes = Buffer.byteLength(request.body, 'utf8');
    if (bytes > MAX_WEBHOOK_BODY_BYTES) {
      throw new BodyTooLargeError(
        `body is ${bytes} bytes; at most ${MAX_WEBHOOK_BODY_BYTES} are accepted (a Stripe event is a few KB): nothing was stored`,
      );
    }
    verifyStripeSignature(request.body, request.signature, await deps.secrets(), Math.floor(deps.now() / 1000));
    event = parseStripeEvent(request.body);
  } catch (error) {
    const refusal = httpRefusalOf(error);
    if (refusal === undefined) throw error;
    return refusal;
  }
  const { duplicate } = await receiveWebhookEvent(
    {
      provider: 'stripe',
      eventId: event.id,
      type: event.type,
      createdAt: new Date(event.created * 1000).toISOString(),
      receivedAt: new Date(deps.now()).toISOString(),
      body: request.body,
    },
    deps,
  );
  return { status: 200, eventId: event.id, type: event.type, duplicate };
}
