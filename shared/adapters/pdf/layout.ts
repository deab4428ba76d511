/**
 * Page geometry and a small layout toolkit on top of pdfkit for documents that flow over pages:
 * every piece of text is measured (heightOfString, same font, size and width as when drawn)
 * before it is placed, so a block or table row either fits on the page or moves whole to the
 * next one. pdfkit's own automatic page breaks never fire, because they would cut a row in half
 * and skip the repeated table header.
 */
import { BOLD, REGULAR } from './fonts.ts';

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
    this.y = MARGIN.top;
    this.onNewPage(this);
  }

  /** Height the text takes when drawn by `text` with the same box. */
  measure(box: TextBox): number {
    this.use(this.fitted(box).style);
    return this.doc.heightOfString(box.text, { width: box.width, lineGap: LINE_GAP });
  }

  /** Draws the text with its top at `y`; returns its height. */
  text(box: TextBox, y: number): number {
    const height = this.measure(box);
    this.place(box, y);
    return height;
  }

  /** Draws the text with its top at `y`, for callers that measured it already. */
  place(box: TextBox, y: number): void {
    const { style } = this.fitted(box);
    this.use(style);
    this.doc.fillColor(box.style.color ?? COLOR.text);
    this.doc.text(box.text, box.x, y, { width: box.width, align: box.align ?? 'left', lineGap: LINE_GAP });
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
    this.doc.save().moveTo(left, y).lineTo(right, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  fill(x: number, y: number, width: number, height: number, color: string): void {
    this.doc.save().rect(x, y, width, height).fillColor(color).fill().restore();
  }

  /** A table row's height: its tallest cell plus padding. */
  measureRow(cells: readonly string[], columns: readonly Column[], style: TextStyle): number {
    const placed = placeColumns(columns, CONTENT.left, CONTENT.width);
    const heights = placed.map(({ column }, index) =>
      this.measure({ text: cells[index] ?? '', x: 0, width: column.width - 2 * CELL_PADDING.x, style, shrink: column.shrink ?? false }),
    );
    return Math.max(...heights) + 2 * CELL_PADDING.y;
  }

  /** Draws a row measured by measureRow at the cursor and moves the cursor below it. */
  drawRow(cells: readonly string[], columns: readonly Column[], style: TextStyle, height: number, fill?: string): void {
    const placed = placeColumns(columns, CONTENT.left, CONTENT.width);
    if (fill !== undefined) this.fill(CONTENT.left, this.y, CONTENT.width, height, fill);
    placed.forEach(({ x, column }, index) => {
      this.place(
        { text: cells[index] ?? '', x: x + CELL_PADDING.x, width: column.width - 2 * CELL_PADDING.x, style, align: column.align, shrink: column.shrink ?? false },
        this.y + CELL_PADDING.y,
      );
    });
    this.y += height;
  }

  /** The box with its type size reduced so that a `shrink` box fits on one line, if it can. */
  private fitted(box: TextBox): TextBox {
    if (box.shrink !== true) return box;
    this.use(box.style);
    const width = this.doc.widthOfString(box.text);
    if (width <= box.width) return box;
    // Rounded down to a tenth of a point, so the same text always gets the same size.
    const size = Math.max(MIN_SHRUNK_SIZE, Math.floor((box.style.size * box.width * 10) / width) / 10);
    return { ...box, style: { ...box.style, size } };
  }

  private use(style: TextStyle): void {
    this.doc.font(style.font).fontSize(style.size);
  }
}
