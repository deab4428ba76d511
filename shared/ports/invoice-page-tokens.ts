import type { InvoicePageToken } from '#domain/invoice/page-link.ts';

/** Tokens of the hosted invoice page by their hash (the token itself is never stored). */
export interface InvoicePageTokens {
  /** Stores a new token (its hash is new: 256 random bits). */
  create(token: InvoicePageToken): Promise<void>;
  findByHash(hash: string): Promise<InvoicePageToken | undefined>;
  /** Marks every token of the invoice revoked (a token already revoked keeps its first time); returns how many were still valid (neither revoked nor expired). */
  revokeAll(invoiceNumber: string, at: string): Promise<number>;
}
