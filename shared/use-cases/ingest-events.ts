/**
 * Ingests one batch of SQS messages carrying billing events, as the edge read them
 * (shared/formats/event-messages.ts: bodies split, each event's structure read).
 *
 * 1. Bodies that could not be split are rejected whole; a message the edge could not read at
 *    all fails alone.
 * 2. Look up the customers the events name, once per batch.
 * 3. Check every event (structure, clock, customer, meter values, subscription); the invalid
 *    ones become rejections with a reason.
 * 4. Pack the valid ones into chunks per customer, period and shard; write them.
 * 5. Record rejections and late periods.
 * 6. Report the messages whose events were not all stored: only those are retried.
 */
import type { Meter } from '#domain/catalog/types.ts';
import { billingPeriodOf } from '#domain/period.ts';
import type { EventIdentity, EventMessage, EventRead } from '#domain/events/event-message.ts';
import { checkUsageEvent, indexMetersByEventType, type EventVerdict } from '#domain/events/validate-event.ts';
import { noSubscriptionReason } from '#domain/subscriptions/coverage.ts';
import type { Subscription } from '#domain/subscriptions/subscription.ts';
import { packChunks } from '#domain/events/pack-chunks.ts';
import { parseRfc3339 } from '#domain/events/rfc3339.ts';
import type { UsageEvent } from '#domain/events/usage-event.ts';
import type { AcceptedEvent } from '#domain/events/billable-event.ts';
import type { EventStore } from '#ports/event-store.ts';
import type { RejectedEventStore, Rejection } from '#ports/rejected-event-store.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { eventsRejected } from '#domain/outbound/facts.ts';

export interface IngestDependencies {
  readonly events: EventStore;
  readonly rejected: RejectedEventStore;
  /** What the current catalog says about events: its meters and grace period. */
  readonly catalogRules: () => Promise<IngestRules>;
  /** The ids among these that are customers in the catalog. */
  readonly knownCustomers: (ids: readonly string[]) => Promise<ReadonlySet<string>>;
  /**
   * The subscriptions of the known customers among these ids: an event whose `time` falls
   * where its customer has no active subscription is rejected. Absent: no such check.
   */
  readonly customerSubscriptions?: (ids: readonly string[]) => Promise<ReadonlyMap<string, readonly Subscription[]>>;
  readonly now: () => number;
  readonly maxChunkBytes: number;
  /** events.rejected, per stored rejection; a failure retries its message (counted as a redelivery). */
  readonly outbound: OutboundEvents;
}

export interface IngestRules {
  readonly meters: readonly Meter[];
  /** Chunks written after their period's grace period are marked, so the next invoice looks there. */
  readonly gracePeriodMs: number;
}

export interface IngestOutcome {
  readonly failedMessageIds: string[];
  /** Event deliveries seen in this batch, including those that will be retried. */
  readonly received: number;
  /** Deliveries stored in chunks (copies within the batch included; removed when read). */
  readonly stored: number;
  /** Copies of an event within this batch, stored once. */
  readonly duplicatesInBatch: number;
  readonly rejected: number;
  readonly late: number;
  readonly chunksWritten: number;
  readonly writeErrors: string[];
}

export async function ingestUsageEvents(messages: readonly EventMessage[], deps: IngestDependencies): Promise<IngestOutcome> {
  const now = deps.now();
  const receivePeriod = billingPeriodOf(now);
  let rejections: Rejection[] = [];
  const parsed: { messageId: string; read: EventRead; text: string }[] = [];

  // A message that throws where a bad one should have been rejected fails alone (retried, then
  // dead-lettered), never the batch: the other messages of the batch are stored now.
  const poisoned = new Map<string, string>();
  const isolated = <T>(messageId: string, step: () => T): T | undefined => {
    try {
      return step();
    } catch (error) {
      poisoned.set(messageId, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      return undefined;
    }
  };

  for (const message of messages) {
    if ('unreadable' in message) {
      poisoned.set(message.messageId, message.unreadable);
      continue;
    }
    for (const part of message.parts) {
      if (part.kind === 'rejected') {
        const identity = rejectionIdentity(part.identity, receivePeriod);
        rejections.push({ ...identity, body: part.text, reason: part.reason, messageId: message.messageId });
      } else {
        parsed.push({ messageId: message.messageId, read: part.read, text: part.text });
      }
    }
  }

  // Only the subjects of well-formed events are looked up: the format bounds their length, and a
  // 10,000-character one would fail the whole lookup (DynamoDB keys stop at 2 KB).
  const subjects = [...new Set(parsed.flatMap(({ read }) => (read.ok ? [read.event.subject] : [])))];
  const [{ meters, gracePeriodMs }, known, subscriptions] = await Promise.all([
    deps.catalogRules(),
    deps.knownCustomers(subjects),
    deps.customerSubscriptions?.(subjects),
  ]);
  const context = { now, metersByEventType: indexMetersByEventType(meters), isKnownCustomer: (id: string) => known.has(id) };

  let accepted: { messageId: string; accepted: AcceptedEvent }[] = [];
  for (const { messageId, read, text } of parsed) {
    if (poisoned.has(messageId)) continue;
    const verdict = isolated(messageId, () => {
      if (!read.ok) return { ok: false as const, reason: read.reason, identity: rejectionIdentity(read.identity, receivePeriod) };
      const validated = checkUsageEvent(read.event, context);
      const checked = validated.ok && subscriptions !== undefined ? subscriptionVerdict(validated, subscriptions) : validated;
      return checked.ok ? checked : { ...checked, identity: rejectionIdentity(identityOfEvent(read.event), receivePeriod) };
    });
    if (verdict === undefined) continue;
    if (verdict.ok) accepted.push({ messageId, accepted: verdict.accepted });
    else rejections.push({ ...verdict.identity, body: text, reason: verdict.reason, messageId });
  }

  // What a poisoned message had yielded before it threw is dropped: it is all read again on its retry.
  const healthy = <T extends { messageId: string }>(items: T[]) => items.filter(({ messageId }) => !poisoned.has(messageId));
  accepted = healthy(accepted);
  rejections = healthy(rejections);

  const chunks = packChunks(accepted, {
    shardCount: deps.events.shardCount,
    now,
    gracePeriodMs,
    maxChunkBytes: deps.maxChunkBytes,
  });
  const [outcomes, rejectionStored] = await Promise.all([deps.events.writeChunks(chunks, now), deps.rejected.record(rejections, now)]);

  const failed = new Set<string>(poisoned.keys());
  const writeErrors: string[] = [...poisoned].map(([messageId, error]) => `message ${messageId} could not be read: ${error}`);
  for (const outcome of outcomes) {
    if (outcome.written) continue;
    for (const id of outcome.chunk.messageIds) failed.add(id);
    writeErrors.push(outcome.error ?? 'not written');
  }
  rejections.forEach((rejection, index) => {
    if (!rejectionStored[index]) failed.add(rejection.messageId);
  });
  const published = rejections.filter((_, index) => rejectionStored[index]);
  await deps.outbound
    .publish(published.map((rejection) => eventsRejected({ ...rejection, at: new Date(now).toISOString() })))
    .catch((error: unknown) => {
      for (const rejection of published) failed.add(rejection.messageId);
      writeErrors.push(`events.rejected not published: ${(error as Error).message}`);
    });

  const latePeriods = outcomes.filter((o) => o.written && o.chunk.late).map(({ chunk }) => chunk);
  if (latePeriods.length > 0) {
    try {
      await deps.events.recordLatePeriods(latePeriods);
    } catch (error) {
      // Without the marker the next invoice would not look for these late events: retry them.
      for (const chunk of latePeriods) for (const id of chunk.messageIds) failed.add(id);
      writeErrors.push(`late marker: ${(error as Error).message}`);
    }
  }

  const written = outcomes.filter((o) => o.written).map((o) => o.chunk);
  const stored = written.reduce((sum, chunk) => sum + chunk.deliveries, 0);
  return {
    failedMessageIds: [...failed],
    received: accepted.length + rejections.length,
    stored,
    duplicatesInBatch: written.reduce((sum, chunk) => sum + chunk.deliveries - chunk.events.length, 0),
    rejected: rejectionStored.filter(Boolean).length,
    late: latePeriods.reduce((sum, chunk) => sum + chunk.deliveries, 0),
    chunksWritten: written.length,
    writeErrors,
  };
}

/** A rejection is listed and counted under its customer and period where the text names them, else the period it was received in. */
function rejectionIdentity(identity: EventIdentity, receivePeriod: string): Pick<Rejection, 'customerId' | 'source' | 'id' | 'period'> {
  return {
    period: identity.t === undefined ? receivePeriod : billingPeriodOf(identity.t),
    ...(identity.customerId === undefined ? {} : { customerId: identity.customerId }),
    ...(identity.source === undefined ? {} : { source: identity.source }),
    ...(identity.id === undefined ? {} : { id: identity.id }),
  };
}

function identityOfEvent(event: UsageEvent): EventIdentity {
  const t = parseRfc3339(event.time);
  return { customerId: event.subject, source: event.source, id: event.id, ...(t === undefined ? {} : { t }) };
}

/** A valid event is billable only where its customer has an active subscription at its `time`. */
function subscriptionVerdict(
  verdict: EventVerdict & { ok: true },
  subscriptions: ReadonlyMap<string, readonly Subscription[]>,
): EventVerdict {
  const { customerId, event } = verdict.accepted;
  const reason = noSubscriptionReason(customerId, event.time, event.t, subscriptions.get(customerId) ?? []);
  return reason === undefined ? verdict : { ok: false, reason };
}
