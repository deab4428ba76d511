/**
 * Payment events applied to an invoice: its ledger grows (ledger.ts) and its payment fields are
 * derived again, with the credit notes issued for it (credited-settlement.ts).
 */
import type { Invoice } from '../invoice/invoice.ts';
import { takesPayments } from '../invoice/lifecycle.ts';
import { settleWithCredits } from './credited-settlement.ts';
import { addToLedger } from './ledger.ts';
import type { PaymentEvent } from './payment-event.ts';

/**
 * The invoice with these events added to its ledger and its payment fields recomputed, or
 * undefined when every event was already applied, so a redelivery writes nothing. Any issued
 * invoice takes payments (voided ones are routed to the unmatched payments by the caller);
 * a draft has no number to pay against, and a payment in another currency is never summed.
 */
export function applyPayments(invoice: Invoice, events: readonly PaymentEvent[], now: string): Invoice | undefined {
  takesPayments(invoice);
  const foreign = events.find((event) => event.currency !== invoice.currency);
  if (foreign !== undefined) {
    throw new Error(
      `payment event ${foreign.eventId} is in ${foreign.currency} but invoice ${invoice.number} is in ${invoice.currency}; it belongs to the unmatched payments`,
    );
  }
  const { ledger, added } = addToLedger(invoice.payments, events);
  if (added.length === 0) return undefined;
  // Credit notes issued for it count as they did when issued (credited-settlement.ts); with none this is settle().
  const { paymentStatus, amountPaid, amountDue, amountRefunded, amountReversed, overpayment } = settleWithCredits(
    invoice.total,
    ledger,
    invoice.credits ?? [],
    invoice.balanceApplied ?? 0,
  );
  // Dropped again when a dispute is won after all, so the field is a function of the ledger too.
  const { amountReversed: _reversedBefore, ...rest } = invoice;
  return {
    ...rest,
    payments: ledger,
    paymentStatus,
    amountPaid,
    amountDue,
    amountRefunded,
    customerCredit: overpayment,
    ...(amountReversed > 0 ? { amountReversed } : {}),
    updatedAt: now,
  };
}
