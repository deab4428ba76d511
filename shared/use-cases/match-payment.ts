/**
 * `billflow payments match PAYMENT_ID NUMBER`: an operator applies an unmatched payment to an
 * invoice. Refused with the reason when the invoice is void, not issued or in another currency
 * (a payment in the wrong currency is refunded in Stripe, not booked at a made-up rate).
 * Safe to repeat: matching again to the same invoice re-applies nothing new.
 */
import { matchByOperator, type PaymentLink } from '#domain/payments/link.ts';
import { canApply } from '#domain/payments/match.ts';
import type { CustomerBalances } from '#ports/customer-balance.ts';
import type { IssuedInvoices } from '#ports/invoice-repository.ts';
import type { PaymentStore } from '#ports/payment-store.ts';
import { settle, type ApplyPaymentOutcome } from './apply-payment-event.ts';
import { PaymentMatchError } from './errors.ts';

export async function matchPaymentToInvoice(
  paymentId: string,
  number: string,
  deps: {
    readonly payments: PaymentStore;
    readonly invoices: IssuedInvoices;
    readonly balances: Pick<CustomerBalances, 'record'>;
    readonly now: () => number;
  },
): Promise<ApplyPaymentOutcome & { action: 'applied' }> {
  const link = await deps.payments.linkOf(paymentId);
  if (link === undefined)
    throw new PaymentMatchError(`no payment ${paymentId} is known; \`billflow payments unmatched\` lists the ones to match`);
  const invoice = await deps.invoices.findByNumber(number);
  if (invoice === undefined) throw new PaymentMatchError(`there is no invoice ${number}`);
  const decision = canApply(link.currency, invoice);
  if (decision.status === 'unmatched') throw new PaymentMatchError(`payment ${paymentId} cannot be applied: ${decision.reason}`);
  const matched = await matchLink(paymentId, number, new Date(deps.now()).toISOString(), deps.payments);
  const outcome = await settle(paymentId, matched, deps);
  if (outcome.action !== 'applied') throw new PaymentMatchError(`payment ${paymentId} was not applied (${outcome.action})`);
  return outcome;
}

/** The link matched to `number`, decided on the link as stored; decided again if another operator matched it meanwhile. */
async function matchLink(paymentId: string, number: string, at: string, payments: PaymentStore): Promise<PaymentLink> {
  for (;;) {
    const { link, changed } = matchByOperator(await payments.linkOf(paymentId), paymentId, number, at);
    if (!changed || (await payments.replaceUnmatched(link))) return link;
  }
}
