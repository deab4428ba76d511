/**
 * What is left to credit of an invoice, given the credit notes already issued for it: per line
 * (quantity and net) and per VAT rate (net and VAT). A function of the invoice and the set of its
 * credit notes, so storage can call it inside the transaction that issues the next one and the
 * check "never more than the invoice" holds however many credits race (the write is conditional
 * on the set it was computed from).
 */
import type { Invoice } from '../invoice/invoice.ts';
import type { TaxSubtotal } from '../invoice/types.ts';
import { decimal, decimalText, Decimal } from '../money.ts';
import { CreditRequestError } from '../errors.ts';
import type { CreditNote, CreditNoteDraft } from './types.ts';

export interface LineRemainder {
  /** 1-based, as printed on the invoice. */
  readonly line: number;
  /** The line's quantity minus what credit notes took back by quantity (decimal string). */
  readonly quantity: string;
  /** The line's net minus every credit of it, minor units. */
  readonly netAmount: number;
}

export interface RateRemainder {
  readonly rate: string;
  readonly category: TaxSubtotal['category'];
  readonly netAmount: number;
  readonly taxAmount: number;
}

export interface CreditableRemainder {
  readonly invoiceNumber: string;
  readonly currency: string;
  readonly lines: readonly LineRemainder[];
  /** Per VAT group of the invoice: its taxable amount and VAT minus what credit notes took. */
  readonly rates: readonly RateRemainder[];
  readonly netAmount: number;
  /** Net plus VAT left: what further credit notes may still total. */
  readonly total: number;
  /** Per invoice line (index 0 = line 1): the net credited so far. */
  readonly creditedNetByLine: readonly number[];
}

/** A VAT group key: the rate as a number ("19" and "19.0" are one group) and the category. */
export function vatGroupKey(rate: string, category: string): string {
  return JSON.stringify([decimalText(decimal(rate)), category]);
}

export function creditableRemainder(invoice: Invoice, creditNotes: readonly (CreditNote | CreditNoteDraft)[]): CreditableRemainder {
  const invoiceNumber = invoice.number;
  if (invoiceNumber === null)
    throw new CreditRequestError(
      `The ${invoice.status} invoice of ${invoice.customerId} for ${invoice.billingPeriod} has no number, so nothing of it can be credited`,
    );
  const creditedNet = invoice.lines.map(() => 0);
  const creditedQuantity = invoice.lines.map((): Decimal => new Decimal(0));
  const creditedTax = new Map<string, number>();
  for (const note of creditNotes) {
    if (note.invoiceNumber !== invoiceNumber || note.currency !== invoice.currency) {
      throw new Error(
        `credit note of invoice ${note.invoiceNumber} (${note.currency}) is not one of invoice ${invoiceNumber} (${invoice.currency})`,
      );
    }
    for (const line of note.lines) {
      const index = line.invoiceLine - 1;
      if (index < 0 || index >= invoice.lines.length)
        throw new Error(`a credit note of invoice ${invoiceNumber} credits line ${line.invoiceLine}, which it does not have`);
      creditedNet[index]! += line.netAmount;
      creditedQuantity[index] = creditedQuantity[index]!.plus(decimal(line.creditedQuantity));
    }
    for (const subtotal of note.taxSubtotals) {
      const key = vatGroupKey(subtotal.rate, subtotal.category);
      creditedTax.set(key, (creditedTax.get(key) ?? 0) + subtotal.taxAmount);
    }
  }
  const lines = invoice.lines.map((line, index) => ({
    line: index + 1,
    quantity: decimalText(decimal(line.quantity).minus(creditedQuantity[index]!)),
    netAmount: line.netAmount - creditedNet[index]!,
  }));
  const rates = invoice.taxSubtotals.map((subtotal): RateRemainder => {
    const key = vatGroupKey(subtotal.rate, subtotal.category);
    const netLeft = sum(
      lines
        .filter((_, index) => vatGroupKey(invoice.lines[index]!.taxRate, invoice.lines[index]!.taxCategory) === key)
        .map((line) => line.netAmount),
    );
    return {
      rate: subtotal.rate,
      category: subtotal.category,
      netAmount: netLeft,
      taxAmount: subtotal.taxAmount - (creditedTax.get(key) ?? 0),
    };
  });
  const netAmount = sum(rates.map((rate) => rate.netAmount));
  return {
    invoiceNumber,
    currency: invoice.currency,
    lines,
    rates,
    netAmount,
    total: netAmount + sum(rates.map((rate) => rate.taxAmount)),
    creditedNetByLine: creditedNet,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
