/**
 * The invoice email (CONTRACTS.md section 4): subject `Invoice {number} from {issuer name}`,
 * a text and an HTML body with the amount due and the due date; the PDF is attached as
 * `{number}.pdf` by the mailer. Pure: the words, not the MIME.
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
  const payment = `Amount due: ${amount}, due by ${invoice.dueDate}. Please transfer it to IBAN ${invoice.paymentMeans.iban} (BIC ${invoice.paymentMeans.bic}) quoting the reference ${invoice.number}.`;
  const text = [
    `Dear ${invoice.buyer.name},`,
    '',
    intro,
    `Supply period: ${period}.`,
    payment,
    '',
    'Kind regards,',
    invoice.seller.name,
  ].join('\n');
  const html = [
    `<p>Dear ${escapeHtml(invoice.buyer.name)},</p>`,
    `<p>${escapeHtml(intro)}<br>Supply period: ${period}.</p>`,
    `<p><strong>Amount due: ${escapeHtml(amount)}</strong>, due by <strong>${invoice.dueDate}</strong>.<br>`,
    `Please transfer it to IBAN ${escapeHtml(invoice.paymentMeans.iban)} (BIC ${escapeHtml(invoice.paymentMeans.bic)}) quoting the reference ${escapeHtml(invoice.number)}.</p>`,
    `<p>Kind regards,<br>${escapeHtml(invoice.seller.name)}</p>`,
  ].join('\n');
  return {
    from: `${invoice.seller.name} <${invoice.seller.email}>`,
    to: invoice.buyer.email,
    subject: `Invoice ${invoice.number} from ${invoice.seller.name}`,
    text,
    html,
    attachmentName: `${invoice.number}.pdf`,
  };
}

function escapeHtml(text: string): string {
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
