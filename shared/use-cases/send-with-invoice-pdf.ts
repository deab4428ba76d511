/**
 * Sends an email about an invoice (or a credit note) with its archived PDF attached: byte for
 * byte the stored document, never a fresh rendering (the invoice and credit note emails, resends
 * and overdue reminders).
 * With `withEInvoice`, the stored e-invoice XML too (the invoice email and resends only: a
 * buyer's e-invoice inbox would book the XML of a reminder as another invoice).
 */
import { einvoiceAttachmentName, type EmailContent } from '#domain/invoice/email-content.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { Mailer } from '#ports/mailer.ts';

export async function sendWithInvoicePdf(
  content: EmailContent,
  invoice: Pick<Invoice, 'number' | 'document' | 'einvoiceDocument'>,
  deps: { readonly documents: Pick<DocumentStore, 'get'>; readonly mailer: Mailer },
  withEInvoice = false,
): Promise<string> {
  if (invoice.document === null) throw new Error(`invoice ${invoice.number} has no stored document to attach`);
  const pdf = await deps.documents.get(invoice.document.key);
  const xml = withEInvoice && invoice.einvoiceDocument !== undefined ? await deps.documents.get(invoice.einvoiceDocument.key) : undefined;
  return deps.mailer.send({
    from: content.from,
    to: content.to,
    subject: content.subject,
    text: content.text,
    html: content.html,
    attachment: { filename: content.attachmentName, content: pdf, contentType: 'application/pdf' },
    ...(xml === undefined
      ? {}
      : { moreAttachments: [{ filename: einvoiceAttachmentName(invoice.number!), content: xml, contentType: 'application/xml' }] }),
  });
}
