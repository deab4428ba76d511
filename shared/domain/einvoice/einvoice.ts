/**
 * An issued invoice as an e-invoice XML document in the format a customer chose (or any format
 * on demand). Pure: the same invoice and options always give the same bytes, so the Factur-X
 * XML embedded in the PDF and the one stored beside it are identical.
 */
import type { Invoice } from '../invoice/invoice.ts';
import { writeCii } from './cii.ts';
import { einvoiceFileName, FORMAT_PROFILES, type EInvoiceFormat } from './format.ts';
import { einvoiceObstacle, toEn16931, type EInvoiceOptions } from './model.ts';
import { writeUbl } from './ubl.ts';

export interface EInvoiceDocument {
  readonly format: EInvoiceFormat;
  readonly fileName: string;
  readonly xml: string;
}

/** Whether the invoice can be an e-invoice at all: issued, in a currency EN 16931 can express. */
export function canBeEInvoice(invoice: Invoice): boolean {
  return einvoiceObstacle(invoice) === undefined;
}

export function einvoiceDocument(invoice: Invoice, format: EInvoiceFormat, options: EInvoiceOptions = {}): EInvoiceDocument {
  const model = toEn16931(invoice, format, options);
  const xml = FORMAT_PROFILES[format].syntax === 'cii' ? writeCii(model) : writeUbl(model);
  return { format, fileName: einvoiceFileName(format, model.number), xml };
}
