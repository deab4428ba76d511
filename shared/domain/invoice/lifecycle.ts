/**
 * The invoice lifecycle: every change of an invoice's `status` and `deliveryStatus` is one
 * function here, which says from which states it may happen and throws InvoiceStateError from
 * any other (each has a `can...` twin for callers that skip instead). Use cases decide with
 * these; the repositories only store the result, under conditions that keep two writers from
 * both acting on the same state (ConditionExpressions, optimistic updates).
 *
 *   status           new -> draft -> finalized -> void     (only before its email went out)
 *                                \-> not_issued            (a total of zero: no number used)
 *                    finalized -> finalized                 (credited: a credit note corrects it)
 *   deliveryStatus   pending -> rendered -> sending -> sent
 *                                  ^----------/ \-> failed  (released: transient / permanent refusal)
 *                    any -> bounced                          (a permanent bounce of an email sent for it)
 *
 * paymentStatus is not a state moved by steps: the ledger (payments/ledger.ts) derives it from
 * the payment events applied, which takesPayments() below allows on issued invoices only.
 */
import {
  deliveryUnderway,
  emailClaimable,
  holdsEmailClaim,
  withDocument,
  withEmail,
  withEmailClaim,
  withEmailReleased,
  withMailProblem,
} from '../delivery/document-delivery.ts';
import { InvoiceDeliveredError, InvoiceStateError } from '../errors.ts';
import type { DeliveryStatus, Invoice, InvoiceCredit, InvoiceDocument, InvoiceStatus, SentEmail } from './invoice.ts';

/** The states a new invoice starts in (a draft, built by invoice-record.ts). */
export const NEW_INVOICE = { status: 'draft', paymentStatus: 'unpaid', deliveryStatus: 'pending' } as const;

/** From which statuses each status transition may happen. */
export const STATUS_TRANSITIONS = {
  /** A draft is written again from more events while its period is open. */
  reviseDraft: { from: ['draft'], to: 'draft', done: 'revised' },
  finalize: { from: ['draft'], to: 'finalized', done: 'finalized' },
  closeNotIssued: { from: ['draft'], to: 'not_issued', done: 'closed without an invoice' },
  void: { from: ['finalized'], to: 'void', done: 'voided' },
  /** A credit note takes back part or all of it; it stays finalized (the law keeps an issued invoice as issued). */
  credit: { from: ['finalized'], to: 'finalized', done: 'credited' },
} as const satisfies Record<string, { from: readonly InvoiceStatus[]; to: InvoiceStatus; done: string }>;

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'rendered', 'sending', 'sent', 'bounced', 'failed'];

/** From which delivery statuses each delivery transition may happen (claimInvoiceEmail: `sending` only once stale). */
export const DELIVERY_TRANSITIONS = {
  /** pending -> rendered; an invoice already further along keeps its status (only the document is recorded). */
  recordDocument: { from: DELIVERY_STATUSES },
  claimInvoiceEmail: { from: ['rendered', 'sending'] },
  releaseInvoiceEmail: { from: ['sending'] },
  /** The email is out: it is recorded whatever was recorded meanwhile (a bounce of a reminder, a taken-over claim). */
  recordEmail: { from: DELIVERY_STATUSES },
  recordMailProblem: { from: DELIVERY_STATUSES },
} as const satisfies Record<string, { from: readonly DeliveryStatus[] }>;

type StatusTransition = keyof typeof STATUS_TRANSITIONS;

function label(invoice: Invoice): string {
  return invoice.number ?? `${invoice.customerId}/${invoice.billingPeriod}`;
}

/** Whether `transition` may happen from the invoice's status. */
export function allowsStatus(transition: StatusTransition, invoice: Invoice): boolean {
  return (STATUS_TRANSITIONS[transition].from as readonly InvoiceStatus[]).includes(invoice.status);
}

function requireStatus(transition: StatusTransition, invoice: Invoice): void {
  if (allowsStatus(transition, invoice)) return;
  const { from, done } = STATUS_TRANSITIONS[transition];
  throw new InvoiceStateError(`invoice ${label(invoice)} is ${invoice.status}; only a ${from.join(' or ')} invoice can be ${done}`);
}

/** The draft as issued, with the number allocated to it at finalization (numbering.ts), which is also its payment reference. */
export function finalizeDraft(issued: Invoice, number: string): Invoice {
  requireStatus('finalize', issued);
  return { ...issued, number, paymentReference: number, status: STATUS_TRANSITIONS.finalize.to };
}

/** The period closes without an invoice (its total is zero): no number is used. */
export function closeNotIssued(draft: Invoice, reason: string): Invoice {
  requireStatus('closeNotIssued', draft);
  return { ...draft, notIssuedReason: reason, status: STATUS_TRANSITIONS.closeNotIssued.to, number: null, paymentReference: null };
}

/**
 * Whether its email may have reached the customer: once it did, the invoice is issued in the
 * sense of VAT law and only a credit note may correct it. `sending` counts (the email may be out).
 */
export function wasDelivered(invoice: Invoice): boolean {
  return invoice.emails.length > 0 || ['sending', 'sent', 'bounced'].includes(invoice.deliveryStatus);
}

/** A finalized invoice is voided: it keeps its number and records why. Only before its email went out. */
export function voidFinalized(invoice: Invoice, reason: string, at: string): Invoice {
  requireStatus('void', invoice);
  if (wasDelivered(invoice)) throw new InvoiceDeliveredError(invoice.number!, invoice.deliveryStatus);
  return { ...invoice, status: STATUS_TRANSITIONS.void.to, voidReason: reason, voidedAt: at, updatedAt: at };
}

/**
 * A credit note was issued for the finalized invoice: it is kept with the invoice's credits, and
 * `settled` (the payment state with that credit, payments/credited-settlement.ts) replaces the
 * payment fields. Never from a draft (no number), a void or a not-issued invoice.
 */
export function creditFinalized(
  invoice: Invoice,
  credit: InvoiceCredit,
  settled: { paymentStatus: Invoice['paymentStatus']; amountDue: number; creditedAmount: number; overpayment: number },
  at: string,
): Invoice {
  requireStatus('credit', invoice);
  return {
    ...invoice,
    credits: [...(invoice.credits ?? []), credit],
    creditedAmount: settled.creditedAmount,
    paymentStatus: settled.paymentStatus,
    amountDue: settled.amountDue,
    customerCredit: settled.overpayment,
    updatedAt: at,
  };
}

/** Payments apply to issued invoices (finalized, or void: the caller routes those to the unmatched payments); a draft has no number to pay. */
export function takesPayments(invoice: Invoice): void {
  if (invoice.number === null) {
    const which = `the ${invoice.status} invoice of ${invoice.customerId} for ${invoice.billingPeriod}`;
    throw new InvoiceStateError(`cannot apply payments to ${which}: it has no number`);
  }
}

/** Its document is recorded once; the first one stored stays. */
export function canRecordDocument(invoice: Invoice): boolean {
  return invoice.document === null;
}

export function recordDocument(invoice: Invoice, document: InvoiceDocument): Invoice {
  if (!canRecordDocument(invoice))
    throw new InvoiceStateError(`invoice ${label(invoice)} already has its document ${invoice.document!.key}`);
  return withDocument(invoice, document);
}

/**
 * The one `invoice` email is claimed from a finalized invoice that is rendered, or taken over
 * from a sender whose claim is older than `staleBefore` (epoch ms: it crashed).
 */
export function canClaimInvoiceEmail(invoice: Invoice, staleBefore: number): boolean {
  return invoice.status === 'finalized' && emailClaimable(invoice, staleBefore);
}

export function claimInvoiceEmail(invoice: Invoice, claimedAt: string, staleBefore: number): Invoice {
  if (!canClaimInvoiceEmail(invoice, staleBefore)) {
    throw new InvoiceStateError(
      `invoice ${label(invoice)} is ${invoice.status}, delivery ${invoice.deliveryStatus}; its email cannot be claimed`,
    );
  }
  return withEmailClaim(invoice, claimedAt);
}

/** Only the sender holding the claim made at `claimedAt` releases it (a taken-over claim is someone else's). */
export function canReleaseInvoiceEmail(invoice: Invoice, claimedAt: string): boolean {
  return holdsEmailClaim(invoice, claimedAt);
}

/** After a failed send: a permanent refusal ends in `failed`; a transient one frees the email for the retry (`rendered`). */
export function releaseInvoiceEmail(
  invoice: Invoice,
  claimedAt: string,
  failure: { permanent: boolean; detail: string; at: string },
): Invoice {
  if (!canReleaseInvoiceEmail(invoice, claimedAt)) {
    throw new InvoiceStateError(`invoice ${label(invoice)} is not sending under the claim of ${claimedAt}; there is no claim to release`);
  }
  return withEmailReleased(invoice, failure);
}

/** An email sent for the invoice; the `invoice` email makes it `sent` (a resend changes no status). */
export function recordEmail(invoice: Invoice, email: SentEmail): Invoice {
  return withEmail(invoice, email);
}

/** A bounce or complaint of an email sent for the invoice; a permanent bounce makes it `bounced`. */
export function recordMailProblem(
  invoice: Invoice,
  problem: { kind: 'bounce' | 'complaint'; detail: string; at: string },
  permanent: boolean,
): Invoice {
  return withMailProblem(invoice, problem, permanent);
}

/** A finalized invoice whose PDF or email is still to come. */
export function awaitsDelivery(invoice: Invoice): boolean {
  return invoice.status === 'finalized' && invoice.number !== null && deliveryUnderway(invoice);
}

/** Money is still expected: a finalized invoice, unpaid or partly paid (disputes and refunds are chased by people). */
export function isOpenReceivable(invoice: Invoice): boolean {
  return (
    invoice.status === 'finalized' &&
    invoice.number !== null &&
    invoice.dueDate !== null &&
    invoice.amountDue > 0 &&
    (invoice.paymentStatus === 'unpaid' || invoice.paymentStatus === 'partially_paid')
  );
}
