/**
 * The credit note email, in the language of the invoice it corrects (as its PDF is): subject `Credit note
 * {number} for invoice {invoice} from {issuer}` in English, a text and an HTML body saying what
 * was credited and where the money goes, the PDF attached as `{number}.pdf`. The same letter as
 * the invoice email (greeting, signature, sender), every word from the catalogue
 * (`creditNoteEmail.*`, and the credit note PDF's sentences on where the money goes), values as
 * the invoice email writes them (English: "58.31 EUR", "2026-12-01"; others by Intl).
 */
import { invoiceLetter, type EmailContent } from '../invoice/email-content.ts';
import { emailWords, escapeHtml } from '../language/email-words.ts';
import type { CreditNote } from './types.ts';

/** `language`: the corrected invoice's (absent: English). */
export function creditNoteEmail(creditNote: CreditNote, kind: 'invoice' | 'resend', language?: string): EmailContent {
  const { number, invoiceNumber: invoice, currency } = creditNote;
  const written = language === undefined ? {} : { language };
  const { t, format } = emailWords(written);
  const money = (minor: number) => format.amount(minor, currency);
  const intro =
    kind === 'resend'
      ? t('creditNoteEmail.resent', { number })
      : t('creditNoteEmail.attached', { number, invoice, date: format.date(creditNote.invoiceIssueDate) });
  const rest = creditNote.total - creditNote.appliedToInvoice;
  const settled = [
    t('creditNoteEmail.credited', { amount: money(creditNote.total), reason: creditNote.reason }),
    ...(creditNote.appliedToInvoice > 0 ? [t('creditNote.reducesDue', { amount: money(creditNote.appliedToInvoice), invoice })] : []),
    ...(rest > 0
      ? [
          creditNote.settlement === 'refund'
            ? t('creditNote.refundedSentence', { amount: money(rest) })
            : t('creditNoteEmail.creditedToBalance', { amount: money(rest) }),
        ]
      : []),
  ];
  return invoiceLetter(
    { ...creditNote, ...written },
    number,
    t('creditNoteEmail.subject', { number, invoice, issuer: creditNote.seller.name }),
    {
      text: [intro, ...settled],
      html: [`<p>${escapeHtml(intro)}</p>`, `<p>${settled.map(escapeHtml).join('<br>')}</p>`],
    },
  );
}
