/**
 * Splits one SQS message body into the events it carries: a single CloudEvent object, or a
 * JSON array of at most 100 (the CloudEvents JSON batch format). What cannot be split is
 * returned as rejected with its original text, so nothing accepted by SQS is ever lost.
 */

export const MAX_EVENTS_PER_BODY = 100;
/** Largest single event accepted, serialized; usage events carry counters, not documents. */
export const MAX_EVENT_BYTES = 64 * 1024;

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
  if (!Array.isArray(parsed)) return [eventPart(parsed, body)];
  if (parsed.length === 0) {
    return [{ kind: 'rejected', text: body, reason: 'batch is an empty JSON array: send 1 to 100 events' }];
  }
  if (parsed.length > MAX_EVENTS_PER_BODY) {
    // Each event is kept on its own, so `billflow events replay` can re-send them in smaller batches.
    const reason = `arrived in a batch of ${parsed.length} events; a batch holds at most ${MAX_EVENTS_PER_BODY}: split it`;
    return parsed.map((raw) => ({ kind: 'rejected', text: JSON.stringify(raw), reason }));
  }
  return parsed.map((raw) => eventPart(raw, JSON.stringify(raw)));
}

function eventPart(raw: unknown, text: string): BodyPart {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { kind: 'rejected', text, reason: 'event is not a JSON object: each event must be a CloudEvent object' };
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
