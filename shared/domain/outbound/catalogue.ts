/**
 * The outbound event catalogue (issue 19): one billflow event per business fact, what its
 * `data` holds, and the fact's own key. Subscribers (EventBridge rules, webhook endpoints)
 * rely on these names and shapes; CONTRACTS.md section 7 makes `billflow.<fact>` normative.
 *
 * `data` never carries the PDF, the e-invoice XML, the customer's bank data or the body of a
 * rejected event: a summary to act on, with the number or key to fetch the rest by.
 */
import type { Invoice, PaymentStatus } from '../invoice/invoice.ts';

export const outboundEventTypes = [
  'invoice.drafted',
  'invoice.finalized',
  'invoice.delivered',
  'invoice.delivery_failed',
  'invoice.payment_status_changed',
  'invoice.overdue',
  'invoice.voided',
  'credit_note.issued',
  'balance.refunded',
  'payment.unmatched',
  'subscription.changed',
  'events.rejected',
] as const;

export type OutboundEventType = (typeof outboundEventTypes)[number];

/** What every invoice event carries: the invoice as a subscriber acts on it, amounts in minor units. */
export interface InvoiceSummary {
  /** null for a draft: a number is given at finalization. */
  readonly number: string | null;
  readonly customerId: string;
  readonly billingPeriod: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly status: Invoice['status'];
  readonly paymentStatus: PaymentStatus;
  readonly deliveryStatus: Invoice['deliveryStatus'];
  readonly currency: string;
  readonly issueDate: string | null;
  readonly dueDate: string | null;
  readonly netTotal: number;
  readonly taxTotal: number;
  readonly total: number;
  readonly amountPaid: number;
  readonly amountDue: number;
  readonly creditedAmount: number;
}

export interface CreditNoteSummary {
  readonly number: string;
  readonly invoiceNumber: string;
  readonly customerId: string;
  readonly issueDate: string;
  readonly reason: string;
  readonly settlement: string;
  readonly currency: string;
  readonly netTotal: number;
  readonly taxTotal: number;
  readonly total: number;
}

/** The `data` of each event type. */
export interface OutboundEventData {
  readonly 'invoice.drafted': { readonly invoice: InvoiceSummary };
  readonly 'invoice.finalized': { readonly invoice: InvoiceSummary };
  readonly 'invoice.delivered': { readonly invoice: InvoiceSummary; readonly messageId: string; readonly sentAt: string };
  readonly 'invoice.delivery_failed': {
    readonly invoice: InvoiceSummary;
    readonly kind: 'bounce' | 'send_failure';
    readonly detail: string;
  };
  readonly 'invoice.payment_status_changed': {
    readonly invoice: InvoiceSummary;
    readonly previousStatus: PaymentStatus;
    readonly paymentStatus: PaymentStatus;
  };
  readonly 'invoice.overdue': { readonly invoice: InvoiceSummary; readonly stage: number; readonly daysOverdue: number };
  readonly 'invoice.voided': { readonly invoice: InvoiceSummary; readonly reason: string };
  readonly 'credit_note.issued': { readonly creditNote: CreditNoteSummary; readonly invoice: InvoiceSummary };
  readonly 'balance.refunded': {
    readonly customerId: string;
    readonly currency: string;
    /** Paid back, minor units, above 0. */
    readonly amount: number;
    /** The operator's reference for the payout (its key: one fact per reference). */
    readonly reference: string;
    /** When it was paid back (ISO 8601). */
    readonly at: string;
    /** What the balance holds after it, minor units. */
    readonly available: number;
  };
  readonly 'payment.unmatched': {
    readonly paymentId: string;
    readonly namedInvoice: string | null;
    readonly currency: string;
    readonly reason: string;
  };
  readonly 'subscription.changed': {
    readonly customerId: string;
    readonly change: string;
    readonly plan: string | null;
    readonly at: string;
    readonly subscriptions: readonly { readonly plan: string; readonly start: string | null; readonly end: string | null }[];
  };
  readonly 'events.rejected': {
    /** The SHA-256 of the rejected text: `billflow events rejected` lists it under this key. */
    readonly key: string;
    readonly reason: string;
    readonly period: string;
    readonly source: string | null;
    readonly id: string | null;
    readonly customerId: string | null;
  };
}

/**
 * One business fact, before it is put in its envelope. `key` names the fact among those of its
 * type (the invoice number and the new status, the reminder stage, ...): the event id is derived
 * from type and key, so a step that is retried publishes the same id again, never a new one.
 */
export interface OutboundFact<Type extends OutboundEventType = OutboundEventType> {
  readonly type: Type;
  readonly key: readonly string[];
  /** The customer; absent where the fact has none (an unmatched payment, an unreadable event). */
  readonly subject?: string;
  /** When the fact happened (ISO 8601). */
  readonly time: string;
  readonly data: OutboundEventData[Type];
}

export type AnyOutboundFact = { [Type in OutboundEventType]: OutboundFact<Type> }[OutboundEventType];

export function isOutboundEventType(value: string): value is OutboundEventType {
  return (outboundEventTypes as readonly string[]).includes(value);
}

export function invoiceSummary(invoice: Invoice): InvoiceSummary {
  return {
    number: invoice.number,
    customerId: invoice.customerId,
    billingPeriod: invoice.billingPeriod,
    period: invoice.period,
    status: invoice.status,
    paymentStatus: invoice.paymentStatus,
    deliveryStatus: invoice.deliveryStatus,
    currency: invoice.currency,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    netTotal: invoice.netTotal,
    taxTotal: invoice.taxTotal,
    total: invoice.total,
    amountPaid: invoice.amountPaid,
    amountDue: invoice.amountDue,
    creditedAmount: invoice.creditedAmount ?? 0,
  };
}
