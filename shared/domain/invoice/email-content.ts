/**
 * The invoice email (CONTRACTS.md section 4): subject `Invoice {number} from {issuer name}`,
 * a text and an HTML body with the amount due and the due date; the PDF is attached as
 * `{number}.pdf` by the mailer; and the letter it shares with the dunning reminders (greeting,
 * signature, how to pay). Pure: the words, not the MIME.
 */
import { formatMinor } from '../money.ts';
import type { Invoice } from './invoice.ts';

export interface EmailContent {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachmentName: string;
}

export function invoiceEmail(invoice: Invoice, kind: 'invoice' | 'resend'): EmailContent {
  if (invoice.number === null || invoice.dueDate === null) throw new Error('only a finalized invoice is emailed');
  const amount = `${formatMinor(invoice.amountDue, invoice.currency)} ${invoice.currency}`;
  const intro =
    kind === 'resend' ? `As requested, here is invoice ${invoice.number} again.` : `Please find attached invoice ${invoice.number}.`;
  const period = `${invoice.period.start.slice(0, 10)} to ${new Date(Date.parse(invoice.period.end) - 1).toISOString().slice(0, 10)}`;
  const transfer = transferRequest(invoice, invoice.number);
  return invoiceLetter(invoice, invoice.number, `Invoice ${invoice.number} from ${invoice.seller.name}`, {
    text: [intro, `Supply period: ${period}.`, `Amount due: ${amount}, due by ${invoice.dueDate}. ${transfer}`],
    html: [
      `<p>${escapeHtml(intro)}<br>Supply period: ${period}.</p>`,
      `<p><strong>Amount due: ${escapeHtml(amount)}</strong>, due by <strong>${invoice.dueDate}</strong>.<br>`,
      `${escapeHtml(transfer)}</p>`,
    ],
  });
}

/** How to pay: by transfer to the seller's account, quoting the invoice number. */
export function transferRequest(invoice: Invoice, number: string): string {
  return `Please transfer it to IBAN ${invoice.paymentMeans.iban} (BIC ${invoice.paymentMeans.bic}) quoting the reference ${number}.`;
}

/**
 * An email about invoice `number` from its seller to its buyer: `body` (text lines, HTML
 * paragraphs) between the greeting and the seller's signature, with the invoice PDF attached.
 */
export function invoiceLetter(
  invoice: Pick<Invoice, 'seller' | 'buyer'>,
  number: string,
  subject: string,
  body: { readonly text: readonly string[]; readonly html: readonly string[] },
): EmailContent {
  const text = [`Dear ${invoice.buyer.name},`, '', ...body.text, '', 'Kind regards,', invoice.seller.name].join('\n');
  const html = [
    `<p>Dear ${escapeHtml(invoice.buyer.name)},</p>`,
    ...body.html,
    `<p>Kind regards,<br>${escapeHtml(invoice.seller.name)}</p>`,
  ].join('\n');
  return {
    from: `${invoice.seller.name} <${invoice.seller.email}>`,
    to: invoice.buyer.email,
    subject,
    text,
    html,
    attachmentName: `${number}.pdf`,
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

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
