/**
 * Delivers one outbound event to the webhook endpoints that subscribe to its type (one
 * message of the webhook-deliveries queue):
 *
 * 1. List the endpoints subscribed to the event's type (or only the one a replay names).
 * 2. For each, at once: skip it if it already answered 2xx for this event id (a retry of the
 *    message after another endpoint failed); else post it, signed, and record the attempt
 *    (status, latency); a 2xx marks it delivered.
 * 3. Report which endpoints failed: the caller retries the message with backoff (only those
 *    are posted again), then dead-letters it.
 */
import type { OutboundEnvelope } from '#domain/outbound/envelope.ts';
import { factTypeOf } from '#domain/outbound/envelope.ts';
import { subscribes } from '#domain/outbound/webhook-endpoint.ts';
import type { WebhookEndpointStore, WebhookSender } from '#ports/webhook-endpoints.ts';

export interface DeliverWebhooksDependencies {
  readonly endpoints: WebhookEndpointStore;
  readonly sender: WebhookSender;
  readonly now: () => number;
}

export interface WebhookDeliveryResult {
  readonly eventId: string;
  readonly delivered: readonly string[];
  readonly alreadyDelivered: readonly string[];
  readonly failed: readonly { readonly endpointId: string; readonly reason: string }[];
}

export async function deliverWebhooks(
  envelope: OutboundEnvelope,
  deps: DeliverWebhooksDependencies,
  onlyEndpointId?: string,
): Promise<WebhookDeliveryResult> {
  const type = factTypeOf(envelope);
  const endpoints = (await deps.endpoints.list()).filter(
    (endpoint) => subscribes(endpoint, type) && (onlyEndpointId === undefined || endpoint.id === onlyEndpointId),
  );
  const delivered: string[] = [];
  const alreadyDelivered: string[] = [];
  const failed: { endpointId: string; reason: string }[] = [];
  await Promise.all(
    endpoints.map(async (endpoint) => {
      if (await deps.endpoints.wasDelivered(endpoint.id, envelope.id)) {
        alreadyDelivered.push(endpoint.id);
        return;
      }
      const at = new Date(deps.now()).toISOString();
      const answer = await deps.sender.post(endpoint, envelope);
      const ok = answer.status !== null && answer.status >= 200 && answer.status < 300;
      await deps.endpoints.recordAttempt({
        endpointId: endpoint.id,
        eventId: envelope.id,
        eventType: type,
        at,
        status: answer.status,
        latencyMs: answer.latencyMs,
        ok,
        ...(answer.error === undefined ? {} : { error: answer.error }),
      });
      if (ok) {
        await deps.endpoints.markDelivered(endpoint.id, envelope.id, at);
        delivered.push(endpoint.id);
      } else {
        failed.push({ endpointId: endpoint.id, reason: answer.error ?? `HTTP ${answer.status}` });
      }
    }),
  );
  return { eventId: envelope.id, delivered, alreadyDelivered, failed };
}
