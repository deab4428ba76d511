/** Webhook endpoints and what was posted to them (issue 19), kept in the billing table. */
import type { WebhookEndpoint } from '#domain/outbound/webhook-endpoint.ts';
import type { OutboundEnvelope } from '#domain/outbound/envelope.ts';

/** One attempt to post an event to an endpoint. */
export interface WebhookAttempt {
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly at: string;
  /** HTTP status, or null when no answer came (timeout, refused, address not allowed). */
  readonly status: number | null;
  readonly latencyMs: number;
  readonly ok: boolean;
  readonly error?: string;
}

export interface WebhookEndpointStore {
  add(endpoint: WebhookEndpoint): Promise<void>;
  list(): Promise<WebhookEndpoint[]>;
  get(id: string): Promise<WebhookEndpoint | undefined>;
  /** False when there was no such endpoint. */
  remove(id: string): Promise<boolean>;
  recordAttempt(attempt: WebhookAttempt): Promise<void>;
  /** Newest first. */
  listAttempts(filter: { endpointId?: string; limit?: number }): Promise<WebhookAttempt[]>;
  /** Remembers that the endpoint answered 2xx for this event: a retry of the message skips it. */
  markDelivered(endpointId: string, eventId: string, at: string): Promise<void>;
  wasDelivered(endpointId: string, eventId: string): Promise<boolean>;
}

/** Posts one signed event to one endpoint; never throws for what the endpoint answered. */
export interface WebhookSender {
  post(endpoint: WebhookEndpoint, envelope: OutboundEnvelope): Promise<{ status: number | null; latencyMs: number; error?: string }>;
}
