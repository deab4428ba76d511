/**
 * The overdue reminder email (CONTRACTS.md section 4, dunning): subject
 * `Reminder: invoice {number} from {issuer name} is {n} days overdue`, a text and an HTML body
 * with what is still due and how to pay it, and the invoice PDF attached again as
 * `{number}.pdf` so the customer needs nothing else to pay. Pure: the words, not the MIME.
 */
import { escapeHtml, invoiceLetter, transferRequest, type EmailContent } from '../invoice/email-content.ts';
import type { Invoice } from '../invoice/invoice.ts';
import { emailWords, htmlMessage } from '../language/email-words.ts';

export function reminderEmail(invoice: Invoice, daysOverdue: number): EmailContent {
  if (invoice.number === null || invoice.dueDate === null) throw new Error('only a finalized invoice is reminded');
  const number = invoice.number;
  const { t, format } = emailWords(invoice);
  // amountDue, not total: after a partial payment the customer is asked for the rest only.
  const amountDue = t('email.amountDue', { amount: format.amount(invoice.amountDue, invoice.currency) });
  const overdue = t('reminder.overdue', { count: daysOverdue });
  const dueDate = format.date(invoice.dueDate);
  const intro =
    invoice.issueDate === null
      ? t('reminder.intro', { number, dueDate, overdue })
      : t('reminder.introIssued', { number, issueDate: format.date(invoice.issueDate), dueDate, overdue });
  const payment = transferRequest(invoice, number);
  const disregard = t('reminder.disregard');
  const attached = t('reminder.attachedAgain', { number });
  return invoiceLetter(invoice, number, t('reminder.subject', { number, issuer: invoice.seller.name, overdue }), {
    text: [intro, `${amountDue}.`, payment, '', disregard, attached],
    html: [
      `<p>${escapeHtml(intro)}</p>`,
      `<p><strong>${escapeHtml(amountDue)}</strong>, ${htmlMessage(t, 'reminder.dueOn', { date: dueDate })} (${escapeHtml(overdue)}).<br>`,
      `${escapeHtml(payment)}</p>`,
      `<p>${escapeHtml(disregard)}<br>${escapeHtml(attached)}</p>`,
    ],
  });
}
