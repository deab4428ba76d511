/**
 * The page layout billflow's documents share (invoices and credit notes): an A4 page with the
 * issuer's letterhead and the buyer's address, the document's details under its title, the line
 * table over as many pages as it takes, the totals beside a block that says how the money moves
 * (payment instructions, or how a credit is settled), the VAT summary per rate, the legends, and
 * a footer on every page. Each document says what goes in (invoice-pdf.ts, credit-note-pdf.ts);
 * this file says where it goes, so the two look alike and are laid out by one piece of code.
 *
 * 1. Header: the issuer's wordmark (the reserved logo area) and block, the buyer's block, the
 *    title with the document's details, then any notices (a draft's warning, the invoice a
 *    credit note corrects).
 * 2. Line table: each row measured before it is placed, the header repeated on every page, no
 *    row split across pages.
 * 3. Totals beside the side block, VAT summary, legends: each kept whole on a page.
 * 4. Footer on every page (issuer, VAT id, title and number, "Page i of n"), once the page count
 *    is known; then the Factur-X XML, if any.
 *
 * Every word comes from the message catalogue in the document's language (document-words.ts):
 * the labels this file prints itself, and the locale's formats for amounts, rates and countries.
 */
import type { LineText } from '#domain/invoice/line-text.ts';
import { lineDescription } from '#domain/language/line-words.ts';
import PDFDocument from 'pdfkit';
import type { InvoiceParty } from '#domain/invoice/invoice.ts';
import type { TaxSubtotal } from '#domain/invoice/types.ts';
import type { EInvoiceDocument } from '#domain/einvoice/einvoice.ts';
import type { Translate } from '#domain/language/catalogue.ts';
import type { MessageKey } from '#domain/language/catalogue-types.ts';
import { embedFacturX, escapeInfoInXmp, facturXFile, PDF_A_3B } from './factur-x.ts';
import { fontForText, registerInvoiceFonts } from './fonts.ts';
import { addressLines } from './format.ts';
import { legendText, vatCategoryText, type DocumentWords } from './document-words.ts';
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

/** A row of the line table, as both documents print it. */
export interface DocumentLine {
  /** In English; `describedAs` writes it in the document's language (lines stored before it are printed as stored). */
  readonly description: string;
  readonly describedAs?: LineText;
  readonly quantity: string;
  readonly unitPrice: string;
  readonly taxRate: string;
  readonly netAmount: number;
}

/** A row of the totals at the right. */
export interface TotalsRow {
  readonly label: string;
  readonly value: string;
  readonly strong?: boolean;
  readonly ruleAbove?: boolean;
  readonly shaded?: boolean;
}

/** Draws (or, with draw false, only measures) a block at y; returns its height. */
export type DrawBlock = (flow: PageFlow, y: number, draw: boolean) => number;

export interface DocumentPdf {
  /** The document's language: its catalogue and formats, and the PDF's `lang`. */
  readonly words: DocumentWords;
  /** "Invoice", "Credit note", in the document's language. */
  readonly title: string;
  /** The continuation header's "Invoice INV-1 (continued)" and the footer's "Invoice INV-1". */
  readonly continuedTitle: string;
  readonly footerTitle: string;
  readonly seller: InvoiceParty;
  readonly buyer: InvoiceParty;
  /** Label / value rows under the title, in the document's language. */
  readonly details: readonly (readonly [string, string])[];
  /** Bold sentences under the header, one paragraph each. */
  readonly notices: readonly string[];
  readonly currency: string;
  readonly lines: readonly DocumentLine[];
  readonly taxSubtotals: readonly TaxSubtotal[];
  /** As stored (in English, as the tax rules word them); printed in the document's language. */
  readonly legends: readonly string[];
  readonly totals: () => readonly TotalsRow[];
  /** Under the totals (TOTALS_WIDTH wide, at the right), if anything: the invoice's EPC QR code. */
  readonly belowTotals?: DrawBlock;
  /** Left of the totals (SIDE_WIDTH wide): how to pay, or how the credit is settled. */
  readonly side: DrawBlock;
  /** The document info's title and subject. */
  readonly info: { readonly title: string; readonly subject: string };
  readonly creationDate: Date;
  /** The Factur-X XML to embed (the PDF is then PDF/A-3b), or null: a plain PDF. */
  readonly facturX: EInvoiceDocument | null;
}

/** Column headers are catalogue keys, translated when the header is typeset. */
type Column = LayoutColumn & { readonly header: MessageKey };

// The keys say "invoice." because invoices had them first; credit notes print the same words.
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

/** The issuer block and the document details share the right-hand column of the first page. */
const RIGHT_COLUMN = { x: CONTENT.right - 210, width: 210, labelWidth: 82 } as const;
/** The totals' width at the right; the side block takes the space to their left. */
export const TOTALS_WIDTH = 240;
export const SIDE_WIDTH = CONTENT.width - TOTALS_WIDTH - 24;
const LOGO_AREA = { x: CONTENT.left, y: MARGIN.top, width: 200, height: 56 } as const;
/** Where the buyer's address starts at the earliest, as on a letter; lower when the letterhead is taller. */
const ADDRESS_TOP = 140;

export async function renderDocumentPdf(document: DocumentPdf): Promise<Buffer> {
  const { creationDate, words } = document;
  const facturX = document.facturX === null ? null : facturXFile(document.facturX);
  const { t } = words;
  const doc = new PDFDocument({
    ...(facturX === null ? {} : PDF_A_3B),
    size: [PAGE.width, PAGE.height],
    margins: MARGIN,
    // No default font: pdfkit would load Helvetica's metrics (parsing its AFM data, about half a
    // millisecond) in every constructor, for a font the document never uses. Every piece of text
    // selects its DejaVu font first (PageFlow).
    font: '',
    bufferPages: true,
    pdfVersion: '1.7',
    lang: words.language,
    displayTitle: true,
    info: {
      Title: document.info.title,
      Author: document.seller.name,
      Subject: document.info.subject,
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
    continuationHeader(next, document);
    if (inLineTable) tableHeader(next, LINE_COLUMNS, t);
  });

  firstPageHeader(flow, document);

  // The side block sits beside the totals it refers to, which keeps a typical document on one page.
  const summary: Block[] = [
    { gapBefore: 14, draw: (y, draw) => Math.max(document.side(flow, y, draw), totalsAndBelow(flow, document, y, draw)) },
    { gapBefore: 22, draw: (y, draw) => vatSummary(flow, document, y, draw) },
    ...document.legends.map((legend): Block => ({ gapBefore: 16, draw: (y, draw) => note(flow, legendText(legend, t), y, draw) })),
  ];
  const summaryHeight = summary.reduce((sum, block) => sum + block.gapBefore + block.draw(0, false), 0);

  const cells = lineCellFormat(document);
  const rows = document.lines.map((line) => flow.typesetRow(cells(line), LINE_COLUMNS, STYLE.cell));
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

  footers(doc, document);
  if (facturX !== null) embedFacturX(doc, facturX, creationDate);
  doc.end();
  return bytes;
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

function firstPageHeader(flow: PageFlow, document: DocumentPdf): void {
  const { seller, buyer } = document;
  const { t, format } = document.words;
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

  // The title heads the document details, level with the buyer's address.
  // Smaller where a language's title is long ("Rechnungskorrektur"), rather than broken inside the word.
  const titleHeight = flow.text(
    { text: document.title, x: RIGHT_COLUMN.x, width: RIGHT_COLUMN.width, style: STYLE.title, shrink: true },
    top - 6,
  );
  const detailsTop = top - 6 + titleHeight + 4;
  const detailsHeight = pairs(flow, document.details, RIGHT_COLUMN.x, RIGHT_COLUMN.width, RIGHT_COLUMN.labelWidth, detailsTop, true);

  flow.y = Math.max(top + buyerHeight, detailsTop + detailsHeight) + 18;
  for (const notice of document.notices) {
    flow.y += flow.text({ text: notice, x: CONTENT.left, width: CONTENT.width, style: STYLE.bodyBold }, flow.y);
    flow.y += 8;
  }
}

/** Label / value rows (labels muted on the left); returns their height. */
export function pairs(
  flow: PageFlow,
  rows: readonly (readonly [string, string])[],
  x: number,
  width: number,
  labelWidth: number,
  y: number,
  draw: boolean,
): number {
  // Wider where a language's labels need it ("Rechnungsnummer"), up to half the block.
  // Measured in the font each label is set in (a Japanese label in the CJK font).
  const widest = Math.max(...rows.map(([label]) => textWidth(label, { ...STYLE.label, font: fontForText(STYLE.label.font, label) }))) + 6;
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

/** A heading and a sentence in the side block; returns the height of both and what follows them. */
export function sideHeading(flow: PageFlow, heading: string, sentence: string, y: number, draw: boolean): number {
  const headingBox: TextBox = { text: heading, x: CONTENT.left, width: SIDE_WIDTH, style: STYLE.heading };
  const intro: TextBox = { text: sentence, x: CONTENT.left, width: SIDE_WIDTH, style: STYLE.body };
  let height = (draw ? flow.text(headingBox, y) : flow.measure(headingBox)) + 4;
  height += (draw ? flow.text(intro, y + height) : flow.measure(intro)) + 6;
  return height;
}

function continuationHeader(flow: PageFlow, document: DocumentPdf): void {
  const y = flow.y;
  const leftHeight = flow.text({ text: document.continuedTitle, x: CONTENT.left, width: CONTENT.width / 2, style: STYLE.bodyBold }, y);
  const rightHeight = flow.text(
    {
      text: `${document.seller.name} · ${document.buyer.name}`,
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

/**
 * A line's cells as text. A long document has a few unit prices and VAT rates over hundreds of
 * lines, so each is formatted once per document (parsing the decimal, choosing its digits):
 * half of what formatting the cells of a 300-line invoice cost.
 */
function lineCellFormat({ currency, words: { format, language } }: DocumentPdf): (line: DocumentLine) => string[] {
  const unitPrices = new Map<string, string>();
  const rates = new Map<string, string>();
  const once = (formatted: Map<string, string>, value: string, formatValue: (value: string) => string): string => {
    let text = formatted.get(value);
    if (text === undefined) {
      text = formatValue(value);
      formatted.set(value, text);
    }
    return text;
  };
  return (line) => [
    lineDescription(line, language),
    format.quantity(line.quantity),
    once(unitPrices, line.unitPrice, (price) => format.unitPrice(price, currency)),
    once(rates, line.taxRate, format.rate),
    format.amount(line.netAmount, currency),
  ];
}

/** The totals and, under them, whatever the document puts there. */
function totalsAndBelow(flow: PageFlow, document: DocumentPdf, y: number, draw: boolean): number {
  const height = drawTotals(flow, document.totals(), y, draw);
  return height + (document.belowTotals?.(flow, y + height, draw) ?? 0);
}

/** At the right, amounts aligned with the net amount column, so the totals read down from the lines. */
function drawTotals(flow: PageFlow, rows: readonly TotalsRow[], y: number, draw: boolean): number {
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
  return height;
}

/** "VAT 19 %" when there is one rate, else "VAT" (in the document's language). */
export function vatTotalLabel(taxSubtotals: readonly TaxSubtotal[], { t, format }: DocumentWords): string {
  return taxSubtotals.length === 1 && taxSubtotals[0] !== undefined
    ? t('invoice.vatAtRate', { rate: format.rate(taxSubtotals[0].rate) })
    : t('invoice.vat');
}

function vatSummary(flow: PageFlow, document: DocumentPdf, y: number, draw: boolean): number {
  const { t, format } = document.words;
  const heading: TextBox = { text: t('invoice.vatSummary'), x: CONTENT.left, width: CONTENT.width, style: STYLE.heading };
  const header = flow.typesetRow(headers(VAT_COLUMNS, t), VAT_COLUMNS, STYLE.cellHeader);
  const rows = document.taxSubtotals.map((subtotal) =>
    flow.typesetRow(
      [
        vatCategoryText(subtotal.category, t),
        format.rate(subtotal.rate),
        format.amount(subtotal.taxableAmount, document.currency),
        format.amount(subtotal.taxAmount, document.currency),
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

/**
 * Drawn last, when the page count is known. The footer sits in the bottom margin, so the
 * margin is lifted while it is written, or pdfkit would start a new page for it.
 */
function footers(doc: PDFKit.PDFDocument, document: DocumentPdf): void {
  const range = doc.bufferedPageRange();
  const { seller } = document;
  const { t } = document.words;
  const issuer = [seller.name, seller.vatId === null ? null : t('invoice.vatId', { vatId: seller.vatId }), document.footerTitle]
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
