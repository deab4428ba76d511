/**
 * The SES configuration-set event format, as it reaches the invoice-mail-events queue: inside an
 * SNS notification (raw message delivery off), or the SES event itself. Read at the edge into
 * the domain's MailEvent.
 */
import { z } from 'zod';
import type { MailEvent } from '#domain/delivery/mail-event.ts';
import { NotAMailNotificationError } from './errors.ts';

const sesEvent = z
  .object({
    eventType: z.string(),
    mail: z.object({ messageId: z.string().min(1), timestamp: z.string().optional() }).loose(),
    bounce: z
      .object({
        bounceType: z.string(),
        bounceSubType: z.string().optional(),
        bouncedRecipients: z.array(z.object({ emailAddress: z.string(), diagnosticCode: z.string().optional() }).loose()).default([]),
        timestamp: z.string().optional(),
      })
      .loose()
      .optional(),
    complaint: z.object({ complaintFeedbackType: z.string().optional(), timestamp: z.string().optional() }).loose().optional(),
  })
  .loose();

type SesEvent = z.infer<typeof sesEvent>;

export function parseMailNotification(body: string): MailEvent {
  const event = parseSesEvent(body);
  const messageId = event.mail.messageId;
  if (event.eventType === 'Bounce') {
    return { kind: 'bounce', messageId, permanent: event.bounce?.bounceType === 'Permanent', detail: bounceDetail(event.bounce) };
  }
  if (event.eventType === 'Complaint') {
    const feedback = event.complaint?.complaintFeedbackType;
    return { kind: 'complaint', messageId, detail: `complaint${feedback ? ` (${feedback})` : ''}` };
  }
  return { kind: 'other', messageId };
}

function parseSesEvent(body: string): SesEvent {
  let outer: { Type?: string; Message?: string };
  let inner: unknown;
  try {
    outer = JSON.parse(body) as { Type?: string; Message?: string };
    inner = outer?.Type === 'Notification' && typeof outer.Message === 'string' ? JSON.parse(outer.Message) : outer;
  } catch (error) {
    const problem = (error as Error).message;
    throw new NotAMailNotificationError(`the body is not JSON (${problem}): expected an SES event or an SNS notification of one`);
  }
  const parsed = sesEvent.safeParse(inner);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
    throw new NotAMailNotificationError(`the body is not an SES event: ${issues}`);
  }
  return parsed.data;
}

function bounceDetail(bounce: SesEvent['bounce']): string {
  const recipients = (bounce?.bouncedRecipients ?? [])
    .map((recipient) => `${recipient.emailAddress}${recipient.diagnosticCode ? ` ${recipient.diagnosticCode}` : ''}`)
    .join(', ');
  return `${bounce?.bounceType ?? 'Unknown'} bounce${bounce?.bounceSubType ? ` (${bounce.bounceSubType})` : ''}: ${recipients}`;
}
