/**
 * TrueType subsetting for the embedded invoice fonts, made for rendering many documents from one
 * parsed font. pdfkit asks a font for a subset, calls includeGlyph for every glyph it draws and
 * encode() once, when the document ends; fontkit's own subsetter decodes every glyph's outline
 * again in every document (only to tell composite glyphs from simple ones) and writes the file
 * through its generic struct encoder, which was a sixth of a one-page invoice's render time.
 *
 * Here the font file's tables are located once per process (`TrueTypeProgram`), each glyph's
 * bytes, metrics and component references are read the first time any document uses it and
 * kept, and a document's subset is written straight into one buffer: glyf, loca, hmtx, head,
 * hhea and maxp, which is all a PDF viewer needs of an embedded CIDFontType2 with an identity
 * CIDToGIDMap (no cmap, name, OS/2 or post). Glyphs are numbered in the order they are first
 * included, so the same text gives the same bytes.
 *
 * The subset is unhinted: each glyph's TrueType instructions and the font-wide hinting tables
 * (cvt, fpgm, prep) are left out. They were more than half of the font bytes, so every PDF
 * shrinks by about 11 KB (29 KB to 17 KB for a one-page invoice) and there is that much less
 * to compress. The outlines are untouched: poppler renders the pages pixel for pixel as with
 * the hints, print is unaffected, and a viewer that would run the instructions only snaps
 * small on-screen text to the pixel grid a little differently.
 */

/** The tables a subset carries, in the tag order the table directory requires. */
const SUBSET_TABLES = ['glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp'] as const;
type SubsetTable = (typeof SUBSET_TABLES)[number];

/** Composite glyph component flags (OpenType glyf table). */
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;
const WE_HAVE_INSTRUCTIONS = 0x0100;

/** head.checkSumAdjustment is this minus the checksum of the whole file. */
const CHECKSUM_MAGIC = 0xb1b0afba;

/** Offsets into the fixed-size tables. */
const HEAD_CHECKSUM_ADJUSTMENT = 8;
const HEAD_INDEX_TO_LOC_FORMAT = 50;
const HHEA_NUMBER_OF_HMETRICS = 34;
const MAXP_NUM_GLYPHS = 4;
/** The glyph header (contour count and bounding box) before a glyph's own data. */
const GLYPH_HEADER = 10;

interface Component {
  readonly glyphId: number;
  /** Where the component's glyph id sits in the glyph's data. */
  readonly offset: number;
}

interface GlyphRecord {
  /** The glyph's glyf entry without instructions; empty for a glyph without outline (a space). */
  readonly data: Uint8Array;
  /** For a composite glyph, the glyphs it is made of. */
  readonly components: readonly Component[];
  readonly advanceWidth: number;
  readonly leftSideBearing: number;
}

/** A TrueType font file's tables, located once, and its glyphs, read on first use and kept. */
export class TrueTypeProgram {
  private readonly tables: ReadonlyMap<string, DataView>;
  private readonly glyphs = new Map<number, GlyphRecord>();
  private readonly numGlyphs: number;
  private readonly numberOfHMetrics: number;
  private readonly longLoca: boolean;

  constructor(file: Uint8Array) {
    this.tables = tableDirectory(file);
    this.numGlyphs = this.table('maxp').getUint16(MAXP_NUM_GLYPHS);
    this.numberOfHMetrics = this.table('hhea').getUint16(HHEA_NUMBER_OF_HMETRICS);
    this.longLoca = this.table('head').getInt16(HEAD_INDEX_TO_LOC_FORMAT) === 1;
  }

  /** A new, empty subset (holding only the missing glyph, 0) for one document. */
  createSubset(): TrueTypeSubset {
    return new TrueTypeSubset(this);
  }

  glyph(glyphId: number): GlyphRecord {
    let record = this.glyphs.get(glyphId);
    if (record === undefined) {
      record = this.readGlyph(glyphId);
      this.glyphs.set(glyphId, record);
    }
    return record;
  }

  table(tag: string): DataView {
    const table = this.tables.get(tag);
    if (table === undefined) throw new Error(`The font has no ${tag} table`);
    return table;
  }

  private readGlyph(glyphId: number): GlyphRecord {
    if (!Number.isInteger(glyphId) || glyphId < 0 || glyphId >= this.numGlyphs) throw new RangeError(`No glyph ${glyphId} in the font`);
    const loca = this.table('loca');
    const offset = (index: number): number => (this.longLoca ? loca.getUint32(index * 4) : loca.getUint16(index * 2) * 2);
    const glyf = this.table('glyf');
    const start = offset(glyphId);
    const data = unhinted(new Uint8Array(glyf.buffer, glyf.byteOffset + start, offset(glyphId + 1) - start));
    return { data, components: data.length === 0 ? [] : compositeLayout(data).components, ...this.horizontalMetrics(glyphId) };
  }

  /** Glyphs past numberOfHMetrics share the last advance width and list only their bearing. */
  private horizontalMetrics(glyphId: number): { advanceWidth: number; leftSideBearing: number } {
    const hmtx = this.table('hmtx');
    const metrics = this.numberOfHMetrics;
    if (glyphId < metrics) return { advanceWidth: hmtx.getUint16(glyphId * 4), leftSideBearing: hmtx.getInt16(glyphId * 4 + 2) };
    return { advanceWidth: hmtx.getUint16((metrics - 1) * 4), leftSideBearing: hmtx.getInt16(metrics * 4 + (glyphId - metrics) * 2) };
  }
}

/**
 * The glyphs one document uses, as pdfkit's EmbeddedFont drives a fontkit subset: includeGlyph
 * while the text is drawn (returning the glyph's id in the subset, which pdfkit writes as the
 * CID), encode() for the font file at the end.
 */
export class TrueTypeSubset {
  private readonly glyphIds: number[] = [];
  private readonly subsetIds = new Map<number, number>();

  constructor(private readonly program: TrueTypeProgram) {
    this.includeGlyph(0);
  }

  includeGlyph(glyphId: number): number {
    let subsetId = this.subsetIds.get(glyphId);
    if (subsetId === undefined) {
      subsetId = this.glyphIds.length;
      this.glyphIds.push(glyphId);
      this.subsetIds.set(glyphId, subsetId);
    }
    return subsetId;
  }

  /** The subset as a TrueType font file. Composite glyphs bring their components along. */
  encode(): Uint8Array {
    const records: GlyphRecord[] = [];
    // The list grows while it is walked: components are appended as they are met.
    for (let index = 0; index < this.glyphIds.length; index += 1) {
      const record = this.program.glyph(this.glyphIds[index]!);
      for (const component of record.components) this.includeGlyph(component.glyphId);
      records.push(record);
    }
    return assemble(this.tables(records));
  }

  private tables(records: readonly GlyphRecord[]): Map<SubsetTable, Uint8Array> {
    const count = records.length;
    const { glyf, loca } = this.glyphData(records);
    const hmtx = new DataView(new ArrayBuffer(count * 4));
    records.forEach((record, index) => {
      hmtx.setUint16(index * 4, record.advanceWidth);
      hmtx.setInt16(index * 4 + 2, record.leftSideBearing);
    });
    // head: long loca offsets, and the checksum adjustment zeroed until the file is complete.
    const head = copyOf(this.program.table('head'));
    head.setUint32(HEAD_CHECKSUM_ADJUSTMENT, 0);
    head.setInt16(HEAD_INDEX_TO_LOC_FORMAT, 1);
    const hhea = copyOf(this.program.table('hhea'));
    hhea.setUint16(HHEA_NUMBER_OF_HMETRICS, count);
    // maxp keeps the whole font's maxima (points, contours, ...): upper bounds for the subset too.
    const maxp = copyOf(this.program.table('maxp'));
    maxp.setUint16(MAXP_NUM_GLYPHS, count);
    return new Map<SubsetTable, Uint8Array>([
      ['glyf', glyf],
      ['head', bytesOf(head)],
      ['hhea', bytesOf(hhea)],
      ['hmtx', bytesOf(hmtx)],
      ['loca', bytesOf(loca)],
      ['maxp', bytesOf(maxp)],
    ]);
  }

  /** glyf with each glyph 4-byte aligned and composite references renumbered; long loca offsets. */
  private glyphData(records: readonly GlyphRecord[]): { glyf: Uint8Array; loca: DataView } {
    const loca = new DataView(new ArrayBuffer((records.length + 1) * 4));
    let size = 0;
    records.forEach((record, index) => {
      loca.setUint32(index * 4, size);
      size += padded(record.data.length);
    });
    loca.setUint32(records.length * 4, size);

    const glyf = new Uint8Array(size);
    const view = new DataView(glyf.buffer);
    records.forEach((record, index) => {
      const start = loca.getUint32(index * 4);
      glyf.set(record.data, start);
      for (const component of record.components) view.setUint16(start + component.offset, this.includeGlyph(component.glyphId));
    });
    return { glyf, loca };
  }
}

/** The font's tables by tag, as views into the file. */
function tableDirectory(file: Uint8Array): Map<string, DataView> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = view.getUint32(0);
  if (version !== 0x00010000 && version !== 0x74727565) throw new Error('Not a TrueType font file (no glyf outlines)');
  const tables = new Map<string, DataView>();
  for (let index = 0; index < view.getUint16(4); index += 1) {
    const record = 12 + index * 16;
    const tag = String.fromCharCode(...file.subarray(record, record + 4));
    tables.set(tag, new DataView(file.buffer, file.byteOffset + view.getUint32(record + 8), view.getUint32(record + 12)));
  }
  return tables;
}

/**
 * A composite glyph's component records (flags, glyph id, two arguments, an optional
 * transform, one after the other): the components, where the last record's flags sit and
 * where the records end (the glyph's instructions, if any, follow). Empty for a simple glyph.
 */
function compositeLayout(data: Uint8Array): { components: Component[]; lastFlagsOffset: number; end: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const components: Component[] = [];
  if (view.getInt16(0) >= 0) return { components, lastFlagsOffset: 0, end: 0 };
  let offset = GLYPH_HEADER;
  let lastFlagsOffset: number;
  let flags: number;
  do {
    lastFlagsOffset = offset;
    flags = view.getUint16(offset);
    components.push({ glyphId: view.getUint16(offset + 2), offset: offset + 2 });
    offset += 4 + ((flags & ARG_1_AND_2_ARE_WORDS) !== 0 ? 4 : 2);
    if ((flags & WE_HAVE_A_SCALE) !== 0) offset += 2;
    else if ((flags & WE_HAVE_AN_X_AND_Y_SCALE) !== 0) offset += 4;
    else if ((flags & WE_HAVE_A_TWO_BY_TWO) !== 0) offset += 8;
  } while ((flags & MORE_COMPONENTS) !== 0);
  return { components, lastFlagsOffset, end: offset };
}

/**
 * The glyph without its instructions (see the module comment). A simple glyph keeps its
 * instruction count, set to 0; a composite glyph ends after its components, its last
 * component no longer announcing instructions. Read once per glyph and process.
 */
function unhinted(data: Uint8Array): Uint8Array {
  if (data.length === 0) return data;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const contours = view.getInt16(0);
  if (contours < 0) {
    const { lastFlagsOffset, end } = compositeLayout(data);
    const flags = view.getUint16(lastFlagsOffset);
    if ((flags & WE_HAVE_INSTRUCTIONS) === 0) return data;
    const stripped = data.slice(0, end);
    new DataView(stripped.buffer).setUint16(lastFlagsOffset, flags & ~WE_HAVE_INSTRUCTIONS);
    return stripped;
  }
  const lengthOffset = GLYPH_HEADER + contours * 2;
  const length = view.getUint16(lengthOffset);
  if (length === 0) return data;
  const stripped = new Uint8Array(data.length - length);
  stripped.set(data.subarray(0, lengthOffset), 0);
  // Bytes lengthOffset and lengthOffset + 1 stay 0: no instructions.
  stripped.set(data.subarray(lengthOffset + 2 + length), lengthOffset + 2);
  return stripped;
}

/** The font file: offset table, table directory, the tables 4-byte aligned, head's checksum adjustment. */
function assemble(tables: ReadonlyMap<SubsetTable, Uint8Array>): Uint8Array {
  const directorySize = 12 + SUBSET_TABLES.length * 16;
  const size = SUBSET_TABLES.reduce((sum, tag) => sum + padded(tables.get(tag)!.length), directorySize);
  const file = new Uint8Array(size);
  const view = new DataView(file.buffer);

  const power = 2 ** Math.floor(Math.log2(SUBSET_TABLES.length));
  view.setUint32(0, 0x00010000);
  view.setUint16(4, SUBSET_TABLES.length);
  view.setUint16(6, power * 16);
  view.setUint16(8, Math.log2(power));
  view.setUint16(10, (SUBSET_TABLES.length - power) * 16);

  let offset = directorySize;
  let headOffset = 0;
  SUBSET_TABLES.forEach((tag, index) => {
    const table = tables.get(tag)!;
    const record = 12 + index * 16;
    for (let char = 0; char < 4; char += 1) file[record + char] = tag.charCodeAt(char);
    file.set(table, offset);
    view.setUint32(record + 4, checksum(view, offset, table.length));
    view.setUint32(record + 8, offset);
    view.setUint32(record + 12, table.length);
    if (tag === 'head') headOffset = offset;
    offset += padded(table.length);
  });
  view.setUint32(headOffset + HEAD_CHECKSUM_ADJUSTMENT, (CHECKSUM_MAGIC - checksum(view, 0, size)) >>> 0);
  return file;
}

/** Sum of the big-endian 32-bit words, modulo 2^32; the zero padding completes the last word. */
function checksum(view: DataView, offset: number, length: number): number {
  let sum = 0;
  for (let at = offset; at < offset + padded(length); at += 4) sum = (sum + view.getUint32(at)) >>> 0;
  return sum;
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

function copyOf(table: DataView): DataView {
  return new DataView(bytesOf(table).slice().buffer);
}

function bytesOf(view: DataView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
