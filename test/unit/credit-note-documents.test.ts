/**
 * The credit note's documents (issue 16 with issue 17): its CII as type 381 referencing the
 * invoice (BG-3), valid by the same XSDs and EN 16931 rules as invoices, VAT per rate of a full
 * credit equal to the invoice's; its PDF laid out like the invoice's, with Factur-X embedded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderCreditNotePdf } from '#adapters/pdf/credit-note-pdf.ts';
import { formatAmount, formatDate } from '#adapters/pdf/format.ts';
import { describeFindings, validateEInvoice } from '#adapters/einvoice-validation/validate-einvoice.ts';
import { assembleCreditNote } from '#domain/credit-notes/assemble.ts';
import type { CreditNote, CreditRequest } from '#domain/credit-notes/types.ts';
import { creditNoteEInvoice, creditNoteToEn16931 } from '#domain/einvoice/credit-note.ts';
import { toEn16931 } from '#domain/einvoice/model.ts';
import { EInvoiceDataError } from '#domain/errors.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { checkFacturXPdf } from '#test-support/einvoice/check-facturx-pdf.mjs';
import { GERMAN_VAT, REVERSE_CHARGE, anInvoice, globexBuyer, numberedLines } from '#test-support/invoice-factory.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';

const XRECHNUNG = { buyerReference: '04011000-12345-34', sellerContact: { name: 'Accounts receivable', telephone: '+49 30 1234567' } };
// Peppol's German national rules (DE-R-005/006) want the seller's contact too.
const PEPPOL = {
  buyerReference: 'PO-4711',
  sellerContact: XRECHNUNG.sellerContact,
  sellerEndpoint: { scheme: '0088', id: '4035811991021' },
  buyerEndpoint: { scheme: '0088', id: '5790000435968' },
};

function creditNoteOf(invoice: Invoice, credit: CreditRequest['credit'], settlement: CreditNote['settlement'] = 'balance'): CreditNote {
  const draft = assembleCreditNote({
    invoice,
    creditNotes: [],
    request: { reason: 'Two seats were never used & <refunded>', settlement, credit },
    issueDate: '2026-12-10',
  });
  return { ...draft, number: 'ACME-CN-2026-000001' };
}

const germanInvoice = (overrides: Partial<Invoice> = {}): Invoice => anInvoice({ tax: GERMAN_VAT, legends: [], ...overrides });

beforeAll(() => {
  ensurePoppler();
}, 300_000);

describe('credit note as EN 16931 (CII type 381)', () => {
  it('is type 381 with the corrected invoice as BG-3, and passes the XSDs and the EN 16931 rules', async () => {
    const invoice = germanInvoice();
    const note = creditNoteOf(invoice, [{ line: 1, quantity: '1' }]);

    const { xml, fileName } = creditNoteEInvoice(note, invoice, 'facturx');

    expect(fileName).toBe('factur-x.xml');
    expect(xml).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(xml).toMatch(
      /<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>ACME-2026-000042<\/ram:IssuerAssignedID><ram:FormattedIssueDateTime><qdt:DateTimeString format="102">\d{8}<\/qdt:DateTimeString>/,
    );
    const report = await validateEInvoice(xml);
    expect(report.steps).toEqual(['XSD cii-d16b', 'XSD facturx-1.07.3-en16931', 'EN16931-CII-validation']);
    expect(report.errors, describeFindings(report.errors)).toEqual([]);
  }, 120_000);

  it('passes as XRechnung CII too, and for a reverse-charge invoice (exemption reason carried over)', async () => {
    const invoice = germanInvoice();
    const report = await validateEInvoice(creditNoteEInvoice(creditNoteOf(invoice, 'all'), invoice, 'xrechnung-cii', XRECHNUNG).xml);
    expect(report.errors, describeFindings(report.errors)).toEqual([]);

    const reverse = anInvoice({ tax: REVERSE_CHARGE, buyer: { ...globexBuyer, vatId: 'FR40303265045' } });
    const reverseNote = creditNoteOf(reverse, [{ line: 1, amount: '5.00' }], 'refund');
    const reverseReport = await validateEInvoice(creditNoteEInvoice(reverseNote, reverse, 'facturx').xml);
    expect(reverseReport.errors, describeFindings(reverseReport.errors)).toEqual([]);
  }, 120_000);

  it('gives back exactly the invoice VAT per rate and totals when everything is credited', () => {
    const invoice = germanInvoice({ lines: numberedLines(7) });
    const invoiceModel = toEn16931(invoice, 'facturx');

    const model = creditNoteToEn16931(creditNoteOf(invoice, 'all'), invoice, 'facturx');

    expect(model.typeCode).toBe('381');
    expect(model.precedingInvoice).toEqual({ number: invoice.number, issueDate: invoice.issueDate });
    expect(model.vat).toEqual(invoiceModel.vat);
    expect(model.totals).toEqual(invoiceModel.totals);
    expect(model.lines.map((line) => line.net)).toEqual(invoiceModel.lines.map((line) => line.net));
  });

  it('is a UBL CreditNote (CreditedQuantity, BillingReference) for XRechnung UBL and Peppol, valid by their XSD and rules', async () => {
    const invoice = germanInvoice();
    const note = creditNoteOf(invoice, [{ line: 1, quantity: '1' }]);
    for (const [format, options] of [
      ['xrechnung-ubl', XRECHNUNG],
      ['peppol', PEPPOL],
    ] as const) {
      const { xml } = creditNoteEInvoice(note, invoice, format, options);

      expect(xml).toContain('<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"');
      expect(xml).toContain('<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>');
      expect(xml).toContain(
        `<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>ACME-2026-000042</cbc:ID><cbc:IssueDate>${invoice.issueDate}</cbc:IssueDate>`,
      );
      const report = await validateEInvoice(xml);
      expect(report.steps[0]).toBe('XSD ubl21-creditnote');
      expect(report.errors, `${format}: ${describeFindings(report.errors)}`).toEqual([]);
    }
  }, 120_000);

  it('fails validation when the credit note is broken (a total changed), so the checks above can fail', async () => {
    const invoice = germanInvoice();
    const { xml } = creditNoteEInvoice(creditNoteOf(invoice, 'all'), invoice, 'facturx');
    const broken = xml.replace(
      /<ram:GrandTotalAmount>([\d.]+)</,
      (_, total: string) => `<ram:GrandTotalAmount>${(Number(total) + 1).toFixed(2)}<`,
    );
    expect(broken).not.toBe(xml);
    const report = await validateEInvoice(broken);
    expect(report.errors.map((finding) => finding.id)).toContain('BR-CO-15');
  }, 120_000);

  it('refuses a credit note with the wrong invoice, by name', () => {
    const invoice = germanInvoice();
    const note = creditNoteOf(invoice, 'all');
    expect(() => creditNoteEInvoice(note, { ...invoice, number: 'ACME-2026-000099' }, 'facturx')).toThrow(EInvoiceDataError);
    expect(() => creditNoteEInvoice(note, { ...invoice, number: 'ACME-2026-000099' }, 'facturx')).toThrow(/corrects ACME-2026-000042/);
  });
});

describe('credit note PDF', () => {
  it('shows the title, its number, the invoice it corrects, the reason, the settlement and the total as text', async () => {
    // As on an invoice paid in full: nothing of the credit lowers the amount due, it is all refunded.
    const invoice = germanInvoice();
    const note = { ...creditNoteOf(invoice, [{ line: 1, quantity: '1' }], 'refund'), appliedToInvoice: 0 };

    const text = pdfToText(await renderCreditNotePdf(note, invoice)).replace(/\s+/g, ' ');

    expect(text).toContain('Credit note');
    expect(text).toContain('Credit note number ACME-CN-2026-000001');
    expect(text).toContain(`Corrects invoice ACME-2026-000042 of ${formatDate(invoice.issueDate!)}`);
    expect(text).toContain('Reason: Two seats were never used & <refunded>');
    expect(text).toContain('Settlement Refunded');
    expect(text).toContain(`${formatAmount(note.total, 'EUR')} is refunded to you.`);
    expect(text).toContain(invoice.buyer.name);
  });

  it('says an unpaid invoice absorbed the credit: deducted from the amount due, nothing credited or refunded', async () => {
    const invoice = germanInvoice();
    const note = creditNoteOf(invoice, [{ line: 1, quantity: '1' }], 'refund');

    const text = pdfToText(await renderCreditNotePdf(note, invoice)).replace(/\s+/g, ' ');

    expect(text).toContain('Settlement Deducted from the amount due');
    expect(text).toContain(`${formatAmount(note.total, 'EUR')} reduces what is due on invoice ACME-2026-000042.`);
    expect(text).not.toContain('refunded to you');
  });

  it('is a Factur-X PDF/A-3b whose embedded XML is the credit note type 381, byte for byte', async () => {
    const invoice = germanInvoice({ lines: numberedLines(60) });
    const note = creditNoteOf(invoice, 'all');

    const check = await checkFacturXPdf(await renderCreditNotePdf(note, invoice));

    expect(check.errors).toEqual([]);
    expect(check.pdfa).toBe('3B');
    expect(check.xml).toBe(creditNoteEInvoice(note, invoice, 'facturx').xml);
  });

  it('renders the same bytes for the same credit note', async () => {
    const invoice = germanInvoice();
    const note = creditNoteOf(invoice, 'all');
    expect((await renderCreditNotePdf(note, invoice)).equals(await renderCreditNotePdf(note, invoice))).toBe(true);
  });
});
