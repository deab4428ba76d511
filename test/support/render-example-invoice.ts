/**
 * Renders the example invoice (a German issuer, a French business customer under reverse
 * charge, eight lines including late usage from the previous month) and writes its first page
 * as docs/invoice-page-1.png, to look at the layout:
 *
 *   npx tsx test/support/render-example-invoice.ts
 *   npx tsx test/support/render-example-invoice.ts --lines 300 --page 2 --out /tmp/page-2.png --pdf /tmp/300.pdf
 *
 * --lines N renders N numbered lines instead of the example's eight (to check pagination).
 * Needs pdftoppm from poppler-utils (installed by test/support/poppler.ts when missing).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { anInvoice, numberedLines } from './invoice-factory.ts';
import { ensurePoppler, pdfPageToPng } from './poppler.ts';

const { values } = parseArgs({
  options: {
    lines: { type: 'string' },
    page: { type: 'string', default: '1' },
    out: { type: 'string', default: fileURLToPath(new URL('../../docs/invoice-page-1.png', import.meta.url)) },
    pdf: { type: 'string' },
  },
});

ensurePoppler();
const invoice = values.lines === undefined ? anInvoice() : anInvoice({ lines: numberedLines(Number(values.lines)) });
const started = performance.now();
const pdf = await renderInvoicePdf(invoice, { creationDate: new Date('2026-12-01T02:00:00Z') });
const elapsed = performance.now() - started;

const dir = mkdtempSync(join(tmpdir(), 'invoice-example-'));
try {
  const pdfFile = values.pdf ?? join(dir, 'invoice.pdf');
  writeFileSync(pdfFile, pdf);
  pdfPageToPng(pdfFile, Number(values.page), values.out);
  console.log(`${invoice.lines.length} lines: ${pdf.length} bytes in ${elapsed.toFixed(0)} ms; page ${values.page} -> ${values.out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
