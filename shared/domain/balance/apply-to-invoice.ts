/**
 * The customer's balance used on an invoice as it is finalized (issue 16): the available balance
 * in its currency goes to its amount due, never below zero, the rest carries forward
 * (ledger.ts applyBalance). The invoice records it as `balanceApplied` (EN 16931 BT-113 prepaid
 * amount) and its payment fields follow (credited-settlement.ts): covered in full, it is paid.
 * An invoice with no balance to use comes back unchanged, without the field, so it reads,
 * prints and renders as before balances existed.
 */
import { InvoiceStateError } from '../errors.ts';
import type { Invoice } from '../invoice/invoice.ts';
import { settleWithCredits } from '../payments/credited-settlement.ts';
import { applyBalance, type BalanceMovement } from './ledger.ts';

export interface InvoiceWithBalance {
  readonly invoice: Invoice;
  /** `applied:{number}`, to record with the finalization; undefined when nothing was applied. */
  readonly movement: BalanceMovement | undefined;
}

export function applyBalanceToInvoice(invoice: Invoice, ledger: readonly BalanceMovement[], at: string): InvoiceWithBalance {
  if (invoice.status !== 'finalized' || invoice.number === null)
    throw new InvoiceStateError(
      `the balance is applied to an invoice as it is finalized; ${invoice.customerId}/${invoice.billingPeriod} is ${invoice.status}`,
    );
  if (invoice.balanceApplied !== undefined) return { invoice, movement: undefined };
  const account = { customerId: invoice.customerId, currency: invoice.currency };
  const application = applyBalance(ledger, account, invoice.number, invoice.amountDue, at);
  if (application.balanceApplied === 0) return { invoice, movement: undefined };
  const settled = settleWithCredits(invoice.total, invoice.payments, invoice.credits ?? [], application.balanceApplied);
  return {
    invoice: {
      ...invoice,
      balanceApplied: application.balanceApplied,
      amountDue: settled.amountDue,
      paymentStatus: settled.paymentStatus,
      customerCredit: settled.overpayment,
    },
    movement: application.movement,
  };
}
