/**
 * Links to the hosted invoice page (issue 20, CONTRACTS.md: `{apiUrl}/i/{token}`). The token is
 * the only credential: 32 random bytes (256 bits) as base64url, so it cannot be guessed, and only
 * its SHA-256 is stored (as API keys are: a fast hash loses nothing on a secret this long).
 * Pure: generating and hashing happen in the use case.
 *
 * A link expires (docs/invoicing.md, "The invoice page"): by default 180 days after it was made,
 * which covers payment terms, the dunning reminders (20 days overdue by default) and the weeks a
 * customer may come back for the PDF, while a forwarded or leaked email stops opening the invoice
 * after half a year. A new link is one `billflow invoices link` (or `resend`) away.
 */

/** 32 random bytes as base64url without padding: 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const PAGE_TOKEN_BYTES = 32;
/** How long a new link opens the page unless configured otherwise (INVOICE_PAGE_LINK_DAYS, `invoices link --valid-days`). */
export const DEFAULT_PAGE_LINK_DAYS = 180;
/** The longest validity accepted: ten years, as long as an invoice must be kept. */
export const MAX_PAGE_LINK_DAYS = 3650;
const DAY_MS = 86_400_000;

export interface InvoicePageToken {
  /** SHA-256 of the token, hex. */
  readonly hash: string;
  readonly invoiceNumber: string;
  readonly createdAt: string;
  /** From this instant on the token opens nothing (whole seconds: DynamoDB's TTL keeps epoch seconds). */
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

/** When a link made at `createdAtMs`, valid for `days`, expires: whole seconds, rounded down. */
export function pageLinkExpiry(createdAtMs: number, days: number = DEFAULT_PAGE_LINK_DAYS): string {
  return new Date(Math.floor((createdAtMs + days * DAY_MS) / 1000) * 1000).toISOString();
}

/** Whether the token still opens its invoice's page at `nowMs`: not revoked and not expired. */
export function pageTokenOpens(token: InvoicePageToken, nowMs: number): boolean {
  return token.revokedAt === null && nowMs < Date.parse(token.expiresAt);
}

export function isWellFormedPageToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** The page's address under the HTTP API's base URL (with or without a trailing slash). */
export function invoicePageUrl(apiUrl: string, token: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/i/${token}`;
}
