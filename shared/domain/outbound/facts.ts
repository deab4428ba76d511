/**
 * The facts billflow's stages report, each built from what the stage just recorded. The key
 * is the fact's identity (see catalogue.ts): built only from values that a retried step finds
 * again (invoice number, new status, reminder stage, payment event id), never from the clock.
 */
import { createHash } from 'node:crypto';
import { settleWithCredits } from '../payments/credited-settlement.ts';
import type { BalanceMovement } from '../balance/ledger.ts';
import type { CreditNote } from '../credit-notes/types.ts';
import type { Invoice, PaymentStatus } from '../invoice/invoice.ts';
import type { SubscriptionTerm } from '../catalog/types.ts';
import { invoiceSummary, type CreditNoteSummary, type OutboundFact } from './catalogue.ts';

/** A draft is one fact per customer and period: rebuilding it within the grace period is not a new one. */
export function invoiceDrafted(invoice: Invoice): OutboundFact<'invoice.drafted'> {
  return {
    type: 'invoice.drafted',
    key: [invoice.customerId, invoice.billingPeriod],
    subject: invoice.customerId,
    time: invoice.createdAt,
    data: { invoice: invoiceSummary(invoice) },
  };
}

export function invoiceFinalized(invoice: Invoice): OutboundFact<'invoice.finalized'> {
  return {
    type: 'invoice.finalized',
    key: [numberOf(invoice)],
    subject: invoice.customerId,
    time: invoice.finalizedAt ?? invoice.updatedAt,
    data: { invoice: invoiceSummary(invoice) },
  };
}

/** The invoice email (kind `invoice`, once per invoice) went out. */
export function invoiceDelivered(invoice: Invoice, email: { messageId: string; sentAt: string }): OutboundFact<'invoice.delivered'> {
  return {
    type: 'invoice.delivered',
    key: [numberOf(invoice), email.messageId],
    subject: invoice.customerId,
    time: email.sentAt,
    data: { invoice: invoiceSummary(invoice), messageId: email.messageId, sentAt: email.sentAt },
  };
}

/**
 * The email was refused for good (`send_failure`) or bounced permanently (`bounce`, keyed by
 * the bounced message's id: the invoice email and each reminder bounce separately).
 */
export function invoiceDeliveryFailed(
  invoice: Invoice,
  failure: { kind: 'bounce' | 'send_failure'; detail: string; at: string; messageId?: string },
): OutboundFact<'invoice.delivery_failed'> {
  return {
    type: 'invoice.delivery_failed',
    key: [numberOf(invoice), failure.kind, failure.messageId ?? ''],
    subject: invoice.customerId,
    time: failure.at,
    data: { invoice: invoiceSummary(invoice), kind: failure.kind, detail: failure.detail },
  };
}

/** Keyed by the payment event that moved the status: a redelivered event is the same fact. */
export function paymentStatusChanged(
  invoice: Invoice,
  previousStatus: PaymentStatus,
  paymentEventId: string,
): OutboundFact<'invoice.payment_status_changed'> | undefined {
  if (previousStatus === invoice.paymentStatus) return undefined;
  return {
    type: 'invoice.payment_status_changed',
    key: [numberOf(invoice), paymentEventId, invoice.paymentStatus],
    subject: invoice.customerId,
    time: invoice.updatedAt,
    data: { invoice: invoiceSummary(invoice), previousStatus, paymentStatus: invoice.paymentStatus },
  };
}

/** One per reminder stage (3, 10, 20 days overdue by default). */
export function invoiceOverdue(invoice: Invoice, stage: number, daysOverdue: number, at: string): OutboundFact<'invoice.overdue'> {
  return {
    type: 'invoice.overdue',
    key: [numberOf(invoice), String(stage)],
    subject: invoice.customerId,
    time: at,
    data: { invoice: invoiceSummary(invoice), stage, daysOverdue },
  };
}

export function invoiceVoided(invoice: Invoice): OutboundFact<'invoice.voided'> {
  return {
    type: 'invoice.voided',
    key: [numberOf(invoice)],
    subject: invoice.customerId,
    time: invoice.voidedAt ?? invoice.updatedAt,
    data: { invoice: invoiceSummary(invoice), reason: invoice.voidReason ?? '' },
  };
}

export function creditNoteIssued(creditNote: CreditNote, invoice: Invoice): OutboundFact<'credit_note.issued'> {
  const summary: CreditNoteSummary = {
    number: creditNote.number,
    invoiceNumber: creditNote.invoiceNumber,
    customerId: creditNote.customerId,
    issueDate: creditNote.issueDate,
    reason: creditNote.reason,
    settlement: creditNote.settlement,
    currency: creditNote.currency,
    netTotal: creditNote.netTotal,
    taxTotal: creditNote.taxTotal,
    total: creditNote.total,
  };
  return {
    type: 'credit_note.issued',
    key: [creditNote.number],
    subject: creditNote.customerId,
    time: invoice.updatedAt,
    data: { creditNote: summary, invoice: invoiceSummary(invoice) },
  };
}

/** A balance refund as recorded (balance/ledger.ts requestedRefund), with what the balance holds after it. */
export function balanceRefunded(refund: BalanceMovement, available: number): OutboundFact<'balance.refunded'> {
  if (refund.kind !== 'refund') throw new Error(`balance movement ${refund.id} is a ${refund.kind}, not a refund`);
  return {
    type: 'balance.refunded',
    key: [refund.customerId, refund.currency, refund.reference],
    subject: refund.customerId,
    time: refund.at,
    data: {
      customerId: refund.customerId,
      currency: refund.currency,
      amount: -refund.amount,
      reference: refund.reference,
      at: refund.at,
      available,
    },
  };
}

/** One per payment: every later event of an unmatched payment repeats the same fact. */
export function paymentUnmatched(link: {
  paymentId: string;
  namedInvoice: string | null;
  currency: string;
  reason: string | null;
  linkedAt: string;
}): OutboundFact<'payment.unmatched'> {
  return {
    type: 'payment.unmatched',
    key: [link.paymentId],
    time: link.linkedAt,
    data: { paymentId: link.paymentId, namedInvoice: link.namedInvoice, currency: link.currency, reason: link.reason ?? 'unmatched' },
  };
}

/** Keyed by the history it results in: the same command run twice is one fact. */
export function subscriptionChanged(
  customerId: string,
  change: { kind: string; plan?: string; at: string },
  subscriptions: readonly SubscriptionTerm[],
): OutboundFact<'subscription.changed'> {
  const terms = subscriptions.map((term) => ({ plan: term.plan, start: term.start, end: term.end ?? null }));
  return {
    type: 'subscription.changed',
    key: [customerId, JSON.stringify(terms)],
    subject: customerId,
    time: change.at,
    data: { customerId, change: change.kind, plan: change.plan ?? null, at: change.at, subscriptions: terms },
  };
}

/** Keyed by the rejected text's hash, the key `billflow events rejected` lists it under. */
export function eventsRejected(rejection: {
  body: string;
  reason: string;
  period: string;
  source?: string;
  id?: string;
  customerId?: string;
  at: string;
}): OutboundFact<'events.rejected'> {
  const key = createHash('sha256').update(rejection.body).digest('hex');
  return {
    type: 'events.rejected',
    key: [key],
    ...(rejection.customerId === undefined ? {} : { subject: rejection.customerId }),
    time: rejection.at,
    data: {
      key,
      reason: rejection.reason,
      period: rejection.period,
      source: rejection.source ?? null,
      id: rejection.id ?? null,
      customerId: rejection.customerId ?? null,
    },
  };
}

/**
 * What the invoice email's delivery came to, as a step that finds it recorded republishes it:
 * delivered (the one `invoice` email went out) or failed for good (a permanent refusal).
 * Bounces are reported by the mail events (invoiceDeliveryFailed with the message id).
 */
export function deliveryOutcomeFacts(invoice: Invoice): OutboundFact[] {
  const email = invoice.emails.find((sent) => sent.kind === 'invoice');
  if (email !== undefined) return [invoiceDelivered(invoice, email)];
  if (invoice.deliveryStatus === 'failed' && invoice.deliveryProblem !== null) {
    const { detail, at } = invoice.deliveryProblem;
    return [invoiceDeliveryFailed(invoice, { kind: 'send_failure', detail, at })];
  }
  return [];
}

/**
 * The payment status change a payment event made, also when the step is retried after the
 * ledger took it (`before` is then the invoice as it is): the status without that event.
 */
export function paymentStatusChangeOf(invoice: Invoice, before: Invoice, paymentEventId: string): OutboundFact[] {
  const tookItNow = !before.payments.some((payment) => payment.eventId === paymentEventId);
  const previous = tookItNow
    ? before.paymentStatus
    : settleWithCredits(
        invoice.total,
        invoice.payments.filter((payment) => payment.eventId !== paymentEventId),
        invoice.credits ?? [],
      ).paymentStatus;
  const fact = paymentStatusChanged(invoice, previous, paymentEventId);
  return fact === undefined ? [] : [fact];
}

function numberOf(invoice: Invoice): string {
  if (invoice.number === null) throw new Error(`an invoice of ${invoice.customerId} for ${invoice.billingPeriod} has no number yet`);
  return invoice.number;
}
