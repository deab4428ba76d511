/**
 * Applies one stored Stripe event to its invoice, once, whatever order events arrive in:
 *
 * 1. Read the stored raw event as a PaymentEvent, in the provider's format (given by the edge:
 *    shared/formats/stripe-events.ts); other types are `ignored`.
 * 2. Record it under its payment (idempotent on the event id).
 * 3. A payment that names an invoice (succeeded, or failed against a real invoice) gets its
 *    link: matched, or unmatched with the reason. The first link stands.
 * 4. Read the payment's link, then all its events (both consistently, after step 2's write):
 *    matched -> the invoice's ledger takes every event of the payment it does not have yet.
 *    So a refund recorded before its payment was linked is applied when the payment arrives:
 *    whichever of the two runs second sees the other's write.
 * 5. The invoice's overpayment (`customerCredit`) is the customer's balance: its movement is
 *    brought up to the invoice's current figure (balance/ledger.ts overpaymentMovement). Done
 *    after every settle, changed or not, so a step retried after a crash between the two
 *    writes records what the first attempt missed, and records nothing twice.
 * 6. Mark the stored event with what became of it.
 */
import { overpaymentMovement } from '#domain/balance/ledger.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { applyPayments } from '#domain/payments/invoice-payments.ts';
import { matchPayment } from '#domain/payments/match.ts';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import type { CustomerBalances } from '#ports/customer-balance.ts';
import { paymentStatusChangeOf, paymentUnmatched } from '#domain/outbound/facts.ts';
import type { IssuedInvoices } from '#ports/invoice-repository.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import type { PaymentLink, PaymentStore } from '#ports/payment-store.ts';
import type { StoredWebhookEvent, WebhookEventStore } from '#ports/webhook-event-store.ts';
import { WebhookEventMissingError } from './errors.ts';

export interface ApplyPaymentDependencies {
  readonly webhookEvents: WebhookEventStore;
  readonly payments: PaymentStore;
  readonly invoices: IssuedInvoices;
  readonly balances: Pick<CustomerBalances, 'record'>;
  /** The payment event a stored provider event reports; null for a type billflow ignores. */
  readonly paymentEventOf: (stored: StoredWebhookEvent) => PaymentEvent | null;
  readonly now: () => number;
  /** invoice.payment_status_changed and payment.unmatched, before the event is marked processed. */
  readonly outbound: OutboundEvents;
}

export type ApplyPaymentOutcome =
  | { readonly action: 'ignored'; readonly type: string }
  /** Waits for its payment's link (e.g. a refund before the payment's own event). */
  | { readonly action: 'pending'; readonly paymentId: string }
  | { readonly action: 'unmatched'; readonly paymentId: string; readonly reason: string; readonly newlyUnmatched: boolean }
  | {
      readonly action: 'applied';
      readonly paymentId: string;
      readonly invoice: Invoice;
      readonly before: Invoice;
      readonly added: readonly PaymentEvent[];
    };

export async function applyPaymentEvent(eventId: string, deps: ApplyPaymentDependencies): Promise<ApplyPaymentOutcome> {
  const stored = await deps.webhookEvents.get(eventId);
  if (stored === undefined) throw new WebhookEventMissingError(`webhook event ${eventId} is not stored`);
  const event = deps.paymentEventOf(stored);
  const at = () => new Date(deps.now()).toISOString();
  if (event === null) {
    await deps.webhookEvents.markProcessed(eventId, 'ignored', at());
    return { action: 'ignored', type: stored.type };
  }

  await deps.payments.recordEvent(event);
  const newLink = await linkFor(event, deps, at());
  const link = newLink?.link ?? (await deps.payments.linkOf(event.paymentId));
  const outcome = await settle(event.paymentId, link, deps, newLink?.created ?? false);
  if (outcome.action === 'applied') await deps.outbound.publish(paymentStatusChangeOf(outcome.invoice, outcome.before, eventId));
  if (outcome.action === 'unmatched' && link !== undefined) await deps.outbound.publish([paymentUnmatched(link)]);
  await deps.webhookEvents.markProcessed(eventId, outcome.action, at());
  return outcome;
}

/** Step 3: the link this event establishes, if it can establish one. */
async function linkFor(
  event: PaymentEvent,
  deps: ApplyPaymentDependencies,
  at: string,
): Promise<{ link: PaymentLink; created: boolean } | undefined> {
  if (event.kind !== 'payment_succeeded' && event.kind !== 'payment_failed') return undefined;
  const invoice = event.invoiceNumber === null ? undefined : await deps.invoices.findByNumber(event.invoiceNumber);
  const decision = matchPayment({ namedInvoice: event.invoiceNumber, currency: event.currency }, invoice);
  // A failed attempt moved no money: it is not an unmatched payment to chase.
  if (event.kind === 'payment_failed' && decision.status === 'unmatched') return undefined;
  const proposed: PaymentLink = {
    paymentId: event.paymentId,
    status: decision.status,
    invoiceNumber: decision.status === 'matched' ? event.invoiceNumber : null,
    namedInvoice: event.invoiceNumber,
    currency: event.currency,
    reason: decision.status === 'unmatched' ? decision.reason : null,
    linkedAt: at,
    linkedBy: 'provider',
  };
  const link = await deps.payments.linkIfUnlinked(proposed);
  return { link, created: link === proposed };
}

/** Step 4: bring the linked invoice's ledger up to date with every event of the payment. */
export async function settle(
  paymentId: string,
  link: PaymentLink | undefined,
  deps: Pick<ApplyPaymentDependencies, 'invoices' | 'balances' | 'now'> & { readonly payments: Pick<PaymentStore, 'eventsOf'> },
  newlyUnmatched = false,
): Promise<ApplyPaymentOutcome> {
  if (link === undefined) return { action: 'pending', paymentId };
  if (link.status === 'unmatched' || link.invoiceNumber === null) {
    return { action: 'unmatched', paymentId, reason: link.reason ?? 'unmatched', newlyUnmatched };
  }
  const events = await deps.payments.eventsOf(paymentId);
  let before: Invoice | undefined;
  const { invoice } = await deps.invoices.update(link.invoiceNumber, (current) => {
    before = current;
    return applyPayments(current, events, new Date(deps.now()).toISOString());
  });
  await recordOverpayment(link.invoiceNumber, invoice, deps);
  const known = new Set(before!.payments.map((payment) => payment.eventId));
  return {
    action: 'applied',
    paymentId,
    invoice,
    before: before!,
    added: invoice.payments.filter((payment) => !known.has(payment.eventId)),
  };
}

/**
 * Step 5. The invoice is read again inside the decision, after the ledger: two steps racing on
 * one invoice decide on the same ledger and collide on the movement id (`overpayment:{n}`), and
 * the one that retries sees the other's invoice, so the last movement recorded follows the
 * invoice's latest figure. A take-back the balance cannot cover (already applied to a later
 * invoice) is left uncovered: the ledger never goes negative.
 */
async function recordOverpayment(
  number: string,
  settled: Invoice,
  deps: Pick<ApplyPaymentDependencies, 'invoices' | 'balances' | 'now'>,
): Promise<void> {
  const account = { customerId: settled.customerId, currency: settled.currency };
  await deps.balances.record(account, async (ledger) => {
    const current = (await deps.invoices.findByNumber(number)) ?? settled;
    return overpaymentMovement(ledger, account, number, current.customerCredit, new Date(deps.now()).toISOString()).movement;
  });
}
