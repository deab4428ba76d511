import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { mergeIntoHead } from '#domain/catalog/merge.ts';
import { formatIssue, validateCatalogDocument } from '#domain/catalog/validate.ts';
import type { CatalogHead, Issuer } from '#domain/catalog/types.ts';
import { invoiceEInvoice } from '#domain/einvoice/settings.ts';
import { issuer } from '#test-support/invoicing-catalog.ts';

const ISSUER: Issuer = issuer;
const HEAD: CatalogHead = {
  issuer: { ...ISSUER, einvoice: { contactName: 'Accounts receivable', contactPhone: '+49 30 1234567', peppolId: '0088:4035811991021' } },
  taxRates: { DE: '19' },
  meters: [],
  plans: [{ code: 'pro', currency: 'EUR', baseFee: '49.00', charges: [] }],
};

const customer = (einvoice: unknown) => ({
  id: 'cus_46',
  name: 'Stadtverwaltung Musterstadt',
  email: 'rechnungseingang@musterstadt.example',
  address: { line1: 'Rathausplatz 1', city: 'Musterstadt', postalCode: '12345', country: 'DE' },
  plan: 'pro',
  einvoice,
});

function issues(einvoice: unknown, head: CatalogHead = HEAD): string[] {
  const result = validateCatalogDocument({ customers: [customer(einvoice)] }, head);
  return result.ok ? [] : result.issues.map(formatIssue);
}

describe('catalog einvoice', () => {
  it('accepts docs/examples/catalog-einvoice.yaml after docs/examples/catalog.yaml', () => {
    // Prepare
    const read = (name: string) => parse(readFileSync(new URL(`../../docs/examples/${name}`, import.meta.url), 'utf8')) as unknown;
    const base = validateCatalogDocument(read('catalog.yaml'), { taxRates: {}, meters: [], plans: [] });
    if (!base.ok) throw new Error('docs/examples/catalog.yaml is invalid');

    // Act
    const result = validateCatalogDocument(
      read('catalog-einvoice.yaml'),
      mergeIntoHead({ taxRates: {}, meters: [], plans: [] }, base.document),
    );

    // Assess
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
    expect(result.ok && result.document.customers?.[0]?.einvoice).toEqual({ format: 'xrechnung-cii', buyerReference: '04011000-12345-34' });
  });

  it('accepts each format with what it needs, and keeps it on the customer', () => {
    // Prepare / Act
    const found = [
      issues({ format: 'facturx' }),
      issues({ format: 'xrechnung-cii', buyerReference: '04011000-12345-34' }),
      issues({ format: 'xrechnung-ubl', buyerReference: '04011000-12345-34' }),
      issues({ format: 'peppol', peppolId: '0088:5790000435968' }),
    ];
    const result = validateCatalogDocument({ customers: [customer({ format: 'peppol', peppolId: '0088:5790000435968' })] }, HEAD);

    // Assess
    expect(found).toEqual([[], [], [], []]);
    expect(result.ok && result.document.customers?.[0]?.einvoice).toEqual({ format: 'peppol', peppolId: '0088:5790000435968' });
  });

  it('refuses an XRechnung format without the Leitweg-ID, by its path', () => {
    expect(issues({ format: 'xrechnung-cii' })).toEqual([
      'customers[0].einvoice.buyerReference: is required for xrechnung-cii: the buyer\'s Leitweg-ID (BT-10), such as "04011000-12345-34"',
    ]);
    expect(issues({ format: 'xrechnung-ubl', buyerReference: '  ' })).toEqual(['customers[0].einvoice.buyerReference: must not be empty']);
  });

  it('refuses Peppol without the buyer Peppol id, and a Peppol id not shaped SCHEME:ID', () => {
    expect(issues({ format: 'peppol' })).toEqual([
      'customers[0].einvoice.peppolId: is required for peppol: the buyer\'s Peppol participant id (BT-49) as SCHEME:ID, such as "0088:5790000435968"',
    ]);
    expect(issues({ format: 'peppol', peppolId: '5790000435968' })).toEqual([
      'customers[0].einvoice.peppolId: must be an electronic address as SCHEME:ID with a 4-digit EAS scheme code, such as "0088:4035811991021"',
    ]);
  });

  it('refuses an unknown format and an unknown field', () => {
    expect(issues({ format: 'zugferd' })).toEqual([
      'customers[0].einvoice.format: must be one of facturx, xrechnung-cii, xrechnung-ubl, peppol',
    ]);
    expect(issues({ format: 'facturx', leitwegId: 'x' })[0]).toMatch(/^customers\[0\]\.einvoice\.leitwegId: unknown field/);
  });

  it('asks for the issuer data a format needs, from this document or the applied head', () => {
    // Prepare
    const bare: CatalogHead = { ...HEAD, issuer: ISSUER };

    // Act / Assess
    expect(issues({ format: 'xrechnung-cii', buyerReference: '04011000-12345-34' }, bare)).toEqual([
      "customers[0].einvoice.format: xrechnung-cii needs issuer.einvoice.contactName and issuer.einvoice.contactPhone (the seller's contact, BT-41/BT-42); add it to the issuer",
    ]);
    expect(issues({ format: 'peppol', peppolId: '0088:5790000435968' }, bare)).toEqual([
      "customers[0].einvoice.format: peppol needs issuer.einvoice.peppolId (the seller's Peppol id, BT-34); add it to the issuer",
    ]);
    const withIssuer = validateCatalogDocument(
      {
        issuer: { ...ISSUER, einvoice: { peppolId: '0088:4035811991021' } },
        customers: [customer({ format: 'peppol', peppolId: '0088:1' })],
      },
      bare,
    );
    expect(withIssuer.ok).toBe(true);
  });

  it('turns the catalog data into the e-invoice options the invoice records', () => {
    // Act
    const settings = invoiceEInvoice(HEAD.issuer!, {
      ...customer({ format: 'peppol', buyerReference: 'PO-4711', peppolId: '0088:5790000435968' }),
      paymentTermsDays: 30,
      einvoice: { format: 'peppol', buyerReference: 'PO-4711', peppolId: '0088:5790000435968' },
    });

    // Assess
    expect(settings).toEqual({
      format: 'peppol',
      options: {
        buyerReference: 'PO-4711',
        buyerEndpoint: { scheme: '0088', id: '5790000435968' },
        sellerEndpoint: { scheme: '0088', id: '4035811991021' },
        sellerContact: { name: 'Accounts receivable', telephone: '+49 30 1234567' },
      },
    });
    expect(invoiceEInvoice(HEAD.issuer!, { ...customer(undefined), paymentTermsDays: 30, einvoice: undefined })).toBeUndefined();
  });
});
