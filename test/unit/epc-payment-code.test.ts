/**
 * The EPC QR code (EPC069-12 version 002, SCT): the payload as the spec lays it out, and the code
 * on the invoice PDF as a banking app reads it (rasterized by pdftoppm, decoded by jsQR).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { EPC_MAX_BYTES, epcPaymentCode, invoiceCreditTransfer } from '#domain/payments/epc-payment-code.ts';
import { aDraftInvoice, anInvoice, acmeSeller } from '#test-support/invoice-factory.ts';
import { ensurePoppler } from '#test-support/poppler.ts';
import { scanQrCode } from '#test-support/qr-scan.ts';

const CREATED = new Date('2026-12-01T02:00:00Z');
const transfer = {
  name: 'Acme Cloud GmbH',
  iban: 'DE89370400440532013000',
  bic: 'COBADEFFXXX',
  amount: 1234,
  remittance: 'ACME-2026-000042',
};

/** The payload's fields by their EPC069-12 names (lines, LF-separated). */
function fields(payload: string) {
  const [serviceTag, version, characterSet, identification, bic, name, iban, amount, purpose, structured, unstructured, ...rest] =
    payload.split('\n');
  return { serviceTag, version, characterSet, identification, bic, name, iban, amount, purpose, structured, unstructured, rest };
}

describe('epcPaymentCode', () => {
  it('lays out version 002 SCT with the amount in euro, the invoice number as unstructured remittance', () => {
    // Act
    const payload = epcPaymentCode(transfer);

    // Assess
    expect(payload).toBe('BCD\n002\n1\nSCT\nCOBADEFFXXX\nAcme Cloud GmbH\nDE89370400440532013000\nEUR12.34\n\n\nACME-2026-000042');
  });

  it('leaves the BIC field empty when there is none (optional in version 002) and prints whole euros with two decimals', () => {
    // Act
    const payload = fields(epcPaymentCode({ ...transfer, bic: undefined, amount: 4900 }));

    // Assess
    expect(payload.bic).toBe('');
    expect(payload.amount).toBe('EUR49.00');
  });

  it('cuts a name at the spec’s 70 characters, and further when multi-byte characters would pass 331 bytes', () => {
    // Prepare
    const long = 'Ü'.repeat(100);

    // Act
    const latin = fields(epcPaymentCode({ ...transfer, name: 'A'.repeat(100) }));
    const wide = epcPaymentCode({ ...transfer, name: '𝔄'.repeat(100), remittance: 'R'.repeat(140) });

    // Assess
    expect(latin.name).toBe('A'.repeat(70));
    expect([...(fields(epcPaymentCode({ ...transfer, name: long })).name ?? '')]).toHaveLength(70);
    expect(new TextEncoder().encode(wide).length).toBeLessThanOrEqual(EPC_MAX_BYTES);
    expect(fields(wide).unstructured).toBe('R'.repeat(140));
  });

  it('refuses what it cannot carry rather than change the payment: amounts out of range, remittance over 140', () => {
    expect(() => epcPaymentCode({ ...transfer, amount: 0 })).toThrow(/0.01 to 999999999.99/);
    expect(() => epcPaymentCode({ ...transfer, amount: 100_000_000_000 })).toThrow(/0.01 to 999999999.99/);
    expect(() => epcPaymentCode({ ...transfer, remittance: 'R'.repeat(141) })).toThrow(/at most 140/);
  });

  it('keeps line breaks out of the fields, which would shift every field after them', () => {
    expect(fields(epcPaymentCode({ ...transfer, name: 'Acme\nCloud  GmbH' })).name).toBe('Acme Cloud GmbH');
  });
});

describe('invoiceCreditTransfer', () => {
  it('asks for the amount due of an issued EUR invoice, to the issuer, quoting the number', () => {
    // Prepare
    const invoice = anInvoice({ amountPaid: 1000 });

    // Act
    const request = invoiceCreditTransfer(invoice);

    // Assess
    expect(request).toEqual({
      name: acmeSeller.name,
      iban: 'DE89370400440532013000',
      bic: 'COBADEFFXXX',
      amount: invoice.total - 1000,
      remittance: 'ACME-2026-000042',
    });
  });

  it('gives no code for a draft, another currency, or nothing due', () => {
    expect(invoiceCreditTransfer(aDraftInvoice())).toBeNull();
    expect(invoiceCreditTransfer(anInvoice({ currency: 'USD' }))).toBeNull();
    const paid = anInvoice();
    expect(invoiceCreditTransfer({ ...paid, amountPaid: paid.total, amountDue: 0, paymentStatus: 'paid' })).toBeNull();
  });
});

describe('the EPC QR code on the invoice PDF', () => {
  beforeAll(() => ensurePoppler(), 300_000);

  it('decodes to every field: BIC, name, IBAN, amount due, invoice number', async () => {
    // Prepare
    const invoice = anInvoice();

    // Act
    const scanned = scanQrCode(await renderInvoicePdf(invoice, { creationDate: CREATED }));

    // Assess
    expect(scanned).not.toBeNull();
    const decoded = fields(scanned ?? '');
    expect(decoded).toEqual({
      serviceTag: 'BCD',
      version: '002',
      characterSet: '1',
      identification: 'SCT',
      bic: 'COBADEFFXXX',
      name: 'Acme Cloud GmbH',
      iban: 'DE89370400440532013000',
      amount: `EUR${(invoice.amountDue / 100).toFixed(2)}`,
      purpose: '',
      structured: '',
      unstructured: 'ACME-2026-000042',
      rest: [],
    });
  });

  it('is absent where there is nothing to pay by SEPA transfer: a draft, a USD invoice', async () => {
    expect(scanQrCode(await renderInvoicePdf(aDraftInvoice(), { creationDate: CREATED }))).toBeNull();
    expect(scanQrCode(await renderInvoicePdf(anInvoice({ currency: 'USD' }), { creationDate: CREATED, facturX: null }))).toBeNull();
  });
});
