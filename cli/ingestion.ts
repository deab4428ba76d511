/**
 * Ingestion is asynchronous: what `events send` and `events replay` put on the queue is
 * stored (or rejected) by the ingest function a moment later. These wait until the events
 * queue is worked off and say what the pipeline made of it, from the stored events themselves
 * (the accounting of `billflow stats`), so the counts printed are the ones stats then shows.
 */
import { messagesInFlight, waitUntilEmpty } from '#adapters/sqs/queue-depth.ts';
import { accountEvents, type EventAccount } from '#use-cases/account-events.ts';
import type { CliContext } from './context.ts';

export interface IngestedDelta extends EventAccount {
  /** Messages in the events dead-letter queue after the wait (all of them, not only this command's). */
  readonly deadLettered: number;
}

/** The totals `billflow stats` shows now: taken before sending, to tell what the sending added. */
export async function eventTotals(context: CliContext): Promise<EventAccount> {
  const { received, accepted, duplicates, rejected } = await accountEvents(context.events, context.rejected, {});
  return { received, accepted, duplicates, rejected };
}

/** Waits until the events queue is empty (every message stored, rejected or dead-lettered), then returns what changed since `before`. */
export async function waitUntilIngested(context: CliContext, before: EventAccount, timeoutMs: number): Promise<IngestedDelta> {
  await waitUntilEmpty(context.clients.sqs, context.outputs.eventsQueueUrl, timeoutMs, 'the events queue');
  const after = await eventTotals(context);
  return {
    received: after.received - before.received,
    accepted: after.accepted - before.accepted,
    duplicates: after.duplicates - before.duplicates,
    rejected: after.rejected - before.rejected,
    deadLettered: await messagesInFlight(context.clients.sqs, context.outputs.eventsDlqUrl),
  };
}

export function describeIngested(delta: IngestedDelta): string {
  return (
    `received ${delta.received} = accepted ${delta.accepted} + duplicates ${delta.duplicates} + rejected ${delta.rejected}` +
    (delta.deadLettered > 0
      ? `; ${delta.deadLettered} messages are in the events dead-letter queue (billflow dlq redrive, once the cause is fixed)`
      : '')
  );
}
