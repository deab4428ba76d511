/**
 * Operators subscribe systems outside AWS to outbound events (`billflow webhooks add`):
 *
 * 1. Check the URL (https in AWS; http and 127.0.0.1 allowed locally) and the event types:
 *    every problem is reported at once.
 * 2. Store the endpoint with a new signing secret, returned to the caller once (it is shown
 *    to the operator when added, never listed).
 */
import { endpointIssues, type WebhookEndpoint, type WebhookUrlPolicy } from '#domain/outbound/webhook-endpoint.ts';
import type { OutboundEventType } from '#domain/outbound/catalogue.ts';
import type { WebhookEndpointStore } from '#ports/webhook-endpoints.ts';

export interface AddEndpointDependencies {
  readonly endpoints: Pick<WebhookEndpointStore, 'add'>;
  readonly policy: WebhookUrlPolicy;
  readonly newId: () => string;
  /** A Standard Webhooks secret, `whsec_` + base64 of random bytes. */
  readonly newSecret: () => string;
  readonly now: () => number;
}

export type AddEndpointResult =
  { readonly ok: true; readonly endpoint: WebhookEndpoint } | { readonly ok: false; readonly issues: string[] };

export async function addWebhookEndpoint(
  url: string,
  events: readonly string[],
  deps: AddEndpointDependencies,
): Promise<AddEndpointResult> {
  const issues = endpointIssues(url, events, deps.policy);
  if (issues.length > 0) return { ok: false, issues };
  const endpoint: WebhookEndpoint = {
    id: deps.newId(),
    url,
    events: [...new Set(events)] as OutboundEventType[],
    secret: deps.newSecret(),
    createdAt: new Date(deps.now()).toISOString(),
  };
  await deps.endpoints.add(endpoint);
  return { ok: true, endpoint };
}
