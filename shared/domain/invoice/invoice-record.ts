/** Turns a computed invoice and its parties into the stored invoice record (pure). */
import type { Customer, Issuer } from '../catalog/types.ts';
import { periodBounds } from '../period.ts';
import type { Invoice, InvoiceParty } from './invoice.ts';
import { NEW_INVOICE } from './lifecycle.ts';
import type { InvoiceComputation } from './types.ts';
import { invoiceEInvoice } from '../einvoice/settings.ts';
import { DEFAULT_LANGUAGE } from '../language/languages.ts';

export interface InvoiceRecordInput {
  readonly computation: InvoiceComputation;
  readonly issuer: Issuer;
  readonly customer: Customer;
  readonly billingPeriod: string;
  readonly eventCount: number;
  readonly duplicateDeliveries: number;
  readonly readThrough: number;
  /** Per earlier period billed as late usage: its chunks written in [from, to) are on this invoice. */
  readonly lateWindows: readonly { readonly period: string; readonly from: number; readonly to: number }[];
  readonly now: number;
}

export function draftInvoice(input: InvoiceRecordInput): Invoice {
  const { computation, issuer, customer } = input;
  const { start, end } = periodBounds(input.billingPeriod);
  const now = new Date(input.now).toISOString();
  const einvoice = invoiceEInvoice(issuer, customer);
  return {
    number: null,
    customerId: customer.id,
    billingPeriod: input.billingPeriod,
    period: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    status: NEW_INVOICE.status,
    paymentStatus: NEW_INVOICE.paymentStatus,
    currency: computation.currency,
    issueDate: null,
    dueDate: null,
    lines: computation.lines,
    taxSubtotals: computation.taxSubtotals,
    netTotal: computation.netTotal,
    taxTotal: computation.taxTotal,
    total: computation.total,
    amountPaid: 0,
    amountDue: computation.total,
    amountRefunded: 0,
    customerCredit: 0,
    payments: [],
    reminders: [],
    tax: computation.tax,
    legends: computation.legends,
    seller: party(issuer.invoicePrefix, issuer),
    buyer: party(customer.id, customer),
    paymentMeans: { code: '58', iban: issuer.bank.iban, bic: issuer.bank.bic },
    paymentReference: null,
    paymentTermsDays: customer.paymentTermsDays,
    ...documentLanguage(issuer, customer),
    ...(einvoice === undefined ? {} : { einvoice }),
    eventCount: input.eventCount,
    duplicateDeliveries: input.duplicateDeliveries,
    readThrough: new Date(input.readThrough).toISOString(),
    lateWindows: input.lateWindows.map((window) => ({
      period: window.period,
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
    })),
    deliveryStatus: NEW_INVOICE.deliveryStatus,
    document: null,
    emails: [],
    deliveryProblem: null,
    createdAt: now,
    updatedAt: now,
    finalizedAt: null,
    voidedAt: null,
    voidReason: null,
    notIssuedReason: null,
  };
}

/** The draft as issued: dated, with its due date (the number is added when it is allocated). */
export function issue(draft: Invoice, issueDate: string, dueDate: string, now: number): Invoice {
  const at = new Date(now).toISOString();
  return { ...draft, issueDate, dueDate, finalizedAt: at, updatedAt: at };
}

/** The customer's language, else the issuer's default; nothing for English, so English invoices read as before languages existed. */
function documentLanguage(issuer: Issuer, customer: Customer): { language?: string } {
  const language = customer.language ?? issuer.defaultLanguage ?? DEFAULT_LANGUAGE;
  return language === DEFAULT_LANGUAGE ? {} : { language };
}

function party(id: string, who: Issuer | Customer): InvoiceParty {
  return { id, name: who.name, address: who.address, vatId: who.vatId ?? null, email: who.email };
}
