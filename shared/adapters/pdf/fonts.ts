/**
 * The fonts embedded in invoice PDFs: DejaVu Sans, regular and bold, from the dejavu-fonts-ttf
 * package. PDF's standard fonts only know WinAnsi, so "Łódź" or "Dvořák" would come out wrong;
 * DejaVu covers Latin-1, Latin Extended, Greek, Cyrillic and the euro sign, and pdfkit embeds
 * only the glyphs an invoice uses, with a ToUnicode map so the text stays extractable.
 *
 * The TTF files are read and parsed once per process, at module scope, and so is everything
 * documents need of them again. pdfkit gets an `InvoiceFont` where it takes a fontkit font (its
 * font factory accepts any object with a `layout` method): text is laid out glyph by glyph from
 * the cmap, without OpenType shaping, and each document's subset comes from a TrueTypeProgram,
 * which reads every glyph once per process (truetype-subset.ts). fontkit's shaping and
 * subsetting were 60 % of a one-page render (24 ms then, 9 ms without them).
 * Bundling must ship the two files: the package is resolved at run time (e.g.
 * `nodeModules: ['dejavu-fonts-ttf']` in the function's bundling options).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create, type Font } from 'fontkit';
import { TrueTypeProgram, type TrueTypeSubset } from './truetype-subset.ts';

export const REGULAR = 'DejaVuSans';
export const BOLD = 'DejaVuSans-Bold';
/**
 * IPAex Gothic, for text DejaVu has no glyphs for: Japanese (kana and kanji), and the Chinese and
 * Korean characters it shares. One weight: bold text in it is set in the regular weight.
 */
export const CJK = 'IPAexGothic';

const require = createRequire(import.meta.url);

/** A glyph as pdfkit reads it from a layout: its id, width (font units) and the text it stands for. */
interface LaidOutGlyph {
  readonly id: number;
  readonly advanceWidth: number;
  readonly codePoints: readonly number[];
}

/**
 * Per glyph, in font units; pdfkit scales every field in place, so every layout returns new
 * objects. Only the advance: pdfkit reads the offsets only where they are set, and no glyph
 * here is offset, so leaving them out saves scaling three zeros per glyph.
 */
interface GlyphPosition {
  xAdvance: number;
}

/**
 * A layout result as pdfkit uses fontkit's GlyphRun. The width is computed when read, because
 * pdfkit rescales the positions to 1/1000 em before it reads the width.
 */
class GlyphRun {
  constructor(
    readonly glyphs: readonly LaidOutGlyph[],
    readonly positions: readonly GlyphPosition[],
  ) {}

  get advanceWidth(): number {
    let width = 0;
    for (const position of this.positions) width += position.xAdvance;
    return width;
  }
}

/**
 * A parsed font as pdfkit's EmbeddedFont uses it: metrics and the tables it reads when writing
 * the font descriptor, `layout`, `getGlyph` (for the width of glyph 0) and `createSubset`.
 */
export class InvoiceFont {
  readonly postscriptName: string;
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly lineGap: number;
  readonly capHeight: number;
  readonly xHeight: number;
  readonly italicAngle: number;
  readonly bbox: Font['bbox'];
  readonly 'OS/2': Font['OS/2'];
  readonly post: Font['post'];
  readonly head: Font['head'];
  /** Glyphs by code point, looked up once per process: an array below U+0300, a map above. */
  private readonly latinGlyphs: LaidOutGlyph[] = [];
  private readonly otherGlyphs = new Map<number, LaidOutGlyph>();
  private readonly recentTexts = new Map<string, readonly LaidOutGlyph[]>();

  constructor(
    private readonly font: Font,
    private readonly program: TrueTypeProgram,
  ) {
    ({ postscriptName: this.postscriptName, unitsPerEm: this.unitsPerEm, ascent: this.ascent, descent: this.descent } = font);
    ({ lineGap: this.lineGap, capHeight: this.capHeight, xHeight: this.xHeight, italicAngle: this.italicAngle } = font);
    ({ bbox: this.bbox, 'OS/2': this['OS/2'], post: this.post, head: this.head } = font);
  }

  /**
   * One glyph per character, each advancing by its width: no OpenType shaping (kerning,
   * ligatures, mark positioning), which was a quarter of the render time and changes nothing
   * an invoice needs. Decomposed accents are composed first (NFC), so "u" + U+0308 prints as the
   * single glyph "ü" instead of a mark that no longer gets positioned. `features` is ignored.
   */
  layout(text: string): GlyphRun {
    const glyphs = this.glyphs(text);
    return new GlyphRun(
      glyphs,
      glyphs.map((glyph) => ({ xAdvance: glyph.advanceWidth })),
    );
  }

  /**
   * The text's width in points at `size`, as pdfkit lays it out with this font (the sum of the
   * glyphs' advances), without going through pdfkit's word-by-word layout.
   */
  widthOfString(text: string, size: number): number {
    let units = 0;
    for (const glyph of this.glyphs(text)) units += glyph.advanceWidth;
    return (units * size) / this.unitsPerEm;
  }

  /** True when the font has a glyph for every character of the text (white space and controls aside). */
  covers(text: string): boolean {
    for (const glyph of this.glyphs(text)) {
      if (glyph.id === 0 && !/[\s\p{Cc}]/u.test(String.fromCodePoint(...glyph.codePoints))) return false;
    }
    return true;
  }

  getGlyph(id: number): { readonly advanceWidth: number } {
    return this.program.glyph(id);
  }

  createSubset(): TrueTypeSubset {
    return this.program.createSubset();
  }

  /**
   * The text's glyphs as `layout` sets them, one per character by code point (a character outside
   * the BMP is two UTF-16 units). A table cell's text is looked up three or four times (which font
   * covers it, whether it must shrink, its width, then drawing it, after the whole table is
   * measured), so the glyphs of recent texts are kept, up to RECENT_TEXTS of them: the arrays are
   * never changed (pdfkit and content.ts only read a layout's glyphs).
   */
  glyphs(text: string): readonly LaidOutGlyph[] {
    let glyphs = this.recentTexts.get(text);
    if (glyphs === undefined) {
      glyphs = this.glyphsOfText(text);
      if (this.recentTexts.size >= RECENT_TEXTS) this.recentTexts.clear();
      this.recentTexts.set(text, glyphs);
    }
    return glyphs;
  }

  private glyphsOfText(text: string): readonly LaidOutGlyph[] {
    const composed = composedText(text);
    const glyphs: LaidOutGlyph[] = [];
    for (let index = 0; index < composed.length; index += 1) {
      const codePoint = composed.codePointAt(index)!;
      if (codePoint > 0xffff) index += 1;
      glyphs.push(this.glyphFor(codePoint));
    }
    return glyphs;
  }

  /** Looked up in the font's cmap once per process; .notdef (0) where the font has no glyph. */
  private glyphFor(codePoint: number): LaidOutGlyph {
    if (codePoint < COMBINING_MARKS) return (this.latinGlyphs[codePoint] ??= this.lookUp(codePoint));
    let glyph = this.otherGlyphs.get(codePoint);
    if (glyph === undefined) {
      glyph = this.lookUp(codePoint);
      this.otherGlyphs.set(codePoint, glyph);
    }
    return glyph;
  }

  private lookUp(codePoint: number): LaidOutGlyph {
    const { id, advanceWidth } = this.font.glyphForCodePoint(codePoint);
    return { id, advanceWidth, codePoints: [codePoint] };
  }
}

/** Enough for every cell of a long table (five per line) to be measured and then drawn. */
const RECENT_TEXTS = 4096;

/** U+0300, where the combining diacritical marks start: no text entirely below it changes under NFC. */
const COMBINING_MARKS = 0x300;
// eslint-disable-next-line no-control-regex -- the range starts at U+0000 on purpose: all of Basic Latin up to U+02FF.
const MAY_COMPOSE = /[^\u0000-\u02ff]/;

/** The text in NFC, skipping the normalization (a fifth of a microsecond) where it cannot change anything. */
function composedText(text: string): string {
  return MAY_COMPOSE.test(text) ? text.normalize('NFC') : text;
}

function loadFont(path: string): InvoiceFont {
  const file = path.split('/').pop();
  const bytes = readFileSync(require.resolve(path));
  const parsed = create(bytes);
  if (!('glyphForCodePoint' in parsed)) throw new Error(`${file} is a font collection, not a single font`);
  return new InvoiceFont(parsed, new TrueTypeProgram(bytes));
}

const FONTS: ReadonlyMap<string, InvoiceFont> = new Map([
  [REGULAR, loadFont('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')],
  [BOLD, loadFont('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')],
]);

/**
 * Loaded the first time a document needs it: the file is 6 MB, and most processes only ever
 * render Latin, Greek and Cyrillic text. Bundling ships it like DejaVu (`billflow-font-ipaexg`,
 * a package in this repository: assets/fonts/ipaexg).
 */
let cjkFont: InvoiceFont | undefined;

function cjk(): InvoiceFont {
  return (cjkFont ??= loadFont('billflow-font-ipaexg/ipaexg.ttf'));
}

/** The font registered under `name` by registerInvoiceFonts (REGULAR, BOLD) or useFont (CJK). */
export function invoiceFont(name: string): InvoiceFont {
  if (name === CJK) return cjk();
  const font = FONTS.get(name);
  if (font === undefined) throw new Error(`No invoice font ${name}`);
  return font;
}

/**
 * The font to set `text` in: `name` when it has every glyph, else the CJK font when that has
 * them (a Japanese name or address); else `name`, whose missing glyphs show as boxes.
 */
export function fontForText(name: string, text: string): string {
  if (invoiceFont(name).covers(text)) return name;
  return cjk().covers(text) ? CJK : name;
}

/** Documents the CJK font is registered in; registered only where used, so other documents stay as they were. */
const WITH_CJK = new WeakSet<PDFKit.PDFDocument>();

/** Selects the font for the text that follows, registering the CJK font in this document first if needed. */
export function useFont(doc: PDFKit.PDFDocument, name: string, size: number): void {
  if (name === CJK && !WITH_CJK.has(doc)) {
    doc.registerFont(CJK, cjk());
    WITH_CJK.add(doc);
  }
  doc.font(name).fontSize(size);
}

/**
 * Names the fonts for one document. Sharing the fonts between documents is safe: each document
 * makes its own subset, and what is shared only grows by glyphs read synchronously, so documents
 * rendered concurrently never interleave inside it.
 */
export function registerInvoiceFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, font] of FONTS) doc.registerFont(name, font);
}
