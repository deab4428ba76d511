/**
 * The payment ledger by worked examples (CONTRACTS.md section 5), each computed by hand on a
 * EUR 100.00 invoice (10000 cents): payments accumulate, overpayment becomes customer credit,
 * refunds and disputes take money back, and each provider event id is applied once whatever
 * the delivery order.
 */
import { describe, expect, it } from 'vitest';
import { addToLedger, settle } from '#domain/payments/ledger.ts';
import { applyPayments } from '#domain/payments/invoice-payments.ts';
import { summarizePayments } from '#domain/payments/payment-summary.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import { anInvoice, anInvoiceLine } from '#test-support/invoice-factory.ts';
import { creditInFull } from '#test-support/credit-in-full.ts';
import { isChased } from '#domain/dunning/reminder-policy.ts';
import { isOpenReceivable } from '#domain/invoice/lifecycle.ts';

const NOW = '2026-12-05T12:00:00.000Z';
const INVOICE_NUMBER = 'ACME-2026-000042';

/** A finalized EUR 100.00 invoice: one base fee line under reverse charge, so total = net. */
function hundredEuroInvoice(overrides: Partial<Invoice> = {}): Invoice {
  return anInvoice({
    lines: [anInvoiceLine({ kind: 'base_fee', description: 'Base fee, plan pro', meter: null, quantity: '1', unitPrice: '100.00' })],
    ...overrides,
  });
}

function paymentSucceeded(eventId: string, paymentId: string, amount: number, occurredAt: string): PaymentEvent {
  return { kind: 'payment_succeeded', eventId, paymentId, amount, occurredAt, currency: 'EUR', invoiceNumber: INVOICE_NUMBER };
}

function paymentFailed(eventId: string, paymentId: string, amount: number, occurredAt: string): PaymentEvent {
  return {
    kind: 'payment_failed',
    eventId,
    paymentId,
    amount,
    occurredAt,
    currency: 'EUR',
    invoiceNumber: INVOICE_NUMBER,
    reason: 'card_declined',
  };
}

/** `amountRefunded` is the charge's cumulative refunded amount, as Stripe reports it. */
function refundUpdated(eventId: string, paymentId: string, chargeId: string, amountRefunded: number, occurredAt: string): PaymentEvent {
  return { kind: 'refund_updated', eventId, paymentId, chargeId, amountRefunded, occurredAt, currency: 'EUR' };
}

function disputeOpened(eventId: string, paymentId: string, disputeId: string, amount: number, occurredAt: string): PaymentEvent {
  return { kind: 'dispute_opened', eventId, paymentId, disputeId, amount, occurredAt, currency: 'EUR' };
}

function disputeClosed(
  eventId: string,
  paymentId: string,
  disputeId: string,
  amount: number,
  outcome: 'won' | 'lost',
  occurredAt: string,
): PaymentEvent {
  return { kind: 'dispute_closed', eventId, paymentId, disputeId, amount, outcome, occurredAt, currency: 'EUR' };
}

/** Delivers the events one webhook at a time, as the queue consumer does; redeliveries write nothing. */
function deliver(invoice: Invoice, ...events: PaymentEvent[]): Invoice {
  return events.reduce((current, event) => applyPayments(current, [event], NOW) ?? current, invoice);
}

function paymentFields(invoice: Invoice) {
  const { paymentStatus, amountPaid, amountDue, amountRefunded, customerCredit } = invoice;
  return { paymentStatus, amountPaid, amountDue, amountRefunded, customerCredit };
}

describe('applyPayments', () => {
  it('marks an invoice paid by one payment of its total', () => {
    // Prepare
    const invoice = hundredEuroInvoice();
    const payment = paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z');

    // Act
    const paid = applyPayments(invoice, [payment], NOW);

    // Assess
    expect(invoice.total).toBe(10000);
    expect(paid && paymentFields(paid)).toEqual({
      paymentStatus: 'paid',
      amountPaid: 10000,
      amountDue: 0,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(paid?.payments).toEqual([payment]);
    expect(paid?.updatedAt).toBe(NOW);
  });

  it('accumulates two partial payments: partially_paid, then paid', () => {
    // Prepare
    const invoice = hundredEuroInvoice();

    // Act
    const afterFirst = deliver(invoice, paymentSucceeded('evt_1', 'pi_1', 4000, '2026-12-03T09:00:00.000Z'));
    const afterSecond = deliver(afterFirst, paymentSucceeded('evt_2', 'pi_2', 6000, '2026-12-04T09:00:00.000Z'));

    // Assess
    expect(paymentFields(afterFirst)).toEqual({
      paymentStatus: 'partially_paid',
      amountPaid: 4000,
      amountDue: 6000,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(paymentFields(afterSecond)).toEqual({
      paymentStatus: 'paid',
      amountPaid: 10000,
      amountDue: 0,
      amountRefunded: 0,
      customerCredit: 0,
    });
  });

  it('records an overpayment as customer credit', () => {
    // Prepare
    const invoice = hundredEuroInvoice();

    // Act
    const overpaid = deliver(invoice, paymentSucceeded('evt_1', 'pi_1', 12500, '2026-12-03T09:00:00.000Z'));

    // Assess
    expect(paymentFields(overpaid)).toEqual({
      paymentStatus: 'overpaid',
      amountPaid: 12500,
      amountDue: 0,
      amountRefunded: 0,
      customerCredit: 2500,
    });
  });

  it('ends in the same state when a refund is delivered before its payment', () => {
    // Prepare
    const invoice = hundredEuroInvoice();
    const payment = paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z');
    const refund = refundUpdated('evt_2', 'pi_1', 'ch_1', 3000, '2026-12-03T11:00:00.000Z');

    // Act
    const refundOnly = deliver(invoice, refund);
    const refundFirst = deliver(invoice, refund, payment);
    const paymentFirst = deliver(invoice, payment, refund);

    // Assess
    // Nothing received yet: the early refund refunds nothing and never makes the amounts negative.
    expect(paymentFields(refundOnly)).toEqual({
      paymentStatus: 'unpaid',
      amountPaid: 0,
      amountDue: 10000,
      amountRefunded: 0,
      customerCredit: 0,
    });
    // 10000 received - 3000 refunded = 7000 paid, 3000 due.
    expect(paymentFields(refundFirst)).toEqual({
      paymentStatus: 'partially_paid',
      amountPaid: 7000,
      amountDue: 3000,
      amountRefunded: 3000,
      customerCredit: 0,
    });
    expect(refundFirst).toEqual(paymentFirst);
  });

  it('marks a fully refunded invoice refunded, with the whole amount due again', () => {
    // Prepare
    const invoice = deliver(hundredEuroInvoice(), paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'));

    // Act
    const refunded = deliver(
      invoice,
      refundUpdated('evt_2', 'pi_1', 'ch_1', 4000, '2026-12-04T09:00:00.000Z'),
      refundUpdated('evt_3', 'pi_1', 'ch_1', 10000, '2026-12-05T09:00:00.000Z'),
    );

    // Assess
    expect(paymentFields(refunded)).toEqual({
      paymentStatus: 'refunded',
      amountPaid: 0,
      amountDue: 10000,
      amountRefunded: 10000,
      customerCredit: 0,
    });
  });

  it('marks a partially refunded invoice partially_paid and records the refund', () => {
    // Prepare
    const invoice = deliver(hundredEuroInvoice(), paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'));

    // Act
    const partlyRefunded = deliver(invoice, refundUpdated('evt_2', 'pi_1', 'ch_1', 2500, '2026-12-04T09:00:00.000Z'));

    // Assess
    expect(paymentFields(partlyRefunded)).toEqual({
      paymentStatus: 'partially_paid',
      amountPaid: 7500,
      amountDue: 2500,
      amountRefunded: 2500,
      customerCredit: 0,
    });
  });

  it('keeps the largest cumulative refund of a charge when an older figure arrives late', () => {
    // Prepare
    const invoice = deliver(
      hundredEuroInvoice(),
      paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'),
      refundUpdated('evt_3', 'pi_1', 'ch_1', 2500, '2026-12-04T10:00:00.000Z'),
    );

    // Act
    const afterLateFigure = deliver(invoice, refundUpdated('evt_2', 'pi_1', 'ch_1', 1000, '2026-12-04T09:00:00.000Z'));

    // Assess
    expect(paymentFields(afterLateFigure)).toEqual(paymentFields(invoice));
    expect(afterLateFigure.amountRefunded).toBe(2500);
  });

  it('adds up the refunds of different charges of one payment', () => {
    // Prepare
    const invoice = deliver(hundredEuroInvoice(), paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'));

    // Act
    const refunded = deliver(
      invoice,
      refundUpdated('evt_2', 'pi_1', 'ch_1', 1500, '2026-12-04T09:00:00.000Z'),
      refundUpdated('evt_3', 'pi_1', 'ch_2', 2000, '2026-12-04T10:00:00.000Z'),
    );

    // Assess
    expect(paymentFields(refunded)).toEqual({
      paymentStatus: 'partially_paid',
      amountPaid: 6500,
      amountDue: 3500,
      amountRefunded: 3500,
      customerCredit: 0,
    });
  });

  it('marks an invoice disputed and withdraws the disputed amount while the dispute is open', () => {
    // Prepare
    const invoice = deliver(hundredEuroInvoice(), paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'));

    // Act
    const disputed = deliver(invoice, disputeOpened('evt_2', 'pi_1', 'dp_1', 4000, '2026-12-10T09:00:00.000Z'));

    // Assess
    expect(paymentFields(disputed)).toEqual({
      paymentStatus: 'disputed',
      amountPaid: 6000,
      amountDue: 4000,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(settle(disputed.total, disputed.payments).openDisputes).toBe(1);
  });

  it('marks the invoice paid again when the dispute is won', () => {
    // Prepare
    const invoice = deliver(
      hundredEuroInvoice(),
      paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'),
      disputeOpened('evt_2', 'pi_1', 'dp_1', 10000, '2026-12-10T09:00:00.000Z'),
    );

    // Act
    const won = deliver(invoice, disputeClosed('evt_3', 'pi_1', 'dp_1', 10000, 'won', '2026-12-20T09:00:00.000Z'));

    // Assess
    expect(paymentFields(invoice)).toEqual({
      paymentStatus: 'disputed',
      amountPaid: 0,
      amountDue: 10000,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(paymentFields(won)).toEqual({ paymentStatus: 'paid', amountPaid: 10000, amountDue: 0, amountRefunded: 0, customerCredit: 0 });
  });

  it('keeps the invoice disputed with the whole total due and the amount reversed when the dispute is lost', () => {
    // Prepare
    const invoice = deliver(
      hundredEuroInvoice(),
      paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'),
      disputeOpened('evt_2', 'pi_1', 'dp_1', 10000, '2026-12-10T09:00:00.000Z'),
    );

    // Act
    const lost = deliver(invoice, disputeClosed('evt_3', 'pi_1', 'dp_1', 10000, 'lost', '2026-12-20T09:00:00.000Z'));

    // Assess
    expect(invoice.amountReversed).toBeUndefined();
    expect(paymentFields(lost)).toEqual({
      paymentStatus: 'disputed',
      amountPaid: 0,
      amountDue: 10000,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(lost.amountReversed).toBe(10000);
    expect(summarizePayments(lost.payments)[0]!.reversedByDisputes).toBe(10000);
  });

  it('keeps a lost dispute known only by its closing disputed, and reverses nothing before the payment is seen', () => {
    // Prepare
    const lost = disputeClosed('evt_3', 'pi_1', 'dp_1', 4000, 'lost', '2026-12-20T09:00:00.000Z');
    const payment = paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z');

    // Act
    const closingOnly = deliver(hundredEuroInvoice(), lost);
    const both = deliver(closingOnly, payment);

    // Assess
    expect(paymentFields(closingOnly)).toMatchObject({ paymentStatus: 'disputed', amountPaid: 0, amountDue: 10000 });
    expect(closingOnly.amountReversed).toBeUndefined();
    expect(paymentFields(both)).toMatchObject({ paymentStatus: 'disputed', amountPaid: 6000, amountDue: 4000 });
    expect(both.amountReversed).toBe(4000);
  });

  it('lets amounts decide again once a payment covers what a lost dispute reversed, the reversal still shown', () => {
    // Prepare
    const lostInvoice = deliver(
      hundredEuroInvoice(),
      paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'),
      disputeClosed('evt_2', 'pi_1', 'dp_1', 10000, 'lost', '2026-12-20T09:00:00.000Z'),
    );

    // Act
    const paidAgain = deliver(lostInvoice, paymentSucceeded('evt_3', 'pi_2', 10000, '2026-12-22T09:00:00.000Z'));

    // Assess
    expect(paymentFields(paidAgain)).toEqual({
      paymentStatus: 'paid',
      amountPaid: 10000,
      amountDue: 0,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(paidAgain.amountReversed).toBe(10000);
  });

  it('does not reopen a closed dispute when its opening is delivered after the closing', () => {
    // Prepare
    const payment = paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z');
    const opened = disputeOpened('evt_2', 'pi_1', 'dp_1', 10000, '2026-12-10T09:00:00.000Z');
    const won = disputeClosed('evt_3', 'pi_1', 'dp_1', 10000, 'won', '2026-12-20T09:00:00.000Z');

    // Act
    const closingFirst = deliver(hundredEuroInvoice(), payment, won, opened);

    // Assess
    expect(paymentFields(closingFirst)).toEqual({
      paymentStatus: 'paid',
      amountPaid: 10000,
      amountDue: 0,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(closingFirst).toEqual(deliver(hundredEuroInvoice(), payment, opened, won));
  });

  it('lets the latest closing win when two closings of a dispute disagree, then the greatest event id', () => {
    // Prepare
    const payment = paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z');
    const lostEarlier = disputeClosed('evt_9', 'pi_1', 'dp_1', 10000, 'lost', '2026-12-20T09:00:00.000Z');
    const wonLater = disputeClosed('evt_2', 'pi_1', 'dp_1', 10000, 'won', '2026-12-21T09:00:00.000Z');
    const lostSameInstantGreaterId = disputeClosed('evt_3', 'pi_1', 'dp_1', 10000, 'lost', '2026-12-21T09:00:00.000Z');

    // Act
    const byTime = deliver(hundredEuroInvoice(), payment, wonLater, lostEarlier);
    const byEventId = deliver(hundredEuroInvoice(), payment, lostSameInstantGreaterId, wonLater, lostEarlier);

    // Assess
    expect(byTime.paymentStatus).toBe('paid');
    expect(byTime.amountReversed).toBeUndefined();
    expect(byEventId.paymentStatus).toBe('disputed');
    expect(byEventId.amountReversed).toBe(10000);
  });

  it('counts a failed attempt without moving money, then takes the successful payment', () => {
    // Prepare
    const invoice = hundredEuroInvoice();

    // Act
    const afterFailure = deliver(invoice, paymentFailed('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'));
    const afterSuccess = deliver(afterFailure, paymentSucceeded('evt_2', 'pi_1', 10000, '2026-12-03T09:05:00.000Z'));

    // Assess
    expect(paymentFields(afterFailure)).toEqual({
      paymentStatus: 'unpaid',
      amountPaid: 0,
      amountDue: 10000,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(afterFailure.payments).toHaveLength(1);
    expect(paymentFields(afterSuccess)).toEqual({
      paymentStatus: 'paid',
      amountPaid: 10000,
      amountDue: 0,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(settle(afterSuccess.total, afterSuccess.payments).failedAttempts).toBe(1);
  });

  it('returns undefined for an event id already applied, so nothing is written', () => {
    // Prepare
    const payment = paymentSucceeded('evt_1', 'pi_1', 4000, '2026-12-03T09:00:00.000Z');
    const invoice = deliver(hundredEuroInvoice(), payment);

    // Act
    const redelivered = applyPayments(invoice, [{ ...payment }], NOW);
    const sameIdOtherContent = applyPayments(invoice, [paymentSucceeded('evt_1', 'pi_1', 9999, '2026-12-03T09:00:00.000Z')], NOW);

    // Assess
    expect(redelivered).toBeUndefined();
    expect(sameIdOtherContent).toBeUndefined();
    expect(invoice.amountPaid).toBe(4000);
  });

  it('applies an event id repeated within one batch once', () => {
    // Prepare
    const failure = paymentFailed('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z');

    // Act
    const invoice = applyPayments(hundredEuroInvoice(), [failure, { ...failure }], NOW);

    // Assess
    expect(invoice?.payments).toEqual([failure]);
    expect(settle(10000, invoice?.payments ?? []).failedAttempts).toBe(1);
  });

  it('refuses a draft, which has no number to pay against', () => {
    // Prepare
    const draft = hundredEuroInvoice({ number: null, status: 'draft' });

    // Act
    const apply = () => applyPayments(draft, [paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z')], NOW);

    // Assess
    expect(apply).toThrow(/draft invoice of cus_42 for 2026-11: it has no number/);
  });

  it('refuses a payment in another currency than the invoice', () => {
    // Prepare
    const payment: PaymentEvent = { ...paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'), currency: 'USD' };

    // Act
    const apply = () => applyPayments(hundredEuroInvoice(), [payment], NOW);

    // Assess
    expect(apply).toThrow('payment event evt_1 is in USD but invoice ACME-2026-000042 is in EUR');
  });

  it('takes payments on a voided invoice that keeps its number', () => {
    // Prepare
    const voided = hundredEuroInvoice({ status: 'void', voidedAt: '2026-12-02T09:00:00.000Z', voidReason: 'duplicate' });

    // Act
    const paid = applyPayments(voided, [paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z')], NOW);

    // Assess
    expect(paid?.paymentStatus).toBe('paid');
    expect(paid?.status).toBe('void');
  });
});

describe('addToLedger', () => {
  it('stores the ledger in occurredAt then eventId order, whatever the arrival order', () => {
    // Prepare
    const payment = paymentSucceeded('evt_b', 'pi_1', 10000, '2026-12-03T09:00:00.000Z');
    const refund = refundUpdated('evt_c', 'pi_1', 'ch_1', 500, '2026-12-04T09:00:00Z');
    const sameInstantAsRefund = refundUpdated('evt_a', 'pi_1', 'ch_1', 300, '2026-12-04T09:00:00.000Z');

    // Act
    const first = addToLedger([], [refund, payment]);
    const second = addToLedger(first.ledger, [sameInstantAsRefund, payment]);

    // Assess
    expect(first.added).toEqual([refund, payment]);
    expect(second.added).toEqual([sameInstantAsRefund]);
    // 09:00:00Z and 09:00:00.000Z are the same instant: the event id decides.
    expect(second.ledger).toEqual([payment, sameInstantAsRefund, refund]);
  });
});

describe('settle', () => {
  it('refuses a ledger that mixes currencies', () => {
    // Prepare
    const ledger: PaymentEvent[] = [
      paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'),
      { ...paymentSucceeded('evt_2', 'pi_2', 10000, '2026-12-03T09:00:00.000Z'), currency: 'USD' },
    ];

    // Act
    const settleMixed = () => settle(10000, ledger);

    // Assess
    expect(settleMixed).toThrow('payment ledger mixes currencies (EUR, USD)');
  });

  it('refuses an amount that is not whole minor units', () => {
    // Prepare
    const ledger = [paymentSucceeded('evt_1', 'pi_1', 100.5, '2026-12-03T09:00:00.000Z')];

    // Act
    const settleFractional = () => settle(10000, ledger);

    // Assess
    expect(settleFractional).toThrow(
      'payment event evt_1 (payment_succeeded): amount must be a whole, non-negative number of minor units, got 100.5',
    );
  });
});

describe("a lost dispute, the operator's credit note and what comes after (issue 16)", () => {
  const payment = paymentSucceeded('evt_1', 'pi_1', 10000, '2026-12-03T09:00:00.000Z');
  const opened = disputeOpened('evt_2', 'pi_1', 'dp_1', 10000, '2026-12-10T09:00:00.000Z');
  const lost = disputeClosed('evt_3', 'pi_1', 'dp_1', 10000, 'lost', '2026-12-20T09:00:00.000Z');

  it('is not chased while disputed, and a full credit settles it as credited with the reversal still shown', () => {
    // Prepare
    const disputed = deliver(hundredEuroInvoice(), payment, opened, lost);

    // Act
    const credited = creditInFull(disputed, '2026-12-21T10:00:00.000Z');

    // Assess
    expect(isOpenReceivable(disputed) || isChased(disputed)).toBe(false);
    expect(paymentFields(credited)).toEqual({
      paymentStatus: 'credited',
      amountPaid: 0,
      amountDue: 0,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(credited.creditedAmount).toBe(10000);
    expect(credited.amountReversed).toBe(10000);
    expect(isChased(credited)).toBe(false);
  });

  it('gives the customer the money as credit when the dispute is won after all or paid again after the credit note', () => {
    // Prepare
    const credited = creditInFull(deliver(hundredEuroInvoice(), payment, opened, lost), '2026-12-21T10:00:00.000Z');
    const wonAfterAll = disputeClosed('evt_4', 'pi_1', 'dp_1', 10000, 'won', '2026-12-28T09:00:00.000Z');
    const paidAgain = paymentSucceeded('evt_5', 'pi_2', 10000, '2026-12-28T09:00:00.000Z');

    // Act
    const won = deliver(credited, wonAfterAll);
    const repaid = deliver(credited, paidAgain);

    // Assess
    expect(paymentFields(won)).toEqual({
      paymentStatus: 'overpaid',
      amountPaid: 10000,
      amountDue: 0,
      amountRefunded: 0,
      customerCredit: 10000,
    });
    expect(won.amountReversed).toBeUndefined();
    expect(paymentFields(repaid)).toEqual(paymentFields(won));
    expect(repaid.amountReversed).toBe(10000);
  });

  it('turns disputed again when a dispute of a payment credited to the balance is lost after the credit note', () => {
    // Prepare: paid in full, then credited in full: the payment went to the customer's balance.
    const credited = creditInFull(deliver(hundredEuroInvoice(), payment), '2026-12-05T10:00:00.000Z');

    // Act: the customer also charges the payment back, so the balance it was given is owed again.
    const chargedBack = deliver(credited, opened, lost);

    // Assess
    expect(credited.paymentStatus).toBe('paid');
    expect(paymentFields(chargedBack)).toEqual({
      paymentStatus: 'disputed',
      amountPaid: 0,
      amountDue: 10000,
      amountRefunded: 0,
      customerCredit: 0,
    });
    expect(chargedBack.amountReversed).toBe(10000);
  });
});

describe('summarizePayments', () => {
  it('gives one row per payment with what it received, refunded and lost to disputes', () => {
    // Prepare
    const ledger = [
      paymentFailed('evt_1', 'pi_1', 10000, '2026-12-03T08:55:00.000Z'),
      paymentSucceeded('evt_2', 'pi_1', 10000, '2026-12-03T09:00:00.000Z'),
      refundUpdated('evt_3', 'pi_1', 'ch_1', 2000, '2026-12-04T09:00:00.000Z'),
      disputeOpened('evt_4', 'pi_1', 'dp_1', 3000, '2026-12-10T09:00:00.000Z'),
      disputeClosed('evt_5', 'pi_1', 'dp_1', 3000, 'lost', '2026-12-20T09:00:00.000Z'),
      paymentSucceeded('evt_6', 'pi_2', 1500, '2026-12-05T09:00:00.000Z'),
      disputeOpened('evt_7', 'pi_2', 'dp_2', 1500, '2026-12-11T09:00:00.000Z'),
    ];

    // Act
    const rows = summarizePayments([...ledger].reverse());

    // Assess
    expect(rows).toEqual([
      {
        paymentId: 'pi_1',
        currency: 'EUR',
        received: 10000,
        refunded: 2000,
        withdrawnByDisputes: 3000,
        reversedByDisputes: 3000,
        net: 5000,
        failedAttempts: 1,
        disputes: [{ disputeId: 'dp_1', status: 'lost', amount: 3000 }],
        firstSeenAt: '2026-12-03T08:55:00.000Z',
        lastEventAt: '2026-12-20T09:00:00.000Z',
      },
      {
        paymentId: 'pi_2',
        currency: 'EUR',
        received: 1500,
        refunded: 0,
        withdrawnByDisputes: 1500,
        net: 0,
        failedAttempts: 0,
        disputes: [{ disputeId: 'dp_2', status: 'open', amount: 1500 }],
        firstSeenAt: '2026-12-05T09:00:00.000Z',
        lastEventAt: '2026-12-11T09:00:00.000Z',
      },
    ]);
  });
});
