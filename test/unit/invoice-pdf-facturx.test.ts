/**
 * Factur-X in the invoice PDF (issue 17): PDF/A-3b with factur-x.xml embedded, checked with the
 * validation kit's structural PDF/A-3 + Factur-X check (not veraPDF, which is not available
 * offline), the embedded XML byte-identical to the generated one and valid by the official
 * rules, the text still readable, and well-formed XMP whatever the names contain.
 */
import SaxonJS from 'saxon-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { formatAmount, formatDate } from '#adapters/pdf/format.ts';
import { einvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { checkFacturXPdf } from '#test-support/einvoice/check-facturx-pdf.mjs';
import { describeFindings, validateEInvoice } from '#adapters/einvoice-validation/validate-einvoice.ts';
import { GERMAN_VAT, aDraftInvoice, acmeSeller, anInvoice, globexBuyer, numberedLines } from '#test-support/invoice-factory.ts';
import { ensurePoppler, pdfFonts, pdfToText } from '#test-support/poppler.ts';

const CREATED = new Date('2026-12-01T02:00:00Z');
const HOSTILE_BUYER = { ...globexBuyer, name: 'Müller & Søn <GmbH> "Ωmega" 株式会社' };

beforeAll(() => {
  ensurePoppler();
}, 300_000);

/** The catalog's Metadata stream, parsed by the same XML parser the kit's check uses. */
async function xmpParses(pdf: Buffer): Promise<boolean> {
  const text = pdf.toString('latin1');
  const start = text.indexOf('<?xpacket begin');
  const end = text.indexOf('<?xpacket end="w"?>', start);
  if (start < 0 || end < 0) return false;
  const xmp = pdf.subarray(start, end + '<?xpacket end="w"?>'.length).toString('utf8');
  return SaxonJS.getResource({ text: xmp, type: 'xml' }).then(
    () => true,
    () => false,
  );
}

describe('Factur-X invoice PDF', () => {
  it('is PDF/A-3b with factur-x.xml (EN 16931, Alternative) that passes the structure check, fonts embedded', async () => {
    const invoice = anInvoice({ buyer: HOSTILE_BUYER, seller: { ...acmeSeller, name: 'Acme & Co. <Cloud> GmbH' } });

    const pdf = await renderInvoicePdf(invoice, { creationDate: CREATED });

    const check = await checkFacturXPdf(pdf);
    expect(check.errors).toEqual([]);
    // Info dictionary and XMP agree (escaped in the XMP, the same text once parsed).
    expect(check.warnings).toEqual([]);
    expect(check.pdfa).toBe('3B');
    expect(check.fx).toEqual({ level: 'EN 16931', file: 'factur-x.xml', type: 'INVOICE', version: '1.0' });
    expect(check.relationship).toBe('/Alternative');
    expect(pdfFonts(pdf).every((font) => font.embedded)).toBe(true);
  });

  it('embeds exactly the generated XML, and it passes the XSDs and the EN 16931 rules', async () => {
    const invoice = anInvoice({
      buyer: HOSTILE_BUYER,
      tax: GERMAN_VAT,
      legends: [],
      lines: numberedLines(40, { suffix: (index) => (index % 2 === 0 ? ' & <co>' : '') }),
    });

    const check = await checkFacturXPdf(await renderInvoicePdf(invoice, { creationDate: CREATED }));

    expect(check.xml).toBe(einvoiceDocument(invoice, 'facturx').xml);
    const report = await validateEInvoice(check.xml ?? '');
    expect(report.steps).toEqual(['XSD cii-d16b', 'XSD facturx-1.07.3-en16931', 'EN16931-CII-validation']);
    expect(report.errors, describeFindings(report.errors)).toEqual([]);
  }, 120_000);

  it('still shows number, total and due date as text', async () => {
    const invoice = anInvoice({ tax: GERMAN_VAT, legends: [] });

    const text = pdfToText(await renderInvoicePdf(invoice, { creationDate: CREATED })).replace(/\s+/g, ' ');

    expect(text).toContain('Invoice number ACME-2026-000042');
    expect(text).toContain(`Due date ${formatDate('2026-12-31')}`);
    expect(text).toContain(formatAmount(invoice.total, 'EUR'));
  });

  it('renders the same bytes for the same invoice and creation date', async () => {
    const invoice = anInvoice();
    const [first, second] = await Promise.all([
      renderInvoicePdf(invoice, { creationDate: CREATED }),
      renderInvoicePdf(invoice, { creationDate: CREATED }),
    ]);
    expect(first.equals(second)).toBe(true);
  });

  it('a draft, a KWD invoice or facturX: null give a plain PDF whose XMP is still well-formed with & and < in the names', async () => {
    const plain = [
      await renderInvoicePdf(aDraftInvoice({ buyer: HOSTILE_BUYER }), { creationDate: CREATED }),
      await renderInvoicePdf(anInvoice({ currency: 'KWD', buyer: HOSTILE_BUYER }), { creationDate: CREATED }),
      await renderInvoicePdf(anInvoice({ buyer: HOSTILE_BUYER }), { creationDate: CREATED, facturX: null }),
    ];
    for (const pdf of plain) {
      const check = await checkFacturXPdf(pdf);
      expect(check.xml).toBeNull();
      expect(check.errors.some((error) => error.includes('not well-formed'))).toBe(false);
      expect(await xmpParses(pdf)).toBe(true);
    }
  });

  it('the structure check fails a PDF without Factur-X (it can fail)', async () => {
    const check = await checkFacturXPdf(await renderInvoicePdf(anInvoice(), { creationDate: CREATED, facturX: null }));
    expect(check.ok).toBe(false);
    expect(check.errors.join('\n')).toMatch(/pdfaid:part|no \/AF array/);
  });
});
