/**
 * The customer balance used on a new invoice as it is finalized (issue 16,
 * shared/domain/balance/apply-to-invoice.ts), what its payment state makes of it
 * (credited-settlement.ts), and, as properties over a customer's months of invoices, payments,
 * refunds and credit notes: the balance never goes negative and every invoice keeps
 * total + overpayment + credit settled outside = paid + credited + balanceApplied + due.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invoiceItem } from '#adapters/dynamodb/invoice-repository.ts';
import { applyBalanceToInvoice } from '#domain/balance/apply-to-invoice.ts';
import { availableBalance, creditNoteMovement, overpaymentMovement, recordMovement, type BalanceMovement } from '#domain/balance/ledger.ts';
import { assembleCreditNote } from '#domain/credit-notes/assemble.ts';
import type { CreditNote, CreditSettlement } from '#domain/credit-notes/types.ts';
import { InvoiceStateError } from '#domain/errors.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { isOpenReceivable } from '#domain/invoice/lifecycle.ts';
import { reminderEmail } from '#domain/dunning/reminder-email.ts';
import { formatMinor } from '#domain/money.ts';
import { settleWithCredits } from '#domain/payments/credited-settlement.ts';
import { applyPayments } from '#domain/payments/invoice-payments.ts';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import { aDraftInvoice, anInvoice, anInvoiceLine } from '#test-support/invoice-factory.ts';

const AT = '2026-12-01T02:00:00.000Z';
const invoice = anInvoice({ number: 'ACME-2026-000050' });
const ACCOUNT = { customerId: invoice.customerId, currency: invoice.currency };

function credit(amount: number, currency = 'EUR'): BalanceMovement {
  return {
    id: `credit_note:CN-${amount}-${currency}`,
    ...ACCOUNT,
    currency,
    kind: 'credit_note',
    amount,
    at: AT,
    reference: `CN-${amount}`,
  };
}

function payment(eventId: string, amount: number, number = invoice.number!): PaymentEvent {
  return { kind: 'payment_succeeded', eventId, paymentId: `pi_${eventId}`, occurredAt: AT, currency: 'EUR', amount, invoiceNumber: number };
}

describe('the balance applied to an invoice at finalization', () => {
  it('takes part of the amount due when the balance is smaller: balanceApplied, the rest due, still unpaid', () => {
    // Act
    const { invoice: applied, movement } = applyBalanceToInvoice(invoice, [credit(5000)], AT);

    // Assess
    expect(applied).toMatchObject({ balanceApplied: 5000, amountDue: invoice.total - 5000, paymentStatus: 'unpaid', amountPaid: 0 });
    expect(movement).toEqual({
      id: `applied:${invoice.number}`,
      ...ACCOUNT,
      kind: 'applied_to_invoice',
      amount: -5000,
      at: AT,
      reference: invoice.number,
    });
  });

  it('covers the whole invoice when the balance is larger: nothing due, paid (not overdue, not chased), the rest carried forward', () => {
    // Prepare
    const ledger = [credit(invoice.total + 8100)];

    // Act
    const { invoice: applied, movement } = applyBalanceToInvoice(invoice, ledger, AT);

    // Assess
    expect(applied).toMatchObject({ balanceApplied: invoice.total, amountDue: 0, paymentStatus: 'paid', customerCredit: 0 });
    expect(availableBalance(recordMovement(ledger, movement!).ledger, ACCOUNT)).toBe(8100);
  });

  it('covered in full it is no open receivable (dunning never chases it); partly covered, it is chased for the rest only', () => {
    // Act
    const covered = applyBalanceToInvoice(invoice, [credit(invoice.total)], AT).invoice;
    const partly = applyBalanceToInvoice(invoice, [credit(5000)], AT).invoice;

    // Assess: the sparse index dunning queries (open-receivables) holds only the partly covered one.
    expect(isOpenReceivable(covered)).toBe(false);
    expect(invoiceItem(covered).receivable).toBeUndefined();
    expect(isOpenReceivable(partly)).toBe(true);
    expect(invoiceItem(partly).receivable).toBe('OPEN');
    expect(reminderEmail(partly, 3).text).toContain(formatMinor(invoice.total - 5000, 'EUR'));
  });

  it('leaves an invoice with no balance in its currency exactly as it was, without the field', () => {
    // Act
    const none = applyBalanceToInvoice(invoice, [], AT);
    const otherCurrency = applyBalanceToInvoice(invoice, [credit(5000, 'USD')], AT);

    // Assess
    expect(none).toEqual({ invoice, movement: undefined });
    expect(otherCurrency.invoice).toBe(invoice);
    expect('balanceApplied' in none.invoice).toBe(false);
  });

  it('applies once: an invoice that already records its balance takes no more', () => {
    // Prepare
    const { invoice: applied } = applyBalanceToInvoice(invoice, [credit(5000)], AT);

    // Act
    const again = applyBalanceToInvoice(applied, [credit(5000), credit(7000)], AT);

    // Assess
    expect(again).toEqual({ invoice: applied, movement: undefined });
  });

  it('is refused for a draft: the balance is used when an invoice is finalized', () => {
    expect(() => applyBalanceToInvoice(aDraftInvoice(), [credit(5000)], AT)).toThrow(InvoiceStateError);
  });

  it('payments count after it: the rest paid makes it paid; paying the whole total overpays by what the balance covered', () => {
    // Prepare
    const { invoice: applied } = applyBalanceToInvoice(invoice, [credit(5000)], AT);

    // Act
    const restPaid = applyPayments(applied, [payment('rest', applied.amountDue)], AT)!;
    const totalPaid = applyPayments(applied, [payment('total', invoice.total)], AT)!;

    // Assess
    expect(restPaid).toMatchObject({ paymentStatus: 'paid', amountDue: 0, customerCredit: 0 });
    expect(totalPaid).toMatchObject({ paymentStatus: 'overpaid', amountDue: 0, customerCredit: 5000 });
  });

  it('a credit note issued afterwards is absorbed by what is still due, the rest goes to the balance; settled by balance and credit, it reads paid', () => {
    // Prepare
    const { invoice: applied } = applyBalanceToInvoice(invoice, [credit(invoice.total - 1000)], AT);

    // Act
    const note = assembleCreditNote({
      invoice: applied,
      creditNotes: [],
      request: { reason: 'Correction', settlement: 'balance', credit: 'all' },
      issueDate: '2026-12-02',
    });

    // Assess
    expect(note).toMatchObject({ total: invoice.total, appliedToInvoice: 1000 });
    expect(settleWithCredits(applied.total, [], [note], applied.balanceApplied)).toMatchObject({
      amountDue: 0,
      paymentStatus: 'paid',
      overpayment: 0,
    });
  });
});

// ---- properties: a customer's months ---------------------------------------------------------

type Step =
  | { kind: 'newInvoice'; netAmount: number }
  | { kind: 'payment'; seed: number; percent: number }
  | { kind: 'refund'; seed: number; percent: number }
  | { kind: 'credit'; seed: number; percent: number; settlement: CreditSettlement };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('newInvoice' as const), netAmount: fc.integer({ min: 1, max: 30_000 }) }),
  fc.record({ kind: fc.constant('payment' as const), seed: fc.nat(), percent: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('refund' as const), seed: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) }),
  fc.record({
    kind: fc.constant('credit' as const),
    seed: fc.nat(),
    percent: fc.integer({ min: 1, max: 100 }),
    settlement: fc.constantFrom<CreditSettlement>('balance', 'refund'),
  }),
);

interface Customer {
  invoices: Invoice[];
  notes: Map<string, CreditNote[]>;
  ledger: BalanceMovement[];
  clock: number;
}

function tick(customer: Customer): string {
  customer.clock += 1;
  return new Date(Date.parse('2026-12-01T00:00:00Z') + customer.clock * 60_000).toISOString();
}

function record(customer: Customer, movement: BalanceMovement | undefined): void {
  if (movement !== undefined) customer.ledger = recordMovement(customer.ledger, movement).ledger;
}

/** What apply-payment-event does after a settle: the balance follows the invoice's overpayment. */
function followOverpayment(customer: Customer, changed: Invoice): void {
  record(customer, overpaymentMovement(customer.ledger, ACCOUNT, changed.number!, changed.customerCredit, AT).movement);
}

function replace(customer: Customer, changed: Invoice): void {
  customer.invoices = customer.invoices.map((each) => (each.number === changed.number ? changed : each));
}

function play(customer: Customer, step: Step): void {
  if (step.kind === 'newInvoice') {
    const number = `ACME-2026-${String(customer.invoices.length + 1).padStart(6, '0')}`;
    const line = anInvoiceLine({ quantity: '1', unitPrice: formatMinor(step.netAmount, 'EUR'), netAmount: step.netAmount });
    const { invoice: finalized, movement } = applyBalanceToInvoice(anInvoice({ number, lines: [line] }), customer.ledger, tick(customer));
    record(customer, movement);
    customer.invoices.push(finalized);
    return;
  }
  if (customer.invoices.length === 0) return;
  const target = customer.invoices[step.seed % customer.invoices.length]!;
  if (step.kind === 'payment') {
    const amount = Math.max(1, Math.floor((target.total * step.percent) / 100));
    const paid = applyPayments(target, [payment(`p${customer.clock}`, amount, target.number!)], tick(customer))!;
    replace(customer, paid);
    followOverpayment(customer, paid);
    return;
  }
  if (step.kind === 'refund') {
    const paid = target.payments.filter((event) => event.kind === 'payment_succeeded');
    if (paid.length === 0) return;
    const refunded = paid[step.seed % paid.length]!;
    const amountRefunded = Math.max(1, Math.floor((refunded.amount * step.percent) / 100));
    const event: PaymentEvent = {
      kind: 'refund_updated',
      eventId: `r${customer.clock}`,
      paymentId: refunded.paymentId,
      occurredAt: tick(customer),
      currency: 'EUR',
      chargeId: `ch_${refunded.paymentId}`,
      amountRefunded,
    };
    const changed = applyPayments(target, [event], AT);
    if (changed === undefined) return;
    replace(customer, changed);
    followOverpayment(customer, changed);
    return;
  }
  const notes = customer.notes.get(target.number!) ?? [];
  const left = target.total - notes.reduce((total, note) => total + note.total, 0);
  const amount = Math.floor((target.lines[0]!.netAmount * step.percent) / 100 / 2);
  if (left <= 0 || amount === 0) return;
  let draft;
  try {
    draft = assembleCreditNote({
      invoice: target,
      creditNotes: notes,
      request: { reason: 'Correction', settlement: step.settlement, credit: [{ line: 1, amount: formatMinor(amount, 'EUR') }] },
      issueDate: '2026-12-15',
    });
  } catch {
    return; // more than is left: refused, and nothing changes
  }
  const note: CreditNote = { ...draft, number: `ACME-CN-2026-${String(customer.clock).padStart(6, '0')}` };
  customer.notes.set(target.number!, [...notes, note]);
  const credits = [...(target.credits ?? []), { number: note.number, total: note.total, appliedToInvoice: note.appliedToInvoice }];
  const settled = settleWithCredits(target.total, target.payments, credits, target.balanceApplied ?? 0);
  replace(customer, {
    ...target,
    credits,
    creditedAmount: settled.creditedAmount,
    amountDue: settled.amountDue,
    paymentStatus: settled.paymentStatus,
    customerCredit: settled.overpayment,
  });
  record(customer, creditNoteMovement(note, tick(customer)));
}

function checkInvariants(customer: Customer): void {
  const balance = availableBalance(customer.ledger, ACCOUNT);
  expect(balance).toBeGreaterThanOrEqual(0);
  const applied = customer.ledger.filter((movement) => movement.kind === 'applied_to_invoice');
  expect(applied.reduce((total, movement) => total - movement.amount, 0)).toBe(
    customer.invoices.reduce((total, each) => total + (each.balanceApplied ?? 0), 0),
  );
  for (const each of customer.invoices) {
    const settled = settleWithCredits(each.total, each.payments, each.credits ?? [], each.balanceApplied ?? 0);
    const balanceApplied = each.balanceApplied ?? 0;
    expect(each.total + settled.overpayment + settled.creditSettledOutside).toBe(
      settled.amountPaid + settled.creditedAmount + balanceApplied + settled.amountDue,
    );
    expect(each.amountDue).toBe(settled.amountDue);
    expect(Math.min(each.amountDue, settled.overpayment)).toBe(0);
    // Covered in full by the balance, with no money in or out: paid, never due.
    if (balanceApplied === each.total && each.payments.length === 0) expect(each.paymentStatus).toBe('paid');
  }
}

describe("a customer's balance over months of invoices, payments, refunds and credit notes, as properties", () => {
  it('never goes negative, and every invoice keeps total + overpayment + credit settled outside = paid + credited + balanceApplied + due', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 20 }), (steps) => {
        const customer: Customer = { invoices: [], notes: new Map(), ledger: [], clock: 0 };
        for (const step of steps) {
          play(customer, step);
          checkInvariants(customer);
        }
      }),
      { numRuns: 300 },
    );
  });
});
