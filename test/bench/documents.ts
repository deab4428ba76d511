/**
 * Document benchmark (issue "Invoice PDFs in S3 and delivery by email"), side by side in one run:
 * - billflow: renderInvoicePdf with pdfkit (shared/adapters/pdf/invoice-pdf.ts);
 * - the usual alternative: the same invoice as HTML (./invoice-html.ts) printed to PDF by
 *   headless Chromium (Debian's package, driven by playwright-core), with ONE browser and ONE
 *   page kept warm across iterations, so only setContent + pdf is timed, not the launch.
 * For a one-page invoice (8 lines) and a 300-line invoice: warm-up renders (discarded), then the
 * two renderers alternate, one invoice each per iteration. A one-page render calls each hot
 * function only a few hundred times, so V8 needs some 30 renders to optimize pdfkit's and
 * billflow's code (alone on the machine: 10-14 ms per render at first, under 5 ms after 40);
 * with 5 warm-up renders the median was half-cold JIT. 30 warm-up renders per renderer (both
 * alike) measure the warm container the service runs in. A 300-line render is warm after a few.
 * Reports median and p90 ms per invoice, the ratio chromium / pdfkit of the medians (target:
 * pdfkit at least 10 times faster) and the PDF sizes. When Chromium is unavailable, its side is
 * reported as such, never estimated.
 *
 * The pdfkit figure is the PDF as delivered: PDF/A-3b with Factur-X embedded (issue 17). To
 * state what that costs, the same run also times the plain PDF (`facturX: null`) and the
 * Factur-X XML alone (einvoiceDocument), alternating with the others.
 */
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { einvoiceDocument } from '#domain/einvoice/einvoice.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { anInvoice, numberedLines } from '#test-support/invoice-factory.ts';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.ts';
import { INVOICE_PDF_MARGIN, invoicePdfFooter, renderInvoiceHtml } from './invoice-html.ts';

export interface RendererFigures {
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly bytes: number;
  readonly pages: number;
}

export interface DocumentCaseFigures {
  readonly name: string;
  readonly lines: number;
  readonly iterations: number;
  readonly warmup: number;
  readonly pdfkit: RendererFigures;
  /** The same PDF without Factur-X and PDF/A (what it cost before issue 17). */
  readonly plainPdf: RendererFigures;
  /** The Factur-X CII XML alone (bytes: its size; pages: 0). */
  readonly facturXXml: RendererFigures;
  /** Absent when Chromium was unavailable (see DocumentsBenchResult.chromiumUnavailable). */
  readonly chromium?: RendererFigures;
  /** chromium median / pdfkit median. */
  readonly ratio?: number;
}

export interface DocumentsBenchResult {
  readonly cases: readonly DocumentCaseFigures[];
  /** Chromium's version as the browser reports it. */
  readonly chromiumVersion?: string;
  /** Why the Chromium comparison was skipped, when it was. */
  readonly chromiumUnavailable?: string;
}

export interface DocumentsBenchOptions {
  readonly onePageWarmup?: number;
  readonly longWarmup?: number;
  readonly onePageIterations?: number;
  readonly longIterations?: number;
  readonly longLines?: number;
}

const CREATION_DATE = new Date('2026-12-01T02:00:00Z');

type Render = (invoice: Invoice) => Promise<Buffer>;

export async function benchDocuments(options: DocumentsBenchOptions = {}): Promise<DocumentsBenchResult> {
  const longLines = options.longLines ?? 300;
  const cases = [
    { name: 'one-page invoice', invoice: anInvoice(), warmup: options.onePageWarmup ?? 30, iterations: options.onePageIterations ?? 30 },
    {
      name: `${longLines}-line invoice`,
      invoice: anInvoice({ lines: numberedLines(longLines) }),
      warmup: options.longWarmup ?? 5,
      // 20, not 10: on the shared 2-core machine the median of 10 moved by a fifth between runs.
      iterations: options.longIterations ?? 20,
    },
  ];
  const pdfkit: Render = (invoice) => renderInvoicePdf(invoice, { creationDate: CREATION_DATE });
  const plainPdf: Render = (invoice) => renderInvoicePdf(invoice, { creationDate: CREATION_DATE, facturX: null });
  const facturXXml: Render = (invoice) => Promise.resolve(Buffer.from(einvoiceDocument(invoice, 'facturx').xml, 'utf8'));

  let browser: Browser | undefined;
  let page: Page | undefined;
  let chromiumVersion: string | undefined;
  let chromiumUnavailable: string | undefined;
  try {
    const executablePath = ensureChromium();
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
    chromiumVersion = browser.version();
    page = await browser.newPage();
  } catch (error) {
    chromiumUnavailable = error instanceof Error ? error.message.split('\n')[0] : String(error);
    await browser?.close().catch(() => undefined);
    browser = undefined;
    page = undefined;
  }
  const warmPage = page;
  const printed: Render | undefined =
    warmPage === undefined
      ? undefined
      : async (invoice) => {
          await warmPage.setContent(renderInvoiceHtml(invoice));
          return warmPage.pdf({
            format: 'A4',
            printBackground: true,
            displayHeaderFooter: true,
            headerTemplate: '<span></span>',
            footerTemplate: invoicePdfFooter(invoice),
            margin: INVOICE_PDF_MARGIN,
          });
        };

  try {
    const results: DocumentCaseFigures[] = [];
    for (const { name, invoice, warmup, iterations } of cases) {
      // Chromium, when there, last: the indexes of the first three stay put.
      const renderers: Render[] = printed === undefined ? [pdfkit, plainPdf, facturXXml] : [pdfkit, plainPdf, facturXXml, printed];
      // Warm-up, discarded: JIT, font subsetting caches, Chromium's layout and font caches.
      for (let i = 0; i < warmup; i += 1) for (const render of renderers) await render(invoice);
      const timings = renderers.map(() => [] as number[]);
      const outputs: Buffer[] = [];
      for (let i = 0; i < iterations; i += 1) {
        // Alternate which goes first, so neither always runs right after the other's garbage.
        const order = i % 2 === 0 ? renderers.map((_, index) => index) : renderers.map((_, index) => index).reverse();
        for (const index of order) {
          const started = performance.now();
          const bytes = await renderers[index]!(invoice);
          timings[index]!.push(performance.now() - started);
          outputs[index] = bytes;
        }
      }
      const figures = (index: number): RendererFigures => ({
        medianMs: quantile(timings[index]!, 0.5),
        p90Ms: quantile(timings[index]!, 0.9),
        bytes: outputs[index]!.length,
        pages: pageCount(outputs[index]!),
      });
      const pdfkitFigures = figures(0);
      const chromiumFigures = printed === undefined ? undefined : figures(3);
      results.push({
        name,
        lines: invoice.lines.length,
        iterations,
        warmup,
        pdfkit: pdfkitFigures,
        plainPdf: figures(1),
        facturXXml: figures(2),
        ...(chromiumFigures === undefined ? {} : { chromium: chromiumFigures, ratio: chromiumFigures.medianMs / pdfkitFigures.medianMs }),
      });
    }
    return {
      cases: results,
      ...(chromiumVersion === undefined ? {} : { chromiumVersion }),
      ...(chromiumUnavailable === undefined ? {} : { chromiumUnavailable }),
    };
  } finally {
    await browser?.close();
  }
}

/** Nearest-rank quantile of the samples. */
function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** Page objects in the PDF (both writers leave page dictionaries uncompressed); 0 when none is found. */
function pageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
}
