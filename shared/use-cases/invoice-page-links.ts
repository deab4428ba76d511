/**
 * Links to the hosted invoice page: created when an invoice is emailed (and by `billflow
 * invoices link`), revoked all at once by `billflow invoices link --revoke`, and resolved by
 * the page's function. Only the token's SHA-256 is stored, so a link cannot be shown again:
 * a lost one is replaced by a new one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { invoicePageUrl, isWellFormedPageToken, PAGE_TOKEN_BYTES } from '#domain/invoice/page-link.ts';
import type { InvoicePageTokens } from '#ports/invoice-page-tokens.ts';

export interface PageLinkDependencies {
  readonly pageTokens: InvoicePageTokens;
  readonly now: () => number;
}

export function hashPageToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new link to invoice `number`'s page under `apiUrl`. */
export async function createInvoicePageLink(number: string, apiUrl: string, deps: PageLinkDependencies): Promise<string> {
  const token = randomBytes(PAGE_TOKEN_BYTES).toString('base64url');
  await deps.pageTokens.create({
    hash: hashPageToken(token),
    invoiceNumber: number,
    createdAt: new Date(deps.now()).toISOString(),
    revokedAt: null,
  });
  return invoicePageUrl(apiUrl, token);
}

/** Revokes every link to invoice `number`'s page; how many were still valid. */
export function revokeInvoicePageLinks(number: string, deps: PageLinkDependencies): Promise<number> {
  return deps.pageTokens.revokeAll(number, new Date(deps.now()).toISOString());
}

/** The invoice number a token opens, or undefined for a malformed, unknown or revoked token. */
export async function invoiceOfPageToken(token: string, pageTokens: InvoicePageTokens): Promise<string | undefined> {
  if (!isWellFormedPageToken(token)) return undefined;
  const found = await pageTokens.findByHash(hashPageToken(token));
  return found === undefined || found.revokedAt !== null ? undefined : found.invoiceNumber;
}
