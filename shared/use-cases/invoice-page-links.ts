/**
 * Links to the hosted invoice page: created when an invoice is emailed (and by `billflow
 * invoices link`), revoked all at once by `billflow invoices link --revoke`, and resolved by
 * the page's function. Only the token's SHA-256 is stored, so a link cannot be shown again:
 * a lost one is replaced by a new one. Each link expires (`validDays`, 180 by default): an
 * expired one answers like an unknown one, and a new link is the remedy.
 */
import { createHash, randomBytes } from 'node:crypto';
import { invoicePageUrl, isWellFormedPageToken, PAGE_TOKEN_BYTES, pageLinkExpiry, pageTokenOpens } from '#domain/invoice/page-link.ts';
import type { InvoicePageTokens } from '#ports/invoice-page-tokens.ts';

export interface PageLinkDependencies {
  readonly pageTokens: InvoicePageTokens;
  readonly now: () => number;
  /** Days a new link opens the page; DEFAULT_PAGE_LINK_DAYS when absent. */
  readonly validDays?: number;
}

export function hashPageToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new link to invoice `number`'s page under `apiUrl`. */
export async function createInvoicePageLink(number: string, apiUrl: string, deps: PageLinkDependencies): Promise<string> {
  return (await issueInvoicePageLink(number, apiUrl, deps)).url;
}

/** A new link to invoice `number`'s page under `apiUrl`, and when it expires. */
export async function issueInvoicePageLink(
  number: string,
  apiUrl: string,
  deps: PageLinkDependencies,
): Promise<{ readonly url: string; readonly expiresAt: string }> {
  const token = randomBytes(PAGE_TOKEN_BYTES).toString('base64url');
  const now = deps.now();
  const expiresAt = pageLinkExpiry(now, deps.validDays);
  await deps.pageTokens.create({
    hash: hashPageToken(token),
    invoiceNumber: number,
    createdAt: new Date(now).toISOString(),
    expiresAt,
    revokedAt: null,
  });
  return { url: invoicePageUrl(apiUrl, token), expiresAt };
}

/** Revokes every link to invoice `number`'s page; how many were still valid. */
export function revokeInvoicePageLinks(number: string, deps: PageLinkDependencies): Promise<number> {
  return deps.pageTokens.revokeAll(number, new Date(deps.now()).toISOString());
}

/** The invoice number a token opens at `nowMs`, or undefined for a malformed, unknown, revoked or expired token. */
export async function invoiceOfPageToken(token: string, pageTokens: InvoicePageTokens, nowMs: number): Promise<string | undefined> {
  if (!isWellFormedPageToken(token)) return undefined;
  const found = await pageTokens.findByHash(hashPageToken(token));
  return found !== undefined && pageTokenOpens(found, nowMs) ? found.invoiceNumber : undefined;
}
