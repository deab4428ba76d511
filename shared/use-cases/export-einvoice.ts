/**
 * One invoice as an e-invoice XML document, in any format, on demand (`billflow invoices xml`).
 *
 * 1. Find the invoice by its number.
 * 2. Write it in the format asked for, with the e-invoice data the invoice recorded from the
 *    catalog (buyer reference, seller contact, Peppol ids), each overridden by the one given;
 *    the Factur-X XML with no overrides is byte for byte the one embedded in the invoice's PDF.
 */
import { einvoiceDocument, type EInvoiceDocument } from '#domain/einvoice/einvoice.ts';
import type { EInvoiceFormat } from '#domain/einvoice/format.ts';
import type { EInvoiceOptions } from '#domain/einvoice/model.ts';
import type { InvoiceRepository } from '#ports/invoice-repository.ts';
import { EInvoiceNotFoundError } from './errors.ts';

export async function exportEInvoice(
  number: string,
  format: EInvoiceFormat,
  options: EInvoiceOptions,
  deps: { readonly invoices: Pick<InvoiceRepository, 'findByNumber'> },
): Promise<EInvoiceDocument> {
  const invoice = await deps.invoices.findByNumber(number);
  if (invoice === undefined) throw new EInvoiceNotFoundError(`no invoice ${number}: see billflow invoices list`);
  return einvoiceDocument(invoice, format, { ...invoice.einvoice?.options, ...options });
}
