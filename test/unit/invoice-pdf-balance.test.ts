/**
 * The invoice PDF of an invoice that used the customer balance (issue 16): a "Credit applied"
 * row between the total and the amount due, which is what is left to transfer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';

const CREATED = new Date('2026-12-01T02:00:00Z');
const invoice = anInvoice();

beforeAll(() => {
  ensurePoppler();
}, 300_000);

describe('renderInvoicePdf with the customer balance applied', () => {
  it('shows the credit applied and the amount due after it; the payment sentence asks for that amount', async () => {
    // Act
    const pdf = await renderInvoicePdf(
      { ...invoice, balanceApplied: 10_000, amountDue: invoice.total - 10_000 },
      { creationDate: CREATED },
    );

    // Assess
    const text = pdfToText(pdf).replace(/\s+/g, ' ');
    expect(text).toContain('Total (EUR) € 384.74 Credit applied € -100.00 Amount due € 284.74');
    expect(text).toContain('Please transfer € 284.74 by 31 December 2026');
  });

  it('says nothing is due when the balance covered it all', async () => {
    // Act
    const pdf = await renderInvoicePdf(
      { ...invoice, balanceApplied: invoice.total, amountDue: 0, paymentStatus: 'paid' },
      { creationDate: CREATED },
    );

    // Assess
    const text = pdfToText(pdf).replace(/\s+/g, ' ');
    expect(text).toContain('Credit applied € -384.74 Amount due € 0.00');
    expect(text).toContain('Nothing is due on this invoice.');
  });

  it('has no credit row for an invoice that used no balance', async () => {
    const text = pdfToText(await renderInvoicePdf(invoice, { creationDate: CREATED })).replace(/\s+/g, ' ');
    expect(text).not.toContain('Credit applied');
    expect(text).toContain('Total (EUR) € 384.74 Amount due € 384.74');
  });
});
