/**
 * Overpayments to the customer balance (issue 16): apply-payment-event's settle step brings the
 * balance's record of an invoice's overpayment up to the invoice's `customerCredit`, once per
 * change, on a retry too, and a refund of the overpaid payment takes it back as far as the
 * balance holds it.
 */
import { describe, expect, it } from 'vitest';
import { availableBalance, type BalanceMovement } from '#domain/balance/ledger.ts';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import { applyPayments } from '#domain/payments/invoice-payments.ts';
import type { PaymentLink } from '#ports/payment-store.ts';
import { settle } from '#use-cases/apply-payment-event.ts';
import { InMemoryCustomerBalances } from '#test-support/in-memory-balances.ts';
import { InMemoryInvoices } from '#test-support/in-memory-invoices.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';

const NOW = Date.parse('2026-12-05T10:00:00Z');
const invoice = anInvoice();
const NUMBER = invoice.number!;
const ACCOUNT = { customerId: invoice.customerId, currency: 'EUR' };
const LINK: PaymentLink = {
  paymentId: 'pi_1',
  status: 'matched',
  invoiceNumber: NUMBER,
  namedInvoice: NUMBER,
  currency: 'EUR',
  reason: null,
  linkedAt: '2026-12-05T10:00:00Z',
  linkedBy: 'provider',
};
const paid: PaymentEvent = {
  kind: 'payment_succeeded',
  eventId: 'evt_paid',
  paymentId: 'pi_1',
  occurredAt: '2026-12-05T10:00:00Z',
  currency: 'EUR',
  amount: invoice.total + 3000,
  invoiceNumber: NUMBER,
};
const refunded = (amountRefunded: number): PaymentEvent => ({
  kind: 'refund_updated',
  eventId: `evt_refund_${amountRefunded}`,
  paymentId: 'pi_1',
  occurredAt: '2026-12-06T10:00:00Z',
  currency: 'EUR',
  chargeId: 'ch_1',
  amountRefunded,
});

function world(movements: readonly BalanceMovement[] = []) {
  const invoices = new InMemoryInvoices([invoice]);
  const balances = new InMemoryCustomerBalances(movements);
  const events: PaymentEvent[] = [];
  const deps = { invoices, balances, payments: { eventsOf: async () => [...events] }, now: () => NOW };
  return { invoices, balances, events, settleNow: () => settle('pi_1', LINK, deps) };
}

describe('overpayments to the customer balance', () => {
  it('records an overpayment once, however often the step runs', async () => {
    // Prepare
    const { balances, events, settleNow } = world();
    events.push(paid);

    // Act
    const outcome = await settleNow();
    await settleNow();

    // Assess
    expect(outcome).toMatchObject({ action: 'applied', invoice: { customerCredit: 3000, paymentStatus: 'overpaid' } });
    expect(await balances.movements(ACCOUNT.customerId)).toEqual([
      { id: `overpayment:${NUMBER}:1`, ...ACCOUNT, kind: 'overpayment', amount: 3000, at: new Date(NOW).toISOString(), reference: NUMBER },
    ]);
  });

  it('records it on the retry of a step that stored the payment and crashed before the balance', async () => {
    // Prepare: the invoice already took the payment; the balance never heard of it.
    const { invoices, balances, events, settleNow } = world();
    events.push(paid);
    await invoices.update(NUMBER, (current) => applyPayments(current, [paid], new Date(NOW).toISOString()));

    // Act
    const outcome = await settleNow();

    // Assess
    expect(outcome).toMatchObject({ action: 'applied', added: [] });
    expect(availableBalance(await balances.movements(ACCOUNT.customerId), ACCOUNT)).toBe(3000);
  });

  it('a refund of the overpaid payment takes the overpayment back out of the balance', async () => {
    // Prepare
    const { balances, events, settleNow } = world();
    events.push(paid);
    await settleNow();

    // Act
    events.push(refunded(2000));
    await settleNow();

    // Assess
    const movements = await balances.movements(ACCOUNT.customerId);
    expect(movements.map((movement) => [movement.id, movement.amount])).toEqual([
      [`overpayment:${NUMBER}:1`, 3000],
      [`overpayment:${NUMBER}:2`, -2000],
    ]);
    expect(availableBalance(movements, ACCOUNT)).toBe(1000);
  });

  it('takes back only what the balance still holds once it was applied to a later invoice: never below zero', async () => {
    // Prepare: the overpayment went to the next invoice before the refund.
    const { balances, events, settleNow } = world();
    events.push(paid);
    await settleNow();
    await balances.record(ACCOUNT, () => ({
      id: 'applied:ACME-2027-000001',
      ...ACCOUNT,
      kind: 'applied_to_invoice',
      amount: -2500,
      at: '2027-01-01T02:00:00.000Z',
      reference: 'ACME-2027-000001',
    }));

    // Act
    events.push(refunded(3000));
    await settleNow();

    // Assess
    const movements = await balances.movements(ACCOUNT.customerId);
    expect(movements.at(-1)).toMatchObject({ kind: 'overpayment', amount: -500 });
    expect(availableBalance(movements, ACCOUNT)).toBe(0);
  });

  it('two payments racing on one invoice leave the balance at its final overpayment', async () => {
    // Prepare
    const { invoices, balances, events } = world();
    const second: PaymentEvent = { ...paid, eventId: 'evt_second', paymentId: 'pi_2', amount: 1000 };
    events.push(paid);
    const deps = { invoices, balances, now: () => NOW };
    const secondEvents = { eventsOf: async () => [second] };

    // Act
    await Promise.all([
      settle('pi_1', LINK, { ...deps, payments: { eventsOf: async () => [paid] } }),
      settle('pi_2', { ...LINK, paymentId: 'pi_2' }, { ...deps, payments: secondEvents }),
    ]);

    // Assess
    expect(invoices.current(NUMBER).customerCredit).toBe(4000);
    expect(availableBalance(await balances.movements(ACCOUNT.customerId), ACCOUNT)).toBe(4000);
  });
});
