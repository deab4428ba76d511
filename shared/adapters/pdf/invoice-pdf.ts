/**
 * Renders an invoice record as the PDF a customer's finance department files: an A4 page with
 * every field EU VAT Directive Art. 226 asks for (CONTRACTS.md section 4), text that pdftotext
 * extracts, and the same bytes every time for the same invoice and creation date.
 *
 * Where each thing goes is document-pdf.ts, shared with credit notes; here is what an invoice
 * says, in its language (the message catalogue, document-words.ts): its number, dates and supply
 * period, a draft's warning, its lines, the totals with what was paid and what is due, the
 * payment instructions beside them and, under the amount due, the EPC QR code that pays it.
 */
import type { Invoice } from '#domain/invoice/invoice.ts';
import { canBeEInvoice, einvoiceDocument, type EInvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { epcPaymentCode, invoiceCreditTransfer } from '#domain/payments/epc-payment-code.ts';
import { drawQrCode, epcQrMatrix, QUIET_ZONE_MODULES, type QrMatrix } from './epc-qr.ts';
import { formatIban } from './format.ts';
import { documentWords, type DocumentWords } from './document-words.ts';
import { CELL_PADDING, COLOR, CONTENT, type PageFlow, type TextBox, STYLE } from './layout.ts';
import { pairs, renderDocumentPdf, SIDE_WIDTH, sideHeading, TOTALS_WIDTH, vatTotalLabel, type TotalsRow } from './document-pdf.ts';
import { InvoiceNotRenderableError } from '../errors.ts';

export interface RenderInvoicePdfOptions {
  /**
   * The PDF's creation date (document info). Defaults to when the invoice was finalized (or last
   * updated, for a draft), so rendering the same record again gives the same bytes.
   */
  readonly creationDate?: Date;
  /**
   * The Factur-X XML to embed (the PDF is then PDF/A-3b). Default: the invoice's own, EN 16931
   * profile, whenever it can be an e-invoice (issued, currency with at most two decimals);
   * null: a plain PDF.
   */
  readonly facturX?: EInvoiceDocument | null;
}

/** Shown where a draft, which has no number yet, would show it (in English; `invoice.draftMarker` in the catalogue). */
export const DRAFT_MARKER = 'DRAFT';

/** The EPC QR code's module: 0.46 mm, above the 0.4 mm banking apps' cameras read reliably (about 19 mm for a 41-module code). */
const QR_MODULE = 1.3;

export async function renderInvoicePdf(invoice: Invoice, options: RenderInvoicePdfOptions = {}): Promise<Buffer> {
  if (invoice.status === 'not_issued') {
    throw new InvoiceNotRenderableError(
      `Invoice of customer ${invoice.customerId} for ${invoice.billingPeriod} was not issued; there is nothing to render`,
    );
  }
  const words = documentWords(invoice.language);
  const { t, format } = words;
  const number = invoice.number ?? t('invoice.draftMarker');
  // Once per render: the layout measures the block under the totals before it draws it (three
  // calls), and the QR code's mask selection is the dearest step of a one-page invoice.
  const transfer = invoiceCreditTransfer(invoice);
  const qrMatrix = transfer === null ? null : epcQrMatrix(epcPaymentCode(transfer));
  return renderDocumentPdf({
    words,
    title: t('invoice.title'),
    continuedTitle: t('invoice.continued', { number }),
    footerTitle: t('invoice.footerNumber', { number }),
    seller: invoice.seller,
    buyer: invoice.buyer,
    details: [
      [t('invoice.number'), number],
      [t('invoice.issueDate'), invoice.issueDate === null ? t('invoice.notYetIssued') : format.date(invoice.issueDate)],
      [t('invoice.supplyPeriod'), format.period(invoice.period)],
      [t('invoice.dueDate'), invoice.dueDate === null ? '–' : format.date(invoice.dueDate)],
      [t('invoice.customerId'), invoice.buyer.id],
      [t('invoice.currency'), invoice.currency],
    ],
    notices: invoice.status === 'draft' ? [t('invoice.draftNotice')] : [],
    currency: invoice.currency,
    lines: invoice.lines,
    taxSubtotals: invoice.taxSubtotals,
    legends: invoice.legends,
    totals: () => totals(invoice, words),
    belowTotals: (flow, y, draw) => paymentCode(flow, qrMatrix, words, y, draw),
    side: (flow, y, draw) => payment(flow, invoice, words, y, draw),
    info: {
      title: invoice.number === null ? `${t('invoice.title')} ${number}` : invoice.number,
      subject: t('invoice.subject', { buyer: invoice.buyer.name, period: format.period(invoice.period) }),
    },
    creationDate: options.creationDate ?? new Date(invoice.finalizedAt ?? invoice.updatedAt),
    facturX: options.facturX === undefined ? defaultFacturX(invoice) : options.facturX,
  });
}

function defaultFacturX(invoice: Invoice): EInvoiceDocument | null {
  return canBeEInvoice(invoice) ? einvoiceDocument(invoice, 'facturx', invoice.einvoice?.options) : null;
}

/** At the right, amounts aligned with the net amount column, so the totals read down from the lines. */
function totals(invoice: Invoice, words: DocumentWords): TotalsRow[] {
  const { t, format } = words;
  const amount = (minor: number): string => format.amount(minor, invoice.currency);
  const paid = invoice.amountPaid !== 0;
  // The customer balance used at finalization (issue 16, EN 16931 BT-113); no row without one.
  const credited = (invoice.balanceApplied ?? 0) > 0;
  return [
    { label: t('invoice.netTotal'), value: amount(invoice.netTotal) },
    { label: vatTotalLabel(invoice.taxSubtotals, words), value: amount(invoice.taxTotal) },
    { label: t('invoice.total', { currency: invoice.currency }), value: amount(invoice.total), strong: true, ruleAbove: true },
    ...(credited ? [{ label: t('invoice.creditApplied'), value: amount(-invoice.balanceApplied!) }] : []),
    ...(paid ? [{ label: t('invoice.amountPaid'), value: amount(-invoice.amountPaid) }] : []),
    { label: t('invoice.amountDue'), value: amount(invoice.amountDue), strong: true, ruleAbove: paid || credited, shaded: true },
  ];
}

/** Payment instructions (EN 16931 payment means 58, credit transfer), left of the totals. */
function payment(flow: PageFlow, invoice: Invoice, { t, format }: DocumentWords, y: number, draw: boolean): number {
  let sentence: string;
  if (invoice.status === 'draft') {
    sentence = t('invoice.paymentWhenIssued');
  } else if (invoice.amountDue <= 0) {
    sentence = t('invoice.nothingDue');
  } else {
    const amount = format.amount(invoice.amountDue, invoice.currency);
    const days = invoice.paymentTermsDays;
    sentence =
      invoice.dueDate === null
        ? t('invoice.transfer', { amount, days })
        : t('invoice.transferBy', { amount, date: format.date(invoice.dueDate), days });
  }
  const rows: [string, string][] = [
    [t('invoice.accountHolder'), invoice.seller.name],
    [t('invoice.iban'), formatIban(invoice.paymentMeans.iban)],
    [t('invoice.bic'), invoice.paymentMeans.bic],
    [t('invoice.reference'), invoice.paymentReference ?? invoice.number ?? t('invoice.draftMarker')],
    [t('invoice.dueDate'), invoice.dueDate === null ? '–' : format.date(invoice.dueDate)],
  ];
  let height = sideHeading(flow, t('invoice.payment'), sentence, y, draw);
  height += pairs(flow, rows, CONTENT.left, SIDE_WIDTH, 78, y + height, draw);
  return height;
}

/**
 * The EPC QR code under the amount due it pays, for issued EUR invoices with an amount due; its
 * caption to its left. The code's quiet zone reaches into the gap beside it.
 */
function paymentCode(flow: PageFlow, matrix: QrMatrix | null, { t }: DocumentWords, y: number, draw: boolean): number {
  if (matrix === null) return 0;
  const side = QR_MODULE * (matrix.size + 2 * QUIET_ZONE_MODULES);
  const quietZone = QR_MODULE * QUIET_ZONE_MODULES;
  const codeLeft = CONTENT.right + quietZone - side;
  const caption: TextBox = {
    text: t('invoice.qrCaption'),
    x: CONTENT.right - TOTALS_WIDTH + CELL_PADDING.x,
    width: TOTALS_WIDTH - (side - quietZone) - 2 * CELL_PADDING.x,
    style: STYLE.label,
  };
  const height = side - 2 * quietZone;
  if (draw) {
    drawQrCode(flow.doc, matrix, codeLeft, y + 8 - quietZone, side, COLOR.text);
    flow.text(caption, y + 8 + height / 2 - flow.measure(caption) / 2);
  }
  return height + 8;
}
