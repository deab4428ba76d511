/**
 * Which invoice a payment goes to (CONTRACTS.md section 5): the one it names, if that invoice
 * exists, is issued (not void) and is in the payment's currency. Anything else is unmatched,
 * with a reason an operator can act on.
 */
import type { Invoice } from '../invoice/invoice.ts';

export type MatchDecision = { readonly status: 'matched' } | { readonly status: 'unmatched'; readonly reason: string };

export function matchPayment(payment: { namedInvoice: string | null; currency: string }, invoice: Invoice | undefined): MatchDecision {
  if (payment.namedInvoice === null)
    return { status: 'unmatched', reason: 'the payment names no invoice (metadata.invoice_number is missing)' };
  if (invoice === undefined) return { status: 'unmatched', reason: `there is no invoice ${payment.namedInvoice}` };
  return canApply(payment.currency, invoice);
}

/** Whether a payment in `currency` can be applied to this invoice (also for an operator's match). */
export function canApply(currency: string, invoice: Invoice): MatchDecision {
  if (invoice.status === 'void') return { status: 'unmatched', reason: `invoice ${invoice.number} is void` };
  if (invoice.status !== 'finalized') return { status: 'unmatched', reason: `invoice ${invoice.number ?? ''} is not issued` };
  if (currency !== invoice.currency) {
    return { status: 'unmatched', reason: `the payment is in ${currency} but invoice ${invoice.number} is in ${invoice.currency}` };
  }
  return { status: 'matched' };
}
