/**
 * A credit note as an EN 16931 document: type code 381 with the corrected invoice as BG-3
 * preceding invoice reference (BT-25 number, BT-26 issue date). Amounts are positive, as
 * EN 16931 wants them on a credit note (the type says the money goes back). Everything that is
 * not the credit note's own (parties, payment means, the customer's e-invoice data) is the
 * invoice's mapping, so a credit note and its invoice describe the seller and buyer alike.
 *
 * Decisions:
 * - Payment terms (BT-20) say how the credit is settled (the customer's balance, or refunded)
 *   and the due date (BT-9) is the credit note's issue date: EN 16931 asks for one of them when
 *   the amount is positive (BR-CO-25), and the credit is settled when it is issued.
 * - The payment reference (BT-83) is the credit note's number; payment means stay the seller's
 *   account (XRechnung requires payment instructions on every document, BR-DE-1).
 * - The reason is the first note (BT-22), before the invoice's legends.
 */
import type { CreditNote } from '../credit-notes/types.ts';
import type { Invoice } from '../invoice/invoice.ts';
import { formatMinor } from '../money.ts';
import type { EInvoiceDocument } from './einvoice.ts';
import { writeCii } from './cii.ts';
import { writeUbl } from './ubl.ts';
import { einvoiceFileName, FORMAT_PROFILES, type EInvoiceFormat } from './format.ts';
import { en16931Line, inclusiveDates, spanOf, toEn16931, vatBreakdown, type En16931Invoice, type EInvoiceOptions } from './model.ts';
import { EInvoiceDataError } from '../errors.ts';

/** The credit note on the EN 16931 model; `invoice` is the one it corrects. */
export function creditNoteToEn16931(
  creditNote: CreditNote,
  invoice: Invoice,
  format: EInvoiceFormat,
  options: EInvoiceOptions = {},
): En16931Invoice {
  if (creditNote.invoiceNumber !== invoice.number) {
    throw new EInvoiceDataError(
      `credit note ${creditNote.number} corrects ${creditNote.invoiceNumber}, not ${invoice.number ?? 'a draft'}`,
    );
  }
  const corrected = toEn16931(invoice, format, options);
  const { currency } = creditNote;
  const amount = (minor: number): string => formatMinor(minor, currency);
  const lines = creditNote.lines.map((line, index) => en16931Line(line, index, currency));
  const settled =
    creditNote.settlement === 'refund'
      ? `Refunded to the buyer on ${creditNote.issueDate}; nothing is to be paid.`
      : `Credited to the buyer's balance with the seller on ${creditNote.issueDate}, applied to the next invoices; nothing is to be paid.`;
  return {
    ...corrected,
    number: creditNote.number,
    typeCode: '381',
    issueDate: creditNote.issueDate,
    dueDate: creditNote.issueDate,
    precedingInvoice: { number: creditNote.invoiceNumber, issueDate: creditNote.invoiceIssueDate },
    notes: [`Reason: ${creditNote.reason}`, ...creditNote.legends],
    period: spanOf(
      lines.map((line) => line.period),
      inclusiveDates(invoice.period),
    ),
    payment: { ...corrected.payment, reference: creditNote.number, terms: settled },
    vat: vatBreakdown(creditNote.taxSubtotals, creditNote.tax.category, currency),
    totals: {
      lines: amount(creditNote.netTotal),
      taxExclusive: amount(creditNote.netTotal),
      tax: amount(creditNote.taxTotal),
      taxInclusive: amount(creditNote.total),
      payable: amount(creditNote.total),
    },
    lines,
  };
}

/** The credit note's XML in any format: CII type 381 (Factur-X in its PDF, XRechnung CII), or a UBL CreditNote. */
export function creditNoteEInvoice(
  creditNote: CreditNote,
  invoice: Invoice,
  format: EInvoiceFormat,
  options: EInvoiceOptions = {},
): EInvoiceDocument {
  const model = creditNoteToEn16931(creditNote, invoice, format, options);
  const xml = FORMAT_PROFILES[format].syntax === 'cii' ? writeCii(model) : writeUbl(model);
  return { format, fileName: einvoiceFileName(format, model.number), xml };
}
