/**
 * A credit note: the document EU law (VAT Directive Art. 219) asks for instead of editing an
 * issued invoice. It references the invoice it corrects and takes back part or all of its lines.
 * JSON field names follow CONTRACTS.md section 7; amounts are positive integers in minor units
 * (a credit note credits, the sign is in its type, as in EN 16931's credit note, type code 381).
 */
import type { InvoiceParty } from '../invoice/invoice.ts';
import type { LineText } from '../invoice/line-text.ts';
import type { InvoiceComputation, InvoiceLine } from '../invoice/types.ts';

/** `balance`: credited to the customer's balance (the default); `refund`: paid back outside billflow. */
export type CreditSettlement = 'balance' | 'refund';

/** What to credit on one invoice line (1-based, as printed on the invoice). */
export type LineCredit =
  /** Part of the line's quantity (decimal string): its share of what is left of the line's net. */
  | { readonly line: number; readonly quantity: string }
  /** A net amount in currency units (decimal string, e.g. "12.50"): a price reduction, no quantity returned. */
  | { readonly line: number; readonly amount: string };

export interface CreditRequest {
  readonly reason: string;
  readonly settlement: CreditSettlement;
  /** `all`: what is left of every line; otherwise the lines named, each once. */
  readonly credit: 'all' | readonly LineCredit[];
}

export interface CreditNoteLine {
  /** The invoice line this credits, 1-based. */
  readonly invoiceLine: number;
  readonly description: string;
  /** The invoice line's phrases, so the credit note PDF writes it in the invoice's language. */
  readonly describedAs?: LineText;
  readonly meter: string | null;
  readonly period: InvoiceLine['period'];
  /** Shown quantity: the quantity credited, or "1" for a credit by amount. */
  readonly quantity: string;
  readonly unitCode: string;
  /** The invoice line's unit price, or the amount for a credit by amount (decimal string). */
  readonly unitPrice: string;
  /** Minor units credited (negative only when `all` takes back a line that gave money back). */
  readonly netAmount: number;
  readonly taxRate: string;
  readonly taxCategory: InvoiceLine['taxCategory'];
  /** How much of the invoice line's quantity this takes back ("0" for a credit by amount). */
  readonly creditedQuantity: string;
}

/**
 * The money of a credit note is shaped as an invoice's: currency, VAT per rate (see assemble.ts
 * for why the last credit note takes what is left), netTotal, taxTotal and total = net + VAT
 * exactly, the invoice's tax treatment and legends.
 */
export interface CreditNote extends Omit<InvoiceComputation, 'lines'> {
  /** `{invoicePrefix}-CN-{YYYY}-{NNNNNN}`, allocated at issue (numbering.ts). */
  readonly number: string;
  readonly invoiceNumber: string;
  /** The corrected invoice's issue date (EN 16931 BG-3 preceding invoice reference). */
  readonly invoiceIssueDate: string;
  readonly customerId: string;
  /** YYYY-MM-DD. */
  readonly issueDate: string;
  readonly reason: string;
  readonly settlement: CreditSettlement;
  readonly lines: readonly CreditNoteLine[];
  /**
   * The part of `total` that reduced the invoice's amount due when the note was issued; the
   * rest (`total - appliedToInvoice`) exceeded what was due and went to the settlement (the
   * customer's balance, or refunded). Stripe calls these pre- and post-payment amounts.
   */
  readonly appliedToInvoice: number;
  readonly seller: InvoiceParty;
  readonly buyer: InvoiceParty;
}

/** A credit note before its number is allocated (allocation and storage are one transaction). */
export type CreditNoteDraft = Omit<CreditNote, 'number'>;
