/**
 * The hosted invoice page's HTML (issue 20) in a real headless Chromium (Debian's chromium driven
 * by playwright-core, as the benchmark does), at a fixed instant: it renders without JavaScript,
 * in the customer's language (its lines too), with its status, amount due, payment details and QR code, and a
 * screenshot is taken (docs/invoice-page.png, linked from the README:
 * BILLFLOW_RECORD_SCREENSHOT=1 npx vitest run test/integration/invoice-page.test.ts rewrites it).
 *
 * The page is served here by a small HTTP server, so that what it shows does not depend on the
 * day the test runs. The page as the HTTP API serves it (tokens, headers, CSP, 404, the PDF
 * download, axe-core) is tested in invoice-page-link.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { renderInvoicePage } from '#adapters/html/invoice-page.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';
import { CHROMIUM_ARGS, ensureChromium } from '../bench/chromium.ts';

const NOW = Date.parse('2026-12-10T09:00:00Z');
/** docs/invoice-page.png (linked from the README) is rewritten only on request, so test runs leave the tree clean. */
const SCREENSHOT =
  process.env.BILLFLOW_RECORD_SCREENSHOT === '1'
    ? resolve(import.meta.dirname, '../../docs/invoice-page.png')
    : join(mkdtempSync(join(tmpdir(), 'billflow-page-')), 'invoice-page.png');
const invoice = anInvoice({ language: 'de' });
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  const page = renderInvoicePage(invoice, { pdf: 'pdf' }, NOW);
  server = createServer((request, response) => {
    const headers = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };
    if (request.url === '/i/token/') response.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(page);
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
    expect(await page.textContent('tbody')).toContain('Grundgebühr, Tarif pro');
    expect(await page.locator('script').count()).toBe(0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await context.close();
  });
});
