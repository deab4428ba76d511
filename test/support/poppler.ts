/**
 * Poppler's command-line tools (pdftotext, pdfinfo, pdftoppm) for tests that read rendered PDFs
 * the way a customer's software does. ensurePoppler() installs Debian's poppler-utils when they
 * are missing and fails with a message saying what to do when that is not possible; call it
 * from beforeAll (apt-get can take a minute on a cold machine).
 */
import { spawnSync } from 'node:child_process';
import { ensureDebianPackage } from './debian-package.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let available = false;

export function ensurePoppler(): void {
  if (available) return;
  ensureDebianPackage('poppler-utils', hasPdftotext, 'pdftotext (with pdfinfo and pdftoppm)');
  available = true;
}

/**
 * How pdftotext orders the text: `raw` in drawing order (a table row reads as one line, the
 * closest to what invoice-reading software sees), `layout` as placed on the page, `reading`
 * pdftotext's default column detection.
 */
export type TextMode = 'raw' | 'layout' | 'reading';

/** The PDF's text as pdftotext extracts it; pages end with a form feed (\f). */
export function pdfToText(pdf: Buffer, mode: TextMode = 'raw'): string {
  const flags = mode === 'reading' ? [] : [`-${mode}`];
  return withPdfFile(pdf, (file) => run('pdftotext', [...flags, '-enc', 'UTF-8', file, '-']));
}

/** The text of each page, in order. */
export function pdfPages(pdf: Buffer, mode: TextMode = 'raw'): string[] {
  const pages = pdfToText(pdf, mode).split('\f');
  // pdftotext ends every page, the last one included, with a form feed.
  if (pages[pages.length - 1]?.trim() === '') pages.pop();
  return pages;
}

/** pdffonts' table: one entry per font with its name, type and whether it is embedded. */
export function pdfFonts(pdf: Buffer): { name: string; type: string; embedded: boolean }[] {
  const text = withPdfFile(pdf, (file) => run('pdffonts', [file]));
  // name, type (may contain spaces), encoding, then the emb/sub/uni yes/no columns and the object id.
  return text
    .split('\n')
    .slice(2)
    .map((line) => /^(\S+)\s+(.+?)\s{2,}(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ name: match[1] ?? '', type: match[2] ?? '', embedded: match[4] === 'yes' }));
}

/** pdfinfo's fields ("Pages", "Title", "Author", "Page size", ...). */
export function pdfInfo(pdf: Buffer): Record<string, string> {
  const text = withPdfFile(pdf, (file) => run('pdfinfo', [file]));
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1] ?? '', match[2] ?? '']),
  );
}

/** One page of a PDF file as a PNG file, at `resolution` dots per inch. */
export function pdfPageToPng(pdfFile: string, page: number, pngFile: string, resolution = 80): void {
  // pdftoppm -singlefile writes exactly PREFIX.png for the one page.
  run('pdftoppm', [
    '-png',
    '-r',
    String(resolution),
    '-f',
    String(page),
    '-l',
    String(page),
    '-singlefile',
    pdfFile,
    pngFile.replace(/\.png$/, ''),
  ]);
}

/** One page as a binary PPM image (P6, 8 bits per channel), at `resolution` dots per inch. */
export function pdfPageToPpm(pdf: Buffer, page: number, resolution: number): Buffer {
  return withPdfFile(pdf, (file) => {
    // Without an output root, pdftoppm writes the page to stdout.
    const result = spawnSync('pdftoppm', ['-r', String(resolution), '-f', String(page), '-l', String(page), file], {
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error !== undefined) throw result.error;
    if (result.status !== 0) throw new Error(`pdftoppm exited with ${result.status}: ${String(result.stderr)}`);
    return result.stdout;
  });
}

function hasPdftotext(): boolean {
  const result = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' });
  return result.error === undefined && result.status === 0;
}

function run(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function withPdfFile<T>(pdf: Buffer, use: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'billflow-pdf-'));
  try {
    const file = join(dir, 'document.pdf');
    writeFileSync(file, pdf);
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
