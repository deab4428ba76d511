/**
 * The hosted invoice page (issue 20) in a real headless Chromium (Debian's chromium driven by
 * playwright-core, as the benchmark does): it renders without JavaScript, in the customer's
 * language, its PDF link downloads the document's bytes, axe-core finds no serious or critical
 * accessibility violation, and a screenshot is taken (docs/invoice-page.png, linked from the README:
 * BILLFLOW_RECORD_SCREENSHOT=1 npx vitest run test/integration/invoice-page.test.ts rewrites it).
 *
 * The page is served here by a small HTTP server, to test the HTML alone; the page as the HTTP API
 * serves it (tokens, headers, CSP, 404) is tested in invoice-page-link.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { renderInvoicePage } from '#adapters/html/invoice-page.ts';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';
import { CHROMIUM_ARGS, ensureChromium } from '../bench/chromium.ts';

const NOW = Date.parse('2026-12-10T09:00:00Z');
/** docs/invoice-page.png (linked from the README) is rewritten only on request, so test runs leave the tree clean. */
const SCREENSHOT =
  process.env.BILLFLOW_RECORD_SCREENSHOT === '1'
    ? resolve(import.meta.dirname, '../../docs/invoice-page.png')
    : join(mkdtempSync(join(tmpdir(), 'billflow-page-')), 'invoice-page.png');
const invoice = anInvoice({ language: 'de' });
let pdf: Buffer;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  pdf = await renderInvoicePdf(invoice, { creationDate: new Date('2026-12-01T02:00:00Z') });
  const page = renderInvoicePage(invoice, { pdf: 'pdf' }, NOW);
  server = createServer((request, response) => {
    const headers = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };
    if (request.url === '/i/token/') response.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    else if (request.url === '/i/token/pdf') response.writeHead(200, { ...headers, 'Content-Type': 'application/pdf' }).end(pdf);
    else response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: ensureChromium(), args: [...CHROMIUM_ARGS] });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
});

describe('the hosted invoice page in Chromium', () => {
  it('renders in the customer’s language with JavaScript disabled: status, amount due, payment details, QR code', async () => {
    // Prepare
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();

    // Act
    await page.goto(`${base}/i/token/`);

    // Assess
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    expect(await page.textContent('h1')).toBe('Rechnung ACME-2026-000042');
    expect(await page.textContent('.status')).toBe('Fällig bis 31. Dezember 2026');
    expect((await page.textContent('.amount'))?.replace(/\s/g, ' ')).toBe('Zu zahlen: 384,74 €');
    expect(await page.textContent('dl')).toContain('DE89 3704 0044 0532 0130 00');
    expect(await page.getAttribute('svg[role=img]', 'aria-label')).toMatch(/^EPC-QR-Code/);
    expect(await page.locator('script').count()).toBe(0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await context.close();
  });

  it('downloads, from its PDF link, the same bytes as the stored PDF', async () => {
    // Prepare
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${base}/i/token/`);

    // Act
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);

    // Assess
    expect(download.suggestedFilename()).toBe('ACME-2026-000042.pdf');
    expect(readFileSync(await download.path()).equals(pdf)).toBe(true);
    await context.close();
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    // Prepare
    const page = await browser.newPage();
    await page.goto(`${base}/i/token/`);
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });

    // Act
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe;
      return (await axe.run()).violations.map(({ id, impact }) => ({ id, impact }));
    });

    // Assess
    expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
    await page.close();
  });
});
