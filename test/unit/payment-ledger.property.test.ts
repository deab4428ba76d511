/**
 * The payment guarantees of CONTRACTS.md section 5 as properties: whatever payments an invoice
 * gets (partial, exact, overpaying, failed attempts first), whatever happens to them later
 * (cumulative refunds per charge growing over time, disputes opened, won or lost, even
 * contradicting closings), and however the webhooks are delivered (any order, any event
 * several times), the invoice ends in one state, the one the story of its payments says.
 *
 * The expected end state is computed here from the generated story (what each payment really
 * received, each charge's last refund figure, each dispute's outcome), not from the ledger, so
 * it does not share the code under test.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyPayments } from '#domain/payments/invoice-payments.ts';
import type { Invoice, PaymentStatus } from '#domain/invoice/invoice.ts';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import { anInvoice, anInvoiceLine } from '#test-support/invoice-factory.ts';
import { formatMinor } from '#domain/money.ts';
import { creditInFull } from '#test-support/credit-in-full.ts';
import { isChased } from '#domain/dunning/reminder-policy.ts';
import { isOpenReceivable } from '#domain/invoice/lifecycle.ts';
import { summarizePayments } from '#domain/payments/payment-summary.ts';
import { settleWithCredits } from '#domain/payments/credited-settlement.ts';

const RUNS = { numRuns: 300 };
const NOW = '2026-12-31T12:00:00.000Z';
const INVOICE_NUMBER = 'ACME-2026-000042';
/** Payments start within ten days of this instant. */
const FIRST_PAYMENT_WINDOW = Date.parse('2026-12-02T09:00:00.000Z');

/** One payment attempt (a Stripe PaymentIntent) and what happened to it, in the order it happened. */
interface PaymentStory {
  readonly startMinute: number;
  readonly failedAttempts: number;
  /** Amount received, or null when the payment never succeeded. */
  readonly received: number | null;
  /** Per charge, the refunds one after the other as percentages of what was received. */
  readonly refundPercents: readonly (readonly number[])[];
  readonly dispute: { readonly percent: number; readonly closings: readonly ('won' | 'lost')[] } | null;
  /** Minutes between the payment's consecutive events; 0 puts two events on the same instant. */
  readonly gaps: readonly number[];
  /** Prefixes of the event ids, so that on the same instant the story order is not the id order. */
  readonly idSalts: readonly number[];
}

interface ExpectedPayment {
  readonly received: number;
  readonly refunded: number;
  readonly withdrawn: number;
  readonly openDispute: boolean;
  readonly lostDispute: boolean;
  /** What a lost dispute took back for good (within what was received); 0 when none was lost. */
  readonly reversed: number;
}

interface Scenario {
  readonly invoice: Invoice;
  /** Every distinct event, in the order they happened. */
  readonly events: readonly PaymentEvent[];
  readonly expected: readonly ExpectedPayment[];
}

function storyArbitrary(total: number): fc.Arbitrary<PaymentStory> {
  const half = Math.floor(total / 2);
  return fc.record({
    startMinute: fc.integer({ min: 0, max: 10 * 24 * 60 }),
    failedAttempts: fc.integer({ min: 0, max: 2 }),
    // Exact halves and the total come up often, so "paid" is reached, not only approached.
    received: fc.option(
      fc.oneof(fc.constant(total), fc.constant(half), fc.constant(total - half), fc.integer({ min: 1, max: 2 * total })),
      {
        nil: null,
        freq: 5,
      },
    ),
    refundPercents: fc.array(fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 3 }), { maxLength: 2 }),
    dispute: fc.option(
      fc.record({
        percent: fc.integer({ min: 1, max: 100 }),
        closings: fc.array(fc.constantFrom('won' as const, 'lost' as const), { maxLength: 2 }),
      }),
      { nil: null, freq: 3 },
    ),
    gaps: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 12 }),
    idSalts: fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 12 }),
  });
}

/** The provider events one payment's story produces, and the figures it should end with. */
function tell(story: PaymentStory, paymentIndex: number): { events: PaymentEvent[]; expected: ExpectedPayment } {
  const paymentId = `pi_${paymentIndex}`;
  const events: PaymentEvent[] = [];
  let minute = story.startMinute;
  /** The next event's id and instant: the clock only moves forward along the story. */
  const next = () => {
    const step = events.length;
    minute += story.gaps[step % story.gaps.length]!;
    const salt = String(story.idSalts[step % story.idSalts.length]!).padStart(2, '0');
    return {
      eventId: `evt_${salt}_${paymentIndex}_${step}`,
      paymentId,
      occurredAt: new Date(FIRST_PAYMENT_WINDOW + minute * 60_000).toISOString(),
      currency: 'EUR',
    };
  };
  const received = story.received ?? 0;
  for (let attempt = 0; attempt < story.failedAttempts; attempt += 1) {
    events.push({ ...next(), kind: 'payment_failed', amount: received, invoiceNumber: INVOICE_NUMBER, reason: 'card_declined' });
  }
  if (story.received === null)
    return { events, expected: { received: 0, refunded: 0, withdrawn: 0, openDispute: false, lostDispute: false, reversed: 0 } };

  events.push({ ...next(), kind: 'payment_succeeded', amount: received, invoiceNumber: INVOICE_NUMBER });
  // Stripe reports each charge's cumulative refunded amount; all refunds together stay within
  // what was received.
  let refundable = received;
  let refunded = 0;
  story.refundPercents.forEach((percents, chargeIndex) => {
    let cumulative = 0;
    for (const percent of percents) {
      const refund = Math.min(refundable, Math.max(1, Math.floor((received * percent) / 100)));
      if (refund === 0) break;
      cumulative += refund;
      refundable -= refund;
      refunded += refund;
      events.push({ ...next(), kind: 'refund_updated', chargeId: `ch_${paymentIndex}_${chargeIndex}`, amountRefunded: cumulative });
    }
  });
  if (story.dispute === null)
    return { events, expected: { received, refunded, withdrawn: 0, openDispute: false, lostDispute: false, reversed: 0 } };

  const disputeId = `dp_${paymentIndex}`;
  const amount = Math.max(1, Math.floor((received * story.dispute.percent) / 100));
  events.push({ ...next(), kind: 'dispute_opened', disputeId, amount });
  const closings = story.dispute.closings.map((outcome) => {
    const closing = { ...next(), kind: 'dispute_closed' as const, disputeId, amount, outcome };
    events.push(closing);
    return closing;
  });
  // Contradicting closings: the latest wins, on the same instant the greatest event id.
  const decisive = closings.reduce<(typeof closings)[number] | undefined>(
    (latest, closing) =>
      latest === undefined ||
      closing.occurredAt > latest.occurredAt ||
      (closing.occurredAt === latest.occurredAt && closing.eventId > latest.eventId)
        ? closing
        : latest,
    undefined,
  );
  const outcome = decisive?.outcome ?? 'open';
  return {
    events,
    expected: {
      received,
      refunded,
      withdrawn: outcome === 'won' ? 0 : amount,
      openDispute: outcome === 'open',
      lostDispute: outcome === 'lost',
      reversed: outcome === 'lost' ? Math.min(amount, received) : 0,
    },
  };
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .integer({ min: 1, max: 500_000 })
  .chain((total) => fc.tuple(fc.constant(total), fc.array(storyArbitrary(total), { minLength: 1, maxLength: 3 })))
  .map(([total, stories]) => {
    const told = stories.map((story, index) => tell(story, index + 1));
    return {
      // One line worth the total (reverse charge: no VAT), so the invoice can be credited too.
      invoice: anInvoice({
        lines: [
          anInvoiceLine({ kind: 'base_fee', description: 'Base fee', meter: null, quantity: '1', unitPrice: formatMinor(total, 'EUR') }),
        ],
      }),
      events: told.flatMap(({ events }) => events),
      expected: told.map(({ expected }) => expected),
    };
  });

/** A webhook delivery of the events: any order, some of them several times (as copies). */
function deliveryArbitrary(events: readonly PaymentEvent[]): fc.Arbitrary<PaymentEvent[]> {
  if (events.length === 0) return fc.constant([]);
  return fc
    .array(fc.nat({ max: events.length - 1 }), { maxLength: events.length })
    .map((redelivered) => [...events, ...redelivered.map((index) => ({ ...events[index]! }))])
    .chain((deliveries) => fc.shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length }));
}

const scenarioWithTwoDeliveries = scenarioArbitrary.chain((scenario) =>
  fc.tuple(fc.constant(scenario), deliveryArbitrary(scenario.events), deliveryArbitrary(scenario.events)),
);

/** One webhook at a time from a fresh invoice, as the queue consumer applies them. */
function deliverOneByOne(invoice: Invoice, deliveries: readonly PaymentEvent[], afterEach: (invoice: Invoice) => void = () => {}): Invoice {
  let current = invoice;
  for (const event of deliveries) {
    current = applyPayments(current, [event], NOW) ?? current;
    afterEach(current);
  }
  return current;
}

function paymentRecord(invoice: Invoice) {
  const { paymentStatus, amountPaid, amountDue, amountRefunded, customerCredit, amountReversed, payments } = invoice;
  return { paymentStatus, amountPaid, amountDue, amountRefunded, customerCredit, amountReversed, payments };
}

/** CONTRACTS.md section 5's payment states, written out independently of the code under test. */
function expectedPaymentFields(total: number, payments: readonly ExpectedPayment[]) {
  const amountPaid = payments.reduce((sum, payment) => sum + Math.max(0, payment.received - payment.refunded - payment.withdrawn), 0);
  const amountRefunded = payments.reduce((sum, payment) => sum + payment.refunded, 0);
  const amountReversed = payments.reduce((sum, payment) => sum + payment.reversed, 0);
  const lostDispute = payments.some((payment) => payment.lostDispute);
  let paymentStatus: PaymentStatus;
  if (payments.some((payment) => payment.openDispute)) paymentStatus = 'disputed';
  // Issue 16: a lost dispute is the operator's decision while money is due, never plain "unpaid".
  else if (lostDispute && amountPaid < total) paymentStatus = 'disputed';
  else if (amountPaid === 0) paymentStatus = amountRefunded > 0 ? 'refunded' : 'unpaid';
  else if (amountPaid < total) paymentStatus = 'partially_paid';
  else if (amountPaid === total) paymentStatus = 'paid';
  else paymentStatus = 'overpaid';
  return {
    paymentStatus,
    amountPaid,
    amountDue: Math.max(0, total - amountPaid),
    amountRefunded,
    customerCredit: Math.max(0, amountPaid - total),
    amountReversed: amountReversed > 0 ? amountReversed : undefined,
  };
}

/** What the payments in a ledger received: per payment, its largest succeeded amount. */
function receivedSoFar(ledger: readonly PaymentEvent[]): number {
  const byPayment = new Map<string, number>();
  for (const event of ledger) {
    if (event.kind === 'payment_succeeded') byPayment.set(event.paymentId, Math.max(byPayment.get(event.paymentId) ?? 0, event.amount));
  }
  return [...byPayment.values()].reduce((sum, amount) => sum + amount, 0);
}

describe('payment ledger properties', () => {
  it('ends in the same ledger and payment state whatever the delivery order and duplication', () => {
    fc.assert(
      fc.property(scenarioWithTwoDeliveries, ([scenario, firstDelivery, secondDelivery]) => {
        // Prepare
        const orderly = applyPayments(scenario.invoice, scenario.events, NOW) ?? scenario.invoice;

        // Act
        const first = deliverOneByOne(scenario.invoice, firstDelivery);
        const second = deliverOneByOne(scenario.invoice, secondDelivery);

        // Assess
        expect(paymentRecord(first)).toEqual(paymentRecord(orderly));
        expect(paymentRecord(second)).toEqual(paymentRecord(orderly));
      }),
      RUNS,
    );
  });

  it('ends in the state the payments, refunds and disputes add up to', () => {
    fc.assert(
      fc.property(scenarioWithTwoDeliveries, ([scenario, delivery]) => {
        // Prepare
        const expected = expectedPaymentFields(scenario.invoice.total, scenario.expected);

        // Act
        const settled = deliverOneByOne(scenario.invoice, delivery);

        // Assess
        const { payments, ...fields } = paymentRecord(settled);
        expect(fields).toEqual(expected);
        expect(new Set(payments.map((event) => event.eventId))).toEqual(new Set(scenario.events.map((event) => event.eventId)));
        expect(payments).toHaveLength(scenario.events.length);
      }),
      RUNS,
    );
  });

  it('keeps amountPaid + amountDue - customerCredit == total, no amount negative and refunds within receipts after every delivery', () => {
    fc.assert(
      fc.property(scenarioWithTwoDeliveries, ([scenario, delivery]) => {
        // Prepare
        const { total } = scenario.invoice;
        const states: Invoice[] = [];

        // Act
        deliverOneByOne(scenario.invoice, delivery, (invoice) => states.push(invoice));

        // Assess
        for (const state of states) {
          expect(state.amountPaid + state.amountDue - state.customerCredit).toBe(total);
          for (const amount of [state.amountPaid, state.amountDue, state.amountRefunded, state.customerCredit]) {
            expect(Number.isSafeInteger(amount) && amount >= 0).toBe(true);
          }
          // Money is either still owed or paid beyond the total, never both.
          expect(Math.min(state.amountDue, state.customerCredit)).toBe(0);
          // A refund delivered before its payment refunds nothing yet.
          expect(state.amountRefunded).toBeLessThanOrEqual(receivedSoFar(state.payments));
        }
      }),
      RUNS,
    );
  });

  it('treats a ledger or any event delivered again as a no-op', () => {
    fc.assert(
      fc.property(scenarioWithTwoDeliveries, ([scenario, delivery, redelivery]) => {
        // Prepare
        const settled = deliverOneByOne(scenario.invoice, delivery);

        // Act
        const ledgerAgain = applyPayments(settled, settled.payments, NOW);
        const eachAgain = redelivery.map((event) => applyPayments(settled, [{ ...event }], NOW));

        // Assess
        expect(ledgerAgain).toBeUndefined();
        expect(eachAgain.every((result) => result === undefined)).toBe(true);
      }),
      RUNS,
    );
  });
});

/** Whether a dispute in the ledger is closed as lost (its latest closing says so). */
function hasLostDispute(invoice: Invoice): boolean {
  return summarizePayments(invoice.payments).some((payment) => payment.disputes.some((dispute) => dispute.status === 'lost'));
}

/** A delivery, and the point in it at which the operator credits the invoice in full. */
const scenarioWithCreditPoint = scenarioWithTwoDeliveries.chain(([scenario, delivery, other]) =>
  fc.tuple(fc.constant(scenario), fc.constant(delivery), fc.constant(other), fc.nat({ max: delivery.length })),
);

describe("lost disputes and the operator's full credit note (issue 16)", () => {
  it('never lets dunning chase an invoice a lost dispute leaves money due on, with or without a credit note', () => {
    fc.assert(
      fc.property(scenarioWithCreditPoint, ([scenario, delivery, , creditAt]) => {
        // Prepare
        const states: Invoice[] = [];
        const record = (invoice: Invoice) => states.push(invoice);

        // Act
        const beforeCredit = deliverOneByOne(scenario.invoice, delivery.slice(0, creditAt), record);
        deliverOneByOne(creditInFull(beforeCredit, NOW), delivery.slice(creditAt), record);

        // Assess
        for (const state of states) {
          if (!hasLostDispute(state) || state.amountDue === 0) continue;
          expect(state.paymentStatus).toBe('disputed');
          expect(isOpenReceivable(state) || isChased(state)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('ends, after a full credit, in the state of the set of events and the credit note, whatever the order of the rest', () => {
    fc.assert(
      fc.property(scenarioWithCreditPoint, ([scenario, delivery, other, creditAt]) => {
        // Prepare
        const credited = creditInFull(deliverOneByOne(scenario.invoice, delivery.slice(0, creditAt)), NOW);
        const before = new Set(credited.payments.map((event) => event.eventId));
        const rest = other.filter((event) => !before.has(event.eventId));

        // Act
        const first = deliverOneByOne(credited, delivery.slice(creditAt));
        const second = deliverOneByOne(credited, rest);

        // Assess
        expect(paymentRecord(second)).toEqual(paymentRecord(first));
        const expected = settleWithCredits(first.total, first.payments, first.credits ?? []);
        expect(first.paymentStatus).toBe(expected.paymentStatus);
        expect(first.amountDue).toBe(expected.amountDue);
        expect(first.customerCredit).toBe(expected.overpayment);
        if (expected.openDisputes === 0 && first.amountDue === 0) {
          // Settled: `credited` exactly when no money stayed with the seller, never `disputed`.
          expect(first.paymentStatus).toBe(first.amountPaid === 0 ? 'credited' : first.customerCredit > 0 ? 'overpaid' : 'paid');
        }
        if (hasLostDispute(first) && expected.openDisputes === 0) {
          expect(first.paymentStatus === 'disputed').toBe(first.amountDue > 0);
        }
      }),
      RUNS,
    );
  });
});
