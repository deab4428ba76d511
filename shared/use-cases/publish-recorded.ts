/**
 * Publishing facts that the store recorded in the outbound outbox with their change
 * (ports/outbound-outbox.ts): used where no retry of the step would publish them again (CLI
 * commands, API requests, a dunning reminder once recorded).
 *
 * - publishRecorded: right after the change. The `outbound` given is one that clears the outbox
 *   once the bus (or queue) took the facts (adapters/outbound-events.ts `outbox`). A failure is
 *   returned, not thrown: the change is stored and stands, and its facts wait in the outbox.
 * - flushOutbox: the sweep (the hourly invoice run): publishes whatever is still waiting, with
 *   the ids it was recorded with, then clears it. Publishing a fact the command published a
 *   moment earlier only repeats its id, which subscribers dedupe on.
 */
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import type { OutboundOutbox } from '#ports/outbound-outbox.ts';

/** Undefined once published; otherwise why not (the facts stay in the outbox for the sweep). */
export async function publishRecorded(outbound: OutboundEvents, facts: readonly OutboundFact[]): Promise<string | undefined> {
  try {
    await outbound.publish(facts);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Publishes every fact still in the outbox, then clears it; throws if the bus refused them (they stay for the next sweep). */
export async function flushOutbox(deps: { outbox: OutboundOutbox; outbound: OutboundEvents }): Promise<{ published: number }> {
  const pending = await deps.outbox.listPending();
  if (pending.length === 0) return { published: 0 };
  await deps.outbound.publish(pending);
  await deps.outbox.clear(pending);
  return { published: pending.length };
}

/**
 * `outbound` that also clears the outbox of what it published (what publishRecorded is given).
 * Once published, a fact that cannot be cleared is not an error of the publish: the sweep
 * publishes it once more, with the same id, and clears it then.
 */
export function clearingOutbox(outbound: OutboundEvents, outbox: OutboundOutbox): OutboundEvents {
  return {
    async publish(facts) {
      await outbound.publish(facts);
      await outbox.clear(facts).catch(() => undefined);
    },
  };
}
