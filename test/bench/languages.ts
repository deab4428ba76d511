/**
 * The invoice PDF per language (issue 20): the one-page invoice rendered in each catalogue
 * language, Japanese to a customer with a Japanese name and address (so IPAex Gothic is
 * embedded, subset), warm, alternating languages each iteration; and what the CJK font costs:
 * its file in the Lambda asset and its first load in a process (read and parse, 6 MB).
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { LANGUAGES } from '#domain/language/languages.ts';
import { OUTSIDE_SCOPE_LEGEND } from '#domain/tax/tax-treatment.ts';
import { anInvoice, globexBuyer } from '#test-support/invoice-factory.ts';

export interface LanguageFigures {
  readonly language: string;
  readonly medianMs: number;
  readonly bytes: number;
}

export interface LanguagesBenchResult {
  readonly languages: readonly LanguageFigures[];
  /** The first render needing the CJK font, in a process that had not loaded it: its load included. */
  readonly firstCjkRenderMs: number;
  readonly cjkFontBytes: number;
  readonly iterations: number;
}

const CREATION_DATE = new Date('2026-12-01T02:00:00Z');

function invoiceIn(language: string): Invoice {
  if (language !== 'ja') return anInvoice({ language });
  return anInvoice({
    language,
    tax: { rate: '0', category: 'O', legend: OUTSIDE_SCOPE_LEGEND },
    legends: [OUTSIDE_SCOPE_LEGEND],
    buyer: {
      ...globexBuyer,
      name: '株式会社さくらクラウド',
      address: { line1: '西新宿2-8-1', city: '新宿区', postalCode: '163-8001', region: '東京都', country: 'JP' },
      vatId: null,
    },
  });
}

export async function benchLanguages(warmup = 30, iterations = 30): Promise<LanguagesBenchResult> {
  const render = (invoice: Invoice) => renderInvoicePdf(invoice, { creationDate: CREATION_DATE });
  const invoices = LANGUAGES.map((language) => ({ language, invoice: invoiceIn(language) }));
  // Every other language first, so the Japanese render below is the process's first use of the CJK font.
  for (const { language, invoice } of invoices) if (language !== 'ja') await render(invoice);
  const started = performance.now();
  await render(invoiceIn('ja'));
  const firstCjkRenderMs = performance.now() - started;

  for (let i = 0; i < warmup; i += 1) for (const { invoice } of invoices) await render(invoice);
  const timings = invoices.map(() => [] as number[]);
  const sizes = invoices.map(() => 0);
  for (let i = 0; i < iterations; i += 1) {
    for (const [index, { invoice }] of invoices.entries()) {
      const start = performance.now();
      const bytes = await render(invoice);
      timings[index]!.push(performance.now() - start);
      sizes[index] = bytes.length;
    }
  }
  const cjkFontBytes = statSync(createRequire(import.meta.url).resolve('billflow-font-ipaexg/ipaexg.ttf')).size;
  return {
    languages: invoices.map(({ language }, index) => ({ language, medianMs: median(timings[index]!), bytes: sizes[index]! })),
    firstCjkRenderMs,
    cjkFontBytes,
    iterations,
  };
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}
