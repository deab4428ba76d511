/**
 * Content stream operators for what an invoice draws hundreds of times: lines of text, table
 * rules and fills. pdfkit's drawing API writes each operator as a call of its own (a table rule
 * is save, move, line, width, color space, color, stroke, restore) and its text() takes over
 * ten microseconds per call: merging options, measuring the line twice more, eight operators.
 * For a 300-line invoice (1,500 cells, 300 rules) that was 40 % of the render time. Here each
 * thing is one line of operators, in pdfkit's page space (y growing downwards: its addPage flips
 * the page), so it mixes freely with what pdfkit draws; the pages render pixel for pixel as
 * before. The lines are batched per page and the page's stream deflated at billflow's level
 * (`write` below).
 *
 * pdfkit still owns the document: fonts, subsets, resources, pages and the file. Text adds its
 * glyphs to the document's font subset, widths and ToUnicode map exactly as pdfkit's `encode`
 * does for text() (`encode` below). That needs the current font and size, which pdfkit keeps in
 * two fields of its own (`_font`, `_fontSize`, set by doc.font() and doc.fontSize()), and the
 * font's subset, widths and unicode fields; every unit test renders through here, and
 * test/unit/pdf-content.test.ts compares the result with pdfkit's encode, so a pdfkit that
 * changed them fails there.
 */
import { InvoiceFont } from './fonts.ts';
import { deflateStream } from './stream-deflate.ts';

/** pdfkit's font object for the current font (EmbeddedFont), as far as a line of text needs it. */
interface PdfkitFont {
  readonly id: string;
  /** In 1/1000 em. */
  readonly ascender: number;
  /** The parsed font it embeds: an InvoiceFont for every font billflow registers (fonts.ts). */
  readonly font: unknown;
  /** 1000 / units per em. */
  readonly scale: number;
  /** The document's subset of the font: the glyph's id in the subset, which is the CID drawn. */
  readonly subset: { includeGlyph(glyphId: number): number };
  /** By CID, in 1/1000 em, and the text each stands for: written into the font's /W and ToUnicode at the end. */
  readonly widths: (number | undefined)[];
  readonly unicode: (readonly number[] | undefined)[];
  /**
   * Glyph ids as four hex digits, added to the subset; and their positions. Given `features`,
   * the font lays the text out in one call; without, word by word through a per-document cache.
   */
  encode(text: string, features?: readonly string[]): [readonly string[], unknown];
  /** The font's dictionary, for the page's resources. */
  ref(): unknown;
}

interface PdfkitFontState {
  readonly _font: PdfkitFont | null;
  readonly _fontSize: number;
}

/**
 * Draws `text` in the current font and size with its top-left corner at (x, top), as
 * doc.text(text, x, top, { lineBreak: false }) would, in the current fill color. The glyphs
 * advance by their widths alone: the invoice fonts lay text out without kerning
 * (InvoiceFont.layout), so a plain glyph string (Tj) needs no position adjustments.
 */
export function drawTextLine(doc: PDFKit.PDFDocument, text: string, x: number, top: number): void {
  const { _font: font, _fontSize: size } = doc as unknown as PdfkitFontState;
  if (font === null) throw new Error('No font selected');
  const resources = doc.page.fonts as Record<string, unknown>;
  resources[font.id] ??= font.ref();
  const baseline = top + (font.ascender / 1000) * size;
  const batch = batchOf(doc);
  // The font and size are text state, which the content stream keeps from one text object to
  // the next (ISO 32000-1, 9.3.1): set only when they change. Anything pdfkit writes in between
  // may change them (its own text, a restore), so after it they are set again (batchOf).
  let setFont = '';
  if (batch.textFont?.id !== font.id || batch.textFont.size !== size) {
    setFont = `/${font.id} ${number(size)} Tf `;
    batch.textFont = { id: font.id, size };
  }
  // The text matrix flips the glyphs back upright in pdfkit's flipped page space.
  batch.lines.push(`BT ${setFont}1 0 0 -1 ${number(x)} ${number(baseline)} Tm ${encode(font, text)} Tj ET`);
}

/**
 * The text's glyphs as the string Tj draws, added to the document's subset: what pdfkit's
 * EmbeddedFont.encode(text) does, with the same CIDs, widths and ToUnicode entries, without its
 * per-glyph garbage. pdfkit lays the text out again (a GlyphRun and a position object per glyph,
 * each scaled in place by iterating its keys) and makes three strings per glyph for its four hex
 * digits; for a 300-line invoice that was a fifth of the memory a render allocates, all of it
 * garbage at once (2.6 of 12.8 MB). Here the glyphs come from the font's own cache (fonts.ts).
 *
 * Each CID is written as its two bytes (Identity-H) in a literal string, not as four hex digits:
 * the glyphs are most of a page's content, which is built, converted and deflated byte by byte:
 * a quarter less of it (a 300-line invoice's content 172 -> 132 KB). Each CID's bytes are escaped
 * once per process. A font that is not an InvoiceFont
 * (none that billflow registers) goes through pdfkit's own encode, as hex.
 */
function encode(font: PdfkitFont, text: string): string {
  const parsed = font.font;
  if (!(parsed instanceof InvoiceFont)) return `<${font.encode(text, [])[0].join('')}>`;
  const glyphs = parsed.glyphs(text);
  const codes = GLYPH_CODES;
  codes.length = glyphs.length;
  for (let index = 0; index < glyphs.length; index += 1) {
    const glyph = glyphs[index]!;
    const cid = font.subset.includeGlyph(glyph.id);
    font.widths[cid] ??= glyph.advanceWidth * font.scale;
    font.unicode[cid] ??= glyph.codePoints;
    codes[index] = CID_BYTES[cid] ??= literalBytes(cid >> 8) + literalBytes(cid & 0xff);
  }
  return `(${codes.join('')})`;
}

/** A byte in a PDF literal string: itself (a latin1 character), or escaped where the syntax needs it. */
function literalBytes(byte: number): string {
  return LITERAL_ESCAPES[byte] ?? String.fromCharCode(byte);
}

/**
 * The string delimiters and the backslash; and the end-of-line bytes, which a reader would
 * otherwise normalize (a bare CR in a literal string reads as LF).
 */
const LITERAL_ESCAPES: Readonly<Record<number, string>> = { 0x0a: '\\n', 0x0d: '\\r', 0x28: '\\(', 0x29: '\\)', 0x5c: '\\\\' };

/** A CID's two bytes as literal-string characters, by CID; a subset has a few hundred glyphs. */
const CID_BYTES: string[] = [];
/** Reused for every line: the bytes of its glyphs, joined into one string. */
const GLYPH_CODES: string[] = [];

/** A horizontal line from `left` to `right` at `y`, `width` points thick, in a #rrggbb color. */
export function strokeHorizontalLine(doc: PDFKit.PDFDocument, left: number, right: number, y: number, width: number, color: string): void {
  write(doc, `q ${number(width)} w ${rgb(color)} RG ${number(left)} ${number(y)} m ${number(right)} ${number(y)} l S Q`);
}

/** A filled rectangle with its top-left corner at (x, y), in a #rrggbb color. */
export function fillRectangle(doc: PDFKit.PDFDocument, x: number, y: number, width: number, height: number, color: string): void {
  write(doc, `q ${rgb(color)} rg ${number(x)} ${number(y)} ${number(width)} ${number(height)} re f Q`);
}

/**
 * Appends an operator line to the page's content stream, as doc.addContent(line) would, but
 * batched: the lines wait in a list on the page's stream and go in as one Buffer when anything
 * else writes to that stream (pdfkit's own drawing: the order stays as written) or when the
 * stream ends. One latin1 conversion per page instead of one per line: pdfkit converts a string
 * character by character in JavaScript, and a Buffer per line (1,800 for 300 lines) then had to
 * be concatenated again. The same bytes: each character's low byte and a newline after each line.
 * When the stream ends it is deflated at billflow's level (stream-deflate.ts), not pdfkit's.
 */
function write(doc: PDFKit.PDFDocument, line: string): void {
  batchOf(doc).lines.push(line);
}

/** The current page's batch. */
function batchOf(doc: PDFKit.PDFDocument): PageBatch {
  const content = (doc.page as unknown as { readonly content: PdfkitStream }).content;
  return BATCHES.get(content) ?? batchLines(content);
}

/** pdfkit's stream object (PDFReference) for a page's content, as far as batching needs it. */
interface PdfkitStream {
  buffer: Uint8Array[];
  compress: boolean;
  readonly data: { Filter?: unknown };
  // Properties, not methods: batchLines keeps pdfkit's own and calls them on the stream.
  write: (this: PdfkitStream, chunk: Uint8Array | string) => void;
  finalize: (this: PdfkitStream) => void;
}

/** What content.ts has for a page's content stream. */
interface PageBatch {
  /** The lines not yet written to the stream. */
  readonly lines: string[];
  /** The font and size the stream's text state has, when content.ts set it last (drawTextLine). */
  textFont: { readonly id: string; readonly size: number } | undefined;
}

const BATCHES = new WeakMap<PdfkitStream, PageBatch>();

/** Wraps the stream's write and finalize so that pending lines go first; returns the batch. */
function batchLines(content: PdfkitStream): PageBatch {
  const batch: PageBatch = { lines: [], textFont: undefined };
  const pending = batch.lines;
  BATCHES.set(content, batch);
  const { write: writeChunk, finalize } = content;
  if (typeof writeChunk !== 'function' || typeof finalize !== 'function' || !Array.isArray(content.buffer)) {
    throw new Error("pdfkit's page content stream no longer has write, finalize and buffer: check how it writes streams");
  }
  const flush = (): void => {
    if (pending.length === 0) return;
    writeChunk.call(content, Buffer.from(`${pending.join('\n')}\n`, 'latin1'));
    pending.length = 0;
  };
  content.write = (chunk) => {
    flush();
    batch.textFont = undefined;
    writeChunk.call(content, chunk);
  };
  content.finalize = () => {
    flush();
    if (content.compress && content.buffer.length > 0) {
      content.buffer = [deflateStream(Buffer.concat(content.buffer))];
      content.compress = false;
      content.data.Filter = 'FlateDecode';
    }
    finalize.call(content);
  };
  return batch;
}

const RGB_OPERANDS = new Map<string, string>();

/** "#c9ccd1" as the operands of rg / RG (DeviceRGB, 0 to 1), worked out once per color. */
function rgb(hex: string): string {
  let operands = RGB_OPERANDS.get(hex);
  if (operands === undefined) {
    if (!/^#[0-9a-f]{6}$/i.test(hex)) throw new Error(`Not a #rrggbb color: ${hex}`);
    const value = Number.parseInt(hex.slice(1), 16);
    operands = [value >> 16, (value >> 8) & 0xff, value & 0xff].map((channel) => number(channel / 255)).join(' ');
    RGB_OPERANDS.set(hex, operands);
  }
  return operands;
}

/** As pdfkit writes numbers into content streams: at most six decimals, never an exponent. */
function number(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * Rectangles [x, y, width, height] filled as one path in a #rrggbb color, in a grid of `unit`
 * points whose origin is at (left, top): one `cm` places and scales the grid, so a rectangle is
 * written in small whole numbers (a QR code's modules: "12 3 4 1 re" instead of four page
 * coordinates with decimals, a third of the bytes for the same shapes).
 */
export function fillGridPath(
  doc: PDFKit.PDFDocument,
  rectangles: readonly (readonly [number, number, number, number])[],
  grid: { readonly left: number; readonly top: number; readonly unit: number },
  color: string,
): void {
  const path = rectangles.map(([x, y, width, height]) => `${number(x)} ${number(y)} ${number(width)} ${number(height)} re`).join(' ');
  const unit = number(grid.unit);
  write(doc, `q ${rgb(color)} rg ${unit} 0 0 ${unit} ${number(grid.left)} ${number(grid.top)} cm ${path} f Q`);
}
