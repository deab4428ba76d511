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
import { formatQuantity } from '#domain/invoice/line-descriptions.ts';
import { canBeEInvoice, einvoiceDocument, type EInvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { embedFacturX, escapeInfoInXmp, PDF_A_3B } from './factur-x.ts';
import { epcPaymentCode, invoiceCreditTransfer } from '#domain/payments/epc-payment-code.ts';
import { drawQrCode, epcQrMatrix, QUIET_ZONE_MODULES } from './epc-qr.ts';
import { registerInvoiceFonts } from './fonts.ts';
import {
  addressLines,
  formatAmount,
  formatDate,
  formatIban,
  formatPeriod,
  formatRate,
  formatUnitPrice,
  vatCategoryText,
} from './format.ts';
import { CELL_PADDING, COLOR, CONTENT, type Column, MARGIN, PAGE, PageFlow, STYLE, type TextBox } from './layout.ts';
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

/** Shown where a draft, which has no number yet, would show it. */
export const DRAFT_MARKER = 'DRAFT';

const LINE_COLUMNS: readonly Column[] = [
  { header: 'Description', width: 0, align: 'left' },
  { header: 'Quantity', width: 78, align: 'right', shrink: true },
  { header: 'Unit price', width: 88, align: 'right', shrink: true },
  { header: 'VAT', width: 42, align: 'right' },
  { header: 'Net amount', width: 92, align: 'right', shrink: true },
];

const VAT_COLUMNS: readonly Column[] = [
  { header: 'VAT category', width: 0, align: 'left' },
  { header: 'VAT rate', width: 70, align: 'right' },
  { header: 'Taxable amount', width: 110, align: 'right', shrink: true },
  { header: 'VAT amount', width: 110, align: 'right', shrink: true },
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
  const number = invoice.number ?? DRAFT_MARKER;
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
    lang: 'en',
    displayTitle: true,
    info: {
      Title: invoice.number === null ? `Invoice ${DRAFT_MARKER}` : invoice.number,
      Author: invoice.seller.name,
      Subject: `Invoice to ${invoice.buyer.name} for ${formatPeriod(invoice.period)}`,
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
    continuationHeader(next, invoice, number);
    if (inLineTable) tableHeader(next, LINE_COLUMNS);
  });

  firstPageHeader(flow, invoice, number);

  // How to pay sits beside the totals it refers to, which keeps a typical invoice on one page.
  const summary: Block[] = [
    { gapBefore: 14, draw: (y, draw) => Math.max(payment(flow, invoice, y, draw), totals(flow, invoice, y, draw)) },
    { gapBefore: 22, draw: (y, draw) => vatSummary(flow, invoice, y, draw) },
    ...invoice.legends.map((legend): Block => ({ gapBefore: 16, draw: (y, draw) => note(flow, legend, y, draw) })),
  ];
  const summaryHeight = summary.reduce((sum, block) => sum + block.gapBefore + block.draw(0, false), 0);

  const rows = invoice.lines.map((line) => flow.typesetRow(lineCells(line, invoice.currency), LINE_COLUMNS, STYLE.cell));
  flow.fit(flow.typesetRow(headers(LINE_COLUMNS), LINE_COLUMNS, STYLE.cellHeader).height + (rows[0]?.height ?? 0));
  tableHeader(flow, LINE_COLUMNS);
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

  footers(doc, invoice, number);
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

function firstPageHeader(flow: PageFlow, invoice: Invoice, number: string): void {
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
      ...addressLines(seller.address).map((line) => right(line)),
      ...(seller.vatId === null ? [] : [right(`VAT ID ${seller.vatId}`)]),
      right(seller.email),
    ],
    MARGIN.top,
    true,
  );

  const top = Math.max(ADDRESS_TOP, MARGIN.top + Math.max(LOGO_AREA.height, issuerHeight) + 28);
  const left = (text: string, style: TextBox['style'] = STYLE.body): TextBox => ({ text, x: CONTENT.left, width: 240, style });
  const buyerHeight = flow.stack(
    [
      left('BILL TO', STYLE.label),
      left(buyer.name, { ...STYLE.bodyBold, size: 10 }),
      ...addressLines(buyer.address).map((line) => left(line)),
      ...(buyer.vatId === null ? [] : [left(`VAT ID ${buyer.vatId}`)]),
    ],
    top,
    true,
    1,
  );

  const details: [string, string][] = [
    ['Invoice number', number],
    ['Issue date', invoice.issueDate === null ? 'not yet issued' : formatDate(invoice.issueDate)],
    ['Supply period', formatPeriod(invoice.period)],
    ['Due date', invoice.dueDate === null ? '–' : formatDate(invoice.dueDate)],
    ['Customer ID', buyer.id],
    ['Currency', invoice.currency],
  ];
  // The title heads the invoice details, level with the buyer's address.
  const titleHeight = flow.text({ text: 'Invoice', x: RIGHT_COLUMN.x, width: RIGHT_COLUMN.width, style: STYLE.title }, top - 6);
  const detailsTop = top - 6 + titleHeight + 4;
  const detailsHeight = pairs(flow, details, RIGHT_COLUMN.x, RIGHT_COLUMN.width, RIGHT_COLUMN.labelWidth, detailsTop, true);

  flow.y = Math.max(top + buyerHeight, detailsTop + detailsHeight) + 18;
  if (invoice.status === 'draft') {
    flow.y += flow.text(
      {
        text: 'Draft: not yet issued, amounts may still change. Not a request for payment.',
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

function continuationHeader(flow: PageFlow, invoice: Invoice, number: string): void {
  const y = flow.y;
  const leftHeight = flow.text(
    { text: `Invoice ${number} (continued)`, x: CONTENT.left, width: CONTENT.width / 2, style: STYLE.bodyBold },
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

function headers(columns: readonly Column[]): string[] {
  return columns.map((column) => column.header);
}

function tableHeader(flow: PageFlow, columns: readonly Column[]): void {
  flow.drawRow(flow.typesetRow(headers(columns), columns, STYLE.cellHeader), COLOR.headerFill);
}

function lineCells(line: InvoiceLine, currency: string): string[] {
  return [
    line.description,
    formatQuantity(line.quantity),
    formatUnitPrice(line.unitPrice, currency),
    formatRate(line.taxRate),
    formatAmount(line.netAmount, currency),
  ];
}

/** At the right, amounts aligned with the net amount column, so the totals read down from the lines. */
function totals(flow: PageFlow, invoice: Invoice, y: number, draw: boolean): number {
  const amount = (minor: number): string => formatAmount(minor, invoice.currency);
  const vatLabel =
    invoice.taxSubtotals.length === 1 && invoice.taxSubtotals[0] !== undefined ? `VAT ${formatRate(invoice.taxSubtotals[0].rate)}` : 'VAT';
  const paid = invoice.amountPaid !== 0;
  const rows: { label: string; value: string; strong?: boolean; ruleAbove?: boolean; shaded?: boolean }[] = [
    { label: 'Net total', value: amount(invoice.netTotal) },
    { label: vatLabel, value: amount(invoice.taxTotal) },
    { label: `Total (${invoice.currency})`, value: amount(invoice.total), strong: true, ruleAbove: true },
    ...(paid ? [{ label: 'Amount paid', value: amount(-invoice.amountPaid) }] : []),
    { label: 'Amount due', value: amount(invoice.amountDue), strong: true, ruleAbove: paid, shaded: true },
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
  return height + paymentCode(flow, invoice, y + height, draw);
}

function vatSummary(flow: PageFlow, invoice: Invoice, y: number, draw: boolean): number {
  const heading: TextBox = { text: 'VAT summary', x: CONTENT.left, width: CONTENT.width, style: STYLE.heading };
  const header = flow.typesetRow(headers(VAT_COLUMNS), VAT_COLUMNS, STYLE.cellHeader);
  const rows = invoice.taxSubtotals.map((subtotal) =>
    flow.typesetRow(
      [
        vatCategoryText(subtotal.category),
        formatRate(subtotal.rate),
        formatAmount(subtotal.taxableAmount, invoice.currency),
        formatAmount(subtotal.taxAmount, invoice.currency),
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
function payment(flow: PageFlow, invoice: Invoice, y: number, draw: boolean): number {
  const heading: TextBox = { text: 'Payment', x: CONTENT.left, width: PAYMENT_WIDTH, style: STYLE.heading };
  let sentence: string;
  if (invoice.status === 'draft') {
    sentence = 'Payment details apply once the invoice is issued.';
  } else if (invoice.amountDue <= 0) {
    sentence = 'Nothing is due on this invoice.';
  } else {
    const by = invoice.dueDate === null ? '' : ` by ${formatDate(invoice.dueDate)}`;
    sentence = `Please transfer ${formatAmount(invoice.amountDue, invoice.currency)}${by} (${invoice.paymentTermsDays} days net), quoting the reference.`;
  }
  const intro: TextBox = { text: sentence, x: CONTENT.left, width: PAYMENT_WIDTH, style: STYLE.body };
  const rows: [string, string][] = [
    ['Account holder', invoice.seller.name],
    ['IBAN', formatIban(invoice.paymentMeans.iban)],
    ['BIC', invoice.paymentMeans.bic],
    ['Reference', invoice.paymentReference ?? invoice.number ?? DRAFT_MARKER],
    ['Due date', invoice.dueDate === null ? '–' : formatDate(invoice.dueDate)],
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
function paymentCode(flow: PageFlow, invoice: Invoice, y: number, draw: boolean): number {
  const transfer = invoiceCreditTransfer(invoice);
  if (transfer === null) return 0;
  const matrix = epcQrMatrix(epcPaymentCode(transfer));
  const side = QR_MODULE * (matrix.size + 2 * QUIET_ZONE_MODULES);
  const quietZone = QR_MODULE * QUIET_ZONE_MODULES;
  const codeLeft = CONTENT.right + quietZone - side;
  const caption: TextBox = {
    text: 'Scan with a banking app to pay by SEPA transfer: the code carries the account, amount and reference.',
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
function footers(doc: PDFKit.PDFDocument, invoice: Invoice, number: string): void {
  const range = doc.bufferedPageRange();
  const issuer = [invoice.seller.name, invoice.seller.vatId === null ? null : `VAT ID ${invoice.seller.vatId}`, `Invoice ${number}`]
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
      { text: `Page ${index - range.start + 1} of ${range.count}`, x: CONTENT.right - 90, width: 90, style: STYLE.small, align: 'right' },
      y,
    );
    doc.page.margins.bottom = bottomMargin;
  }
}
