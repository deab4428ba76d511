/**
 * Renders a credit note as a PDF laid out like the invoice it corrects (document-pdf.ts):
 * "Credit note", its number and issue date, "Corrects invoice {number} of {date}", the reason,
 * the seller and buyer as on the invoice, the lines credited with quantities and net amounts,
 * VAT per rate, the total, and beside it how the credit is settled (credited to the customer's
 * balance, or refunded). With Factur-X (CII type 381 referencing the invoice) embedded whenever
 * the invoice is an e-invoice, as invoices are. In the invoice's language (the message
 * catalogue, document-words.ts), which is the customer's. No EPC QR code: nothing is to be paid.
 */
import type { CreditNote } from '#domain/credit-notes/types.ts';
import { creditNoteEInvoice } from '#domain/einvoice/credit-note.ts';
import { canBeEInvoice, type EInvoiceDocument } from '#domain/einvoice/einvoice.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { documentWords, type DocumentWords } from './document-words.ts';
import { CONTENT, type PageFlow } from './layout.ts';
import { pairs, renderDocumentPdf, SIDE_WIDTH, sideHeading, vatTotalLabel } from './document-pdf.ts';

export interface RenderCreditNotePdfOptions {
  /** The PDF's creation date (document info). Default: the credit note's issue date, so the same note gives the same bytes. */
  readonly creationDate?: Date;
  /** The Factur-X XML to embed; default the credit note's own (type 381) when its invoice can be an e-invoice; null: a plain PDF. */
  readonly facturX?: EInvoiceDocument | null;
}

/** What the credit note says about where its money goes: catalogue keys. */
const SETTLEMENT_KEY = { balance: 'creditNote.settledToBalance', refund: 'creditNote.refunded' } as const;

export function renderCreditNotePdf(creditNote: CreditNote, invoice: Invoice, options: RenderCreditNotePdfOptions = {}): Promise<Buffer> {
  const { currency } = creditNote;
  const words = documentWords(invoice.language);
  const { t, format } = words;
  const amount = (minor: number): string => format.amount(minor, currency);
  const corrects = t('creditNote.corrects', { invoice: creditNote.invoiceNumber, date: format.date(creditNote.invoiceIssueDate) });
  return renderDocumentPdf({
    words,
    title: t('creditNote.title'),
    continuedTitle: t('creditNote.continued', { number: creditNote.number }),
    footerTitle: t('creditNote.footerNumber', { number: creditNote.number }),
    seller: creditNote.seller,
    buyer: creditNote.buyer,
    details: [
      [t('creditNote.number'), creditNote.number],
      [t('invoice.issueDate'), format.date(creditNote.issueDate)],
      [t('creditNote.invoice'), creditNote.invoiceNumber],
      [t('creditNote.invoiceDate'), format.date(creditNote.invoiceIssueDate)],
      [t('invoice.supplyPeriod'), format.period(invoice.period)],
      [t('invoice.customerId'), creditNote.buyer.id],
      [t('invoice.currency'), currency],
    ],
    notices: [t('creditNote.correctsNotice', { corrects }), t('creditNote.reason', { reason: creditNote.reason })],
    currency,
    lines: creditNote.lines,
    taxSubtotals: creditNote.taxSubtotals,
    legends: creditNote.legends,
    totals: () => [
      { label: t('invoice.netTotal'), value: amount(creditNote.netTotal) },
      { label: vatTotalLabel(creditNote.taxSubtotals, words), value: amount(creditNote.taxTotal) },
      { label: t('creditNote.total', { currency }), value: amount(creditNote.total), strong: true, ruleAbove: true, shaded: true },
    ],
    side: (flow, y, draw) => settlement(flow, creditNote, words, y, draw),
    info: { title: creditNote.number, subject: t('creditNote.subject', { buyer: creditNote.buyer.name, corrects }) },
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
function settlement(flow: PageFlow, creditNote: CreditNote, { t, format }: DocumentWords, y: number, draw: boolean): number {
  const amount = (minor: number): string => format.amount(minor, creditNote.currency);
  const rest = creditNote.total - creditNote.appliedToInvoice;
  const sentences = [
    ...(creditNote.appliedToInvoice > 0
      ? [t('creditNote.reducesDue', { amount: amount(creditNote.appliedToInvoice), invoice: creditNote.invoiceNumber })]
      : []),
    ...(rest > 0
      ? [
          creditNote.settlement === 'refund'
            ? t('creditNote.refundedSentence', { amount: amount(rest) })
            : t('creditNote.creditedSentence', { amount: amount(rest) }),
        ]
      : []),
    t('creditNote.nothingToPay'),
  ];
  // Sentences follow each other as the language writes them (a space; none in Japanese).
  const sentence = sentences.reduce((text, next) => t('creditNote.nextSentence', { text, next }));
  const rows: [string, string][] = [
    // The customer's choice (balance or refund) concerns only what the invoice's amount due did not absorb.
    [t('creditNote.settlement'), rest > 0 ? t(SETTLEMENT_KEY[creditNote.settlement]) : t('creditNote.deductedFromDue')],
    [t('creditNote.invoice'), creditNote.invoiceNumber],
    [t('invoice.reference'), creditNote.number],
  ];
  let height = sideHeading(flow, t('creditNote.settlement'), sentence, y, draw);
  height += pairs(flow, rows, CONTENT.left, SIDE_WIDTH, 78, y + height, draw);
  return height;
}
