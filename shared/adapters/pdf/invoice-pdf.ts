/**
 * Renders an invoice record as the PDF a customer's finance department files: an A4 page with
 * every field EU VAT Directive Art. 226 asks for (CONTRACTS.md section 4), text that pdftotext
 * extracts, and the same bytes every time for the same invoice and creation date.
 *
 * 1. Header: the issuer's wordmark (the reserved logo area) and block, the buyer's block, the
 *    invoice's number, dates and supply period, the title.
 * 2. Line table, over as many pages as it takes: each row measured before it is placed, the
 *    header repeated on every page, no row split across pages.
 * 3. Totals, VAT summary per rate, legends, payment instructions: each kept whole on a page.
 * 4. Footer on every page (issuer, VAT id, "Page i of n"), once the page count is known.
 */
import PDFDocument from 'pdfkit';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { InvoiceLine } from '#domain/invoice/types.ts';
import { canBeEInvoice, einvoiceDocument, type EInvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { embedFacturX, escapeInfoInXmp, PDF_A_3B } from './factur-x.ts';
import { epcPaymentCode, invoiceCreditTransfer } from '#domain/payments/epc-payment-code.ts';
import { drawQrCode, epcQrMatrix, QUIET_ZONE_MODULES } from './epc-qr.ts';
import { registerInvoiceFonts } from './fonts.ts';
import { addressLines, formatIban } from './format.ts';
import { documentWords, legendText, vatCategoryText, type DocumentWords } from './document-words.ts';
import type { Translate } from '#domain/language/catalogue.ts';
import type { MessageKey } from '#domain/language/catalogue-types.ts';
import {
  CELL_PADDING,
  COLOR,
  CONTENT,
  type Column as LayoutColumn,
  MARGIN,
  PAGE,
  PageFlow,
  STYLE,
  textWidth,
  type TextBox,
} from './layout.ts';
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

/** Column headers are catalogue keys, translated when the header is typeset. */
type Column = LayoutColumn & { readonly header: MessageKey };

const LINE_COLUMNS: readonly Column[] = [
  { header: 'invoice.column.description', width: 0, align: 'left' },
  { header: 'invoice.column.quantity', width: 78, align: 'right', shrink: true },
  { header: 'invoice.column.unitPrice', width: 88, align: 'right', shrink: true },
  { header: 'invoice.column.vat', width: 42, align: 'right' },
  { header: 'invoice.column.netAmount', width: 92, align: 'right', shrink: true },
];

const VAT_COLUMNS: readonly Column[] = [
  { header: 'invoice.vatColumn.category', width: 0, align: 'left' },
  { header: 'invoice.vatColumn.rate', width: 70, align: 'right' },
  { header: 'invoice.vatColumn.taxable', width: 110, align: 'right', shrink: true },
  { header: 'invoice.vatColumn.amount', width: 110, align: 'right', shrink: true },
];

/** The issuer block and the invoice details share the right-hand column of the first page. */
const RIGHT_COLUMN = { x: CONTENT.right - 210, width: 210, labelWidth: 82 } as const;
/** The totals' width at the right; payment instructions take the space to their left. */
const TOTALS_WIDTH = 240;
const PAYMENT_WIDTH = CONTENT.width - TOTALS_WIDTH - 24;
/** The EPC QR code's module: 0.46 mm, above the 0.4 mm banking apps' cameras read reliably (about 19 mm for a 41-module code). */
const QR_MODULE = 1.3;
const LOGO_AREA = { x: CONTENT.left, y: MARGIN.top, width: 200, height: 56 } as const;
/** Where the buyer's address starts at the earliest, as on a letter; lower when the letterhead is taller. */
const ADDRESS_TOP = 140;

export async function renderInvoicePdf(invoice: Invoice, options: RenderInvoicePdfOptions = {}): Promise<Buffer> {
  if (invoice.status === 'not_issued') {
    throw new InvoiceNotRenderableError(
      `Invoice of customer ${invoice.customerId} for ${invoice.billingPeriod} was not issued; there is nothing to render`,
    );
  }
  const words = documentWords(invoice.language);
  const { t, format } = words;
  const number = invoice.number ?? t('invoice.draftMarker');
  const facturX = options.facturX === undefined ? defaultFacturX(invoice) : options.facturX;
  const creationDate = options.creationDate ?? new Date(invoice.finalizedAt ?? invoice.updatedAt);
  const doc = new PDFDocument({
    ...(facturX === null ? {} : PDF_A_3B),
    size: [PAGE.width, PAGE.height],
    margins: MARGIN,
    // No default font: pdfkit would load Helvetica's metrics (parsing its AFM data, about half a
    // millisecond) in every constructor, for a font the invoice never uses. Every piece of text
    // selects its DejaVu font first (PageFlow).
    font: '',
    bufferPages: true,
    pdfVersion: '1.7',
    lang: words.language,
    displayTitle: true,
    info: {
      Title: invoice.number === null ? `${t('invoice.title')} ${number}` : invoice.number,
      Author: invoice.seller.name,
      Subject: t('invoice.subject', { buyer: invoice.buyer.name, period: format.period(invoice.period) }),
      Creator: 'billflow',
      Producer: 'billflow (pdfkit)',
      CreationDate: creationDate,
    },
  });
  escapeInfoInXmp(doc);
  const bytes = collect(doc);
  registerInvoiceFonts(doc);

  let inLineTable = false;
  const flow = new PageFlow(doc, (next) => {
    continuationHeader(next, invoice, number, words);
    if (inLineTable) tableHeader(next, LINE_COLUMNS, t);
  });

  firstPageHeader(flow, invoice, number, words);

  // How to pay sits beside the totals it refers to, which keeps a typical invoice on one page.
  const summary: Block[] = [
    { gapBefore: 14, draw: (y, draw) => Math.max(payment(flow, invoice, words, y, draw), totals(flow, invoice, words, y, draw)) },
    { gapBefore: 22, draw: (y, draw) => vatSummary(flow, invoice, words, y, draw) },
    ...invoice.legends.map((legend): Block => ({ gapBefore: 16, draw: (y, draw) => note(flow, legendText(legend, t), y, draw) })),
  ];
  const summaryHeight = summary.reduce((sum, block) => sum + block.gapBefore + block.draw(0, false), 0);

  const rows = invoice.lines.map((line) => flow.typesetRow(lineCells(line, invoice.currency, format), LINE_COLUMNS, STYLE.cell));
  flow.fit(flow.typesetRow(headers(LINE_COLUMNS, t), LINE_COLUMNS, STYLE.cellHeader).height + (rows[0]?.height ?? 0));
  tableHeader(flow, LINE_COLUMNS, t);
  inLineTable = true;
  rows.forEach((row, index) => {
    // The last line goes with the totals when they would not fit after it: a page of totals
    // alone, without the table they add up, reads like a different document.
    const last = index === rows.length - 1 && summaryHeight < CONTENT.bottom - MARGIN.top - 120;
    flow.fit(last ? row.height + summaryHeight : row.height);
    flow.drawRow(row);
    flow.rule(flow.y);
  });
  inLineTable = false;

  for (const block of summary) keepTogether(flow, block);

  footers(doc, invoice, number, t);
  if (facturX !== null) embedFacturX(doc, facturX, creationDate);
  doc.end();
  return bytes;
}

function defaultFacturX(invoice: Invoice): EInvoiceDocument | null {
  return canBeEInvoice(invoice) ? einvoiceDocument(invoice, 'facturx', invoice.einvoice?.options) : null;
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** A piece of the document drawn whole on one page: returns its height, drawing it only when asked. */
interface Block {
  readonly gapBefore: number;
  readonly draw: (y: number, draw: boolean) => number;
}

/** Measures a block, moves it to a new page when it does not fit, then draws it. */
function keepTogether(flow: PageFlow, block: Block): void {
  const height = block.draw(0, false);
  // On a fresh page the continuation header already leaves room above the block.
  const top = flow.fit(block.gapBefore + height) ? flow.y : flow.y + block.gapBefore;
  flow.y = top + block.draw(top, true);
}

function firstPageHeader(flow: PageFlow, invoice: Invoice, number: string, { t, format }: DocumentWords): void {
  const { seller, buyer } = invoice;
  // The reserved logo area: the issuer's name as a wordmark until the catalog carries a logo.
  flow.text({ text: seller.name, x: LOGO_AREA.x, width: LOGO_AREA.width, style: STYLE.wordmark }, LOGO_AREA.y);

  const right = (text: string, style: TextBox['style'] = STYLE.body): TextBox => ({
    text,
    x: RIGHT_COLUMN.x,
    width: RIGHT_COLUMN.width,
    style,
  });
  const issuerHeight = flow.stack(
    [
      right(seller.name, STYLE.bodyBold),
      ...addressLines(seller.address, format.country).map((line) => right(line)),
      ...(seller.vatId === null ? [] : [right(t('invoice.vatId', { vatId: seller.vatId }))]),
      right(seller.email),
    ],
    MARGIN.top,
    true,
  );

  const top = Math.max(ADDRESS_TOP, MARGIN.top + Math.max(LOGO_AREA.height, issuerHeight) + 28);
  const left = (text: string, style: TextBox['style'] = STYLE.body): TextBox => ({ text, x: CONTENT.left, width: 240, style });
  const buyerHeight = flow.stack(
    [
      left(t('invoice.billTo'), STYLE.label),
      left(buyer.name, { ...STYLE.bodyBold, size: 10 }),
      ...addressLines(buyer.address, format.country).map((line) => left(line)),
      ...(buyer.vatId === null ? [] : [left(t('invoice.vatId', { vatId: buyer.vatId }))]),
    ],
    top,
    true,
    1,
  );

  const details: [string, string][] = [
    [t('invoice.number'), number],
    [t('invoice.issueDate'), invoice.issueDate === null ? t('invoice.notYetIssued') : format.date(invoice.issueDate)],
    [t('invoice.supplyPeriod'), format.period(invoice.period)],
    [t('invoice.dueDate'), invoice.dueDate === null ? '–' : format.date(invoice.dueDate)],
    [t('invoice.customerId'), buyer.id],
    [t('invoice.currency'), invoice.currency],
  ];
  // The title heads the invoice details, level with the buyer's address.
  const titleHeight = flow.text({ text: t('invoice.title'), x: RIGHT_COLUMN.x, width: RIGHT_COLUMN.width, style: STYLE.title }, top - 6);
  const detailsTop = top - 6 + titleHeight + 4;
  const detailsHeight = pairs(flow, details, RIGHT_COLUMN.x, RIGHT_COLUMN.width, RIGHT_COLUMN.labelWidth, detailsTop, true);

  flow.y = Math.max(top + buyerHeight, detailsTop + detailsHeight) + 18;
  if (invoice.status === 'draft') {
    flow.y += flow.text(
      {
        text: t('invoice.draftNotice'),
        x: CONTENT.left,
        width: CONTENT.width,
        style: STYLE.bodyBold,
      },
      flow.y,
    );
    flow.y += 8;
  }
}

/** Label / value rows (labels muted on the left); returns their height. */
function pairs(
  flow: PageFlow,
  rows: readonly (readonly [string, string])[],
  x: number,
  width: number,
  labelWidth: number,
  y: number,
  draw: boolean,
): number {
  // Wider where a language's labels need it ("Rechnungsnummer"), up to half the block.
  const widest = Math.max(...rows.map(([label]) => textWidth(label, STYLE.label))) + 6;
  labelWidth = Math.max(labelWidth, Math.min(Math.ceil(widest), width / 2));
  let height = 0;
  for (const [label, value] of rows) {
    const labelText = flow.typeset({ text: label, x, width: labelWidth - 6, style: STYLE.label });
    const valueText = flow.typeset({ text: value, x: x + labelWidth, width: width - labelWidth, style: STYLE.body });
    const rowHeight = Math.max(labelText.height, valueText.height);
    if (draw) {
      // The label's smaller type sits on the value's baseline.
      flow.draw(labelText, y + height + (STYLE.body.size - STYLE.label.size) * 0.8);
      flow.draw(valueText, y + height);
    }
    height += rowHeight + 3;
  }
  return height;
}

function continuationHeader(flow: PageFlow, invoice: Invoice, number: string, { t }: DocumentWords): void {
  const y = flow.y;
  const leftHeight = flow.text(
    { text: t('invoice.continued', { number }), x: CONTENT.left, width: CONTENT.width / 2, style: STYLE.bodyBold },
    y,
  );
  const rightHeight = flow.text(
    {
      text: `${invoice.seller.name} · ${invoice.buyer.name}`,
      x: CONTENT.left + CONTENT.width / 2,
      width: CONTENT.width / 2,
      style: STYLE.label,
      align: 'right',
    },
    y + 1,
  );
  flow.y = y + Math.max(leftHeight, rightHeight) + 6;
  flow.rule(flow.y);
  flow.y += 14;
}

function headers(columns: readonly Column[], t: Translate): string[] {
  return columns.map((column) => t(column.header));
}

function tableHeader(flow: PageFlow, columns: readonly Column[], t: Translate): void {
  flow.drawRow(flow.typesetRow(headers(columns, t), columns, STYLE.cellHeader), COLOR.headerFill);
}

function lineCells(line: InvoiceLine, currency: string, format: DocumentWords['format']): string[] {
  return [
    line.description,
    format.quantity(line.quantity),
    format.unitPrice(line.unitPrice, currency),
    format.rate(line.taxRate),
    format.amount(line.netAmount, currency),
  ];
}

/** At the right, amounts aligned with the net amount column, so the totals read down from the lines. */
function totals(flow: PageFlow, invoice: Invoice, { t, format }: DocumentWords, y: number, draw: boolean): number {
  const amount = (minor: number): string => format.amount(minor, invoice.currency);
  const vatLabel =
    invoice.taxSubtotals.length === 1 && invoice.taxSubtotals[0] !== undefined
      ? t('invoice.vatAtRate', { rate: format.rate(invoice.taxSubtotals[0].rate) })
      : t('invoice.vat');
  const paid = invoice.amountPaid !== 0;
  const rows: { label: string; value: string; strong?: boolean; ruleAbove?: boolean; shaded?: boolean }[] = [
    { label: t('invoice.netTotal'), value: amount(invoice.netTotal) },
    { label: vatLabel, value: amount(invoice.taxTotal) },
    { label: t('invoice.total', { currency: invoice.currency }), value: amount(invoice.total), strong: true, ruleAbove: true },
    ...(paid ? [{ label: t('invoice.amountPaid'), value: amount(-invoice.amountPaid) }] : []),
    { label: t('invoice.amountDue'), value: amount(invoice.amountDue), strong: true, ruleAbove: paid, shaded: true },
  ];

  const blockLeft = CONTENT.right - TOTALS_WIDTH;
  const labelWidth = 100;
  let height = 0;
  for (const row of rows) {
    const style = row.strong === true ? STYLE.bodyBold : STYLE.body;
    const labelText = flow.typeset({ text: row.label, x: blockLeft + CELL_PADDING.x, width: labelWidth - 2 * CELL_PADDING.x, style });
    const valueText = flow.typeset({
      text: row.value,
      x: blockLeft + labelWidth,
      width: TOTALS_WIDTH - labelWidth - CELL_PADDING.x,
      style,
      align: 'right',
      shrink: true,
    });
    if (row.ruleAbove === true) height += 4;
    const rowHeight = Math.max(labelText.height, valueText.height) + 4;
    if (draw) {
      if (row.ruleAbove === true) flow.rule(y + height - 2, blockLeft, CONTENT.right, COLOR.text, 0.75);
      if (row.shaded === true) flow.fill(blockLeft, y + height, TOTALS_WIDTH, rowHeight + 2, COLOR.headerFill);
      flow.draw(labelText, y + height + 3);
      flow.draw(valueText, y + height + 3);
    }
    height += rowHeight + 2;
  }
  return height + paymentCode(flow, invoice, t, y + height, draw);
}

function vatSummary(flow: PageFlow, invoice: Invoice, { t, format }: DocumentWords, y: number, draw: boolean): number {
  const heading: TextBox = { text: t('invoice.vatSummary'), x: CONTENT.left, width: CONTENT.width, style: STYLE.heading };
  const header = flow.typesetRow(headers(VAT_COLUMNS, t), VAT_COLUMNS, STYLE.cellHeader);
  const rows = invoice.taxSubtotals.map((subtotal) =>
    flow.typesetRow(
      [
        vatCategoryText(subtotal.category, t),
        format.rate(subtotal.rate),
        format.amount(subtotal.taxableAmount, invoice.currency),
        format.amount(subtotal.taxAmount, invoice.currency),
      ],
      VAT_COLUMNS,
      STYLE.cell,
    ),
  );
  let height = (draw ? flow.text(heading, y) : flow.measure(heading)) + 6;
  if (draw) {
    flow.y = y + height;
    flow.drawRow(header, COLOR.headerFill);
    for (const row of rows) {
      flow.drawRow(row);
      flow.rule(flow.y);
    }
  }
  height += header.height + rows.reduce((sum, row) => sum + row.height, 0);
  return height;
}

/** A legend (reverse charge, outside scope) in a shaded box with an accent bar. */
function note(flow: PageFlow, text: string, y: number, draw: boolean): number {
  const box: TextBox = { text, x: CONTENT.left + 12, width: CONTENT.width - 24, style: STYLE.bodyBold };
  const height = flow.measure(box) + 14;
  if (draw) {
    flow.fill(CONTENT.left, y, CONTENT.width, height, COLOR.noteFill);
    flow.fill(CONTENT.left, y, 3, height, COLOR.accent);
    flow.text(box, y + 7);
  }
  return height;
}

/** Payment instructions (EN 16931 payment means 58, credit transfer), left of the totals. */
function payment(flow: PageFlow, invoice: Invoice, { t, format }: DocumentWords, y: number, draw: boolean): number {
  const heading: TextBox = { text: t('invoice.payment'), x: CONTENT.left, width: PAYMENT_WIDTH, style: STYLE.heading };
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
  const intro: TextBox = { text: sentence, x: CONTENT.left, width: PAYMENT_WIDTH, style: STYLE.body };
  const rows: [string, string][] = [
    [t('invoice.accountHolder'), invoice.seller.name],
    [t('invoice.iban'), formatIban(invoice.paymentMeans.iban)],
    [t('invoice.bic'), invoice.paymentMeans.bic],
    [t('invoice.reference'), invoice.paymentReference ?? invoice.number ?? t('invoice.draftMarker')],
    [t('invoice.dueDate'), invoice.dueDate === null ? '–' : format.date(invoice.dueDate)],
  ];
  let height = (draw ? flow.text(heading, y) : flow.measure(heading)) + 4;
  height += (draw ? flow.text(intro, y + height) : flow.measure(intro)) + 6;
  height += pairs(flow, rows, CONTENT.left, PAYMENT_WIDTH, 78, y + height, draw);
  return height;
}

/**
 * The EPC QR code under the amount due it pays, for issued EUR invoices with an amount due; its
 * caption to its left. The code's quiet zone reaches into the gap beside it.
 */
function paymentCode(flow: PageFlow, invoice: Invoice, t: Translate, y: number, draw: boolean): number {
  const transfer = invoiceCreditTransfer(invoice);
  if (transfer === null) return 0;
  const matrix = epcQrMatrix(epcPaymentCode(transfer));
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

/**
 * Drawn last, when the page count is known. The footer sits in the bottom margin, so the
 * margin is lifted while it is written, or pdfkit would start a new page for it.
 */
function footers(doc: PDFKit.PDFDocument, invoice: Invoice, number: string, t: Translate): void {
  const range = doc.bufferedPageRange();
  const { seller } = invoice;
  const issuer = [
    seller.name,
    seller.vatId === null ? null : t('invoice.vatId', { vatId: seller.vatId }),
    t('invoice.footerNumber', { number }),
  ]
    .filter((part) => part !== null)
    .join(' · ');
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index);
    const flow = new PageFlow(doc, () => undefined);
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = PAGE.height - MARGIN.bottom + 30;
    flow.rule(y - 8);
    flow.text({ text: issuer, x: CONTENT.left, width: CONTENT.width - 90, style: STYLE.small }, y);
    flow.text(
      {
        text: t('invoice.page', { page: index - range.start + 1, pages: range.count }),
        x: CONTENT.right - 90,
        width: 90,
        style: STYLE.small,
        align: 'right',
      },
      y,
    );
    doc.page.margins.bottom = bottomMargin;
  }
}
