/**
 * The hosted invoice page's use case and answers without AWS (issue 20): which token opens what
 * and until when (the clock injected), and the Content-Security-Policy that allows the page's own stylesheet and no script.
 */
import { describe, expect, it } from 'vitest';
import { pageLinkExpiry, type InvoicePageToken } from '#domain/invoice/page-link.ts';
import type { InvoicePageTokens } from '#ports/invoice-page-tokens.ts';
import { createInvoicePageLink, issueInvoicePageLink, revokeInvoicePageLinks } from '#use-cases/invoice-page-links.ts';
import { showInvoicePage } from '#use-cases/show-invoice-page.ts';
import { contentSecurityPolicy } from '#functions/show-invoice-page/responses.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';
import { readDeliveryConfig } from '#shared/config.ts';

class MemoryPageTokens implements InvoicePageTokens {
  readonly tokens = new Map<string, InvoicePageToken>();
  create(token: InvoicePageToken): Promise<void> {
    this.tokens.set(token.hash, token);
    return Promise.resolve();
  }
  findByHash(hash: string): Promise<InvoicePageToken | undefined> {
    return Promise.resolve(this.tokens.get(hash));
  }
  revokeAll(invoiceNumber: string, at: string): Promise<number> {
    const valid = [...this.tokens.values()].filter((token) => token.invoiceNumber === invoiceNumber && token.revokedAt === null);
    for (const token of valid) this.tokens.set(token.hash, { ...token, revokedAt: at });
    return Promise.resolve(valid.length);
  }
}

const PDF = Buffer.from('%PDF-1.7 the stored bytes');
const issued = anInvoice();
const number = issued.number!;
const document = {
  bucket: 'invoices',
  key: `invoices/ACME/2026/${number}.pdf`,
  sha256: 'x',
  bytes: PDF.length,
  renderedAt: '2026-12-01T02:00:00Z',
};

function setUp(invoice = { ...issued, document }) {
  const pageTokens = new MemoryPageTokens();
  const clock = { now: Date.parse('2026-12-02T10:00:00Z') };
  const deps = {
    pageTokens,
    invoices: { findByNumber: (wanted: string) => Promise.resolve(wanted === number ? invoice : undefined) },
    documents: { get: (key: string) => (key === document.key ? Promise.resolve(PDF) : Promise.reject(new Error(`no ${key}`))) },
    now: () => clock.now,
  };
  return { pageTokens, deps, clock };
}

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

describe('invoice page links', () => {
  it('are the API URL, /i/ and 43 base64url characters (256 bits), stored only as their SHA-256', async () => {
    const { pageTokens, deps } = setUp();
    const url = await createInvoicePageLink(number, 'https://api.example/', deps);
    expect(url).toMatch(/^https:\/\/api\.example\/i\/[A-Za-z0-9_-]{43}$/);
    const [stored] = [...pageTokens.tokens.values()];
    expect(stored).toEqual({
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      invoiceNumber: number,
      createdAt: '2026-12-02T10:00:00.000Z',
      expiresAt: '2027-05-31T10:00:00.000Z', // 180 days
      revokedAt: null,
    });
    expect(JSON.stringify(stored)).not.toContain(tokenOf(url));
  });

  it('open the page with relative downloads and the PDF as stored, until revoked; unknown and malformed tokens open nothing', async () => {
    const { deps } = setUp();
    const token = tokenOf(await createInvoicePageLink(number, 'https://api.example', deps));
    const page = await showInvoicePage(token, 'page', deps);
    const pdf = await showInvoicePage(token, 'pdf', deps);
    const xml = await showInvoicePage(token, 'xml', deps);
    expect(page).toMatchObject({ kind: 'page', links: { pdf: `${token}/pdf` } });
    expect(page.kind === 'page' ? page.links.xml : 'no page').toBeUndefined();
    expect(pdf).toEqual({ kind: 'document', body: PDF, contentType: 'application/pdf', fileName: `${number}.pdf` });
    expect(xml).toEqual({ kind: 'not_found' });
    expect(await showInvoicePage('A'.repeat(43), 'page', deps)).toEqual({ kind: 'not_found' });
    expect(await showInvoicePage('../etc', 'page', deps)).toEqual({ kind: 'not_found' });
    expect(await revokeInvoicePageLinks(number, deps)).toBe(1);
    expect(await showInvoicePage(token, 'page', deps)).toEqual({ kind: 'not_found' });
    expect(await showInvoicePage(token, 'pdf', deps)).toEqual({ kind: 'not_found' });
  });

  it('expire 180 days after they were made: the last second opens the page, the expiry itself answers not found', async () => {
    // Prepare
    const { deps, clock } = setUp();
    const token = tokenOf(await createInvoicePageLink(number, 'https://api.example', deps));

    // Act
    clock.now = Date.parse('2027-05-31T09:59:59Z');
    const lastSecond = await showInvoicePage(token, 'page', deps);
    clock.now = Date.parse('2027-05-31T10:00:00Z');
    const expiredPage = await showInvoicePage(token, 'page', deps);
    const expiredPdf = await showInvoicePage(token, 'pdf', deps);

    // Assess
    expect(lastSecond.kind).toBe('page');
    expect(expiredPage).toEqual({ kind: 'not_found' });
    expect(expiredPdf).toEqual({ kind: 'not_found' });
  });

  it('last as many days as configured, and a new link for an invoice whose link expired opens it again', async () => {
    // Prepare
    const { pageTokens, deps, clock } = setUp();
    const weekLong = { ...deps, validDays: 7 };
    const old = tokenOf(await createInvoicePageLink(number, 'https://api.example', weekLong));
    clock.now = Date.parse('2026-12-09T10:00:01Z');

    // Act
    const expired = await showInvoicePage(old, 'page', deps);
    const fresh = await issueInvoicePageLink(number, 'https://api.example', weekLong);

    // Assess
    expect(expired).toEqual({ kind: 'not_found' });
    expect(fresh.expiresAt).toBe('2026-12-16T10:00:01.000Z');
    expect((await showInvoicePage(tokenOf(fresh.url), 'page', deps)).kind).toBe('page');
    expect(pageTokens.tokens.size).toBe(2);
  });

  it('made at a fraction of a second expire on the whole second before (the TTL attribute is epoch seconds)', () => {
    expect(pageLinkExpiry(Date.parse('2026-12-31T23:59:59.999Z'), 1)).toBe('2027-01-01T23:59:59.000Z');
  });

  it('open nothing for a void invoice', async () => {
    const { deps } = setUp({ ...issued, document, status: 'void' });
    const token = tokenOf(await createInvoicePageLink(number, 'https://api.example', deps));
    expect(await showInvoicePage(token, 'page', deps)).toEqual({ kind: 'not_found' });
  });
});

describe('the validity of new links in send-invoice’s configuration', () => {
  const env = { BILLING_TABLE: 'billing', INVOICES_BUCKET: 'invoices', INVOICE_EMAILS_QUEUE_URL: 'http://queue' };

  it('is INVOICE_PAGE_LINK_DAYS, 180 when unset, and refused by name when not a whole number of days from 1 to 3650', () => {
    expect(readDeliveryConfig(env).invoicePageLinkDays).toBe(180);
    expect(readDeliveryConfig({ ...env, INVOICE_PAGE_LINK_DAYS: '30' }).invoicePageLinkDays).toBe(30);
    for (const wrong of ['0', '1.5', '3651', 'forever'])
      expect(() => readDeliveryConfig({ ...env, INVOICE_PAGE_LINK_DAYS: wrong })).toThrow(
        `INVOICE_PAGE_LINK_DAYS must be a whole number from 1 to 3650, got "${wrong}"`,
      );
  });
});

describe('the page’s Content-Security-Policy', () => {
  it('allows no script and only the inline stylesheet it was given, by its SHA-256', () => {
    const policy = contentSecurityPolicy('<style>body { color: red; }</style>');
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("style-src 'sha256-");
    expect(policy).not.toMatch(/script-src|unsafe-inline/);
    expect(contentSecurityPolicy('<p>no style</p>')).toContain("style-src 'none'");
  });
});
