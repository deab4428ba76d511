/**
 * Reads the events queue's messages at the edge, for the ingest use case: each body split into
 * the events it carries (./cloudevents-batch.ts), and each event's structure read into the
 * domain's UsageEvent (./cloudevents.ts). Nothing is dropped here: a body or an event that
 * cannot be read comes back with its original text, a reason and what it says about itself;
 * a message whose reading throws comes back unreadable, so it is retried alone.
 */
import type { EventIdentity, EventMessage, EventPart, EventRead } from '#domain/events/event-message.ts';
import { parseRfc3339 } from '#domain/events/rfc3339.ts';
import { splitMessageBody } from './cloudevents-batch.ts';
import { cloudEventSchema, describeSchemaIssues } from './cloudevents.ts';

export function readEventMessage(message: { readonly messageId: string; readonly body: string }): EventMessage {
  try {
    const parts = splitMessageBody(message.body).map((part): EventPart =>
      part.kind === 'rejected'
        ? { ...part, identity: identityOf(part.text) }
        : { kind: 'read', text: part.text, read: readUsageEvent(part.raw, part.text) },
    );
    return { messageId: message.messageId, parts };
  } catch (error) {
    return { messageId: message.messageId, unreadable: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

function readUsageEvent(raw: unknown, text: string): EventRead {
  const parsed = cloudEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: describeSchemaIssues(parsed.error), identity: identityOf(text) };
  return { ok: true, event: parsed.data };
}

function identityOf(text: string): EventIdentity {
  let raw: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) raw = value as Record<string, unknown>;
  } catch {
    // Not JSON: nothing more to learn from it.
  }
  const t = typeof raw.time === 'string' ? parseRfc3339(raw.time) : undefined;
  return {
    ...(typeof raw.subject === 'string' ? { customerId: raw.subject } : {}),
    ...(typeof raw.source === 'string' ? { source: raw.source } : {}),
    ...(typeof raw.id === 'string' ? { id: raw.id } : {}),
    ...(t === undefined ? {} : { t }),
  };
}
