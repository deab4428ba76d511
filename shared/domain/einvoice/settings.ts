/**
 * A customer's e-invoice choice as the invoice records it (the catalog's `einvoice` of the
 * customer and of the issuer), taken when the invoice is built: an issued invoice keeps the
 * Leitweg-ID and Peppol ids it was issued with, whatever the catalog says later.
 */
import type { Customer, Issuer } from '../catalog/types.ts';
import type { Invoice } from '../invoice/invoice.ts';
import type { EInvoiceFormat } from './format.ts';
import type { EInvoiceOptions, ElectronicAddress } from './model.ts';

export interface InvoiceEInvoice {
  /** The format of the XML stored beside the PDF and attached to the email (none for `facturx`). */
  readonly format: EInvoiceFormat;
  readonly options: EInvoiceOptions;
}

/** Undefined for a customer without `einvoice`: the invoice record stays as it was before e-invoices. */
export function invoiceEInvoice(issuer: Issuer, customer: Customer): InvoiceEInvoice | undefined {
  if (customer.einvoice === undefined) return undefined;
  const { format, buyerReference, peppolId } = customer.einvoice;
  const seller = issuer.einvoice ?? {};
  const contact = {
    ...(seller.contactName === undefined ? {} : { name: seller.contactName }),
    ...(seller.contactPhone === undefined ? {} : { telephone: seller.contactPhone }),
  };
  return {
    format,
    options: {
      ...(buyerReference === undefined ? {} : { buyerReference }),
      ...(peppolId === undefined ? {} : { buyerEndpoint: electronicAddress(peppolId) }),
      ...(seller.peppolId === undefined ? {} : { sellerEndpoint: electronicAddress(seller.peppolId) }),
      ...(Object.keys(contact).length === 0 ? {} : { sellerContact: contact }),
    },
  };
}

/** The format of the separate XML document, if the customer gets one (Factur-X lives in the PDF). */
export function separateXmlFormat(invoice: Invoice): EInvoiceFormat | undefined {
  const format = invoice.einvoice?.format;
  return format === undefined || format === 'facturx' ? undefined : format;
}

/** "0088:4035811991021" -> { scheme: '0088', id: '4035811991021' } (validated by the catalog). */
export function electronicAddress(value: string): ElectronicAddress {
  const colon = value.indexOf(':');
  return { scheme: value.slice(0, colon), id: value.slice(colon + 1) };
}
