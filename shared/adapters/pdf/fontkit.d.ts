/**
 * Types for the corner of fontkit (pdfkit's font engine, which ships no types) that fonts.ts
 * and its tests use, and for pdfkit's acceptance of a font object where @types/pdfkit only
 * lists files and buffers (pdfkit's PDFFontFactory.open takes any object with a `layout`
 * method, see InvoiceFont).
 */
declare module 'fontkit' {
  export interface Font {
    readonly postscriptName: string;
    readonly unitsPerEm: number;
    readonly ascent: number;
    readonly descent: number;
    readonly lineGap: number;
    readonly capHeight: number;
    readonly xHeight: number;
    readonly italicAngle: number;
    readonly bbox: { readonly minX: number; readonly minY: number; readonly maxX: number; readonly maxY: number };
    readonly 'OS/2': { readonly sFamilyClass: number } | undefined;
    readonly post: { readonly isFixedPitch: number };
    readonly head: { readonly macStyle: { readonly italic: boolean } };
    readonly numGlyphs: number;
    glyphForCodePoint(codePoint: number): Glyph;
    getGlyph(glyphId: number): Glyph;
  }

  export interface Glyph {
    readonly id: number;
    readonly advanceWidth: number;
    readonly path: { toSVG(): string };
  }

  /** A font file's contents, parsed; a TrueType collection would give a collection instead. */
  export function create(data: Uint8Array, postscriptName?: string): Font | { readonly fonts: readonly Font[] };
}

declare namespace PDFKit.Mixins {
  interface PDFFont {
    registerFont(name: string, src: import('./fonts.ts').InvoiceFont): this;
  }
}
