/**
 * Issue 16's Done-when as properties. Whatever invoice (lines, VAT rate, currency, a line that
 * gave money back), whatever sequence of partial credits (by quantity, by amount, --all, some
 * asking too much), payments, Stripe refunds, overpayments, balance refunds and uses of the
 * balance on later invoices, in whatever order:
 *
 * - after every step, total + overpayment + creditSettledOutside = paid + credited + due, to
 *   the minor unit. `overpayment` (payments beyond the credited invoice) and
 *   `creditSettledOutside` (the parts of credit notes that exceeded what was due when issued)
 *   are what left the invoice for the customer's balance, or were refunded (settlement refund);
 * - nothing is credited beyond the invoice, per rate and in total;
 * - the balance never goes negative, and holds exactly what the movements say;
 * - crediting what is left at the end gives back exactly the invoice's net, VAT per rate and total;
 * - what the customer owes net of its balance is total - paid - credited in every order.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assembleCreditNote } from '#domain/credit-notes/assemble.ts';
import { CreditExceedsInvoiceError, CreditExceedsLineError, CreditRequestError } from '#domain/errors.ts';
import { creditableRemainder } from '#domain/credit-notes/remaining.ts';
import type { CreditNote, CreditSettlement, LineCredit } from '#domain/credit-notes/types.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { TaxTreatment } from '#domain/invoice/types.ts';
import { decimal, decimalText, formatMinor } from '#domain/money.ts';
import {
  applyBalance,
  availableBalance,
  creditNoteMovement,
  overpaymentMovement,
  recordMovement,
  refundMovement,
  type BalanceMovement,
} from '#domain/balance/ledger.ts';
import { settleWithCredits, type CreditedPaymentState } from '#domain/payments/credited-settlement.ts';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import { anInvoice, anInvoiceLine, GERMAN_VAT, REVERSE_CHARGE } from '#test-support/invoice-factory.ts';

const RUNS = { numRuns: 200 };
const AT = '2026-12-15T12:00:00.000Z';
const ISSUE_DATE = '2026-12-15';
const TREATMENTS: readonly TaxTreatment[] = [
  GERMAN_VAT,
  REVERSE_CHARGE,
  { rate: '20', category: 'S', rateCountry: 'FR' },
  { rate: '5.5', category: 'S', rateCountry: 'FR' },
];
const PRICES = ['0.001', '0.015', '0.25', '1.99', '10.00', '49.00', '0.3333'];

// ---- the invoice ---------------------------------------------------------------------------

const lineArbitrary = fc.record({
  quantity: fc.oneof(
    fc.integer({ min: 1, max: 5000 }).map(String),
    fc.integer({ min: 1, max: 99999 }).map((n) => decimalText(decimal(String(n)).div(100))),
  ),
  unitPrice: fc.constantFrom(...PRICES),
});

const invoiceArbitrary: fc.Arbitrary<Invoice> = fc
  .record({
    lines: fc.array(lineArbitrary, { minLength: 1, maxLength: 5 }),
    giveBack: fc.option(fc.integer({ min: 1, max: 2000 }), { freq: 3 }),
    tax: fc.constantFrom(...TREATMENTS),
    currency: fc.constantFrom('EUR', 'JPY'),
  })
  .map(({ lines, giveBack, tax, currency }) => {
    const invoiceLines = lines.map((line, index) => anInvoiceLine({ description: `Line ${index + 1}`, ...line }, currency));
    if (giveBack !== null) {
      // A late correction that gives part of a topped-up minimum back (quantity -1, EN 16931 BR-27).
      invoiceLines.push(
        anInvoiceLine({
          kind: 'minimum_commitment',
          description: 'Minimum top-up given back',
          meter: null,
          quantity: '-1',
          unitPrice: formatMinor(giveBack, currency),
          netAmount: -giveBack,
        }),
      );
    }
    return anInvoice({ lines: invoiceLines, tax, currency, legends: tax.legend === undefined ? [] : [tax.legend] });
  })
  .filter((invoice) => invoice.netTotal > 0 && invoice.lines.some((line) => line.netAmount > 0));

// ---- what happens to it --------------------------------------------------------------------

type Step =
  | { kind: 'credit'; settlement: CreditSettlement; all: boolean; lines: { seed: number; byAmount: boolean; percent: number }[] }
  | { kind: 'payment'; percent: number }
  | { kind: 'stripeRefund'; seed: number; percent: number }
  | { kind: 'balanceRefund'; percent: number }
  | { kind: 'nextInvoice'; amountDue: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('credit' as const),
    settlement: fc.constantFrom<CreditSettlement>('balance', 'refund'),
    all: fc.boolean(),
    // Up to 120 %: a fifth of the line credits ask for more than is left and must be refused.
    lines: fc.array(fc.record({ seed: fc.nat(), byAmount: fc.boolean(), percent: fc.integer({ min: 1, max: 120 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
  fc.record({
    kind: fc.constant('payment' as const),
    percent: fc.oneof(fc.constant(100), fc.constant(50), fc.integer({ min: 1, max: 150 })),
  }),
  fc.record({ kind: fc.constant('stripeRefund' as const), seed: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('balanceRefund' as const), percent: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('nextInvoice' as const), amountDue: fc.integer({ min: 0, max: 50_000 }) }),
);

interface World {
  readonly invoice: Invoice;
  notes: CreditNote[];
  events: PaymentEvent[];
  balance: BalanceMovement[];
  /** Overpayment taken back that the balance no longer held (the customer owes it). */
  uncovered: number;
  clock: number;
}

const ACCOUNT = { customerId: 'cus_42', currency: '' };

function account(world: World) {
  return { ...ACCOUNT, currency: world.invoice.currency };
}

function newWorld(invoice: Invoice): World {
  return { invoice, notes: [], events: [], balance: [], uncovered: 0, clock: 0 };
}

function state(world: World): CreditedPaymentState {
  return settleWithCredits(world.invoice.total, world.events, world.notes);
}

function record(world: World, movement: BalanceMovement | undefined): void {
  if (movement !== undefined) world.balance = recordMovement(world.balance, movement).ledger;
}

/** After payments change: the balance follows the invoice's overpayment. */
function followOverpayment(world: World): void {
  const update = overpaymentMovement(world.balance, account(world), world.invoice.number!, state(world).overpayment, AT);
  record(world, update.movement);
  world.uncovered = update.uncovered;
}

/** A payment of `amount` arrives (Stripe payment_intent.succeeded); the balance follows. */
function receivePayment(world: World, paymentId: string, occurredAt: string, amount: number): void {
  const { invoice } = world;
  world.events.push({
    kind: 'payment_succeeded',
    eventId: `evt_${paymentId}`,
    paymentId,
    occurredAt,
    currency: invoice.currency,
    amount,
    invoiceNumber: invoice.number,
  });
  followOverpayment(world);
}

/** Stripe reports a payment's cumulative refunded amount (charge.refunded); the balance follows. */
function refundPayment(world: World, paymentId: string, occurredAt: string, amountRefunded: number): void {
  const eventId = `evt_refund_${world.events.length}`;
  world.events.push({
    kind: 'refund_updated',
    eventId,
    paymentId,
    occurredAt,
    currency: world.invoice.currency,
    chargeId: `ch_${paymentId}`,
    amountRefunded,
  });
  followOverpayment(world);
}

function nextInstant(world: World): string {
  world.clock += 1;
  return new Date(Date.parse('2026-12-02T00:00:00.000Z') + world.clock * 60_000).toISOString();
}

function issue(world: World, credit: 'all' | LineCredit[], settlement: CreditSettlement): CreditNote {
  // The invoice as stored: its payment ledger is the world's.
  const draft = assembleCreditNote({
    invoice: { ...world.invoice, payments: world.events },
    creditNotes: world.notes,
    request: { reason: 'Correction', settlement, credit },
    issueDate: ISSUE_DATE,
  });
  const note: CreditNote = { ...draft, number: `ACME-CN-2026-${String(world.notes.length + 1).padStart(6, '0')}` };
  world.notes.push(note);
  record(world, creditNoteMovement(note, AT));
  followOverpayment(world);
  return note;
}

function lineCredits(
  world: World,
  lines: readonly { seed: number; byAmount: boolean; percent: number }[],
): { credits: LineCredit[]; asksTooMuch: boolean } {
  const left = creditableRemainder(world.invoice, world.notes);
  const chargeable = left.lines.filter((line) => world.invoice.lines[line.line - 1]!.netAmount > 0);
  const credits: LineCredit[] = [];
  let asksTooMuch = false;
  for (const { seed, byAmount, percent } of lines) {
    const line = chargeable[seed % chargeable.length]!;
    if (credits.some((credit) => credit.line === line.line)) continue;
    if (percent > 100 && line.netAmount > 0) asksTooMuch = true;
    credits.push(
      byAmount
        ? { line: line.line, amount: formatMinor(percentOf(Math.max(0, line.netAmount), percent), world.invoice.currency) }
        : { line: line.line, quantity: decimalText(decimal(line.quantity).times(percent).div(100).toDecimalPlaces(6)) },
    );
  }
  return { credits, asksTooMuch };
}

/** `percent` of `amount` in whole minor units: at least 1, and above 100 % always more than `amount`. */
function percentOf(amount: number, percent: number): number {
  const share = Math.max(1, Math.floor((amount * percent) / 100));
  return percent > 100 ? Math.max(amount + 1, share) : share;
}

function play(world: World, step: Step): void {
  const { invoice } = world;
  switch (step.kind) {
    case 'credit': {
      const before = world.notes.length;
      const { credits, asksTooMuch } = step.all ? { credits: 'all' as const, asksTooMuch: false } : lineCredits(world, step.lines);
      try {
        issue(world, credits, step.settlement);
      } catch (error) {
        // Every refusal is one a user can act on, and changes nothing.
        expect(error).toBeInstanceOf(CreditRequestError);
        expect(world.notes).toHaveLength(before);
        return;
      }
      // A line credit above what is left of the line is always refused.
      expect(asksTooMuch).toBe(false);
      return;
    }
    case 'payment': {
      const amount = Math.max(1, Math.floor((invoice.total * step.percent) / 100));
      receivePayment(world, `pi_${world.events.length}`, nextInstant(world), amount);
      return;
    }
    case 'stripeRefund': {
      const payments = world.events.filter((event) => event.kind === 'payment_succeeded');
      if (payments.length === 0) return;
      const paid = payments[step.seed % payments.length]!;
      const earlier = world.events.filter((event) => event.kind === 'refund_updated' && event.paymentId === paid.paymentId);
      const refunded = Math.max(0, ...earlier.map((event) => (event.kind === 'refund_updated' ? event.amountRefunded : 0)));
      const cumulative = Math.min(paid.amount, refunded + Math.max(1, Math.floor((paid.amount * step.percent) / 100)));
      refundPayment(world, paid.paymentId, nextInstant(world), cumulative);
      return;
    }
    case 'balanceRefund': {
      const available = availableBalance(world.balance, account(world));
      const amount = Math.floor((available * step.percent) / 100);
      if (amount > 0) record(world, refundMovement(world.balance, account(world), `re_${world.balance.length}`, amount, AT));
      return;
    }
    case 'nextInvoice': {
      const available = availableBalance(world.balance, account(world));
      const applied = applyBalance(
        world.balance,
        account(world),
        `ACME-2027-${String(world.balance.length + 1).padStart(6, '0')}`,
        step.amountDue,
        AT,
      );
      expect(applied.balanceApplied).toBe(Math.min(available, step.amountDue));
      expect(applied.amountDue + applied.balanceApplied).toBe(step.amountDue);
      expect(applied.carriedForward).toBe(available - applied.balanceApplied);
      record(world, applied.movement);
      return;
    }
  }
}

function checkInvariants(world: World): void {
  const { invoice } = world;
  const now = state(world);
  // The identity, to the minor unit.
  expect(invoice.total + now.overpayment + now.creditSettledOutside).toBe(now.amountPaid + now.creditedAmount + now.amountDue);
  expect(Math.min(now.amountDue, now.overpayment)).toBe(0);
  // Never more credited than the invoice, per rate and in total.
  expect(now.creditedAmount).toBeLessThanOrEqual(invoice.total);
  for (const subtotal of invoice.taxSubtotals) {
    const ofRate = world.notes.flatMap((note) =>
      note.taxSubtotals.filter((each) => each.rate === subtotal.rate && each.category === subtotal.category),
    );
    expect(ofRate.reduce((total, each) => total + each.taxableAmount, 0)).toBeLessThanOrEqual(subtotal.taxableAmount);
    expect(ofRate.reduce((total, each) => total + each.taxAmount, 0)).toBeLessThanOrEqual(subtotal.taxAmount);
    expect(ofRate.every((each) => each.taxAmount >= 0 && each.taxableAmount >= 0)).toBe(true);
  }
  for (const note of world.notes) expect(note.total).toBe(note.netTotal + note.taxTotal);
  // What is left (what storage checks a new credit against) plus what was credited is the invoice, per line and in total.
  const left = creditableRemainder(invoice, world.notes);
  expect(left.total + now.creditedAmount).toBe(invoice.total);
  invoice.lines.forEach((line, index) => {
    const credited = world.notes.flatMap((note) => note.lines.filter((each) => each.invoiceLine === index + 1));
    expect(left.lines[index]!.netAmount + credited.reduce((total, each) => total + each.netAmount, 0)).toBe(line.netAmount);
    expect(decimal(left.lines[index]!.quantity).greaterThanOrEqualTo(line.netAmount < 0 ? decimal(line.quantity) : 0)).toBe(true);
  });
  // The balance: never negative, and what the movements of each kind add up to.
  const balance = availableBalance(world.balance, account(world));
  expect(balance).toBeGreaterThanOrEqual(0);
  const byKind = (kind: BalanceMovement['kind']) =>
    world.balance.filter((movement) => movement.kind === kind).reduce((total, movement) => total + movement.amount, 0);
  const toBalance = world.notes
    .filter((note) => note.settlement === 'balance')
    .reduce((total, note) => total + note.total - note.appliedToInvoice, 0);
  expect(byKind('credit_note')).toBe(toBalance);
  expect(byKind('overpayment') - world.uncovered).toBe(now.overpayment);
  expect(balance).toBe(toBalance + byKind('overpayment') + byKind('applied_to_invoice') + byKind('refund'));
}

/** Credits what is left, if anything, and checks the notes together give back exactly the invoice. */
function creditTheRestAndCheck(world: World): void {
  const { invoice } = world;
  if (creditableRemainder(invoice, world.notes).total > 0) issue(world, 'all', 'balance');
  checkInvariants(world);
  expect(creditableRemainder(invoice, world.notes)).toMatchObject({ netAmount: 0, total: 0 });
  for (const subtotal of invoice.taxSubtotals) {
    const ofRate = world.notes.flatMap((note) =>
      note.taxSubtotals.filter((each) => each.rate === subtotal.rate && each.category === subtotal.category),
    );
    expect(ofRate.reduce((total, each) => total + each.taxableAmount, 0)).toBe(subtotal.taxableAmount);
    expect(ofRate.reduce((total, each) => total + each.taxAmount, 0)).toBe(subtotal.taxAmount);
  }
  const sum = (pick: (note: CreditNote) => number) => world.notes.reduce((total, note) => total + pick(note), 0);
  expect([sum((note) => note.netTotal), sum((note) => note.taxTotal), sum((note) => note.total)]).toEqual([
    invoice.netTotal,
    invoice.taxTotal,
    invoice.total,
  ]);
  // Credited in full while nothing was paid: nothing is due ever after, settled by credit
  // while no money comes in. (Credit beyond what was due went to the balance or was refunded;
  // a later Stripe refund of a payment then makes that much due again, see settleWithCredits.)
  const settled = state(world);
  if (settled.creditApplied === invoice.total) {
    expect(settled.amountDue).toBe(0);
    if (settled.amountPaid === 0) expect(settled.paymentStatus).toBe('credited');
  }
}

describe('credit notes, payments and the customer balance, as properties', () => {
  it('keep total + overpayment + credit settled outside = paid + credited + due after every step, and a full credit returns the invoice exactly', () => {
    fc.assert(
      fc.property(invoiceArbitrary, fc.array(stepArbitrary, { maxLength: 12 }), (invoice, steps) => {
        const world = newWorld(invoice);
        for (const step of steps) {
          play(world, step);
          checkInvariants(world);
        }
        creditTheRestAndCheck(world);
      }),
      RUNS,
    );
  });

  it('leave the customer owing total - paid - credited net of its balance, in every order of the same payments and credits', () => {
    const scenario = invoiceArbitrary.chain((invoice) =>
      fc.record({
        invoice: fc.constant(invoice),
        // Credits by amount: their totals do not depend on the order they are issued in.
        credits: fc.array(
          fc.record({
            seed: fc.nat(),
            percent: fc.integer({ min: 1, max: 30 }),
            settlement: fc.constantFrom<CreditSettlement>('balance', 'refund'),
          }),
          { maxLength: 3 },
        ),
        payments: fc.array(
          fc.record({ percent: fc.integer({ min: 1, max: 120 }), refundPercent: fc.option(fc.integer({ min: 1, max: 100 })) }),
          { maxLength: 3 },
        ),
        order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ invoice, credits, payments, order }) => {
        // The same actions, once in the generated order and once in the reverse order.
        const chargeable = invoice.lines.map((line, index) => ({ line, index })).filter(({ line }) => line.netAmount > 0);
        type Action = (world: World) => void;
        const actions: Action[] = [
          ...credits.map(({ seed, percent, settlement }): Action => (world) => {
            const { line, index } = chargeable[seed % chargeable.length]!;
            // A tenth of the line (or of the invoice's net, when a line gave money back) at most
            // per credit, three credits at most: always within what is left.
            const amount = Math.floor((Math.min(line.netAmount, invoice.netTotal) * percent) / 300);
            if (amount > 0) issue(world, [{ line: index + 1, amount: formatMinor(amount, invoice.currency) }], settlement);
          }),
          ...payments.flatMap(({ percent, refundPercent }, index): Action[] => {
            const amount = Math.max(1, Math.floor((invoice.total * percent) / 100));
            const pay: Action = (world) => receivePayment(world, `pi_${index}`, `2026-12-0${index + 2}T10:00:00.000Z`, amount);
            if (refundPercent === null) return [pay];
            const refunded = Math.max(1, Math.floor((amount * refundPercent) / 100));
            const refundIt: Action = (world) => refundPayment(world, `pi_${index}`, `2026-12-0${index + 2}T11:00:00.000Z`, refunded);
            return [pay, refundIt];
          }),
        ];
        const shuffled = actions
          .map((action, index) => ({ action, key: order[index % order.length]! * 100 + index }))
          .sort((a, b) => a.key - b.key)
          .map(({ action }) => action);
        const outcomes = [actions, shuffled, [...actions].reverse()].map((sequence) => {
          const world = newWorld(invoice);
          for (const action of sequence) {
            action(world);
            checkInvariants(world);
          }
          const now = state(world);
          const refundedByNotes = world.notes
            .filter((note) => note.settlement === 'refund')
            .reduce((total, note) => total + note.total - note.appliedToInvoice, 0);
          return {
            paid: now.amountPaid,
            credited: now.creditedAmount,
            // Owed by the customer, net of what billflow owes it (its balance and refunded credit).
            owes: now.amountDue + world.uncovered - availableBalance(world.balance, account(world)) - refundedByNotes,
          };
        });
        for (const outcome of outcomes) {
          expect(outcome).toEqual(outcomes[0]);
          expect(outcome.owes).toBe(invoice.total - outcome.paid - outcome.credited);
        }
      }),
      RUNS,
    );
  });

  it('refuse every line credit above what is left of the line or the invoice with the typed error', () => {
    fc.assert(
      fc.property(invoiceArbitrary, fc.nat(), fc.integer({ min: 101, max: 300 }), (invoice, seed, percent) => {
        const world = newWorld(invoice);
        const { credits } = lineCredits(world, [{ seed, byAmount: seed % 2 === 0, percent }]);
        let refused: unknown;
        try {
          issue(world, credits, 'balance');
        } catch (error) {
          refused = error;
        }
        expect(refused instanceof CreditExceedsLineError || refused instanceof CreditExceedsInvoiceError).toBe(true);
        expect((refused as Error).message).toMatch(/left to credit/);
      }),
      RUNS,
    );
  });
});
