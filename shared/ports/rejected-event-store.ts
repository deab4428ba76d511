export interface Rejection {
  /** The event's own JSON text, or the whole body when it could not be split into events. */
  readonly body: string;
  readonly reason: string;
  /** Best effort: the subject, source, id and period when the body got that far. */
  readonly customerId?: string;
  readonly source?: string;
  readonly id?: string;
  readonly period: string;
  readonly messageId: string;
}

export type RejectionStatus = 'open' | 'replayed';

export interface RejectedEvent extends Rejection {
  /** Stable key: the SHA-256 of the body, so a re-delivered rejected event is one record. */
  readonly key: string;
  readonly firstReceivedAt: string;
  readonly lastReceivedAt: string;
  /** How many times it was delivered and rejected (counted in `received` and `rejected`). */
  readonly deliveries: number;
  readonly status: RejectionStatus;
  readonly replayedAt?: string;
}

export interface RejectedEventStore {
  /** Records each rejection; returns, per input, whether it was stored. */
  record(rejections: readonly Rejection[], at: number): Promise<boolean[]>;
  list(filter?: { period?: string; status?: RejectionStatus }): AsyncIterable<RejectedEvent>;
  markReplayed(events: readonly Pick<RejectedEvent, 'key' | 'period'>[], at: number): Promise<void>;
  /** Back to `open`, for events whose replay could not be sent. */
  reopen(events: readonly Pick<RejectedEvent, 'key' | 'period'>[]): Promise<void>;
}
