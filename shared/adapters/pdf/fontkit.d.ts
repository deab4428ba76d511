/**
 * Types for the corner of fontkit (pdfkit's font engine, which ships no types) that fonts.ts
 * uses, and for pdfkit's acceptance of a parsed fontkit font where @types/pdfkit only lists
 * files and buffers (pdfkit's PDFFontFactory.open takes any object with a `layout` method).
 */
declare module 'fontkit' {
  export interface Font {
    readonly postscriptName: string;
    layout(text: string): unknown;
  }

  /** A font file's contents, parsed; a TrueType collection would give a collection instead. */
  export function create(data: Uint8Array, postscriptName?: string): Font | { readonly fonts: readonly Font[] };
}

declare namespace PDFKit.Mixins {
  interface PDFFont {
    registerFont(name: string, src: import('fontkit').Font): this;
  }
}
