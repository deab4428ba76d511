/**
 * The customer balance end to end on the local services (issue 16): Stripe webhooks over the
 * local HTTP API (as test/integration/payments.test.ts), the real apply-payment-event,
 * close-billing-period, render-invoice and send-invoice handlers behind the local pollers, and
 * the `billflow` CLI. An overpayment and a credit note go to the balance; the invoice runs by
 * hand as of past and future instants (November after its end, a backfilled September, a
 * December run as of a future instant) apply it to the next invoices, never below zero; the
 * PDF in S3 shows the credit applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { LocalHttpApi } from '#infra/local/http-api.ts';
import { queues } from '#infra/resources.ts';
import type { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import type { BalanceMovement } from '#domain/balance/ledger.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { proCustomer } from '#test-support/invoicing-catalog.ts';
import type { TestStack } from '#test-support/local-stack.ts';
import { drainDelivery } from '#test-support/delivery-harness.ts';
import { startPaymentsPipeline, type PaymentsPipeline } from '#test-support/payments-pipeline.ts';
import { waitForDrained } from '#test-support/ingest-harness.ts';
import { runBillflow } from '#test-support/billflow-cli.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';
import { deliver, paymentSucceeded } from '#test-support/stripe-events.ts';

const SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;
const CUSTOMERS = ['cus_over', 'cus_credit', 'cus_partial'] as const;

let pipeline: PaymentsPipeline;
let stack: TestStack;
let api: LocalHttpApi;
let invoices: DynamoDbInvoiceRepository;
let outputsFile: string;
let workDir: string;

async function billflow<T>(...args: string[]): Promise<T> {
  const result = await runBillflow(outputsFile, [...args, '--json']);
  if (result.code !== 0) throw new Error(`billflow ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

async function invoiceOf(customerId: string, period: string): Promise<Invoice> {
  const invoice = await invoices.get(customerId, period);
  if (invoice === undefined) throw new Error(`no invoice of ${customerId} for ${period}`);
  return invoice;
}

async function pay(customerId: string, period: string, amount: number): Promise<void> {
  const number = (await invoiceOf(customerId, period)).number!;
  const response = await deliver(api.url, paymentSucceeded({ amount, invoiceNumber: number }), SECRET);
  expect(response.status).toBe(200);
  await waitForDrained(stack.clients.sqs, stack.env[queues.paymentEvents.envVar]!, 30_000);
}

/** `billflow invoices run --as-of` (waits for the jobs), then rendering and email. */
async function invoiceRun(...args: string[]): Promise<void> {
  await billflow('invoices', 'run', ...args);
  await drainDelivery(stack);
}

async function pdfText(number: string): Promise<string> {
  const file = join(workDir, `${number}.pdf`);
  const result = await runBillflow(outputsFile, ['invoices', 'pdf', number, '--out', file]);
  if (result.code !== 0) throw new Error(result.stderr);
  return pdfToText(readFileSync(file)).replace(/\s+/g, ' ');
}

type BalanceJson = { customerId: string; balances: { currency: string; available: number }[]; movements: BalanceMovement[] };

beforeAll(async () => {
  ensurePoppler();
  pipeline = await startPaymentsPipeline({ customers: CUSTOMERS.map((id) => proCustomer(id)), secret: SECRET, name: 'balance-test' });
  ({ stack, api, invoices, outputsFile, workDir } = pipeline);
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('the customer balance on the local services', () => {
  it('an overpayment and a credit note go to the balance, which `customers balance` lists', async () => {
    // Act: cus_over pays 319.00 for its 119.00; cus_credit pays, then is credited 30.00 net to its balance.
    await pay('cus_over', '2026-10', 31_900);
    await pay('cus_credit', '2026-10', 11_900);
    const october = (await invoiceOf('cus_credit', '2026-10')).number!;
    await billflow(
      'invoices',
      'credit',
      october,
      '--reason',
      'outage',
      '--line',
      '1',
      '--amount',
      '30.00',
      '--as-of',
      '2026-11-20T10:00:00Z',
    );

    // Assess
    expect(await invoiceOf('cus_over', '2026-10')).toMatchObject({ paymentStatus: 'overpaid', customerCredit: 20_000, amountDue: 0 });
    const over = await billflow<BalanceJson>('customers', 'balance', 'cus_over');
    expect(over.balances).toEqual([{ currency: 'EUR', available: 20_000 }]);
    expect(over.movements).toMatchObject([
      { kind: 'overpayment', amount: 20_000, reference: (await invoiceOf('cus_over', '2026-10')).number },
    ]);
    const credited = await billflow<BalanceJson>('customers', 'balance', 'cus_credit', '--currency', 'eur');
    expect(credited.balances).toEqual([{ currency: 'EUR', available: 3570 }]);
    expect(credited.movements).toMatchObject([{ kind: 'credit_note', amount: 3570, at: '2026-11-20T10:00:00.000Z' }]);
  }, 120_000);

  it('a partial credit is rendered and emailed once; the customer pays the rest and the invoice is paid', async () => {
    // Prepare: October's 119.00 of cus_partial, emailed and unpaid.
    const invoice = await invoiceOf('cus_partial', '2026-10');
    expect(invoice).toMatchObject({ total: 11_900, amountDue: 11_900, paymentStatus: 'unpaid', deliveryStatus: 'sent' });

    // Act: 20.00 net credited (23.80 with 19 % VAT), delivered, then a payment of the 95.20 left.
    const issued = await billflow<{ creditNote: { number: string; total: number } }>(
      'invoices',
      'credit',
      invoice.number!,
      '--reason',
      'late delivery',
      '--line',
      '1',
      '--amount',
      '20.00',
      '--as-of',
      '2026-11-21T10:00:00Z',
    );
    await drainDelivery(stack);
    const credited = await invoiceOf('cus_partial', '2026-10');
    await pay('cus_partial', '2026-10', credited.amountDue);

    // Assess: the credit note is stored and emailed once; the invoice is paid to the cent.
    expect(issued.creditNote.total).toBe(2380);
    expect(credited).toMatchObject({ creditedAmount: 2380, amountDue: 9520, paymentStatus: 'unpaid' });
    const note = await billflow<{ deliveryStatus: string; document: { key: string }; emails: unknown[] }>(
      'credit-notes',
      'show',
      issued.creditNote.number,
    );
    expect(note).toMatchObject({ deliveryStatus: 'sent', document: { key: `credit-notes/ACME/2026/${issued.creditNote.number}.pdf` } });
    expect(note.emails).toHaveLength(1);
    const file = join(workDir, `${issued.creditNote.number}.pdf`);
    const written = await runBillflow(outputsFile, ['credit-notes', 'pdf', issued.creditNote.number, '--out', file]);
    expect(written.code, written.stderr).toBe(0);
    const text = pdfToText(readFileSync(file)).replace(/\s+/g, ' ');
    expect(text).toContain(`Corrects invoice ${invoice.number}`);
    expect(await invoiceOf('cus_partial', '2026-10')).toMatchObject({
      paymentStatus: 'paid',
      amountPaid: 9520,
      creditedAmount: 2380,
      amountDue: 0,
    });
  }, 180_000);

  it('the November run as of December 1st applies the balance to the next invoices: amount due reduced, PDF shows the credit', async () => {
    // Act
    await invoiceRun('--as-of', '2026-12-01T02:00:00Z');

    // Assess: cus_over's 200.00 covers November's 119.00 (paid); cus_credit's 35.70 lowers it to 83.30.
    const over = await invoiceOf('cus_over', '2026-11');
    const credit = await invoiceOf('cus_credit', '2026-11');
    expect(over).toMatchObject({ status: 'finalized', total: 11_900, balanceApplied: 11_900, amountDue: 0, paymentStatus: 'paid' });
    expect(credit).toMatchObject({ status: 'finalized', total: 11_900, balanceApplied: 3570, amountDue: 8330, paymentStatus: 'unpaid' });
    expect(await pdfText(credit.number!)).toContain('Total (EUR) € 119.00 Credit applied € -35.70 Amount due € 83.30');
    expect(await pdfText(over.number!)).toContain('Credit applied € -119.00 Amount due € 0.00');
    const shown = await runBillflow(outputsFile, ['invoices', 'show', credit.number!]);
    expect(shown.stdout).toContain('credit applied 35.70 EUR  due 83.30 EUR');
    expect((await billflow<BalanceJson>('customers', 'balance', 'cus_over')).balances).toEqual([{ currency: 'EUR', available: 8100 }]);
    expect((await billflow<BalanceJson>('customers', 'balance', 'cus_credit')).balances).toEqual([{ currency: 'EUR', available: 0 }]);
  }, 300_000);

  it('a backfilled September, run as of October 1st now, takes what is left; December, as of a future instant, finds none', async () => {
    // Act
    await invoiceRun('--period', '2026-09', '--as-of', '2026-10-01T02:00:00Z');
    await invoiceRun('--as-of', '2027-01-01T02:00:00Z');

    // Assess
    expect(await invoiceOf('cus_over', '2026-09')).toMatchObject({ balanceApplied: 8100, amountDue: 3800, paymentStatus: 'unpaid' });
    const september = await invoiceOf('cus_credit', '2026-09');
    expect(september.balanceApplied).toBeUndefined();
    expect(september.amountDue).toBe(september.total);
    const december = await invoiceOf('cus_over', '2026-12');
    expect(december).toMatchObject({ status: 'finalized', amountDue: december.total });
    expect(december.balanceApplied).toBeUndefined();
    expect(await pdfText(december.number!)).not.toContain('Credit applied');
    const over = await billflow<BalanceJson>('customers', 'balance', 'cus_over');
    expect(over.movements.map((movement) => [movement.kind, movement.amount])).toEqual([
      ['overpayment', 20_000],
      ['applied_to_invoice', -11_900],
      ['applied_to_invoice', -8100],
    ]);
    expect(over.balances).toEqual([{ currency: 'EUR', available: 0 }]);
  }, 300_000);

  it('refuses a currency that is not ISO 4217 and an unknown customer, saying what to fix', async () => {
    const badCurrency = await runBillflow(outputsFile, ['customers', 'balance', 'cus_over', '--currency', 'EURO']);
    const unknown = await runBillflow(outputsFile, ['customers', 'balance', 'cus_nobody']);
    expect(badCurrency.code).not.toBe(0);
    expect(badCurrency.stderr).toContain('--currency EURO is not an ISO 4217 currency code');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no customer cus_nobody in the catalog');
  }, 60_000);

  it('pays balance back outside billflow (`customers refund-balance`): at most what is there, exact amounts, one refund per reference', async () => {
    // Prepare: cus_over's November invoice, settled by its balance, credited 10.00 net: 11.90 back into the balance.
    const november = (await invoiceOf('cus_over', '2026-11')).number!;
    const credit = await billflow<{ creditNote: { number: string; total: number } }>(
      'invoices',
      'credit',
      november,
      '--reason',
      'outage',
      '--line',
      '1',
      '--amount',
      '10.00',
      '--as-of',
      '2026-12-04T10:00:00Z',
    );
    const refund = (...args: string[]) => runBillflow(outputsFile, ['customers', 'refund-balance', 'cus_over', ...args]);

    // Act
    const tooMuch = await refund('--amount', '20', '--currency', 'EUR', '--reference', 'SEPA-0042');
    const tooPrecise = await refund('--amount', '5.001', '--currency', 'EUR', '--reference', 'SEPA-0042');
    const refunded = await billflow<{ refund: BalanceMovement; alreadyRecorded: boolean; available: number }>(
      'customers',
      'refund-balance',
      'cus_over',
      '--amount',
      '11.90',
      '--currency',
      'eur',
      '--reference',
      'SEPA-0042',
      '--as-of',
      '2026-12-06T09:00:00Z',
    );
    const retried = await refund('--amount', '11.90', '--currency', 'EUR', '--reference', 'SEPA-0042');
    const reused = await refund('--amount', '1.00', '--currency', 'EUR', '--reference', 'SEPA-0042');
    const nobody = await runBillflow(outputsFile, [
      'customers',
      'refund-balance',
      'cus_nobody',
      '--amount',
      '1',
      '--currency',
      'EUR',
      '--reference',
      'R',
    ]);
    const balance = await billflow<BalanceJson>('customers', 'balance', 'cus_over');

    // Assess
    expect(credit.creditNote.total).toBe(1190);
    expect([tooMuch.code, tooMuch.stdout]).toEqual([2, '']);
    expect(tooMuch.stderr).toContain(
      'Customer cus_over has 11.90 EUR of balance available; 20.00 EUR cannot be taken out of it: take at most 11.90 EUR',
    );
    expect(tooPrecise.code).toBe(2);
    expect(tooPrecise.stderr).toContain('refund amount "5.001" has more decimals than EUR has (2)');
    expect(refunded).toMatchObject({
      alreadyRecorded: false,
      available: 0,
      refund: { kind: 'refund', amount: -1190, reference: 'SEPA-0042', at: '2026-12-06T09:00:00.000Z' },
    });
    expect([retried.code, retried.stdout.trim()]).toEqual([
      0,
      'refund SEPA-0042 of 11.90 EUR was already recorded on 2026-12-06; nothing changed, available 0.00 EUR',
    ]);
    expect(reused.code).toBe(2);
    expect(reused.stderr).toContain('reference SEPA-0042 was already used for a refund of 11.90 EUR on 2026-12-06, not 1.00 EUR');
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('no customer cus_nobody in the catalog');
    expect(balance.balances).toEqual([{ currency: 'EUR', available: 0 }]);
    expect(
      balance.movements.filter((movement) => movement.kind === 'refund').map((movement) => [movement.amount, movement.reference]),
    ).toEqual([[-1190, 'SEPA-0042']]);
  }, 120_000);
});
