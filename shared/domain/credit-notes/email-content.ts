/**
 * The credit note email: subject `Credit note {number} for invoice {invoice} from {issuer}`,
 * a text and an HTML body saying what was credited and where the money goes, the PDF attached
 * as `{number}.pdf`. The same letter as the invoice email (greeting, signature, sender).
 */
import { escapeHtml, invoiceLetter, type EmailContent } from '../invoice/email-content.ts';
import { formatMinor } from '../money.ts';
import type { CreditNote } from './types.ts';

export function creditNoteEmail(creditNote: CreditNote, kind: 'invoice' | 'resend'): EmailContent {
  const { number, invoiceNumber, currency } = creditNote;
  const money = (minor: number) => `${formatMinor(minor, currency)} ${currency}`;
  const intro =
    kind === 'resend'
      ? `As requested, here is credit note ${number} again.`
      : `Please find attached credit note ${number}, which corrects invoice ${invoiceNumber} of ${creditNote.invoiceIssueDate}.`;
  const rest = creditNote.total - creditNote.appliedToInvoice;
  const settled = [
    `Credited: ${money(creditNote.total)}. Reason: ${creditNote.reason}`,
    ...(creditNote.appliedToInvoice > 0 ? [`${money(creditNote.appliedToInvoice)} reduces what is due on invoice ${invoiceNumber}.`] : []),
    ...(rest > 0
      ? [creditNote.settlement === 'refund' ? `${money(rest)} is refunded to you.` : `${money(rest)} is credited to your balance.`]
      : []),
  ];
  return invoiceLetter(creditNote, number, `Credit note ${number} for invoice ${invoiceNumber} from ${creditNote.seller.name}`, {
    text: [intro, ...settled],
    html: [`<p>${escapeHtml(intro)}</p>`, `<p>${settled.map(escapeHtml).join('<br>')}</p>`],
  });
}
