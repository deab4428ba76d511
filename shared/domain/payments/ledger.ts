/**
 * The payment ledger of an invoice: the set of provider events applied to it, each event id
 * once (CONTRACTS.md section 5), and the payment state derived from that set. Because the state
 * is a function of the set, events that arrive late, twice or out of order (a refund before its
 * payment) leave the invoice in the same state as an orderly delivery would.
 */
import type { PaymentStatus } from '../invoice/invoice.ts';
import type { PaymentEvent } from './payment-event.ts';
import { assertValidPaymentEvent, compareLedgerOrder, summarizePayments } from './payment-summary.ts';

export interface PaymentState {
  readonly paymentStatus: PaymentStatus;
  /** Net money collected: received minus refunded minus withdrawn by disputes. */
  readonly amountPaid: number;
  readonly amountDue: number;
  readonly amountRefunded: number;
  readonly customerCredit: number;
  /** What lost disputes took back for good (chargebacks), summed over the payments; 0 when none was lost. */
  readonly amountReversed: number;
  readonly openDisputes: number;
  /** Disputes closed as lost: the invoice stays `disputed` while money is due after them (issue 16). */
  readonly lostDisputes: number;
  readonly failedAttempts: number;
}

/**
 * Adds the events whose id the ledger does not hold yet (a repeated id, in the ledger or in the
 * batch, is ignored: the first copy stays). The ledger comes back in canonical order
 * (occurredAt, then eventId), so the stored ledger does not depend on the arrival order;
 * `added` lists the new events in arrival order.
 */
export function addToLedger(
  ledger: readonly PaymentEvent[],
  events: readonly PaymentEvent[],
): { ledger: PaymentEvent[]; added: PaymentEvent[] } {
  const known = new Set(ledger.map((event) => event.eventId));
  const added: PaymentEvent[] = [];
  for (const event of events) {
    if (known.has(event.eventId)) continue;
    assertValidPaymentEvent(event);
    known.add(event.eventId);
    added.push(event);
  }
  return { ledger: [...ledger, ...added].sort(compareLedgerOrder), added };
}

/** The payment state of an invoice of `total` minor units with this ledger. */
export function settle(total: number, ledger: readonly PaymentEvent[]): PaymentState {
  if (!Number.isSafeInteger(total)) throw new Error(`invoice total must be a whole number of minor units, got ${total}`);
  const payments = summarizePayments(ledger);
  const amountPaid = sum(payments.map((payment) => payment.net));
  const amountRefunded = sum(payments.map((payment) => payment.refunded));
  const disputes = payments.flatMap((payment) => payment.disputes);
  const openDisputes = disputes.filter((dispute) => dispute.status === 'open').length;
  const lostDisputes = disputes.filter((dispute) => dispute.status === 'lost').length;
  const amountDue = Math.max(0, total - amountPaid);
  return {
    paymentStatus: paymentStatus({ total, amountPaid, amountDue, amountRefunded, openDisputes, lostDisputes }),
    amountPaid,
    amountDue,
    amountRefunded,
    customerCredit: Math.max(0, amountPaid - total),
    amountReversed: sum(payments.map((payment) => payment.reversedByDisputes ?? 0)),
    openDisputes,
    lostDisputes,
    failedAttempts: sum(payments.map((payment) => payment.failedAttempts)),
  };
}

/**
 * Whether disputes decide the status: an open one outranks everything (money is on hold until
 * the provider decides); a lost one keeps the invoice `disputed` while money is still due, so
 * the chargeback is an operator's decision (credit it, or collect again), never an "unpaid"
 * invoice that dunning chases. Once nothing is due (credited, paid again, won after all) the
 * amounts decide again. Used with and without credit notes (credited-settlement.ts).
 */
export function disputeDecides(state: { openDisputes: number; lostDisputes: number; amountDue: number }): boolean {
  return state.openDisputes > 0 || (state.lostDisputes > 0 && state.amountDue > 0);
}

function paymentStatus(state: {
  total: number;
  amountPaid: number;
  amountDue: number;
  amountRefunded: number;
  openDisputes: number;
  lostDisputes: number;
}): PaymentStatus {
  const { total, amountPaid, amountRefunded } = state;
  if (disputeDecides(state)) return 'disputed';
  if (amountPaid === 0) return amountRefunded > 0 ? 'refunded' : 'unpaid';
  // A partial refund of a paid invoice lands here too: money is owed again.
  if (amountPaid < total) return 'partially_paid';
  return amountPaid === total ? 'paid' : 'overpaid';
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
