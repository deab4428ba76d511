/**
 * The customer balance on the local services (issue 16): the DynamoDB store's guarantees.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { DynamoDbCustomerBalances, movementWrites } from '#adapters/dynamodb/customer-balance-store.ts';
import { applyBalance, availableBalance, recordMovement, type BalanceMovement } from '#domain/balance/ledger.ts';
import { applyPayments } from '#domain/payments/invoice-payments.ts';
import { noBusinessMetrics } from '#ports/business-metrics.ts';
import { tables } from '#infra/resources.ts';
import { apiRequest, invoicingCatalog, proCustomer } from '#test-support/invoicing-catalog.ts';
import { createInvoicingHarness, type InvoicingHarness } from '#test-support/invoicing-harness.ts';
import { createTestStack } from '#test-support/local-stack.ts';
import { issueCreditNote } from '#use-cases/issue-credit-note.ts';
import { noOutboundEvents, type OutboundEvents } from '#ports/outbound-events.ts';
import { DynamoDbOutboundOutbox } from '#adapters/dynamodb/outbound-outbox.ts';
import { OutboundPublishError } from '#adapters/errors.ts';
import { InsufficientBalanceError } from '#domain/errors.ts';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import { balanceRefunded } from '#domain/outbound/facts.ts';
import { flushOutbox } from '#use-cases/publish-recorded.ts';
import { refundCustomerBalance } from '#use-cases/refund-customer-balance.ts';

const ACCOUNT = { customerId: 'cus_de', currency: 'EUR' } as const;

function creditNote(number: string, amount: number): BalanceMovement {
  return { id: `credit_note:${number}`, ...ACCOUNT, kind: 'credit_note', amount, at: '2026-11-05T10:00:00.000Z', reference: number };
}

async function balanceStore() {
  const stack = await createTestStack();
  const tableName = stack.env[tables.billing.envVar]!;
  return { stack, tableName, balances: new DynamoDbCustomerBalances(stack.clients.dynamodb, tableName) };
}

/** The decision of a step that records `movement` unless the ledger already holds it. */
const once = (movement: BalanceMovement) => (ledger: readonly BalanceMovement[]) =>
  recordMovement(ledger, movement).added ? movement : undefined;

describe('customer balance store', () => {
  it('records each movement id once, per customer and currency, and lists them oldest first', async () => {
    // Prepare
    const { balances } = await balanceStore();
    const note = creditNote('ACME-CN-2026-000001', 2380);

    // Act
    const first = await balances.record(ACCOUNT, once(note));
    const retried = await balances.record(ACCOUNT, once(note));
    await balances.record({ customerId: 'cus_de', currency: 'USD' }, once({ ...note, currency: 'USD', amount: 500 }));

    // Assess
    expect(first.movement).toEqual(note);
    expect(retried.movement).toBeUndefined();
    expect(await balances.movements('cus_de', 'EUR')).toEqual([note]);
    expect((await balances.movements('cus_de')).map((movement) => `${movement.currency} ${movement.amount}`).sort()).toEqual([
      'EUR 2380',
      'USD 500',
    ]);
    expect(await balances.movements('cus_other')).toEqual([]);
  });

  it('refuses a transaction that would take the balance below zero, whatever the caller computed', async () => {
    // Prepare
    const { stack, tableName, balances } = await balanceStore();
    await balances.record(ACCOUNT, once(creditNote('ACME-CN-2026-000001', 1000)));
    const greedy: BalanceMovement = {
      id: 'applied:ACME-2026-000009',
      ...ACCOUNT,
      kind: 'applied_to_invoice',
      amount: -1001,
      at: '2026-12-01T02:00:00.000Z',
      reference: 'ACME-2026-000009',
    };

    // Act
    const refused = await stack.clients.dynamodb
      .send(new TransactWriteCommand({ TransactItems: movementWrites(tableName, [greedy]) }))
      .catch((error: unknown) => error);

    // Assess
    expect((refused as Error).name).toBe('TransactionCanceledException');
    expect(availableBalance(await balances.movements('cus_de'), ACCOUNT)).toBe(1000);
  });

  it('20 concurrent applications to different invoices take exactly what the balance holds, never more', async () => {
    // Prepare
    const { balances } = await balanceStore();
    await balances.record(ACCOUNT, once(creditNote('ACME-CN-2026-000001', 10_000)));

    // Act
    const applied = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        balances.record(
          ACCOUNT,
          (ledger) =>
            applyBalance(ledger, ACCOUNT, `ACME-2026-${String(index + 1).padStart(6, '0')}`, 700, '2026-12-01T02:00:00.000Z').movement,
        ),
      ),
    );

    // Assess
    const movements = await balances.movements('cus_de', 'EUR');
    const taken = applied.reduce((total, result) => total - (result.movement?.amount ?? 0), 0);
    expect(taken).toBe(10_000);
    expect(availableBalance(movements, ACCOUNT)).toBe(0);
    const takes = movements.filter((movement) => movement.kind === 'applied_to_invoice').map((movement) => -movement.amount);
    // 10 000 = 14 x 700 + 200: fourteen invoices take 700, one the 200 left, five nothing.
    expect(takes.sort((a, b) => a - b)).toEqual([200, ...Array.from({ length: 14 }, () => 700)]);
  });

  it('records a balance refund with its balance.refunded fact in one transaction: the fact waits in the outbox while the bus refuses, a retry adds nothing', async () => {
    // Prepare: 50.00 EUR in the balance; a bus that refuses every publish.
    const { stack, tableName, balances } = await balanceStore();
    await balances.record(ACCOUNT, once(creditNote('ACME-CN-2026-000001', 5000)));
    const outbox = new DynamoDbOutboundOutbox(stack.clients.dynamodb, tableName);
    const refusing: OutboundEvents = {
      publish: async () => {
        throw new OutboundPublishError('bus unavailable');
      },
    };
    const deps = {
      balances,
      customerExists: () => Promise.resolve(true),
      now: () => Date.parse('2026-12-06T09:00:00Z'),
      outbound: refusing,
    };

    // Act: 30.00 paid back, the same command retried, then more than what is left.
    const refunded = await refundCustomerBalance(ACCOUNT, { amount: '30.00', reference: 'SEPA-0042' }, deps);
    const retried = await refundCustomerBalance(ACCOUNT, { amount: '30', reference: 'SEPA-0042' }, deps);
    const tooMuch = await refundCustomerBalance(ACCOUNT, { amount: '20.01', reference: 'SEPA-0043' }, deps).catch(
      (error: unknown) => error,
    );
    const pending = await outbox.listPending();
    const published: OutboundFact[] = [];
    const flushed = await flushOutbox({ outbox, outbound: { publish: async (facts) => void published.push(...facts) } });

    // Assess
    expect(refunded).toMatchObject({ alreadyRecorded: false, available: 2000, outboundError: 'bus unavailable' });
    expect(retried).toMatchObject({ alreadyRecorded: true, available: 2000 });
    expect(tooMuch).toBeInstanceOf(InsufficientBalanceError);
    expect((await balances.movements('cus_de', 'EUR')).map((movement) => [movement.kind, movement.amount, movement.reference])).toEqual([
      ['credit_note', 5000, 'ACME-CN-2026-000001'],
      ['refund', -3000, 'SEPA-0042'],
    ]);
    expect(pending).toEqual([balanceRefunded(refunded.refund, 2000)]);
    expect(flushed).toEqual({ published: 1 });
    expect(published.map((fact) => [fact.type, fact.data])).toEqual([
      [
        'balance.refunded',
        { customerId: 'cus_de', currency: 'EUR', amount: 3000, reference: 'SEPA-0042', at: '2026-12-06T09:00:00.000Z', available: 2000 },
      ],
    ]);
    expect(await outbox.listPending()).toEqual([]);
  });
});

/** cus_de's October invoice, closed by the real close-billing-period code. */
async function octoberInvoice(): Promise<{ harness: InvoicingHarness; number: string; tableName: string }> {
  const harness = await createInvoicingHarness(invoicingCatalog([proCustomer('cus_de')]));
  await harness.ingestAt('2026-10-31T12:00:00Z', [apiRequest('cus_de', '2026-10-12T12:00:00Z', 5000)]);
  await harness.close('cus_de', '2026-10', '2026-11-01T02:00:00Z');
  const number = (await harness.invoices.get('cus_de', '2026-10'))?.number;
  if (number === null || number === undefined) throw new Error('the test invoice was not finalized');
  return { harness, number, tableName: harness.stack.env[tables.billing.envVar]! };
}

describe('credit notes to the balance', () => {
  it("records a paid invoice's credit note settled to the balance in the credit note's own transaction; a refunded one adds nothing", async () => {
    // Prepare: paid in full, so nothing is due to absorb the credit.
    const { harness, number, tableName } = await octoberInvoice();
    const client = harness.stack.clients.dynamodb;
    const { invoice } = await harness.invoices.update(number, (current) =>
      applyPayments(
        current,
        [
          {
            kind: 'payment_succeeded',
            eventId: 'evt_paid',
            paymentId: 'pi_paid',
            occurredAt: '2026-11-03T10:00:00Z',
            currency: 'EUR',
            amount: current.total,
            invoiceNumber: number,
          },
        ],
        '2026-11-03T10:00:00.000Z',
      ),
    );
    const creditNotes = new DynamoDbCreditNoteStore(client, tableName);
    const balances = new DynamoDbCustomerBalances(client, tableName);
    const deps = { creditNotes, metrics: noBusinessMetrics, now: () => Date.parse('2026-11-05T10:00:00Z'), outbound: noOutboundEvents };
    const line = { line: 1, amount: '1.00' };

    // Act
    const toBalance = await issueCreditNote(number, { reason: 'goodwill', settlement: 'balance', credit: [line] }, deps);
    const refunded = await issueCreditNote(number, { reason: 'refunded in Stripe', settlement: 'refund', credit: [line] }, deps);

    // Assess
    expect(invoice.paymentStatus).toBe('paid');
    expect(toBalance.creditNote).toMatchObject({ number: 'ACME-CN-2026-000001', appliedToInvoice: 0, total: 119 });
    expect(refunded.creditNote.number).toBe('ACME-CN-2026-000002');
    expect(await balances.movements('cus_de')).toEqual([
      {
        id: 'credit_note:ACME-CN-2026-000001',
        ...ACCOUNT,
        kind: 'credit_note',
        amount: 119,
        at: '2026-11-05T10:00:00.000Z',
        reference: 'ACME-CN-2026-000001',
      },
    ]);
  }, 120_000);
});

describe('the balance applied to the next invoice', () => {
  it("a credit note to the balance is applied to the next month's invoice at finalization, once", async () => {
    // Prepare: October (119.00) paid in full, then credited 30.00 net (35.70) to the balance.
    const { harness, number, tableName } = await octoberInvoice();
    const client = harness.stack.clients.dynamodb;
    const balances = new DynamoDbCustomerBalances(client, tableName);
    await harness.invoices.update(number, (current) =>
      applyPayments(
        current,
        [
          {
            kind: 'payment_succeeded',
            eventId: 'evt_oct',
            paymentId: 'pi_oct',
            occurredAt: '2026-11-03T10:00:00Z',
            currency: 'EUR',
            amount: current.total,
            invoiceNumber: number,
          },
        ],
        '2026-11-03T10:00:00.000Z',
      ),
    );
    const deps = {
      creditNotes: new DynamoDbCreditNoteStore(client, tableName),
      metrics: noBusinessMetrics,
      now: () => Date.parse('2026-11-20T10:00:00Z'),
      outbound: noOutboundEvents,
    };
    const note = await issueCreditNote(
      number,
      { reason: 'outage credit', settlement: 'balance', credit: [{ line: 1, amount: '30.00' }] },
      deps,
    );
    await harness.ingestAt('2026-11-30T12:00:00Z', [apiRequest('cus_de', '2026-11-12T12:00:00Z', 100)]);

    // Act: three processes close November at once (as of December 1st, one an hour later), then a retry.
    const racing = await Promise.all([
      harness.close('cus_de', '2026-11', '2026-12-01T02:00:00Z'),
      harness.close('cus_de', '2026-11', '2026-12-01T02:00:00Z'),
      harness.close('cus_de', '2026-11', '2026-12-01T03:00:00Z'),
    ]);
    const retried = await harness.close('cus_de', '2026-11', '2026-12-01T02:00:00Z');

    // Assess
    const november = (await harness.invoices.get('cus_de', '2026-11'))!;
    expect(note.creditNote).toMatchObject({ total: 3570, appliedToInvoice: 0 });
    expect(racing.map((outcome) => outcome.action).sort()).toEqual(['already_closed', 'already_closed', 'finalized']);
    expect(retried.action).toBe('already_closed');
    expect(november).toMatchObject({ status: 'finalized', total: 11900, balanceApplied: 3570, amountDue: 8330, paymentStatus: 'unpaid' });
    const movements = await balances.movements('cus_de', 'EUR');
    expect(movements.map((movement) => [movement.id, movement.amount])).toEqual([
      [`credit_note:${note.creditNote.number}`, 3570],
      [`applied:${november.number}`, -3570],
    ]);
    expect(availableBalance(movements, ACCOUNT)).toBe(0);
    // October's invoice itself never takes its own credit back: it stays paid and credited.
    expect((await harness.invoices.findByNumber(number))!.balanceApplied).toBeUndefined();
  }, 180_000);

  it('three months finalized at once by three processes share the balance: exactly what it holds, never below zero', async () => {
    // Prepare: 250.00 EUR in the balance; October, November and December (119.00 each) still open.
    const harness = await createInvoicingHarness(invoicingCatalog([proCustomer('cus_de')]));
    const tableName = harness.stack.env[tables.billing.envVar]!;
    const balances = new DynamoDbCustomerBalances(harness.stack.clients.dynamodb, tableName);
    await balances.record(ACCOUNT, once(creditNote('ACME-CN-2026-000001', 25_000)));
    await harness.ingestAt('2026-12-31T12:00:00Z', [
      apiRequest('cus_de', '2026-10-12T12:00:00Z', 100),
      apiRequest('cus_de', '2026-11-12T12:00:00Z', 100),
      apiRequest('cus_de', '2026-12-12T12:00:00Z', 100),
    ]);

    // Act: as of a future instant, each process closing one month (and the open months before it).
    await Promise.all(['2026-10', '2026-11', '2026-12'].map((period) => harness.close('cus_de', period, '2027-01-01T02:00:00Z')));

    // Assess
    const closed = await Promise.all(
      ['2026-10', '2026-11', '2026-12'].map(async (period) => (await harness.invoices.get('cus_de', period))!),
    );
    const movements = await balances.movements('cus_de', 'EUR');
    expect(closed.map((invoice) => invoice.status)).toEqual(['finalized', 'finalized', 'finalized']);
    // Which month takes the last 12.00 is the order the three processes finalize in, not the calendar's.
    expect(closed.map((invoice) => invoice.balanceApplied ?? 0).sort((a, b) => a - b)).toEqual([1200, 11_900, 11_900]);
    for (const invoice of closed) expect(invoice.amountDue).toBe(invoice.total - (invoice.balanceApplied ?? 0));
    expect(availableBalance(movements, ACCOUNT)).toBe(0);
    expect(
      movements.filter((movement) => movement.kind === 'applied_to_invoice').map((movement) => [movement.reference, movement.amount]),
    ).toEqual(expect.arrayContaining(closed.map((invoice) => [invoice.number, -(invoice.balanceApplied ?? 0)])));
  }, 180_000);
});
