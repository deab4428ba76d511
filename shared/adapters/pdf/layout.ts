/**
 * Page geometry and a small layout toolkit on top of pdfkit for documents that flow over pages:
 * every piece of text is measured (same font, size and width as when drawn) before it is
 * placed, so a block or table row either fits on the page or moves whole to the next one.
 * pdfkit's own automatic page breaks never fire, because they would cut a row in half and skip
 * the repeated table header.
 *
 * Text that fits on one line, nearly all of an invoice, is measured from the font's glyph
 * widths and drawn as one text operator (content.ts); only text that wraps goes through
 * pdfkit's line wrapper (heightOfString, text). Both give the same glyphs in the same places.
 */
import { BOLD, REGULAR, fontForText, invoiceFont, useFont } from './fonts.ts';
import { drawTextLine, fillRectangle, strokeHorizontalLine } from './content.ts';

/** A4 in PDF points (1/72 inch). */
export const PAGE = { width: 595.28, height: 841.89 } as const;

/** Room at the bottom for the footer (issuer line and page numbers). */
export const MARGIN = { top: 48, bottom: 72, left: 50, right: 50 } as const;

export const CONTENT = {
  left: MARGIN.left,
  right: PAGE.width - MARGIN.right,
  width: PAGE.width - MARGIN.left - MARGIN.right,
  bottom: PAGE.height - MARGIN.bottom,
} as const;

export const COLOR = {
  text: '#1a1a1a',
  muted: '#5f6368',
  rule: '#c9ccd1',
  headerFill: '#eceff3',
  noteFill: '#f5f6f8',
  accent: '#2f4f7f',
} as const;

export interface TextStyle {
  readonly font: string;
  readonly size: number;
  readonly color?: string;
}

export const STYLE = {
  body: { font: REGULAR, size: 9 },
  bodyBold: { font: BOLD, size: 9 },
  cell: { font: REGULAR, size: 8.5 },
  cellHeader: { font: BOLD, size: 8 },
  label: { font: REGULAR, size: 8, color: COLOR.muted },
  small: { font: REGULAR, size: 7.5, color: COLOR.muted },
  heading: { font: BOLD, size: 10.5 },
  title: { font: BOLD, size: 22 },
  wordmark: { font: BOLD, size: 15, color: COLOR.accent },
} as const satisfies Record<string, TextStyle>;

/** Extra space between wrapped lines of one piece of text. */
const LINE_GAP = 1;

export type Align = 'left' | 'right';

export interface TextBox {
  readonly text: string;
  readonly x: number;
  readonly width: number;
  readonly style: TextStyle;
  readonly align?: Align;
  /**
   * Set the text smaller (down to MIN_SHRUNK_SIZE) rather than wrap it when it is too wide:
   * for amounts, where "KWD" alone on one line and the number on the next would misread.
   */
  readonly shrink?: boolean;
}

/**
 * A text box measured for drawing: the style it is set in (a `shrink` box's may be smaller),
 * the width of its one line, and its height. Drawing what was measured keeps the two in step
 * and measures each piece of text once.
 */
export interface SetText {
  readonly box: TextBox;
  readonly style: TextStyle;
  /** Undefined when the text wraps, and pdfkit lays it out. */
  readonly lineWidth: number | undefined;
  readonly height: number;
}

/** A table row measured for drawing: its cells, placed in their columns, and its height with padding. */
export interface SetRow {
  readonly cells: readonly SetText[];
  readonly height: number;
}

export interface Column {
  readonly header: string;
  readonly width: number;
  readonly align: Align;
  readonly shrink?: boolean;
}

const MIN_SHRUNK_SIZE = 6.5;

/** Horizontal padding inside a table cell, and vertical padding above and below a row's text. */
export const CELL_PADDING = { x: 4, y: 4 } as const;

/**
 * Lays `columns` out from `left`, the first column taking whatever width the others leave of
 * `width` (it gets flex width 0 in the input); returns each column's left edge and width.
 */
export function placeColumns(columns: readonly Column[], left: number, width: number): { x: number; column: Column }[] {
  const fixed = columns.reduce((sum, column) => sum + column.width, 0);
  let x = left;
  return columns.map((column, index) => {
    const placed = { x, column: index === 0 ? { ...column, width: width - fixed } : column };
    x += placed.column.width;
    return placed;
  });
}

/**
 * A cursor over the pages of one document. `y` is where the next thing goes; `fit` starts a
 * new page when a block of the given height does not fit above the footer, and lets the
 * caller draw its continuation header (and table header) there.
 */
export class PageFlow {
  y: number = MARGIN.top;
  /**
   * The fill color text was last drawn in on the current page, so that text in the same color
   * does not set it again (two content operators per piece of text otherwise). Only `draw`
   * changes the fill color outside a save/restore pair; a new page, or a new flow (the footers'
   * flows switch back to finished pages), starts without one.
   */
  private textColor: string | undefined;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly onNewPage: (flow: PageFlow) => void,
  ) {}

  get remaining(): number {
    return CONTENT.bottom - this.y;
  }

  /** True when a new page was started. A block taller than a whole page is placed anyway. */
  fit(height: number): boolean {
    if (height <= this.remaining || this.y <= MARGIN.top) return false;
    this.newPage();
    return true;
  }

  newPage(): void {
    this.doc.addPage();
    this.textColor = undefined;
    this.y = MARGIN.top;
    this.onNewPage(this);
  }

  /** Measures the box for `draw`. */
  typeset(box: TextBox): SetText {
    const style = this.fittedStyle(inScriptFont(box));
    const lineWidth = oneLineWidth(box.text, box.width, style);
    this.use(style);
    const height =
      lineWidth === undefined
        ? this.doc.heightOfString(box.text, { width: box.width, lineGap: LINE_GAP })
        : this.doc.currentLineHeight(true) + LINE_GAP;
    return { box, style, lineWidth, height };
  }

  /** Height the text takes when drawn by `text` with the same box. */
  measure(box: TextBox): number {
    return this.typeset(box).height;
  }

  /** Draws the text with its top at `y`; returns its height. */
  text(box: TextBox, y: number): number {
    const set = this.typeset(box);
    this.draw(set, y);
    return set.height;
  }

  /** Draws measured text with its top at `y`. */
  draw({ box, style, lineWidth }: SetText, y: number): void {
    this.use(style);
    const color = box.style.color ?? COLOR.text;
    if (color !== this.textColor) {
      this.doc.fillColor(color);
      this.textColor = color;
    }
    if (lineWidth === undefined) {
      this.doc.text(box.text, box.x, y, { width: box.width, align: box.align ?? 'left', lineGap: LINE_GAP });
    } else {
      // Where pdfkit would put the one line it wraps the text to, right alignment included.
      const x = box.align === 'right' ? box.x + box.width - lineWidth : box.x;
      drawTextLine(this.doc, box.text, x, y);
    }
  }

  /** Stacked boxes in one column, each below the previous; returns the total height. */
  stack(boxes: readonly TextBox[], y: number, draw: boolean, gap = 0): number {
    let height = 0;
    for (const box of boxes) {
      height += (draw ? this.text(box, y + height) : this.measure(box)) + gap;
    }
    return boxes.length === 0 ? 0 : height - gap;
  }

  rule(y: number, left: number = CONTENT.left, right: number = CONTENT.right, color: string = COLOR.rule, width = 0.5): void {
    strokeHorizontalLine(this.doc, left, right, y, width, color);
  }

  fill(x: number, y: number, width: number, height: number, color: string): void {
    fillRectangle(this.doc, x, y, width, height, color);
  }

  /** Measures a table row for `drawRow`: its height is its tallest cell's plus padding. */
  typesetRow(cells: readonly string[], columns: readonly Column[], style: TextStyle): SetRow {
    const set = placeColumns(columns, CONTENT.left, CONTENT.width).map(({ x, column }, index) =>
      this.typeset({
        text: cells[index] ?? '',
        x: x + CELL_PADDING.x,
        width: column.width - 2 * CELL_PADDING.x,
        style,
        align: column.align,
        shrink: column.shrink ?? false,
      }),
    );
    return { cells: set, height: Math.max(...set.map((cell) => cell.height)) + 2 * CELL_PADDING.y };
  }

  /** Draws a row measured by typesetRow at the cursor and moves the cursor below it. */
  drawRow(row: SetRow, fill?: string): void {
    if (fill !== undefined) this.fill(CONTENT.left, this.y, CONTENT.width, row.height, fill);
    for (const cell of row.cells) this.draw(cell, this.y + CELL_PADDING.y);
    this.y += row.height;
  }

  /** The box's style, with the type size reduced so that a `shrink` box fits on one line, if it can. */
  private fittedStyle(box: TextBox): TextStyle {
    if (box.shrink !== true) return box.style;
    const width = textWidth(box.text, box.style);
    if (width <= box.width) return box.style;
    // Rounded down to a tenth of a point, so the same text always gets the same size.
    const size = Math.max(MIN_SHRUNK_SIZE, Math.floor((box.style.size * box.width * 10) / width) / 10);
    return { ...box.style, size };
  }

  private use(style: TextStyle): void {
    useFont(this.doc, style.font, style.size);
  }
}

/** The box in a font that has its characters: the CJK font for Japanese text (fonts.ts). */
function inScriptFont(box: TextBox): TextBox {
  const font = fontForText(box.style.font, box.text);
  return font === box.style.font ? box : { ...box, style: { ...box.style, font } };
}

/** The width of `text` on one line, in points. */
export function textWidth(text: string, style: TextStyle): number {
  return invoiceFont(style.font).widthOfString(text, style.size);
}

/**
 * The width of the text set on one line of `available` points; undefined when pdfkit's line
 * wrapper has to lay it out: text that is too wide, has line breaks, or is empty (no line at
 * all). The wrapper (Unicode line breaking, measuring word by word, events) was most of the
 * render time once the fonts were fast, and text on one line does not need it. Trailing
 * spaces count for fitting but not for alignment, as in pdfkit.
 */
function oneLineWidth(text: string, available: number, style: TextStyle): number | undefined {
  if (text === '' || text.includes('\n')) return undefined;
  const width = textWidth(text, style);
  if (width > available) return undefined;
  const trimmed = text.trimEnd();
  return trimmed === text ? width : textWidth(trimmed, style);
}
