/**
 * Credit notes on the local services (issue 16): issued through the real use case and the
 * DynamoDB store against an invoice closed by the real close-billing-period code.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { CreditExceedsLineError, CreditRequestError, NothingLeftToCreditError } from '#domain/errors.ts';
import { formatMinor } from '#domain/money.ts';
import { noBusinessMetrics } from '#ports/business-metrics.ts';
import { tables } from '#infra/resources.ts';
import { apiRequest, invoicingCatalog, proCustomer, seatsChanged } from '#test-support/invoicing-catalog.ts';
import { createInvoicingHarness, type InvoicingHarness } from '#test-support/invoicing-harness.ts';
import { issueCreditNote } from '#use-cases/issue-credit-note.ts';
import type { CreditRequest } from '#domain/credit-notes/types.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const CREDITED_ON = Date.parse('2026-11-05T10:00:00Z');

async function issuedInvoice(): Promise<{ harness: InvoicingHarness; number: string; store: DynamoDbCreditNoteStore }> {
  const harness = await createInvoicingHarness(invoicingCatalog([proCustomer('cus_de')]));
  await harness.ingestAt('2026-10-31T12:00:00Z', [
    ...Array.from({ length: 40 }, (_, i) => apiRequest('cus_de', `2026-10-${String((i % 28) + 1).padStart(2, '0')}T12:00:00Z`, 1000)),
    seatsChanged('cus_de', '2026-10-09T12:00:00Z', 5),
  ]);
  await harness.close('cus_de', '2026-10', '2026-11-01T02:00:00Z');
  const number = (await harness.invoices.get('cus_de', '2026-10'))?.number;
  if (number === null || number === undefined) throw new Error('the test invoice was not finalized');
  const store = new DynamoDbCreditNoteStore(harness.stack.clients.dynamodb, harness.stack.env[tables.billing.envVar]!);
  return { harness, number, store };
}

function credit(store: DynamoDbCreditNoteStore, number: string, request: CreditRequest) {
  return issueCreditNote(number, request, {
    creditNotes: store,
    metrics: noBusinessMetrics,
    now: () => CREDITED_ON,
    outbound: noOutboundEvents,
  });
}

describe('credit notes', () => {
  it('credits part of an invoice: the amount due falls by the credit, the number is the first of ACME-CN-2026, the rest stays creditable', async () => {
    // Prepare
    const { harness, number, store } = await issuedInvoice();
    const invoice = (await harness.invoices.findByNumber(number))!;
    const seats = invoice.lines.findIndex((line) => line.meter === 'seats') + 1;

    // Act
    const partial = await credit(store, number, {
      reason: 'two seats were never used',
      settlement: 'balance',
      credit: [{ line: seats, quantity: '2' }],
    });
    const tooMuch = await credit(store, number, { reason: 'again', settlement: 'balance', credit: [{ line: seats, quantity: '4' }] }).catch(
      (error: unknown) => error,
    );
    const rest = await credit(store, number, { reason: 'contract cancelled', settlement: 'refund', credit: 'all' });
    const nothingLeft = await credit(store, number, { reason: 'once more', settlement: 'balance', credit: 'all' }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(partial.creditNote).toMatchObject({
      number: 'ACME-CN-2026-000001',
      invoiceNumber: number,
      invoiceIssueDate: invoice.issueDate,
      customerId: 'cus_de',
      issueDate: '2026-11-05',
      settlement: 'balance',
      netTotal: 2000,
      taxTotal: 380,
      total: 2380,
      appliedToInvoice: 2380,
    });
    expect(partial.invoice).toMatchObject({
      status: 'finalized',
      creditedAmount: 2380,
      amountDue: invoice.total - 2380,
      paymentStatus: 'unpaid',
    });
    expect(tooMuch).toBeInstanceOf(CreditExceedsLineError);
    expect((tooMuch as Error).message).toContain(`Line ${seats} of invoice ${number} has 3 left to credit, worth 30.00 EUR net`);
    expect(rest.creditNote.number).toBe('ACME-CN-2026-000002');
    expect(partial.creditNote.total + rest.creditNote.total).toBe(invoice.total);
    expect(partial.creditNote.taxTotal + rest.creditNote.taxTotal).toBe(invoice.taxTotal);
    expect(nothingLeft).toBeInstanceOf(NothingLeftToCreditError);
    const stored = (await harness.invoices.findByNumber(number))!;
    expect(stored).toMatchObject({ creditedAmount: invoice.total, amountDue: 0, paymentStatus: 'credited', status: 'finalized' });
    expect(stored.credits?.map((c) => c.number)).toEqual(['ACME-CN-2026-000001', 'ACME-CN-2026-000002']);
    expect((await store.findByNumber('ACME-CN-2026-000002'))?.settlement).toBe('refund');
    expect((await store.list({ customerId: 'cus_de' })).map((note) => note.number)).toEqual(['ACME-CN-2026-000001', 'ACME-CN-2026-000002']);
    expect(await store.list({ customerId: 'cus_other' })).toEqual([]);
  }, 120_000);

  it('never lets 200 concurrent credits of one invoice exceed it, and numbers the ones issued 1..k with no hole', async () => {
    // Prepare: two stores are two processes racing; each also queues its own credits.
    const { harness, number, store } = await issuedInvoice();
    const other = new DynamoDbCreditNoteStore(harness.stack.clients.dynamodb, harness.stack.env[tables.billing.envVar]!);
    const invoice = (await harness.invoices.findByNumber(number))!;
    const biggest = invoice.lines.reduce((best, line, index) => (line.netAmount > invoice.lines[best]!.netAmount ? index : best), 0);
    const lineNet = invoice.lines[biggest]!.netAmount;
    const each = Math.ceil(lineNet / 150);
    const amount = formatMinor(each, invoice.currency);

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        credit(i % 2 === 0 ? store : other, number, {
          reason: `goodwill ${i}`,
          settlement: 'balance',
          credit: [{ line: biggest + 1, amount }],
        }),
      ),
    );

    // Assess
    const issued = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.creditNote] : []));
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(issued.length).toBe(Math.floor(lineNet / each));
    for (const reason of refused) expect(reason).toBeInstanceOf(CreditRequestError);
    expect(issued.reduce((sum, note) => sum + note.netTotal, 0)).toBeLessThanOrEqual(lineNet);
    const creditedTotal = issued.reduce((sum, note) => sum + note.total, 0);
    expect(creditedTotal).toBeLessThanOrEqual(invoice.total);
    const positions = issued.map((note) => Number(note.number.slice(-6))).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: issued.length }, (_, i) => i + 1));
    const listed = await store.listForInvoice(number);
    expect(listed.map((note) => note.number).sort()).toEqual(issued.map((note) => note.number).sort());
    const stored = (await harness.invoices.findByNumber(number))!;
    expect(stored.creditedAmount).toBe(creditedTotal);
    expect(stored.amountDue).toBe(invoice.total - creditedTotal);
    expect(stored.credits).toHaveLength(issued.length);
  }, 300_000);
});
