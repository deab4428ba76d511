/**
 * Links to the hosted invoice page (issue 20, CONTRACTS.md: `{apiUrl}/i/{token}`). The token is
 * the only credential: 32 random bytes (256 bits) as base64url, so it cannot be guessed, and only
 * its SHA-256 is stored (as API keys are: a fast hash loses nothing on a secret this long).
 * Pure: generating and hashing happen in the use case.
 */

/** 32 random bytes as base64url without padding: 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const PAGE_TOKEN_BYTES = 32;

export interface InvoicePageToken {
  /** SHA-256 of the token, hex. */
  readonly hash: string;
  readonly invoiceNumber: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export function isWellFormedPageToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** The page's address under the HTTP API's base URL (with or without a trailing slash). */
export function invoicePageUrl(apiUrl: string, token: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/i/${token}`;
}
