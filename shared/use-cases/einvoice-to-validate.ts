/**
 * The e-invoice XML `billflow invoices validate` checks: what the customer received, wherever
 * it exists (issue 17).
 *
 * 1. Find the invoice by its number.
 * 2. The format asked for, else the customer's stored XML format, else Factur-X.
 * 3. The stored XML (byte for byte what was emailed) when the invoice has one in that format.
 * 4. Factur-X: the `factur-x.xml` embedded in the stored PDF (what the customer received in
 *    it), read out of the PDF; a stored PDF without one is an error that says so, never
 *    replaced by the record's XML.
 * 5. Only when nothing is stored yet (no PDF rendered, or no XML in that format): the XML
 *    written from the invoice record as `billflow invoices xml` writes it, and `source` says so.
 */
import { einvoiceFileName, type EInvoiceFormat } from '#domain/einvoice/format.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { InvoiceRepository } from '#ports/invoice-repository.ts';
import type { PdfAttachments } from '#ports/pdf-attachments.ts';
import { EInvoiceNotEmbeddedError } from './errors.ts';
import { exportEInvoice } from './export-einvoice.ts';

export interface EInvoiceToValidate {
  readonly number: string;
  readonly format: EInvoiceFormat;
  /**
   * `s3://bucket/key` of the stored XML, `s3://bucket/key.pdf#factur-x.xml` of the XML embedded
   * in the stored PDF, or `generated from the invoice record (...)` when nothing is stored yet.
   */
  readonly source: string;
  readonly xml: string;
}

export async function einvoiceToValidate(
  number: string,
  asked: EInvoiceFormat | undefined,
  deps: {
    readonly invoices: Pick<InvoiceRepository, 'findByNumber'>;
    readonly documents: Pick<DocumentStore, 'get'>;
    readonly attachments: PdfAttachments;
  },
): Promise<EInvoiceToValidate> {
  const invoice = await deps.invoices.findByNumber(number);
  const stored = invoice?.einvoiceDocument;
  const format = asked ?? stored?.format ?? 'facturx';
  if (stored !== undefined && stored.format === format) {
    const xml = (await deps.documents.get(stored.key)).toString('utf8');
    return { number, format, source: `s3://${stored.bucket}/${stored.key}`, xml };
  }
  const pdf = invoice?.document ?? null;
  if (format === 'facturx' && pdf !== null) {
    const fileName = einvoiceFileName(format, number);
    const source = `s3://${pdf.bucket}/${pdf.key}#${fileName}`;
    const embedded = await deps.attachments.read(await deps.documents.get(pdf.key), fileName);
    if (embedded === undefined) {
      throw new EInvoiceNotEmbeddedError(
        `the PDF invoice ${number} was sent as, s3://${pdf.bucket}/${pdf.key}, has no ${fileName} embedded: the customer received no Factur-X e-invoice (rendered before Factur-X?); \`billflow invoices xml ${number} --out FILE\` writes one from the record`,
      );
    }
    return { number, format, source, xml: embedded.toString('utf8') };
  }
  const { xml } = await exportEInvoice(number, format, {}, deps);
  const why = format === 'facturx' ? 'no PDF is stored yet' : `no ${format} XML is stored for it`;
  return { number, format, source: `generated from the invoice record (${why})`, xml };
}
