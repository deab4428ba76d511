/**
 * Ingests one batch of SQS messages carrying billing events.
 *
 * 1. Split each body into events; bodies that cannot be split are rejected whole.
 * 2. Look up the customers the events name, once per batch.
 * 3. Validate every event; the invalid ones become rejections with a reason.
 * 4. Pack the valid ones into chunks per customer, period and shard; write them.
 * 5. Record rejections and late periods.
 * 6. Report the messages whose events were not all stored: only those are retried.
 */
import type { Meter } from '../domain/catalog/types.ts';
import { billingPeriodOf } from '../domain/period.ts';
import { splitMessageBody } from '../formats/cloudevents-batch.ts';
import { indexMetersByEventType, type EventVerdict } from '../domain/events/validate-event.ts';
import { MAX_ATTRIBUTE_LENGTH, validateEvent } from '../formats/cloudevents.ts';
import { noSubscriptionReason } from '../domain/subscriptions/coverage.ts';
import type { Subscription } from '../domain/subscriptions/subscription.ts';
import { packChunks } from '../domain/events/pack-chunks.ts';
import { parseRfc3339 } from '../domain/events/rfc3339.ts';
import type { AcceptedEvent } from '../domain/events/billable-event.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { RejectedEventStore, Rejection } from '../ports/rejected-event-store.ts';

export interface IncomingMessage {
  readonly messageId: string;
  readonly body: string;
}

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

export async function ingestEvents(messages: readonly IncomingMessage[], deps: IngestDependencies): Promise<IngestOutcome> {
  const now = deps.now();
  const receivePeriod = billingPeriodOf(now);
  let rejections: Rejection[] = [];
  const parsed: { messageId: string; raw: unknown; text: string }[] = [];

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
    const parts = isolated(message.messageId, () =>
      splitMessageBody(message.body).map((part) =>
        part.kind === 'rejected' ? { ...part, identity: bestEffortIdentity(part.text, receivePeriod) } : part,
      ),
    );
    for (const part of parts ?? []) {
      if (part.kind === 'rejected') {
        rejections.push({ ...part.identity, body: part.text, reason: part.reason, messageId: message.messageId });
      } else {
        parsed.push({ messageId: message.messageId, raw: part.raw, text: part.text });
      }
    }
  }

  // Only subjects that can be customer ids are looked up: a 10,000-character one would fail the
  // whole lookup (DynamoDB keys stop at 2 KB); validation rejects it by its length anyway.
  const subjects = [
    ...new Set(parsed.map(({ raw }) => (raw as { subject?: unknown }).subject).filter((subject) => isString(subject) && subject.length <= MAX_ATTRIBUTE_LENGTH)),
  ] as string[];
  const [{ meters, gracePeriodMs }, known, subscriptions] = await Promise.all([
    deps.catalogRules(),
    deps.knownCustomers(subjects),
    deps.customerSubscriptions?.(subjects),
  ]);
  const context = { now, metersByEventType: indexMetersByEventType(meters), isKnownCustomer: (id: string) => known.has(id) };

  let accepted: { messageId: string; accepted: AcceptedEvent }[] = [];
  for (const { messageId, raw, text } of parsed) {
    if (poisoned.has(messageId)) continue;
    const verdict = isolated(messageId, () => {
      const validated = validateEvent(raw, context);
      const checked = validated.ok && subscriptions !== undefined ? subscriptionVerdict(validated, subscriptions) : validated;
      return checked.ok ? checked : { ...checked, identity: bestEffortIdentity(text, receivePeriod) };
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
  const [outcomes, rejectionStored] = await Promise.all([
    deps.events.writeChunks(chunks, now),
    deps.rejected.record(rejections, now),
  ]);

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

/** What a rejected text says about itself, as far as it can be read: for listing and statistics. */
function bestEffortIdentity(text: string, receivePeriod: string): Pick<Rejection, 'customerId' | 'source' | 'id' | 'period'> {
  let raw: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) raw = value as Record<string, unknown>;
  } catch {
    // Not JSON: nothing more to learn from it.
  }
  const time = isString(raw.time) ? parseRfc3339(raw.time) : undefined;
  return {
    period: time === undefined ? receivePeriod : billingPeriodOf(time),
    ...(isString(raw.subject) ? { customerId: raw.subject } : {}),
    ...(isString(raw.source) ? { source: raw.source } : {}),
    ...(isString(raw.id) ? { id: raw.id } : {}),
  };
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** A valid event is billable only where its customer has an active subscription at its `time`. */
function subscriptionVerdict(verdict: EventVerdict & { ok: true }, subscriptions: ReadonlyMap<string, readonly Subscription[]>): EventVerdict {
  const { customerId, event } = verdict.accepted;
  const reason = noSubscriptionReason(customerId, event.time, event.t, subscriptions.get(customerId) ?? []);
  return reason === undefined ? verdict : { ok: false, reason };
}
