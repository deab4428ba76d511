/**
 * The invoice email (CONTRACTS.md section 4): subject `Invoice {number} from {issuer name}`,
 * a text and an HTML body with the amount due and the due date; the PDF is attached as
 * `{number}.pdf` by the mailer; and the letter it shares with the dunning reminders (greeting,
 * signature, how to pay). Pure: the words, not the MIME.
 */
import type { Invoice } from './invoice.ts';
import { emailWords, escapeHtml, htmlMessage } from '../language/email-words.ts';

export interface EmailContent {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachmentName: string;
}

/** `pageUrl`: the link to the hosted invoice page (issue 20), where the sender has one. */
export function invoiceEmail(invoice: Invoice, kind: 'invoice' | 'resend', pageUrl?: string): EmailContent {
  if (invoice.number === null || invoice.dueDate === null) throw new Error('only a finalized invoice is emailed');
  const { t, format } = emailWords(invoice);
  const number = invoice.number;
  const amount = format.amount(invoice.amountDue, invoice.currency);
  const intro = kind === 'resend' ? t('email.resent', { number }) : t('email.attached', { number });
  const period = t('email.supplyPeriod', { period: format.period(invoice.period) });
  const amountDue = t('email.amountDue', { amount });
  const dueDate = format.date(invoice.dueDate);
  const transfer = transferRequest(invoice, number);
  return invoiceLetter(invoice, number, t('email.subject', { number, issuer: invoice.seller.name }), {
    text: [
      intro,
      period,
      `${amountDue}, ${t('email.dueBy', { date: dueDate })}. ${transfer}`,
      ...(pageUrl === undefined ? [] : [t('email.viewOnline', { url: pageUrl })]),
    ],
    html: [
      `<p>${escapeHtml(intro)}<br>${escapeHtml(period)}</p>`,
      `<p><strong>${escapeHtml(amountDue)}</strong>, ${htmlMessage(t, 'email.dueBy', { date: dueDate })}.<br>`,
      `${escapeHtml(transfer)}</p>`,
      ...(pageUrl === undefined ? [] : [`<p><a href="${escapeHtml(pageUrl)}">${escapeHtml(t('email.viewOnlineLink'))}</a></p>`]),
    ],
  });
}

/** How to pay: by transfer to the seller's account, quoting the invoice number. */
export function transferRequest(invoice: Invoice, number: string): string {
  return emailWords(invoice).t('email.transfer', { iban: invoice.paymentMeans.iban, bic: invoice.paymentMeans.bic, number });
}

/**
 * An email about invoice `number` from its seller to its buyer: `body` (text lines, HTML
 * paragraphs) between the greeting and the seller's signature, with the invoice PDF attached.
 */
export function invoiceLetter(
  invoice: Pick<Invoice, 'seller' | 'buyer' | 'language'>,
  number: string,
  subject: string,
  body: { readonly text: readonly string[]; readonly html: readonly string[] },
): EmailContent {
  const { t } = emailWords(invoice);
  const greeting = t('email.greeting', { name: invoice.buyer.name });
  const closing = t('email.closing');
  const text = [greeting, '', ...body.text, '', closing, invoice.seller.name].join('\n');
  const html = [`<p>${escapeHtml(greeting)}</p>`, ...body.html, `<p>${escapeHtml(closing)}<br>${escapeHtml(invoice.seller.name)}</p>`].join(
    '\n',
  );
  return {
    from: `${invoice.seller.name} <${invoice.seller.email}>`,
    to: invoice.buyer.email,
    subject,
    text,
    html,
    attachmentName: `${number}.pdf`,
  };
}

export { escapeHtml } from '../language/email-words.ts';

/** S3 key of an invoice's PDF (CONTRACTS.md section 4). */
export function documentKey(prefix: string, number: string, issueDate: string): string {
  return `invoices/${prefix}/${issueDate.slice(0, 4)}/${number}.pdf`;
}

/** S3 key of an invoice's e-invoice XML, beside its PDF. */
export function einvoiceDocumentKey(prefix: string, number: string, issueDate: string): string {
  return documentKey(prefix, number, issueDate).replace(/\.pdf$/, '.xml');
}

/** The e-invoice XML's name as attached to the email. */
export function einvoiceAttachmentName(number: string): string {
  return `${number}.xml`;
}
