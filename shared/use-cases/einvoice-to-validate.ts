/**
 * The e-invoice XML `billflow invoices validate` checks: what the customer received, wherever
 * it exists.
 *
 * 1. Find the invoice by its number.
 * 2. The format asked for, else the customer's stored XML format, else Factur-X.
 * 3. The stored XML (byte for byte what was emailed) when the invoice has one in that format;
 *    otherwise the XML written from the invoice record as `billflow invoices xml` writes it,
 *    which for Factur-X is byte for byte the XML embedded in the PDF.
 */
import type { EInvoiceFormat } from '#domain/einvoice/format.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { InvoiceRepository } from '#ports/invoice-repository.ts';
import { exportEInvoice } from './export-einvoice.ts';

export interface EInvoiceToValidate {
  readonly number: string;
  readonly format: EInvoiceFormat;
  /** `s3://bucket/key` of the stored XML, or `generated` (the Factur-X one: as embedded in the PDF). */
  readonly source: string;
  readonly xml: string;
}

export async function einvoiceToValidate(
  number: string,
  asked: EInvoiceFormat | undefined,
  deps: { readonly invoices: Pick<InvoiceRepository, 'findByNumber'>; readonly documents: Pick<DocumentStore, 'get'> },
): Promise<EInvoiceToValidate> {
  const invoice = await deps.invoices.findByNumber(number);
  const stored = invoice?.einvoiceDocument;
  const format = asked ?? stored?.format ?? 'facturx';
  if (stored !== undefined && stored.format === format) {
    const xml = (await deps.documents.get(stored.key)).toString('utf8');
    return { number, format, source: `s3://${stored.bucket}/${stored.key}`, xml };
  }
  const { xml } = await exportEInvoice(number, format, {}, deps);
  return { number, format, source: format === 'facturx' ? 'generated (as embedded in the PDF)' : 'generated', xml };
}
