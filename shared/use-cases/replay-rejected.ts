/**
 * Re-submits rejected events to the events queue after the cause was fixed (a customer added
 * to the catalog, a sender's clock corrected, a batch split).
 *
 * 1. Select the open rejections (optionally of one period, or by key).
 * 2. Mark them replayed first: if the pipeline rejects one again before this finishes, its
 *    new rejection reopens it and must not be overwritten.
 * 3. Send their bodies (the sender groups them into batch bodies: see groupEventTexts in
 *    shared/formats/cloudevents-batch.ts).
 * 4. Reopen those that could not be sent.
 */
import type { RejectedEvent, RejectedEventStore } from '#ports/rejected-event-store.ts';

export interface ReplayResult {
  readonly selected: number;
  readonly sent: number;
  /** The keys of the rejected events sent again (a new rejection of one reopens its key). */
  readonly sentKeys: string[];
  readonly failed: { key: string; error: string }[];
}

export async function replayRejected(
  store: RejectedEventStore,
  /** Sends the rejected events' bodies to the events queue; returns those not sent, by index. */
  send: (bodies: readonly string[]) => Promise<{ failed: { index: number; error: string }[] }>,
  filter: { period?: string; keys?: readonly string[] },
  now: number,
): Promise<ReplayResult> {
  const selected: RejectedEvent[] = [];
  const wanted = filter.keys === undefined ? undefined : new Set(filter.keys);
  for await (const rejection of store.list({ status: 'open', ...(filter.period === undefined ? {} : { period: filter.period }) })) {
    if (wanted === undefined || wanted.has(rejection.key)) selected.push(rejection);
  }
  if (selected.length === 0) return { selected: 0, sent: 0, sentKeys: [], failed: [] };
  await store.markReplayed(selected, now);

  const { failed } = await send(selected.map((rejection) => rejection.body));
  const failedEvents = failed.map(({ index, error }) => ({ rejection: selected[index]!, error }));
  if (failedEvents.length > 0) await store.reopen(failedEvents.map(({ rejection }) => rejection));
  const notSent = new Set(failedEvents.map(({ rejection }) => rejection.key));
  return {
    selected: selected.length,
    sent: selected.length - failedEvents.length,
    sentKeys: selected.map((rejection) => rejection.key).filter((key) => !notSent.has(key)),
    failed: failedEvents.map(({ rejection, error }) => ({ key: rejection.key, error })),
  };
}
