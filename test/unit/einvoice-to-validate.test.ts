/**
 * What `billflow invoices validate` checks (issue 17): the Factur-X XML embedded in the stored
 * PDF (read with the pdf-lib adapter), the record's XML only while no PDF is stored, and an
 * error naming the PDF when it carries no factur-x.xml.
 */
import { describe, expect, it } from 'vitest';
import { AFRelationship, PDFDocument } from 'pdf-lib';
import { pdfLibAttachments } from '#adapters/pdf/embedded-files.ts';
import { einvoiceDocument } from '#domain/einvoice/einvoice.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { PdfUnreadableError } from '#ports/pdf-attachments.ts';
import { EInvoiceNotEmbeddedError } from '#use-cases/errors.ts';
import { einvoiceToValidate } from '#use-cases/einvoice-to-validate.ts';
import { InMemoryDocuments, InMemoryInvoices } from '#test-support/in-memory-invoices.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';

const NUMBER = 'ACME-2026-000042';
const KEY = `invoices/ACME/2026/${NUMBER}.pdf`;
const rendered: Invoice = {
  ...anInvoice(),
  document: { bucket: 'invoices', key: KEY, sha256: 'a'.repeat(64), bytes: 1, renderedAt: '2026-12-01T02:00:00.000Z' },
};

async function pdfWith(files: Readonly<Record<string, string>>): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.addPage();
  for (const [name, text] of Object.entries(files)) {
    await document.attach(Buffer.from(text, 'utf8'), name, { mimeType: 'text/xml', afRelationship: AFRelationship.Alternative });
  }
  return Buffer.from(await document.save());
}

function deps(invoice: Invoice, pdf?: Buffer) {
  return {
    invoices: new InMemoryInvoices([invoice]),
    documents: new InMemoryDocuments(pdf === undefined ? {} : { [KEY]: pdf }),
    attachments: pdfLibAttachments,
  };
}

describe('einvoiceToValidate', () => {
  it('validates the factur-x.xml embedded in the stored PDF, not the record, and says where it came from', async () => {
    // Prepare: what the PDF carries differs from what the record would give.
    const embedded = '<rsm:CrossIndustryInvoice>as received</rsm:CrossIndustryInvoice>';
    const pdf = await pdfWith({ 'other.xml': '<other/>', 'factur-x.xml': embedded });

    // Act
    const document = await einvoiceToValidate(NUMBER, undefined, deps(rendered, pdf));

    // Assess
    expect(document).toEqual({ number: NUMBER, format: 'facturx', source: `s3://invoices/${KEY}#factur-x.xml`, xml: embedded });
  });

  it('falls back to the XML written from the record only while no PDF is stored, saying so', async () => {
    // Act
    const document = await einvoiceToValidate(NUMBER, 'facturx', deps(anInvoice()));

    // Assess
    expect(document.source).toBe('generated from the invoice record (no PDF is stored yet)');
    expect(document.xml).toBe(einvoiceDocument(anInvoice(), 'facturx').xml);
  });

  it('refuses a stored PDF without factur-x.xml, naming it, and one that is not a PDF', async () => {
    // Prepare
    const withoutXml = await pdfWith({ 'notes.xml': '<notes/>' });

    // Act
    const missing = einvoiceToValidate(NUMBER, undefined, deps(rendered, withoutXml));
    const notPdf = einvoiceToValidate(NUMBER, undefined, deps(rendered, Buffer.from('%PDF-1.7 truncated')));

    // Assess
    await expect(missing).rejects.toThrow(EInvoiceNotEmbeddedError);
    await expect(missing).rejects.toThrow(`s3://invoices/${KEY}, has no factur-x.xml embedded`);
    await expect(notPdf).rejects.toThrow(PdfUnreadableError);
  });
});
