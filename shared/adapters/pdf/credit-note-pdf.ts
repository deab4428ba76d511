/**
 * Renders a credit note as a PDF laid out like the invoice it corrects (document-pdf.ts):
 * "Credit note", its number and issue date, "Corrects invoice {number} of {date}", the reason,
 * the seller and buyer as on the invoice, the lines credited with quantities and net amounts,
 * VAT per rate, the total, and beside it how the credit is settled (credited to the customer's
 * balance, or refunded). With Factur-X (CII type 381 referencing the invoice) embedded whenever
 * the invoice is an e-invoice, as invoices are.
 */
import type { CreditNote } from '#domain/credit-notes/types.ts';
import { creditNoteEInvoice } from '#domain/einvoice/credit-note.ts';
import { canBeEInvoice, type EInvoiceDocument } from '#domain/einvoice/einvoice.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { formatAmount, formatDate, formatPeriod } from './format.ts';
import { CONTENT, type PageFlow } from './layout.ts';
import { pairs, renderDocumentPdf, SIDE_WIDTH, sideHeading, vatTotalLabel } from './document-pdf.ts';

export interface RenderCreditNotePdfOptions {
  /** The PDF's creation date (document info). Default: the credit note's issue date, so the same note gives the same bytes. */
  readonly creationDate?: Date;
  /** The Factur-X XML to embed; default the credit note's own (type 381) when its invoice can be an e-invoice; null: a plain PDF. */
  readonly facturX?: EInvoiceDocument | null;
}

/** What the credit note says about where its money goes. */
export const SETTLEMENT_TEXT = { balance: 'Credited to your balance', refund: 'Refunded' } as const;

export function renderCreditNotePdf(creditNote: CreditNote, invoice: Invoice, options: RenderCreditNotePdfOptions = {}): Promise<Buffer> {
  const { currency } = creditNote;
  const amount = (minor: number): string => formatAmount(minor, currency);
  const corrects = `Corrects invoice ${creditNote.invoiceNumber} of ${formatDate(creditNote.invoiceIssueDate)}`;
  return renderDocumentPdf({
    title: 'Credit note',
    number: creditNote.number,
    seller: creditNote.seller,
    buyer: creditNote.buyer,
    details: [
      ['Credit note number', creditNote.number],
      ['Issue date', formatDate(creditNote.issueDate)],
      ['Invoice', creditNote.invoiceNumber],
      ['Invoice date', formatDate(creditNote.invoiceIssueDate)],
      ['Supply period', formatPeriod(invoice.period)],
      ['Customer ID', creditNote.buyer.id],
      ['Currency', currency],
    ],
    notices: [`${corrects}.`, `Reason: ${creditNote.reason}`],
    currency,
    lines: creditNote.lines,
    taxSubtotals: creditNote.taxSubtotals,
    legends: creditNote.legends,
    totals: () => [
      { label: 'Net total', value: amount(creditNote.netTotal) },
      { label: vatTotalLabel(creditNote.taxSubtotals), value: amount(creditNote.taxTotal) },
      { label: `Total credited (${currency})`, value: amount(creditNote.total), strong: true, ruleAbove: true, shaded: true },
    ],
    side: (flow, y, draw) => settlement(flow, creditNote, y, draw),
    info: { title: creditNote.number, subject: `Credit note to ${creditNote.buyer.name}: ${corrects}` },
    creationDate: options.creationDate ?? new Date(`${creditNote.issueDate}T00:00:00Z`),
    facturX:
      options.facturX !== undefined
        ? options.facturX
        : canBeEInvoice(invoice)
          ? creditNoteEInvoice(creditNote, invoice, 'facturx', invoice.einvoice?.options)
          : null,
  });
}

/**
 * Left of the totals: what part of the credit reduced what the invoice still had due, and
 * where the rest went (issue-credit-note.ts records the split as `appliedToInvoice`).
 */
function settlement(flow: PageFlow, creditNote: CreditNote, y: number, draw: boolean): number {
  const amount = (minor: number): string => formatAmount(minor, creditNote.currency);
  const rest = creditNote.total - creditNote.appliedToInvoice;
  const parts = [
    ...(creditNote.appliedToInvoice > 0
      ? [`${amount(creditNote.appliedToInvoice)} reduces what is due on invoice ${creditNote.invoiceNumber}.`]
      : []),
    ...(rest > 0
      ? [
          creditNote.settlement === 'refund'
            ? `${amount(rest)} is refunded to you.`
            : `${amount(rest)} is credited to your balance and applied to your next invoices.`,
        ]
      : []),
  ];
  const sentence = parts.length === 0 ? 'Nothing is to be paid.' : `${parts.join(' ')} Nothing is to be paid.`;
  // The customer's choice (balance or refund) concerns only what the invoice's amount due did not absorb.
  const rows: [string, string][] = [
    ['Settlement', rest > 0 ? SETTLEMENT_TEXT[creditNote.settlement] : 'Deducted from the amount due'],
    ['Invoice', creditNote.invoiceNumber],
    ['Reference', creditNote.number],
  ];
  let height = sideHeading(flow, 'Settlement', sentence, y, draw);
  height += pairs(flow, rows, CONTENT.left, SIDE_WIDTH, 78, y + height, draw);
  return height;
}
