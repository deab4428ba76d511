/**
 * Provider webhook events as received: stored before the provider gets its 200, so nothing
 * accepted is lost, and kept for audit and re-application.
 */
export type WebhookEventOutcome = 'received' | 'applied' | 'pending' | 'unmatched' | 'ignored';

export interface ReceivedWebhookEvent {
  readonly provider: 'stripe';
  readonly eventId: string;
  readonly type: string;
  /** When the provider created it (ISO 8601). */
  readonly createdAt: string;
  readonly receivedAt: string;
  /** The raw body, byte for byte what was signed. */
  readonly body: string;
}

export interface StoredWebhookEvent extends ReceivedWebhookEvent {
  readonly outcome: WebhookEventOutcome;
  readonly deliveries: number;
  readonly processedAt: string | null;
}

export interface WebhookEventStore {
  /** Stores the event unless its id is already stored (then counts the delivery): `duplicate`. */
  record(event: ReceivedWebhookEvent): Promise<'new' | 'duplicate'>;
  get(eventId: string): Promise<StoredWebhookEvent | undefined>;
  markProcessed(eventId: string, outcome: WebhookEventOutcome, at: string): Promise<void>;
}
