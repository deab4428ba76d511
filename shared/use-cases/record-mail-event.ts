/**
 * Records what SES reports about an invoice email (configuration-set events via SNS):
 * a permanent bounce marks the invoice `bounced`; a complaint or a transient bounce is kept as
 * the invoice's delivery problem without changing its status; other events are acknowledged.
 */
import { z } from 'zod';
import { recordMailProblem } from '../domain/invoice/lifecycle.ts';
import type { InvoiceEmailLinks, IssuedInvoices } from '../ports/invoice-repository.ts';

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

export type MailEventOutcome = { readonly action: 'bounced' | 'problem_recorded' | 'ignored'; readonly number?: string };

export class UnknownEmailError extends Error {
  override readonly name = 'UnknownEmailError';
}

/** Accepts the SNS notification (raw message delivery off) or the SES event itself. */
export function parseMailEvent(body: string): z.infer<typeof sesEvent> {
  const outer = JSON.parse(body) as { Type?: string; Message?: string };
  return sesEvent.parse(outer.Type === 'Notification' && typeof outer.Message === 'string' ? JSON.parse(outer.Message) : outer);
}

/** Where a mail event is recorded: the invoice its message id was linked to. */
type MailEventInvoices = Pick<IssuedInvoices, 'update'> & Pick<InvoiceEmailLinks, 'findNumberByEmail'>;

export async function recordMailEvent(body: string, deps: { invoices: MailEventInvoices; now: () => number }): Promise<MailEventOutcome> {
  const event = parseMailEvent(body);
  if (event.eventType !== 'Bounce' && event.eventType !== 'Complaint') return { action: 'ignored' };
  const number = await deps.invoices.findNumberByEmail(event.mail.messageId);
  // Possibly the link is not written yet (the event overtook the sender): retry, then DLQ.
  if (number === undefined) throw new UnknownEmailError(`no invoice email with SES message id ${event.mail.messageId}`);
  const at = new Date(deps.now()).toISOString();
  const permanent = event.eventType === 'Bounce' && event.bounce?.bounceType === 'Permanent';
  const detail =
    event.eventType === 'Bounce'
      ? `${event.bounce?.bounceType ?? 'Unknown'} bounce${event.bounce?.bounceSubType ? ` (${event.bounce.bounceSubType})` : ''}: ${(event.bounce?.bouncedRecipients ?? [])
          .map((recipient) => `${recipient.emailAddress}${recipient.diagnosticCode ? ` ${recipient.diagnosticCode}` : ''}`)
          .join(', ')}`
      : `complaint${event.complaint?.complaintFeedbackType ? ` (${event.complaint.complaintFeedbackType})` : ''}`;
  const problem = { kind: event.eventType === 'Bounce' ? ('bounce' as const) : ('complaint' as const), detail, at };
  await deps.invoices.update(number, (current) => recordMailProblem(current, problem, permanent));
  return { action: permanent ? 'bounced' : 'problem_recorded', number };
}
