/**
 * The outbound outbox: facts made by a step that is not retried for them (a CLI command, an
 * API request, a dunning reminder once recorded) are written in the same store transaction as
 * the change they report, then published, then cleared. A publish that fails, or a process that
 * dies before publishing, leaves them here, and the hourly sweep (start-invoice-run,
 * publish-recorded.ts flushOutbox) publishes them with the same ids. So a stored change always
 * gets its fact, and a fact is never published for a change that was not stored.
 */
import type { OutboundFact } from '#domain/outbound/catalogue.ts';

export interface OutboundOutbox {
  /** Every fact still waiting, oldest first. */
  listPending(): Promise<OutboundFact[]>;
  /** Forgets facts once published; facts not (or no longer) waiting are ignored. */
  clear(facts: readonly OutboundFact[]): Promise<void>;
}

/** A store write that records facts with its change: given the changed item, the facts it makes. */
export type PendingFacts<Changed> = (changed: Changed) => readonly OutboundFact[];
