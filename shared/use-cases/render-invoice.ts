/**
 * Renders a finalized invoice to PDF and stores it once (CONTRACTS.md section 4).
 *
 * 1. Nothing to do for an invoice that is not finalized, or already has its document.
 * 2. Render it and store it at invoices/{prefix}/{YYYY}/{number}.pdf; if a document is
 *    already there (an earlier attempt), that one is kept and recorded.
 *    For a customer with an XML e-invoice format (catalog `einvoice.format`), first write that
 *    XML once beside it at invoices/{prefix}/{YYYY}/{number}.xml.
 * 3. Record the document (key, SHA-256, size), and the XML's, on the invoice in one update:
 *    deliveryStatus `rendered`.
 * 4. Ask for the email, unless it was already sent.
 * Idempotent on the invoice number: a redelivered message repeats no side effect.
 */
import { einvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { separateXmlFormat } from '#domain/einvoice/settings.ts';
import { documentKey, einvoiceDocumentKey } from '#domain/invoice/email-content.ts';
import type { EInvoiceStoredDocument, Invoice } from '#domain/invoice/invoice.ts';
import { canRecordDocument, recordDocument } from '#domain/invoice/lifecycle.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { IssuedInvoices } from '#ports/invoice-repository.ts';

export interface RenderDependencies {
  readonly invoices: IssuedInvoices;
  readonly documents: DocumentStore;
  readonly render: (invoice: Invoice) => Promise<Buffer>;
  readonly requestEmail: (number: string) => Promise<void>;
  readonly now: () => number;
}

export type RenderOutcome =
  | { readonly action: 'skipped'; readonly reason: string }
  | { readonly action: 'rendered' | 'already_rendered'; readonly invoice: Invoice; readonly renderMs: number };

export async function renderInvoice(number: string, deps: RenderDependencies): Promise<RenderOutcome> {
  const found = await deps.invoices.findByNumber(number);
  if (found === undefined) throw new Error(`no invoice ${number}`);
  if (found.status !== 'finalized') return { action: 'skipped', reason: `invoice is ${found.status}` };
  let invoice = found;
  let renderMs = 0;
  let action: 'rendered' | 'already_rendered' = 'already_rendered';
  if (found.document === null) {
    const einvoice = await storeEInvoice(found, deps.documents);
    const started = performance.now();
    const pdf = await deps.render(found);
    renderMs = performance.now() - started;
    const key = documentKey(found.seller.id, number, found.issueDate!);
    const stored = await deps.documents.putOnce(key, pdf, 'application/pdf');
    const at = new Date(deps.now()).toISOString();
    const document = { bucket: deps.documents.bucket, key, sha256: stored.sha256, bytes: stored.bytes, renderedAt: at };
    const recorded = await deps.invoices.update(number, (current) =>
      canRecordDocument(current)
        ? { ...recordDocument(current, document), ...(einvoice === undefined ? {} : { einvoiceDocument: einvoice }) }
        : undefined,
    );
    invoice = recorded.invoice;
    action = recorded.changed ? 'rendered' : 'already_rendered';
  }
  if (invoice.deliveryStatus === 'rendered' || invoice.deliveryStatus === 'sending') await deps.requestEmail(number);
  return { action, invoice, renderMs };
}

/** The customer's XML e-invoice, written once (an earlier attempt's is kept: the same invoice gives the same bytes). */
async function storeEInvoice(invoice: Invoice, documents: DocumentStore): Promise<EInvoiceStoredDocument | undefined> {
  const format = separateXmlFormat(invoice);
  if (format === undefined) return undefined;
  const { xml } = einvoiceDocument(invoice, format, invoice.einvoice?.options);
  const key = einvoiceDocumentKey(invoice.seller.id, invoice.number!, invoice.issueDate!);
  const stored = await documents.putOnce(key, Buffer.from(xml, 'utf8'), 'application/xml');
  return { bucket: documents.bucket, key, sha256: stored.sha256, format };
}
