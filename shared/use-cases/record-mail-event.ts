/**
 * Records what the mail provider reports about an invoice or credit note email (read at the
 * edge into a MailEvent): a permanent bounce marks the invoice (or the credit note's delivery)
 * `bounced`; a complaint or a transient bounce is kept as its delivery problem without changing
 * its status; other events are acknowledged. Both kinds of number share the message id links;
 * a credit note number (`{prefix}-CN-...`) never looks like an invoice number.
 */
import { parseCreditNoteNumber } from '#domain/credit-notes/numbering.ts';
import { withMailProblem } from '#domain/delivery/document-delivery.ts';
import type { MailEvent } from '#domain/delivery/mail-event.ts';
import { recordMailProblem } from '#domain/invoice/lifecycle.ts';
import type { CreditNoteDeliveries } from '#ports/credit-note-store.ts';
import { invoiceDeliveryFailed } from '#domain/outbound/facts.ts';
import type { InvoiceEmailLinks, IssuedInvoices } from '#ports/invoice-repository.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { UnknownEmailError } from './errors.ts';

export type MailEventOutcome = { readonly action: 'bounced' | 'problem_recorded' | 'ignored'; readonly number?: string };

/** Where a mail event is recorded: the invoice its message id was linked to. */
type MailEventInvoices = Pick<IssuedInvoices, 'update'> & Pick<InvoiceEmailLinks, 'findNumberByEmail'>;

export async function recordMailEvent(
  event: MailEvent,
  deps: {
    invoices: MailEventInvoices;
    creditNotes: Pick<CreditNoteDeliveries, 'updateDelivery'>;
    now: () => number;
    outbound: OutboundEvents;
  },
): Promise<MailEventOutcome> {
  if (event.kind === 'other') return { action: 'ignored' };
  const number = await deps.invoices.findNumberByEmail(event.messageId);
  // Possibly the link is not written yet (the event overtook the sender): retry, then DLQ.
  if (number === undefined) throw new UnknownEmailError(`no invoice email with SES message id ${event.messageId}`);
  const at = new Date(deps.now()).toISOString();
  const permanent = event.kind === 'bounce' && event.permanent;
  const problem = { kind: event.kind, detail: event.detail, at };
  if (parseCreditNoteNumber(number) !== undefined) {
    await deps.creditNotes.updateDelivery(number, ({ delivery }) => withMailProblem(delivery, problem, permanent));
    return { action: permanent ? 'bounced' : 'problem_recorded', number };
  }
  const { invoice } = await deps.invoices.update(number, (current) => recordMailProblem(current, problem, permanent));
  if (permanent)
    await deps.outbound.publish([invoiceDeliveryFailed(invoice, { kind: 'bounce', detail: event.detail, at, messageId: event.messageId })]);
  return { action: permanent ? 'bounced' : 'problem_recorded', number };
}
