/**
 * The hosted invoice page (issue 20) served through the local HTTP API (infra/local/http-api.ts,
 * as `npm start` runs it) by the real show-invoice-page handler: the invoice email carries a link
 * to it, the page opens in a real headless Chromium with the headers it is to be served with,
 * axe-core finds no serious or critical accessibility violation on it, its PDF link downloads the bytes S3 holds, `billflow invoices link` (and `resend`) makes a new link and `--revoke`
 * turns every link into the plain 404 page, as an expired link is.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalHttpApi, type LocalHttpApi } from '#infra/local/http-api.ts';
import { localFunctionEnvironment, localOutputs } from '#infra/local/function-environment.ts';
import { tables } from '#infra/resources.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbInvoicePageTokenStore } from '#adapters/dynamodb/invoice-page-token-store.ts';
import { createInvoicePageLink, hashPageToken } from '#use-cases/invoice-page-links.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { CUSTOMERS_ENTERED, invoicingCatalog, proCustomer } from '#test-support/invoicing-catalog.ts';
import { createTestStack, TEST_REGION, type TestStack } from '#test-support/local-stack.ts';
import { runScheduledInvoiceRun, startTestWorkers } from '#test-support/local-functions.ts';
import { drainDelivery, emailsTo } from '#test-support/delivery-harness.ts';
import { runBillflow } from '#test-support/billflow-cli.ts';
import { CHROMIUM_ARGS, ensureChromium } from '../bench/chromium.ts';

const CUSTOMER = proCustomer('cus_page', { language: 'fr' });
const LINK = /https?:\/\/\S+\/i\/[A-Za-z0-9_-]{43}/;

let stack: TestStack;
let workers: { stop(): Promise<void> };
let api: LocalHttpApi;
let browser: Browser;
let outputsFile: string;
let invoice: Invoice;
let emailedLink: string;

async function billflow(...args: string[]): Promise<string> {
  const result = await runBillflow(outputsFile, args);
  if (result.code !== 0) throw new Error(`billflow ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout.trim();
}

async function storedPdf(key: string): Promise<Buffer> {
  const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: invoice.document!.bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

beforeAll(async () => {
  stack = await createTestStack({ visibilityTimeoutSeconds: 3 });
  const billingTable = stack.env[tables.billing.envVar]!;
  const catalog = await applyCatalog(
    invoicingCatalog([CUSTOMER]),
    new DynamoDbCatalogRepository(stack.clients.dynamodb, billingTable, CUSTOMERS_ENTERED),
  );
  if (!catalog.ok) throw new Error('catalog invalid');
  Object.assign(process.env, localFunctionEnvironment(stack, stack.endpoints, TEST_REGION, { verbose: false }));
  api = await startLocalHttpApi({ port: 0, region: TEST_REGION, prefix: 'page-test', onError: (id, error) => console.error(id, error) });
  // As `npm start` does: send-invoice links the emails to this API's pages.
  process.env.INVOICE_PAGE_BASE_URL = api.url;
  workers = await startTestWorkers(stack, 'page-test');
  const workDir = mkdtempSync(join(tmpdir(), 'billflow-page-'));
  outputsFile = join(workDir, 'outputs.json');
  writeFileSync(outputsFile, JSON.stringify(localOutputs(stack, stack.endpoints, TEST_REGION, 'http://127.0.0.1:0/', { url: api.url })));
  // October's invoice (the plan's minimum), finalized, rendered and emailed.
  await runScheduledInvoiceRun('2026-11-01T02:00:00Z');
  await drainDelivery(stack);
  invoice = (await new DynamoDbInvoiceRepository(stack.clients.dynamodb, billingTable).get(CUSTOMER.id, '2026-10'))!;
  browser = await chromium.launch({ executablePath: ensureChromium(), args: [...CHROMIUM_ARGS] });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await workers?.stop();
  delete process.env.INVOICE_PAGE_BASE_URL;
});

describe('the hosted invoice page through the local HTTP API', () => {
  it('is linked from the invoice email, in its text and its HTML, in the customer’s language', async () => {
    // Act
    const [email] = await emailsTo(stack, CUSTOMER.email);

    // Assess
    expect(invoice.deliveryStatus).toBe('sent');
    const inText = LINK.exec(email!.body.text ?? '')?.[0];
    expect(inText).toBeDefined();
    expect(email!.body.text).toContain(`Voir la facture en ligne : ${inText}`);
    expect(email!.body.html).toContain(`<a href="${inText}">Voir la facture en ligne</a>`);
    expect(inText!.startsWith(`${api.url}/i/`)).toBe(true);
    emailedLink = inText!;
  });

  it('opens in Chromium without JavaScript: 200, no-store, no-referrer, nosniff, a CSP without scripts', async () => {
    // Prepare
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();

    // Act
    const response = await page.goto(emailedLink);

    // Assess
    expect(response!.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(headers['content-security-policy']).not.toContain('script-src');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.textContent('h1')).toBe(`Facture ${invoice.number}`);
    // The inline stylesheet is allowed by its hash: the status badge has its border.
    expect(
      await page
        .locator('.status')
        .evaluate(
          (element) =>
            (globalThis as unknown as { getComputedStyle(of: unknown): { borderTopStyle: string } }).getComputedStyle(element)
              .borderTopStyle,
        ),
    ).toBe('solid');
    await context.close();
  });

  it('has no serious or critical accessibility violations as served (axe-core)', async () => {
    // Prepare: axe-core is a script, and the page's CSP (rightly) runs none; bypassCSP lets the
    // test inject it. Only this check bypasses the CSP: the test above opens the page under it.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(emailedLink);
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });

    // Act
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe;
      return (await axe.run()).violations.map(({ id, impact }) => ({ id, impact }));
    });

    // Assess
    expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')).toEqual([]);
    // The page axe checked is the invoice as served (its stylesheet applied), not the 404 page.
    expect(await page.textContent('h1')).toBe(`Facture ${invoice.number}`);
    await context.close();
  });

  it('downloads, from its PDF link, the bytes S3 holds', async () => {
    // Prepare
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(emailedLink);

    // Act
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);

    // Assess
    expect(download.suggestedFilename()).toBe(`${invoice.number}.pdf`);
    expect(readFileSync(await download.path()).equals(await storedPdf(invoice.document!.key))).toBe(true);
    await context.close();
  });

  it('gives a new link with `invoices link` and in a resent email, and a plain 404 for every link after `--revoke`, as for an unknown token', async () => {
    // Prepare
    const fresh = await billflow('invoices', 'link', invoice.number!);
    const before = await fetch(fresh);
    await billflow('invoices', 'resend', invoice.number!);
    const resent = LINK.exec((await emailsTo(stack, CUSTOMER.email))[1]?.body.text ?? '')?.[0];

    // Act
    const revoked = JSON.parse(await billflow('invoices', 'link', invoice.number!, '--revoke', '--json')) as { revoked: number };

    // Assess
    expect(fresh).toMatch(LINK);
    expect(fresh).not.toBe(emailedLink);
    expect(before.status).toBe(200);
    expect(resent).toBeDefined();
    expect(new Set([emailedLink, fresh, resent]).size).toBe(3);
    expect(revoked.revoked).toBe(3);
    const unknown = `${api.url}/i/${'A'.repeat(43)}`;
    for (const url of [emailedLink, `${emailedLink}/pdf`, fresh, resent!, unknown, `${api.url}/i/not-a-token`]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.text()).toContain('<h1>Not found</h1>');
    }
  });

  it('answers the plain 404 for a link that expired, and `invoices link` gives the invoice a new one, valid 180 days, stored with its TTL (--revoke counts only the links still valid)', async () => {
    // Prepare: a link made 181 days ago (the clock injected at its creation), as the stored token of a long-gone email.
    const billingTable = stack.env[tables.billing.envVar]!;
    const pageTokens = new DynamoDbInvoicePageTokenStore(stack.clients.dynamodb, billingTable);
    const madeAt = Date.now() - 181 * 86_400_000;
    const expired = await createInvoicePageLink(invoice.number!, api.url, { pageTokens, now: () => madeAt });

    // Act
    const expiredAnswer = await fetch(expired);
    const issued = JSON.parse(await billflow('invoices', 'link', invoice.number!, '--json')) as { url: string; expiresAt: string };
    const freshAnswer = await fetch(issued.url);

    // Assess
    expect(expiredAnswer.status).toBe(404);
    expect(expiredAnswer.headers.get('cache-control')).toBe('no-store');
    expect(await expiredAnswer.text()).toContain('<h1>Not found</h1>');
    expect(freshAnswer.status).toBe(200);
    const validForMs = Date.parse(issued.expiresAt) - Date.now();
    expect(validForMs).toBeGreaterThan(179 * 86_400_000);
    expect(validForMs).toBeLessThanOrEqual(180 * 86_400_000);
    const token = issued.url.slice(issued.url.lastIndexOf('/') + 1);
    const { Item } = await stack.clients.dynamodb.send(
      new GetCommand({ TableName: billingTable, Key: { pk: `PAGE_TOKEN#${hashPageToken(token)}`, sk: 'PAGE_TOKEN' } }),
    );
    // The table's TTL attribute: epoch seconds, so DynamoDB deletes the token once it has expired.
    expect(Item?.expiresAt).toBe(Date.parse(issued.expiresAt) / 1000);
    // Revoking counts the fresh link only: the expired one was no longer valid.
    const revoked = JSON.parse(await billflow('invoices', 'link', invoice.number!, '--revoke', '--json')) as { revoked: number };
    expect(revoked.revoked).toBe(1);
    expect((await fetch(issued.url)).status).toBe(404);
  });
});
