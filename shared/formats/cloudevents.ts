/**
 * The wire format of one billing event as upstream systems publish it: a CloudEvent 1.0 in
 * structured JSON mode (CONTRACTS.md section 1), read into the domain's UsageEvent. Only the
 * structure is checked here; rules that need the clock or the catalog (known customer, meter
 * values) are the domain's (shared/domain/events/validate-event.ts). The message body that
 * carries one or a batch of them: ./cloudevents-batch.ts.
 */
import { z } from 'zod';
import { parseRfc3339 } from '#domain/events/rfc3339.ts';
import { checkUsageEvent, type EventVerdict, type ValidationContext } from '#domain/events/validate-event.ts';

/** A missing attribute and a mistyped one need different fixes, so they get different messages. */
const missingOr = (field: string, wrongType: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${field} is missing` : wrongType;

/** Longest `id`, `source`, `type` and `subject` accepted (Stripe and Lago cap identifiers too). */
export const MAX_ATTRIBUTE_LENGTH = 256;

const nonEmpty = (field: string, what: string = field) =>
  z
    .string({ error: missingOr(field, `${what} must be a string`) })
    .min(1, `${what} must not be empty`)
    .max(MAX_ATTRIBUTE_LENGTH, {
      error: (issue) =>
        `${what} is ${typeof issue.input === 'string' ? issue.input.length : 'too many'} characters long; at most ${MAX_ATTRIBUTE_LENGTH} are accepted: shorten it`,
    });

export const cloudEventSchema = z
  .object({
    specversion: z.literal('1.0', { error: 'specversion must be "1.0"' }),
    id: nonEmpty('id'),
    source: nonEmpty('source'),
    type: nonEmpty('type'),
    subject: nonEmpty('subject', 'subject (the customer id)'),
    time: z
      .string({ error: missingOr('time', 'time must be an RFC 3339 timestamp string, e.g. 2026-11-03T10:00:00Z') })
      // One check, one message: a malformed time is not also reported as an impossible date.
      .refine(
        (value) => parseRfc3339(value) !== undefined,
        'time must be a real RFC 3339 date-time with an offset, e.g. 2026-11-03T10:00:00Z',
      ),
    datacontenttype: z.string().optional(),
    dataschema: z.string().optional(),
    data: z.unknown().optional(),
  })
  // CloudEvents allows extension attributes; they are accepted and not stored.
  .loose();

export type CloudEvent = z.infer<typeof cloudEventSchema>;

/** Turns zod issues into one sentence a person can act on. */
export function describeSchemaIssues(error: z.ZodError): string {
  return error.issues.map((issue) => issue.message).join('; ');
}

/** Reads one event of a message body and decides whether it can be billed: its structure first, then the domain's rules. */
export function validateEvent(raw: unknown, context: ValidationContext): EventVerdict {
  const parsed = cloudEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: describeSchemaIssues(parsed.error) };
  return checkUsageEvent(parsed.data, context);
}
