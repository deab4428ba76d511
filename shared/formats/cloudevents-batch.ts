/**
 * Splits one SQS message body into the events it carries: a single CloudEvent object, or a
 * JSON array of at most 100 (the CloudEvents JSON batch format). What cannot be split is
 * returned as rejected with its original text, so nothing accepted by SQS is ever lost.
 */

import { measureJson } from './json-shape.ts';

export const MAX_EVENTS_PER_BODY = 100;
/** Largest single event accepted, serialized; usage events carry counters, not documents. */
export const MAX_EVENT_BYTES = 64 * 1024;
/**
 * Deepest nesting of `data` (objects and arrays) accepted. Checked on the text, before
 * anything recursive (JSON.stringify, zod, the chunk writer) touches the event.
 */
export const MAX_DATA_DEPTH = 32;

export type BodyPart =
  | { readonly kind: 'event'; readonly raw: unknown; readonly text: string }
  | { readonly kind: 'rejected'; readonly text: string; readonly reason: string };

export function splitMessageBody(body: string): BodyPart[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return [
      {
        kind: 'rejected',
        text: body,
        reason: `body is not JSON (${(error as Error).message}): send one CloudEvent object or a JSON array of them`,
      },
    ];
  }
  const shape = measureJson(body);
  if (!Array.isArray(parsed)) return [eventPart(parsed, body, shape.depth)];
  if (parsed.length === 0) {
    return [{ kind: 'rejected', text: body, reason: 'batch is an empty JSON array: send 1 to 100 events' }];
  }
  const elements = shape.elements ?? [];
  // Re-serialized only when shallow enough to serialize; a too-deep element keeps its original text.
  const textOf = (raw: unknown, index: number) => {
    const element = elements[index]!;
    return element.depth > MAX_DATA_DEPTH + 1 ? element.text : JSON.stringify(raw);
  };
  if (parsed.length > MAX_EVENTS_PER_BODY) {
    // Each event is kept on its own, so `billflow events replay` can re-send them in smaller batches.
    const reason = `arrived in a batch of ${parsed.length} events; a batch holds at most ${MAX_EVENTS_PER_BODY}: split it`;
    return parsed.map((raw, index) => ({ kind: 'rejected', text: textOf(raw, index), reason }));
  }
  return parsed.map((raw, index) => eventPart(raw, textOf(raw, index), elements[index]!.depth));
}

/** `depth` counts the event object itself: its `data` nests one level less. */
function eventPart(raw: unknown, text: string, depth: number): BodyPart {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { kind: 'rejected', text, reason: 'event is not a JSON object: each event must be a CloudEvent object' };
  }
  if (depth - 1 > MAX_DATA_DEPTH) {
    return {
      kind: 'rejected',
      text,
      reason: `data (or another attribute) nests ${depth - 1} levels deep; at most ${MAX_DATA_DEPTH} levels of objects and arrays are accepted: flatten it`,
    };
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EVENT_BYTES) {
    return {
      kind: 'rejected',
      text,
      reason: `event is ${bytes} bytes; at most ${MAX_EVENT_BYTES} are accepted: keep large payloads out of usage events`,
    };
  }
  return { kind: 'event', raw, text };
}

/**
 * Groups event texts into message bodies to send again: texts that are one JSON object travel
 * together, in batch bodies of up to MAX_EVENTS_PER_BODY; anything else goes alone, as it came
 * (so it is rejected again with the same reason). Each body lists the indexes of its texts.
 */
export function groupEventTexts(texts: readonly string[]): { readonly body: string; readonly members: readonly number[] }[] {
  const indexes = texts.map((_, index) => index);
  const objects = indexes.filter((index) => isJsonObject(texts[index]!));
  const others = indexes.filter((index) => !isJsonObject(texts[index]!));
  const groups: number[][] = [];
  for (let start = 0; start < objects.length; start += MAX_EVENTS_PER_BODY) groups.push(objects.slice(start, start + MAX_EVENTS_PER_BODY));
  for (const other of others) groups.push([other]);
  return groups.map((members) => {
    const alone = members.length === 1 && !isJsonObject(texts[members[0]!]!);
    return { body: alone ? texts[members[0]!]! : `[${members.map((index) => texts[index]).join(',')}]`, members };
  });
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}
