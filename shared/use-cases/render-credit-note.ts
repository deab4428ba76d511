/**
 * Renders an issued credit note to PDF and stores it once: render-invoice's step for a render
 * request of document `credit_note` (messages/render-request.ts).
 *
 * 1. Nothing to render for a credit note that already has its document.
 * 2. Read the invoice it corrects (its supply period, payment means and e-invoice data). For a
 *    customer with an XML format (XRechnung CII or UBL, Peppol), first write the credit note's
 *    XML once at credit-notes/{prefix}/{YYYY}/{number}.xml (CII 381, or a UBL CreditNote).
 * 3. Render the PDF (Factur-X type 381 inside) and store it at
 *    credit-notes/{prefix}/{YYYY}/{number}.pdf; if one is there (an earlier attempt), that one
 *    is kept and recorded. Record key, SHA-256 and size on the credit note: delivery `rendered`.
 * 4. Ask for the email, unless it was already sent.
 * Idempotent on the credit note number: a redelivered message repeats no side effect.
 */
import { creditNoteDocumentKey, creditNoteXmlKey, type DeliveredCreditNote } from '#domain/credit-notes/delivery.ts';
import type { CreditNote } from '#domain/credit-notes/types.ts';
import { withDocument } from '#domain/delivery/document-delivery.ts';
import { creditNoteEInvoice } from '#domain/einvoice/credit-note.ts';
import { separateXmlFormat } from '#domain/einvoice/settings.ts';
import { CreditNoteNotFoundError, InvoiceNotFoundError } from '#domain/errors.ts';
import type { EInvoiceStoredDocument, Invoice } from '#domain/invoice/invoice.ts';
import type { CreditNoteDeliveries } from '#ports/credit-note-store.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { IssuedInvoices } from '#ports/invoice-repository.ts';

export interface RenderCreditNoteDependencies {
  readonly creditNotes: CreditNoteDeliveries;
  readonly invoices: Pick<IssuedInvoices, 'findByNumber'>;
  readonly documents: DocumentStore;
  readonly render: (creditNote: CreditNote, invoice: Invoice) => Promise<Buffer>;
  readonly requestEmail: (number: string) => Promise<void>;
  readonly now: () => number;
}

export interface CreditNoteRenderOutcome {
  readonly action: 'rendered' | 'already_rendered';
  readonly delivered: DeliveredCreditNote;
  readonly renderMs: number;
}

export async function renderCreditNote(number: string, deps: RenderCreditNoteDependencies): Promise<CreditNoteRenderOutcome> {
  const found = await deps.creditNotes.findDelivered(number);
  if (found === undefined) throw new CreditNoteNotFoundError(`no credit note ${number}`);
  let delivered = found;
  let renderMs = 0;
  let action: CreditNoteRenderOutcome['action'] = 'already_rendered';
  if (found.delivery.document === null) {
    const { creditNote } = found;
    const invoice = await deps.invoices.findByNumber(creditNote.invoiceNumber);
    if (invoice === undefined)
      throw new InvoiceNotFoundError(`credit note ${number} corrects ${creditNote.invoiceNumber}, which is not stored`);
    const einvoice = await storeEInvoice(creditNote, invoice, deps.documents);
    const started = performance.now();
    const pdf = await deps.render(creditNote, invoice);
    renderMs = performance.now() - started;
    const key = creditNoteDocumentKey(creditNote);
    const stored = await deps.documents.putOnce(key, pdf, 'application/pdf');
    const renderedAt = new Date(deps.now()).toISOString();
    const document = { bucket: deps.documents.bucket, key, sha256: stored.sha256, bytes: stored.bytes, renderedAt };
    const recorded = await deps.creditNotes.updateDelivery(number, ({ delivery }) =>
      delivery.document === null
        ? { ...withDocument(delivery, document), ...(einvoice === undefined ? {} : { einvoiceDocument: einvoice }) }
        : undefined,
    );
    delivered = recorded.delivered;
    action = recorded.changed ? 'rendered' : 'already_rendered';
  }
  const status = delivered.delivery.deliveryStatus;
  if (status === 'rendered' || status === 'sending') await deps.requestEmail(number);
  return { action, delivered, renderMs };
}

/** The customer's XML format (XRechnung CII or UBL, Peppol), written once beside the PDF; undefined for PDF-only customers. */
async function storeEInvoice(
  creditNote: CreditNote,
  invoice: Invoice,
  documents: DocumentStore,
): Promise<EInvoiceStoredDocument | undefined> {
  const format = separateXmlFormat(invoice);
  if (format === undefined) return undefined;
  const { xml } = creditNoteEInvoice(creditNote, invoice, format, invoice.einvoice?.options);
  const key = creditNoteXmlKey(creditNote);
  const stored = await documents.putOnce(key, Buffer.from(xml, 'utf8'), 'application/xml');
  return { bucket: documents.bucket, key, sha256: stored.sha256, format };
}
