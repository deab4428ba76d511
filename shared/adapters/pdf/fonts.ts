/**
 * The fonts embedded in invoice PDFs: DejaVu Sans, regular and bold, from the dejavu-fonts-ttf
 * package. PDF's standard fonts only know WinAnsi, so "Łódź" or "Dvořák" would come out wrong;
 * DejaVu covers Latin-1, Latin Extended, Greek, Cyrillic and the euro sign, and pdfkit embeds
 * only the glyphs an invoice uses, with a ToUnicode map so the text stays extractable.
 *
 * The TTF files are read and parsed once per process, at module scope. Given a buffer, pdfkit
 * would parse the font again for every document (about 60 ms per invoice, three quarters of a
 * one-page render); given the parsed fontkit font, it only builds that document's subset.
 * Bundling must ship the two files: the package is resolved at run time (e.g.
 * `nodeModules: ['dejavu-fonts-ttf']` in the function's bundling options).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create, type Font } from 'fontkit';

export const REGULAR = 'DejaVuSans';
export const BOLD = 'DejaVuSans-Bold';

const require = createRequire(import.meta.url);

function parseFont(file: string): Font {
  const parsed = create(readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${file}`)));
  if (!('layout' in parsed)) throw new Error(`${file} is a font collection, not a single font`);
  return parsed;
}

const FONTS: ReadonlyMap<string, Font> = new Map([
  [REGULAR, parseFont('DejaVuSans.ttf')],
  [BOLD, parseFont('DejaVuSans-Bold.ttf')],
]);

/**
 * Names the fonts for one document. Sharing the parsed fonts between documents is safe: each
 * document makes its own subset, and fontkit reads glyph data synchronously, so documents
 * rendered concurrently never interleave inside it.
 */
export function registerInvoiceFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, font] of FONTS) doc.registerFont(name, font);
}
