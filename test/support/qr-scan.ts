/**
 * Reads a QR code off a rendered PDF page the way a banking app reads it off paper: poppler's
 * pdftoppm rasterizes the page, jsQR finds and decodes the code in the pixels.
 */
import jsQR from 'jsqr';
import { pdfPageToPpm } from './poppler.ts';

/** The text of the QR code on `page` (1-based) of the PDF, or null when none is found. */
export function scanQrCode(pdf: Buffer, page = 1, resolution = 150): string | null {
  const { width, height, rgba } = readPpm(pdfPageToPpm(pdf, page, resolution));
  return jsQR(rgba, width, height)?.data ?? null;
}

/** A binary PPM (P6, 8 bits per channel, as pdftoppm writes it) as RGBA pixels. */
function readPpm(bytes: Buffer): { width: number; height: number; rgba: Uint8ClampedArray } {
  // Header: "P6", width, height, maxval, each separated by whitespace, then one whitespace byte.
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 64).toString('latin1'));
  if (header === null || header[3] !== '255') throw new Error('Not an 8-bit binary PPM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const pixels = bytes.subarray(header[0].length);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let index = 0; index < width * height; index += 1) {
    rgba[index * 4] = pixels[index * 3]!;
    rgba[index * 4 + 1] = pixels[index * 3 + 1]!;
    rgba[index * 4 + 2] = pixels[index * 3 + 2]!;
    rgba[index * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
