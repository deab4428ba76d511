/**
 * A message of the events queue as the edge read it (shared/formats/event-messages.ts) and the
 * ingest use case receives it: its events as UsageEvents, or, for what could not be read, the
 * original text, the reason and what the text says about itself (nothing is ever dropped).
 */
import type { UsageEvent } from './usage-event.ts';

/** What a text that could not be read says about itself, as far as it can be read: for listing and statistics. */
export interface EventIdentity {
  readonly customerId?: string;
  readonly source?: string;
  readonly id?: string;
  /** The event's `time` as epoch ms, when it is a real RFC 3339 date-time. */
  readonly t?: number;
}

export type EventPart =
  /** A body, or a batch element, that is not an event at all (not JSON, a batch over 100, too deep...). */
  | { readonly kind: 'rejected'; readonly text: string; readonly reason: string; readonly identity: EventIdentity }
  /** An event whose structure was read: a UsageEvent, or the reason it is not one. */
  | { readonly kind: 'read'; readonly text: string; readonly read: EventRead };

export type EventRead =
  { readonly ok: true; readonly event: UsageEvent } | { readonly ok: false; readonly reason: string; readonly identity: EventIdentity };

export type EventMessage =
  | { readonly messageId: string; readonly parts: readonly EventPart[] }
  /** Reading threw where a bad body should have been rejected (a bug): the message is retried whole. */
  | { readonly messageId: string; readonly unreadable: string };
