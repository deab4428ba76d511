/**
 * The customer balance ledger (shared/domain/balance/ledger.ts) and an invoice's settlement with
 * credits (shared/domain/payments/credited-settlement.ts): examples and every refusal.
 */
import { describe, expect, it } from 'vitest';
import {
  applyBalance,
  availableBalance,
  creditNoteMovement,
  overpaymentMovement,
  recordMovement,
  refundMovement,
  type BalanceMovement,
} from '#domain/balance/ledger.ts';
import { InsufficientBalanceError } from '#domain/errors.ts';
import type { CreditNote } from '#domain/credit-notes/types.ts';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import { settleWithCredits } from '#domain/payments/credited-settlement.ts';

const ACCOUNT = { customerId: 'cus_42', currency: 'EUR' } as const;
const AT = '2026-12-10T09:00:00.000Z';

function payment(eventId: string, amount: number): PaymentEvent {
  return {
    kind: 'payment_succeeded',
    eventId,
    paymentId: `pi_${eventId}`,
    occurredAt: '2026-12-05T10:00:00Z',
    currency: 'EUR',
    amount,
    invoiceNumber: 'ACME-2026-000042',
  };
}

function refund(eventId: string, paymentEventId: string, amountRefunded: number): PaymentEvent {
  return {
    kind: 'refund_updated',
    eventId,
    paymentId: `pi_${paymentEventId}`,
    occurredAt: '2026-12-06T10:00:00Z',
    currency: 'EUR',
    chargeId: `ch_${paymentEventId}`,
    amountRefunded,
  };
}

function movement(kind: BalanceMovement['kind'], amount: number, id = `${kind}:${amount}`): BalanceMovement {
  return { id, ...ACCOUNT, kind, amount, at: AT, reference: 'ACME-CN-2026-000001' };
}

function record(...movements: BalanceMovement[]): BalanceMovement[] {
  return movements.reduce<BalanceMovement[]>((ledger, each) => recordMovement(ledger, each).ledger, []);
}

describe('invoice settlement with credits', () => {
  it('a credit note reduces the amount due; the rest paid makes it paid', () => {
    expect(settleWithCredits(11900, [], [{ total: 2380, appliedToInvoice: 2380 }])).toMatchObject({
      amountDue: 9520,
      paymentStatus: 'unpaid',
      creditedAmount: 2380,
    });
    expect(settleWithCredits(11900, [payment('p1', 9520)], [{ total: 2380, appliedToInvoice: 2380 }])).toMatchObject({
      amountDue: 0,
      paymentStatus: 'paid',
      overpayment: 0,
    });
  });

  it('credited in full and unpaid is settled as credited: nothing due', () => {
    expect(settleWithCredits(11900, [], [{ total: 11900, appliedToInvoice: 11900 }])).toMatchObject({
      amountDue: 0,
      paymentStatus: 'credited',
      creditApplied: 11900,
    });
  });

  it('a payment that arrives after a credit overpays the credited invoice: the difference is the overpayment', () => {
    expect(settleWithCredits(11900, [payment('p1', 11900)], [{ total: 2380, appliedToInvoice: 2380 }])).toMatchObject({
      amountDue: 0,
      paymentStatus: 'overpaid',
      overpayment: 2380,
    });
  });

  it('a credit on a paid invoice leaves it paid and settles outside: not counted again when the payment is refunded later', () => {
    const credits = [{ total: 2380, appliedToInvoice: 0 }];
    expect(settleWithCredits(11900, [payment('p1', 11900)], credits)).toMatchObject({
      amountDue: 0,
      paymentStatus: 'paid',
      creditSettledOutside: 2380,
      overpayment: 0,
    });
    expect(settleWithCredits(11900, [payment('p1', 11900), refund('r1', 'p1', 11900)], credits)).toMatchObject({
      amountDue: 11900,
      paymentStatus: 'refunded',
    });
  });

  it("without credits it is the payment ledger's state", () => {
    expect(settleWithCredits(11900, [payment('p1', 5000)], [])).toMatchObject({
      amountDue: 6900,
      paymentStatus: 'partially_paid',
      creditedAmount: 0,
    });
  });

  it('refuses a credit applying more than its total and credits above the invoice', () => {
    expect(() => settleWithCredits(11900, [], [{ total: 100, appliedToInvoice: 101 }])).toThrow(
      'a credit note must apply a whole amount between 0 and its total to the invoice, got 101 of 100',
    );
    expect(() => settleWithCredits(11900, [], [{ total: 11901, appliedToInvoice: 0 }])).toThrow(
      "credit notes total 11901, more than the invoice's 11900",
    );
  });
});

describe('customer balance ledger', () => {
  it('adds credit notes and overpayments, applies the balance to a new invoice and carries the rest forward', () => {
    const ledger = record(movement('credit_note', 3000), movement('overpayment', 500));
    expect(availableBalance(ledger, ACCOUNT)).toBe(3500);
    const small = applyBalance(ledger, ACCOUNT, 'ACME-2027-000001', 2000, AT);
    expect(small).toMatchObject({ balanceApplied: 2000, amountDue: 0, carriedForward: 1500 });
    const after = recordMovement(ledger, small.movement!).ledger;
    expect(availableBalance(after, ACCOUNT)).toBe(1500);
    const large = applyBalance(after, ACCOUNT, 'ACME-2027-000002', 9000, AT);
    expect(large).toMatchObject({ balanceApplied: 1500, amountDue: 7500, carriedForward: 0 });
  });

  it('applies the balance to an invoice once, whatever is retried', () => {
    const ledger = record(movement('credit_note', 3000));
    const first = applyBalance(ledger, ACCOUNT, 'ACME-2027-000001', 2000, AT);
    const after = recordMovement(ledger, first.movement!).ledger;
    expect(applyBalance(after, ACCOUNT, 'ACME-2027-000001', 2000, '2026-12-11T00:00:00.000Z')).toEqual({
      balanceApplied: 2000,
      amountDue: 0,
      carriedForward: 1000,
      movement: undefined,
    });
    expect(recordMovement(after, { ...first.movement!, at: '2026-12-11T00:00:00.000Z' }).added).toBe(false);
  });

  it('keeps balances per customer and currency apart', () => {
    const ledger = record(
      movement('credit_note', 3000),
      { ...movement('credit_note', 700, 'usd'), currency: 'USD' },
      { ...movement('credit_note', 900, 'other'), customerId: 'cus_7' },
    );
    expect(availableBalance(ledger, ACCOUNT)).toBe(3000);
    expect(availableBalance(ledger, { customerId: 'cus_42', currency: 'USD' })).toBe(700);
  });

  it('records the balance part of a credit note settled to the balance, nothing for a refunded one', () => {
    const note = {
      number: 'ACME-CN-2026-000001',
      customerId: 'cus_42',
      currency: 'EUR',
      total: 2380,
      appliedToInvoice: 500,
      settlement: 'balance',
    } as CreditNote;
    expect(creditNoteMovement(note, AT)).toEqual({
      id: 'credit_note:ACME-CN-2026-000001',
      ...ACCOUNT,
      kind: 'credit_note',
      amount: 1880,
      at: AT,
      reference: 'ACME-CN-2026-000001',
    });
    expect(creditNoteMovement({ ...note, settlement: 'refund' }, AT)).toBeUndefined();
    expect(creditNoteMovement({ ...note, appliedToInvoice: 2380 }, AT)).toBeUndefined();
  });

  it('follows an invoice overpayment up and down, never below zero, and says what the balance no longer holds', () => {
    const up = overpaymentMovement([], ACCOUNT, 'ACME-2026-000042', 2000, AT);
    expect(up).toEqual({
      movement: {
        id: 'overpayment:ACME-2026-000042:1',
        ...ACCOUNT,
        kind: 'overpayment',
        amount: 2000,
        at: AT,
        reference: 'ACME-2026-000042',
      },
      uncovered: 0,
    });
    let ledger = recordMovement([], up.movement!).ledger;
    expect(overpaymentMovement(ledger, ACCOUNT, 'ACME-2026-000042', 2000, AT)).toEqual({ movement: undefined, uncovered: 0 });
    ledger = recordMovement(ledger, applyBalance(ledger, ACCOUNT, 'ACME-2027-000001', 1500, AT).movement!).ledger;
    // The overpaying payment is refunded: 2000 leave the balance, but only 500 are still in it.
    const down = overpaymentMovement(ledger, ACCOUNT, 'ACME-2026-000042', 0, AT);
    expect(down).toMatchObject({ movement: { id: 'overpayment:ACME-2026-000042:2', amount: -500 }, uncovered: 1500 });
    ledger = recordMovement(ledger, down.movement!).ledger;
    expect(availableBalance(ledger, ACCOUNT)).toBe(0);
    // Overpaid by 2000 again: the 1500 the balance could not give back are set off against it,
    // in a change of its own (not the first change's id again).
    const again = overpaymentMovement(ledger, ACCOUNT, 'ACME-2026-000042', 2000, AT);
    expect(again).toMatchObject({ movement: { id: 'overpayment:ACME-2026-000042:3', amount: 500 }, uncovered: 0 });
  });

  it('refuses to take out more than is available, naming what is available', () => {
    const ledger = record(movement('credit_note', 3000));
    expect(() => refundMovement(ledger, ACCOUNT, 're_1', 3001, AT)).toThrow(new InsufficientBalanceError(ACCOUNT, 3000, 3001));
    expect(() => refundMovement(ledger, ACCOUNT, 're_1', 3001, AT)).toThrow(
      'Customer cus_42 has 30.00 EUR of balance available; 30.01 EUR cannot be taken out of it: take at most 30.00 EUR',
    );
    expect(() => recordMovement(ledger, movement('applied_to_invoice', -3001))).toThrow(InsufficientBalanceError);
    expect(refundMovement(ledger, ACCOUNT, 're_1', 3000, AT)).toMatchObject({ kind: 'refund', amount: -3000 });
  });

  it('refuses a movement whose sign does not fit its kind, a zero refund, and an id reused with other figures', () => {
    expect(() => recordMovement([], movement('credit_note', -1))).toThrow(
      'balance movement credit_note:-1: a credit_note movement cannot be -1 minor units (credit notes add)',
    );
    expect(() => recordMovement([], movement('refund', 5))).toThrow('a refund movement cannot be 5 minor units (it takes out)');
    expect(() => refundMovement([], ACCOUNT, 're_1', 0, AT)).toThrow('a balance refund is a whole number of minor units above 0, got 0');
    const ledger = record(movement('credit_note', 3000, 'credit_note:X'));
    expect(() => recordMovement(ledger, movement('credit_note', 3001, 'credit_note:X'))).toThrow(
      'balance movement credit_note:X is already recorded with other figures (3000 EUR, not 3001 EUR)',
    );
    expect(() => applyBalance([], ACCOUNT, 'X', -1, AT)).toThrow('an amount due is a whole number of minor units, 0 or more, got -1');
  });
});
