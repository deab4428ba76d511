/**
 * An invoice's payment state once credit notes correct it. The payment ledger (ledger.ts) stays
 * what it is; this adds the credit notes on top, as a function of the ledger and the set of
 * credit notes, so a payment that arrives late or out of order still leads to one state.
 *
 * Each credit note records, when issued, how much of it reduced what was due then
 * (`appliedToInvoice`); the rest exceeded the amount due and left the invoice at once, to the
 * customer's balance or refunded (its settlement). So:
 *
 *   amountDue   = max(0, total - amountPaid - creditApplied - balanceApplied)
 *   overpayment = max(0, amountPaid + creditApplied + balanceApplied - total)   (payments beyond
 *                 the credited invoice: the customer's balance, CONTRACTS.md section 5's customer credit)
 *
 * where balanceApplied is the customer's balance used on the invoice when it was finalized
 * (EN 16931 BT-113 prepaid amount, balance/ledger.ts applyBalance), and the identity every
 * sequence of credits, payments and refunds keeps, to the minor unit:
 *
 *   total + overpayment + creditSettledOutside = amountPaid + creditedAmount + balanceApplied + amountDue
 *
 * where creditSettledOutside = creditedAmount - creditApplied (the credit notes' parts that
 * went to the balance or were refunded). The brief's "amountDue = total - paid - credited"
 * is this with credited read as the credit applied to the invoice: counting the part already
 * given to the balance again would, after a later refund of a payment, let the customer both
 * keep that balance and owe less.
 */
import type { PaymentStatus } from '../invoice/invoice.ts';
import type { PaymentEvent } from './payment-event.ts';
import { disputeDecides, settle, type PaymentState } from './ledger.ts';

/** `credited`: nothing paid, credit notes settled it; not due, never overdue, not chased. */
export type CreditedPaymentStatus = PaymentStatus;

export interface CreditedPaymentState extends Omit<PaymentState, 'paymentStatus' | 'customerCredit'> {
  readonly paymentStatus: CreditedPaymentStatus;
  /** Sum of the credit notes' totals (the invoice's `creditedAmount`). */
  readonly creditedAmount: number;
  /** The part of it that reduced the amount due. */
  readonly creditApplied: number;
  /** The part of it that went to the customer's balance or was refunded when issued. */
  readonly creditSettledOutside: number;
  /** Payments beyond what the credited invoice asks: the customer's balance. */
  readonly overpayment: number;
}

export interface IssuedCredit {
  readonly total: number;
  readonly appliedToInvoice: number;
}

export function settleWithCredits(
  total: number,
  ledger: readonly PaymentEvent[],
  credits: readonly IssuedCredit[],
  balanceApplied = 0,
): CreditedPaymentState {
  if (!Number.isSafeInteger(balanceApplied) || balanceApplied < 0 || balanceApplied > total)
    throw new Error(`the balance applied to an invoice is a whole amount between 0 and its total ${total}, got ${balanceApplied}`);
  for (const credit of credits) {
    if (
      !Number.isSafeInteger(credit.total) ||
      !Number.isSafeInteger(credit.appliedToInvoice) ||
      credit.appliedToInvoice < 0 ||
      credit.appliedToInvoice > credit.total
    ) {
      throw new Error(
        `a credit note must apply a whole amount between 0 and its total to the invoice, got ${credit.appliedToInvoice} of ${credit.total}`,
      );
    }
  }
  const payments = settle(total, ledger);
  const creditedAmount = sum(credits.map((credit) => credit.total));
  const creditApplied = sum(credits.map((credit) => credit.appliedToInvoice));
  if (creditedAmount > total) throw new Error(`credit notes total ${creditedAmount}, more than the invoice's ${total}`);
  const owed = total - payments.amountPaid - creditApplied - balanceApplied;
  const amountDue = Math.max(0, owed);
  const overpayment = Math.max(0, -owed);
  const byPayments = payments.paymentStatus;
  return {
    amountPaid: payments.amountPaid,
    amountRefunded: payments.amountRefunded,
    amountReversed: payments.amountReversed,
    openDisputes: payments.openDisputes,
    lostDisputes: payments.lostDisputes,
    failedAttempts: payments.failedAttempts,
    paymentStatus:
      creditApplied + balanceApplied === 0
        ? byPayments
        : disputeDecides({ ...payments, amountDue })
          ? 'disputed'
          : statusWithCredits(byPayments, payments.amountPaid, amountDue, overpayment, balanceApplied),
    amountDue,
    creditedAmount,
    creditApplied,
    creditSettledOutside: creditedAmount - creditApplied,
    overpayment,
  };
}

/**
 * The payment ledger's status, corrected for credits and the customer balance applied, once
 * disputes do not decide it (an open one, or a lost one while money is due: ledger.ts
 * disputeDecides). While money is due the payments' status stands (unpaid, partially paid or
 * refunded: with money due the payments are below the total). With nothing due: `credited`
 * when no money came in and credit notes settled it (so a lost dispute credited in full ends
 * here), `paid` when the customer's balance did (money paid earlier), `overpaid` when payments
 * exceed what credits and balance left of the invoice, else `paid`.
 */
function statusWithCredits(
  byPayments: PaymentStatus,
  amountPaid: number,
  amountDue: number,
  overpayment: number,
  balanceApplied: number,
): CreditedPaymentStatus {
  if (amountDue > 0) return byPayments;
  if (amountPaid === 0) return balanceApplied > 0 ? 'paid' : 'credited';
  return overpayment > 0 ? 'overpaid' : 'paid';
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
