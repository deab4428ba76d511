/**
 * A credit note from an issued invoice, the credit notes already issued for it and a request.
 * Pure: storage calls it with the set of credit notes it read and writes the result only if
 * that set is unchanged, so concurrent credits can never together exceed the invoice.
 *
 * 1. Only a finalized invoice with a number can be credited; a reason is required.
 * 2. What is left of each line and each VAT rate (remaining.ts).
 * 3. Lines: `all` takes what is left of every line; a line by quantity takes that share of what
 *    is left of the line's net (net left x quantity / quantity left, rounded half-up), so the
 *    quantity left takes exactly the net left, never a cent more or less; a line by amount
 *    takes that net amount and no quantity (a price reduction). A line is refused beyond
 *    what is left of it, naming what is left.
 * 4. The lines together may not take more net at a VAT rate than is left at that rate (a line
 *    that gave money back, e.g. a minimum commitment correction, lowers what is left).
 * 5. VAT per rate, computed by the invoice's own computation (withTax) on everything credited
 *    at that rate so far including this note, minus the VAT earlier notes took. Rounding once
 *    on the cumulative net keeps the VAT credited monotone and never above the invoice's, and
 *    when every line is credited it is exactly the invoice's VAT per rate: the last note takes
 *    what is left. A single note's VAT is the invoice's rule applied to its own net, or one
 *    minor unit off it when earlier notes' rounding is being caught up.
 * 6. `appliedToInvoice`: the part of the total that the amount due (after payments and earlier
 *    credits) absorbs; the rest goes to the settlement (balance or refund).
 */
import { withTax } from '../invoice/assemble.ts';
import type { Invoice } from '../invoice/invoice.ts';
import type { InvoiceLine, TaxSubtotal } from '../invoice/types.ts';
import { currencyExponent } from '../catalog/currencies.ts';
import { Decimal, decimal, decimalText, formatMinor, roundMinorUnits, toMinorUnits } from '../money.ts';
import { settleWithCredits } from '../payments/credited-settlement.ts';
import {
  CreditExceedsInvoiceError,
  CreditExceedsLineError,
  CreditRequestError,
  InvoiceNotCreditableError,
  NothingLeftToCreditError,
} from '../errors.ts';
import { creditableRemainder, vatGroupKey, type CreditableRemainder, type LineRemainder } from './remaining.ts';
import type { CreditNote, CreditNoteDraft, CreditNoteLine, CreditRequest, LineCredit } from './types.ts';

export interface CreditNoteInput {
  readonly invoice: Invoice;
  /** Every credit note issued for this invoice so far. */
  readonly creditNotes: readonly (CreditNote | CreditNoteDraft)[];
  readonly request: CreditRequest;
  /** YYYY-MM-DD. */
  readonly issueDate: string;
}

export function assembleCreditNote(input: CreditNoteInput): CreditNoteDraft {
  const { invoice, creditNotes, request } = input;
  if (invoice.status !== 'finalized' || invoice.number === null || invoice.issueDate === null) {
    throw new InvoiceNotCreditableError(
      `The ${invoice.status} invoice ${invoice.number ?? `of ${invoice.customerId} for ${invoice.billingPeriod}`} cannot be credited: only a finalized invoice can`,
    );
  }
  const invoiceNumber = invoice.number;
  const reason = request.reason.trim();
  if (reason === '')
    throw new CreditRequestError(`A credit note needs a reason: say why invoice ${invoiceNumber} is credited (--reason TEXT)`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.issueDate) || input.issueDate < invoice.issueDate) {
    throw new CreditRequestError(
      `Credit note issue date "${input.issueDate}" must be a date (YYYY-MM-DD) on or after invoice ${invoiceNumber}'s issue date ${invoice.issueDate}`,
    );
  }
  const left = creditableRemainder(invoice, creditNotes);
  if (left.rates.every((rate) => rate.netAmount === 0 && rate.taxAmount === 0)) throw new NothingLeftToCreditError(invoiceNumber);

  const credits = request.credit;
  const lines =
    credits === 'all'
      ? allThatIsLeft(invoice, left)
      : credits.map((credit, index) => lineCredit(invoice, left, credit, credits.slice(0, index)));
  if (lines.length === 0)
    throw new CreditRequestError(
      `Name at least one line of invoice ${invoiceNumber} to credit (--line N with --quantity or --amount), or credit it all (--all)`,
    );
  const { taxSubtotals, netTotal, taxTotal } = creditTax(invoice, left, lines);
  const total = netTotal + taxTotal;
  const due = settleWithCredits(invoice.total, invoice.payments, creditNotes, invoice.balanceApplied ?? 0).amountDue;
  return {
    invoiceNumber,
    invoiceIssueDate: invoice.issueDate,
    customerId: invoice.customerId,
    issueDate: input.issueDate,
    reason,
    settlement: request.settlement,
    currency: invoice.currency,
    lines,
    taxSubtotals,
    netTotal,
    taxTotal,
    total,
    appliedToInvoice: Math.min(total, due),
    tax: invoice.tax,
    legends: invoice.legends,
    seller: invoice.seller,
    buyer: invoice.buyer,
  };
}

/** What is left of every line with anything left, the lines that gave money back included. */
function allThatIsLeft(invoice: Invoice, left: CreditableRemainder): CreditNoteLine[] {
  return left.lines
    .filter((line) => line.netAmount !== 0 || !decimal(line.quantity).isZero())
    .map((line) =>
      creditLine(invoice.lines[line.line - 1]!, line.line, line.netAmount, line.quantity, invoice.lines[line.line - 1]!.unitPrice),
    );
}

function lineCredit(invoice: Invoice, left: CreditableRemainder, credit: LineCredit, before: readonly LineCredit[]): CreditNoteLine {
  const number = invoice.number!;
  const invoiceLine = invoice.lines[credit.line - 1];
  if (!Number.isInteger(credit.line) || invoiceLine === undefined) {
    throw new CreditRequestError(`Invoice ${number} has lines 1 to ${invoice.lines.length}; there is no line ${credit.line}`);
  }
  if (before.some((earlier) => earlier.line === credit.line)) {
    throw new CreditRequestError(
      `Line ${credit.line} is named twice: credit each line once per credit note (add the quantities or amounts up)`,
    );
  }
  if (invoiceLine.netAmount <= 0) {
    throw new CreditRequestError(
      `Line ${credit.line} of invoice ${number} charges nothing (${formatMinor(invoiceLine.netAmount, invoice.currency)} ${invoice.currency}), so it cannot be credited on its own; credit the invoice with --all`,
    );
  }
  const remainder = left.lines[credit.line - 1]!;
  return 'quantity' in credit
    ? byQuantity(invoice, invoiceLine, remainder, credit.quantity)
    : byAmount(invoice, invoiceLine, remainder, credit.amount);
}

function byQuantity(invoice: Invoice, invoiceLine: InvoiceLine, left: LineRemainder, text: string): CreditNoteLine {
  const quantity = positiveDecimal(text, `Quantity "${text}" for line ${left.line}`);
  const quantityLeft = decimal(left.quantity);
  if (quantity.greaterThan(quantityLeft) || left.netAmount <= 0) {
    throw new CreditExceedsLineError(
      invoice.number!,
      left.line,
      { quantity: left.quantity, netAmount: Math.max(0, left.netAmount), currency: invoice.currency },
      `quantity ${decimalText(quantity)}`,
    );
  }
  const netAmount = quantity.equals(quantityLeft)
    ? left.netAmount
    : roundMinorUnits(new Decimal(left.netAmount).times(quantity).div(quantityLeft));
  if (netAmount === 0) {
    throw new CreditRequestError(
      `Quantity ${decimalText(quantity)} of line ${left.line} is worth less than half a minor unit of ${invoice.currency}: credit a larger quantity`,
    );
  }
  return creditLine(invoiceLine, left.line, netAmount, decimalText(quantity), invoiceLine.unitPrice);
}

function byAmount(invoice: Invoice, invoiceLine: InvoiceLine, left: LineRemainder, text: string): CreditNoteLine {
  const { currency } = invoice;
  const amount = positiveDecimal(text, `Amount "${text}" for line ${left.line}`);
  if (amount.decimalPlaces() > currencyExponent(currency)) {
    throw new CreditRequestError(
      `Amount "${text}" for line ${left.line} has more decimals than ${currency} has (${currencyExponent(currency)}): give it in ${currency}, e.g. ${formatMinor(toMinorUnits(amount, currency), currency)}`,
    );
  }
  const netAmount = toMinorUnits(amount, currency);
  if (netAmount > left.netAmount) {
    throw new CreditExceedsLineError(
      invoice.number!,
      left.line,
      { quantity: left.quantity, netAmount: Math.max(0, left.netAmount), currency },
      `${formatMinor(netAmount, currency)} ${currency}`,
    );
  }
  return creditLine(invoiceLine, left.line, netAmount, '0', formatMinor(netAmount, currency), '1');
}

function creditLine(
  invoiceLine: InvoiceLine,
  line: number,
  netAmount: number,
  creditedQuantity: string,
  unitPrice: string,
  shownQuantity = creditedQuantity,
): CreditNoteLine {
  return {
    invoiceLine: line,
    description: invoiceLine.description,
    ...(invoiceLine.describedAs === undefined ? {} : { describedAs: invoiceLine.describedAs }),
    meter: invoiceLine.meter,
    period: invoiceLine.period,
    quantity: shownQuantity,
    unitCode: invoiceLine.unitCode,
    unitPrice,
    netAmount,
    taxRate: invoiceLine.taxRate,
    taxCategory: invoiceLine.taxCategory,
    creditedQuantity,
  };
}

/** Step 4 and 5: the per-rate limit, then VAT as the invoice computes it, on the cumulative credit. */
function creditTax(
  invoice: Invoice,
  left: CreditableRemainder,
  lines: readonly CreditNoteLine[],
): { taxSubtotals: TaxSubtotal[]; netTotal: number; taxTotal: number } {
  const netByLine = invoice.lines.map(() => 0);
  for (const line of lines) netByLine[line.invoiceLine - 1]! += line.netAmount;
  const netTotal = lines.reduce((total, line) => total + line.netAmount, 0);
  const cumulative = invoice.lines.map((line, index) => ({ ...line, netAmount: left.creditedNetByLine[index]! + netByLine[index]! }));
  const cumulativeTax = withTax(cumulative, invoice.tax, invoice.currency).taxSubtotals;
  const taxSubtotals = left.rates.map((rate): TaxSubtotal => {
    const key = vatGroupKey(rate.rate, rate.category);
    const taxable = sumWhere(invoice.lines, netByLine, key);
    if (taxable > rate.netAmount) {
      throw new CreditExceedsInvoiceError(
        invoice.number!,
        { netAmount: rate.netAmount, total: rate.netAmount + rate.taxAmount, currency: invoice.currency },
        taxable,
      );
    }
    const invoiceGroup = invoice.taxSubtotals.find((subtotal) => vatGroupKey(subtotal.rate, subtotal.category) === key)!;
    const creditedBefore = invoiceGroup.taxAmount - rate.taxAmount;
    const cumulativeGroup = cumulativeTax.find((subtotal) => vatGroupKey(subtotal.rate, subtotal.category) === key);
    return {
      rate: rate.rate,
      category: rate.category,
      taxableAmount: taxable,
      taxAmount: (cumulativeGroup?.taxAmount ?? 0) - creditedBefore,
    };
  });
  return { taxSubtotals, netTotal, taxTotal: taxSubtotals.reduce((total, subtotal) => total + subtotal.taxAmount, 0) };
}

function sumWhere(invoiceLines: readonly InvoiceLine[], netByLine: readonly number[], key: string): number {
  return invoiceLines.reduce(
    (total, line, index) => (vatGroupKey(line.taxRate, line.taxCategory) === key ? total + netByLine[index]! : total),
    0,
  );
}

function positiveDecimal(text: string, what: string): Decimal {
  let value: Decimal;
  try {
    value = decimal(text);
  } catch {
    throw new CreditRequestError(`${what} is not a number: give a decimal such as 12.5`);
  }
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !value.greaterThan(0))
    throw new CreditRequestError(`${what} must be a number greater than 0, such as 12.5`);
  return value;
}
