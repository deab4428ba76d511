/**
 * The hosted invoice page's use case and answers without AWS (issue 20): which token opens what,
 * and the Content-Security-Policy that allows the page's own stylesheet and no script.
 */
import { describe, expect, it } from 'vitest';
import type { InvoicePageToken } from '#domain/invoice/page-link.ts';
import type { InvoicePageTokens } from '#ports/invoice-page-tokens.ts';
import { createInvoicePageLink, revokeInvoicePageLinks } from '#use-cases/invoice-page-links.ts';
import { showInvoicePage } from '#use-cases/show-invoice-page.ts';
import { contentSecurityPolicy } from '#functions/show-invoice-page/responses.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';

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
  const deps = {
    pageTokens,
    invoices: { findByNumber: (wanted: string) => Promise.resolve(wanted === number ? invoice : undefined) },
    documents: { get: (key: string) => (key === document.key ? Promise.resolve(PDF) : Promise.reject(new Error(`no ${key}`))) },
    now: () => Date.parse('2026-12-02T10:00:00Z'),
  };
  return { pageTokens, deps };
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

  it('open nothing for a void invoice', async () => {
    const { deps } = setUp({ ...issued, document, status: 'void' });
    const token = tokenOf(await createInvoicePageLink(number, 'https://api.example', deps));
    expect(await showInvoicePage(token, 'page', deps)).toEqual({ kind: 'not_found' });
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
