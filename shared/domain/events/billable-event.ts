/** An accepted usage event as stored for billing: the customer and period are implied by where it is stored. */
export interface StoredEvent {
  readonly source: string;
  readonly id: string;
  readonly type: string;
  /** The event's `time` as sent (RFC 3339, any offset). */
  readonly time: string;
  /** `time` as epoch milliseconds, for ordering (`latest`) without re-parsing. */
  readonly t: number;
  readonly data?: unknown;
}

export interface AcceptedEvent {
  readonly customerId: string;
  readonly period: string;
  readonly event: StoredEvent;
}

/** The identity of an event (CONTRACTS.md section 1): the pair (source, id). */
export function eventKey(event: Pick<StoredEvent, 'source' | 'id'>): string {
  // JSON keeps the pair unambiguous whatever characters source and id contain.
  return JSON.stringify([event.source, event.id]);
}
