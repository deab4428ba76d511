/**
 * Draws the EPC QR code ("GiroCode") as vectors: one filled path of rectangles, a run of dark
 * modules in a row being one rectangle. No image, so it stays sharp at any zoom or print
 * resolution and adds a few kilobytes at most. The matrix comes from the `qrcode` package, with
 * error correction level M as EPC069-12 requires.
 */
import QRCode from 'qrcode';
import { fillGridPath } from './content.ts';

/** Light modules around the code, which scanners need to find it (ISO/IEC 18004 asks for four). */
export const QUIET_ZONE_MODULES = 4;

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  readonly size: number;
  readonly dark: (row: number, column: number) => boolean;
}

/**
 * The QR code's modules for a payload, at error correction level M as EPC069-12 asks. The
 * `qrcode` package splits the UTF-8 text into the shortest mix of byte, alphanumeric and numeric
 * segments (ISO/IEC 18004 8.4); a reader joins them back into the same text.
 */
export function epcQrMatrix(payload: string): QrMatrix {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: (row, column) => modules.get(row, column) === 1 };
}

/**
 * Draws `matrix` in a square of `side` points whose top-left corner (quiet zone included) is
 * at (x, y) in pdfkit's page space.
 */
export function drawQrCode(doc: PDFKit.PDFDocument, matrix: QrMatrix, x: number, y: number, side: number, color: string): void {
  const module = side / (matrix.size + 2 * QUIET_ZONE_MODULES);
  const left = x + QUIET_ZONE_MODULES * module;
  const top = y + QUIET_ZONE_MODULES * module;
  const rectangles = darkRuns(matrix).map(({ row, column, length }) => [column, row, length, 1] as const);
  fillGridPath(doc, rectangles, { left, top, unit: module }, color);
}

/** The dark modules row by row as runs (a run of adjacent dark modules is drawn as one rectangle). */
export function darkRuns(matrix: QrMatrix): { row: number; column: number; length: number }[] {
  const runs: { row: number; column: number; length: number }[] = [];
  for (let row = 0; row < matrix.size; row += 1) {
    let column = 0;
    while (column < matrix.size) {
      if (!matrix.dark(row, column)) {
        column += 1;
        continue;
      }
      const start = column;
      while (column < matrix.size && matrix.dark(row, column)) column += 1;
      runs.push({ row, column: start, length: column - start });
    }
  }
  return runs;
}
