/**
 * Takes a provider webhook event the door verified and read (functions/receive-stripe-webhook/door.ts):
 *
 * 1. Store the raw event (a duplicate only counts a delivery).
 * 2. Queue its id for applying: on a duplicate delivery too, as the first one may have failed
 *    after storing. Applying is idempotent on the event id.
 * Only then does the door answer 200: what the provider was told is accepted is stored. A
 * failure of either write fails the request (500), so the provider delivers again; both writes
 * are safe to repeat.
 */
import type { ReceivedWebhookEvent, WebhookEventStore } from '#ports/webhook-event-store.ts';

export interface WebhookDependencies {
  readonly events: WebhookEventStore;
  readonly enqueue: (eventId: string) => Promise<void>;
}

export async function receiveWebhookEvent(
  event: ReceivedWebhookEvent,
  deps: WebhookDependencies,
): Promise<{ readonly duplicate: boolean }> {
  const stored = await deps.events.record(event);
  await deps.enqueue(event.eventId);
  return { duplicate: stored === 'duplicate' };
}
