/**
 * The fonts embedded in invoice PDFs: DejaVu Sans, regular and bold, from the dejavu-fonts-ttf
 * package. PDF's standard fonts only know WinAnsi, so "Łódź" or "Dvořák" would come out wrong;
 * DejaVu covers Latin-1, Latin Extended, Greek, Cyrillic and the euro sign, and pdfkit embeds
 * only the glyphs an invoice uses, with a ToUnicode map so the text stays extractable.
 *
 * The TTF files are read once per process, at module scope, so a warm Lambda container never
 * touches the file system again. Bundling must ship the two files: the package is resolved at
 * run time (e.g. `nodeModules: ['dejavu-fonts-ttf']` in the function's bundling options).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const REGULAR = 'DejaVuSans';
export const BOLD = 'DejaVuSans-Bold';

const require = createRequire(import.meta.url);

function fontFile(file: string): Buffer {
  return readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
}

const FONT_FILES: ReadonlyMap<string, Buffer> = new Map([
  [REGULAR, fontFile('DejaVuSans.ttf')],
  [BOLD, fontFile('DejaVuSans-Bold.ttf')],
]);

/** Names the fonts for one document; pdfkit opens a font only when a page first uses it. */
export function registerInvoiceFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, data] of FONT_FILES) doc.registerFont(name, data);
}
