/**
 * An invoice that used the customer balance (issue 16) as an e-invoice: BT-113 paid amount
 * (CII TotalPrepaidAmount, UBL PrepaidAmount) and BT-115 amount due after it (BR-CO-16), valid
 * in every format by the XSDs and schematrons; an invoice with no balance carries no BT-113.
 */
import { describe, expect, it } from 'vitest';
import { applyBalanceToInvoice } from '#domain/balance/apply-to-invoice.ts';
import type { BalanceMovement } from '#domain/balance/ledger.ts';
import { einvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { EINVOICE_FORMATS, type EInvoiceFormat } from '#domain/einvoice/format.ts';
import type { EInvoiceOptions } from '#domain/einvoice/model.ts';
import { describeFindings, validateEInvoice } from '#adapters/einvoice-validation/validate-einvoice.ts';
import { anInvoice, GERMAN_VAT } from '#test-support/invoice-factory.ts';

const CONTACT = { name: 'Accounts receivable', telephone: '+49 30 1234567' };
const OPTIONS: Readonly<Record<EInvoiceFormat, EInvoiceOptions>> = {
  facturx: {},
  'xrechnung-cii': { buyerReference: '04011000-12345-34', sellerContact: CONTACT },
  'xrechnung-ubl': { buyerReference: '04011000-12345-34', sellerContact: CONTACT },
  peppol: {
    buyerReference: 'PO-4711',
    sellerContact: CONTACT,
    sellerEndpoint: { scheme: '0088', id: '4035811991021' },
    buyerEndpoint: { scheme: '0088', id: '5790000435968' },
  },
};

const invoice = anInvoice({ tax: GERMAN_VAT, legends: [] });

function withBalance(amount: number) {
  const credit: BalanceMovement = {
    id: 'credit_note:ACME-CN-2026-000001',
    customerId: invoice.customerId,
    currency: invoice.currency,
    kind: 'credit_note',
    amount,
    at: '2026-11-20T10:00:00.000Z',
    reference: 'ACME-CN-2026-000001',
  };
  return applyBalanceToInvoice(invoice, [credit], '2026-12-01T02:00:00.000Z').invoice;
}

const decimal = (minor: number) => (minor / 100).toFixed(2);

describe('the balance applied, in the e-invoice', () => {
  it.each([
    ['part of the invoice', 2500],
    ['all of it (nothing due)', invoice.total],
  ])(
    'carries BT-113 and the amount due after it, valid in every format: %s',
    async (_, balance) => {
      // Prepare
      const applied = withBalance(balance);

      for (const format of EINVOICE_FORMATS) {
        // Act
        const { xml } = einvoiceDocument(applied, format, OPTIONS[format]);
        const report = await validateEInvoice(xml);

        // Assess
        expect(report.errors, `${format}:\n${describeFindings(report.errors)}`).toEqual([]);
        const [prepaid, payable] =
          format === 'xrechnung-ubl' || format === 'peppol'
            ? ['PrepaidAmount', 'PayableAmount']
            : ['TotalPrepaidAmount', 'DuePayableAmount'];
        expect(xml).toMatch(new RegExp(`${prepaid}[^>]*>${decimal(balance)}<`));
        expect(xml).toMatch(new RegExp(`${payable}[^>]*>${decimal(invoice.total - balance)}<`));
      }
    },
    240_000,
  );

  it('carries no BT-113 for an invoice that used no balance', () => {
    for (const format of EINVOICE_FORMATS) {
      const { xml } = einvoiceDocument(invoice, format, OPTIONS[format]);
      expect(xml).not.toContain('PrepaidAmount');
      expect(xml).toMatch(new RegExp(`PayableAmount[^>]*>${decimal(invoice.total)}<`));
    }
  });
});
