/**
 * The overdue reminder email (CONTRACTS.md section 4, dunning): subject
 * `Reminder: invoice {number} from {issuer name} is {n} days overdue`, a text and an HTML body
 * with what is still due and how to pay it, and the invoice PDF attached again as
 * `{number}.pdf` so the customer needs nothing else to pay. Pure: the words, not the MIME.
 */
import { escapeHtml, invoiceLetter, transferRequest, type EmailContent } from '../invoice/email-content.ts';
import type { Invoice } from '../invoice/invoice.ts';
import { formatMinor } from '../money.ts';

export function reminderEmail(invoice: Invoice, daysOverdue: number): EmailContent {
  if (invoice.number === null || invoice.dueDate === null) throw new Error('only a finalized invoice is reminded');
  const number = invoice.number;
  // amountDue, not total: after a partial payment the customer is asked for the rest only.
  const amount = `${formatMinor(invoice.amountDue, invoice.currency)} ${invoice.currency}`;
  const overdue = `${daysOverdue} ${daysOverdue === 1 ? 'day' : 'days'} overdue`;
  const issued = invoice.issueDate === null ? '' : ` of ${invoice.issueDate}`;
  const intro = `Our records show that invoice ${number}${issued}, due on ${invoice.dueDate}, is ${overdue}.`;
  const payment = transferRequest(invoice, number);
  const disregard = 'If you have already paid, please disregard this reminder.';
  const attached = `Invoice ${number} is attached again for your reference.`;
  return invoiceLetter(invoice, number, `Reminder: invoice ${number} from ${invoice.seller.name} is ${overdue}`, {
    text: [intro, `Amount due: ${amount}.`, payment, '', disregard, attached],
    html: [
      `<p>${escapeHtml(intro)}</p>`,
      `<p><strong>Amount due: ${escapeHtml(amount)}</strong>, due on <strong>${escapeHtml(invoice.dueDate)}</strong> (${overdue}).<br>`,
      `${escapeHtml(payment)}</p>`,
      `<p>${escapeHtml(disregard)}<br>${escapeHtml(attached)}</p>`,
    ],
  });
}
