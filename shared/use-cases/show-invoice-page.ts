/**
 * What the hosted invoice page answers (issue 20): for a valid token, the invoice's page in its
 * language or one of its documents (the PDF, the e-invoice XML) byte for byte as stored; for a
 * malformed, unknown, revoked or expired token, or an invoice that is no longer due to anyone (void), not
 * found (the page itself is rendered by the caller). Nothing tells an unknown token from a revoked or expired one.
 */
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { InvoicePageTokens } from '#ports/invoice-page-tokens.ts';
import type { IssuedInvoices } from '#ports/invoice-repository.ts';
import { invoiceOfPageToken } from './invoice-page-links.ts';

export type InvoicePageRequest = 'page' | 'pdf' | 'xml';

export interface InvoicePageDependencies {
  readonly pageTokens: InvoicePageTokens;
  readonly invoices: Pick<IssuedInvoices, 'findByNumber'>;
  readonly documents: Pick<DocumentStore, 'get'>;
  /** The clock a token's expiry is judged by. */
  readonly now: () => number;
}

export type InvoicePageAnswer =
  | { readonly kind: 'page'; readonly invoice: Invoice; readonly links: { readonly pdf: string; readonly xml?: string } }
  | { readonly kind: 'document'; readonly body: Buffer; readonly contentType: string; readonly fileName: string }
  | { readonly kind: 'not_found' };

const NOT_FOUND = { kind: 'not_found' } as const;

export async function showInvoicePage(
  token: string,
  request: InvoicePageRequest,
  deps: InvoicePageDependencies,
): Promise<InvoicePageAnswer> {
  const number = await invoiceOfPageToken(token, deps.pageTokens, deps.now());
  if (number === undefined) return NOT_FOUND;
  const invoice = await deps.invoices.findByNumber(number);
  if (invoice === undefined || !hasPage(invoice)) return NOT_FOUND;
  if (request === 'page') {
    // Relative to `/i/{token}`: the downloads stay on this origin (so `download` names the file) under the same token.
    const links = { pdf: `${token}/pdf`, ...(invoice.einvoiceDocument === undefined ? {} : { xml: `${token}/xml` }) };
    return { kind: 'page', invoice, links };
  }
  if (request === 'pdf') {
    return {
      kind: 'document',
      body: await deps.documents.get(invoice.document!.key),
      contentType: 'application/pdf',
      fileName: `${number}.pdf`,
    };
  }
  if (invoice.einvoiceDocument === undefined) return NOT_FOUND;
  return {
    kind: 'document',
    body: await deps.documents.get(invoice.einvoiceDocument.key),
    contentType: 'application/xml',
    fileName: `${number}.xml`,
  };
}

/** A finalized invoice whose PDF is stored: a void one is owed by no one any more. */
function hasPage(invoice: Invoice): boolean {
  return invoice.status === 'finalized' && invoice.number !== null && invoice.document !== null;
}
