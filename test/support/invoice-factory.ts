/**
 * Invoice record factories for renderer tests: a realistic finalized invoice (the CONTRACTS.md
 * issuer in Germany, a French business customer under reverse charge, November 2026), valid by
 * default and overridden per test. Totals and VAT are derived from the lines the way the domain
 * derives them (line nets summed per rate, VAT rounded half-up once per rate), so an override
 * of the lines, the currency or the tax treatment still gives a consistent invoice.
 */
import type { Invoice, InvoiceParty } from '#domain/invoice/invoice.ts';
import { phrase, type LinePhrase, type LineText } from '#domain/invoice/line-text.ts';
import type { InvoiceLine, TaxSubtotal, TaxTreatment } from '#domain/invoice/types.ts';
import { decimal, roundMinorUnits, toMinorUnits } from '#domain/money.ts';
import { REVERSE_CHARGE_LEGEND } from '#domain/tax/tax-treatment.ts';
import type { Issuer } from '#domain/catalog/types.ts';
import { issuer } from './invoicing-catalog.ts';

export const NOVEMBER_2026 = { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' } as const;
export const OCTOBER_2026 = { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' } as const;

export const REVERSE_CHARGE: TaxTreatment = { rate: '0', category: 'AE', legend: REVERSE_CHARGE_LEGEND };
export const GERMAN_VAT: TaxTreatment = { rate: '19', category: 'S', rateCountry: 'DE' };

/** The CONTRACTS.md issuer as the seller: the party draftInvoice makes of it. */
export const acmeSeller: InvoiceParty = sellerParty(issuer);

export const globexBuyer: InvoiceParty = {
  id: 'cus_42',
  name: 'Globex SARL',
  address: { line1: '1 rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
  vatId: 'FR12345678901',
  email: 'ap@globex.example',
};

/**
 * One invoice line; its net amount is quantity x unit price rounded half-up in `currency`
 * unless given. Tax fields are overwritten by anInvoice with the invoice's treatment.
 */
export function anInvoiceLine(overrides: Partial<InvoiceLine> = {}, currency = 'EUR'): InvoiceLine {
  const quantity = overrides.quantity ?? '1';
  const unitPrice = overrides.unitPrice ?? '10.00';
  return {
    kind: 'usage',
    description: 'api_calls',
    meter: 'api_calls',
    period: NOVEMBER_2026,
    unitCode: 'C62',
    taxRate: '0',
    taxCategory: 'AE',
    ...overrides,
    quantity,
    unitPrice,
    netAmount: overrides.netAmount ?? toMinorUnits(decimal(quantity).times(decimal(unitPrice)), currency),
  };
}

/** `count` lines described "Line 1".."Line count" (plus `suffix(i)`), with varied quantities and prices. */
export function numberedLines(count: number, options: { currency?: string; suffix?: (index: number) => string } = {}): InvoiceLine[] {
  return Array.from({ length: count }, (_, offset) => {
    const index = offset + 1;
    return anInvoiceLine(
      {
        description: `Line ${index}${options.suffix?.(index) ?? ''}`,
        quantity: String(index * 37),
        unitPrice: ['0.001', '0.25', '10.00', '0.0005'][index % 4] ?? '1',
      },
      options.currency ?? 'EUR',
    );
  });
}

/** The phrases of a line of api_calls priced by a graduated tier (line-text.ts). */
function apiCallsTier(range: LinePhrase, late?: string): LineText {
  const meter = { phrase: phrase('line.meter', { meter: { text: 'api_calls' } }) };
  return [phrase('line.graduated', { meter, range: { phrase: range } }), ...(late === undefined ? [] : [lateFrom(late)])];
}

function tokenPackages(units: string, late?: string): LineText {
  const meter = { phrase: phrase('line.meter', { meter: { text: 'tokens' } }) };
  return [
    phrase('line.package', { meter, units: { quantity: units }, size: { quantity: '1000' } }),
    ...(late === undefined ? [] : [lateFrom(late)]),
  ];
}

const lateFrom = (month: string) => phrase('line.lateUsage', { period: { month } });

/**
 * The eight lines of a month on the CONTRACTS.md `pro` plan, one of them late usage from October,
 * each with its English description and the phrases it was built from (as computeInvoice makes them).
 */
export function proPlanLines(): InvoiceLine[] {
  return [
    anInvoiceLine({
      kind: 'base_fee',
      description: 'Base fee, plan pro',
      describedAs: [phrase('line.baseFee', { plan: { text: 'pro' } })],
      meter: null,
      quantity: '1',
      unitPrice: '49.00',
    }),
    anInvoiceLine({
      description: 'api_calls, 1 – 10,000',
      describedAs: apiCallsTier(phrase('line.range.fromTo', { from: { quantity: '1' }, to: { quantity: '10000' } })),
      quantity: '10000',
      unitPrice: '0',
      tier: 1,
    }),
    anInvoiceLine({
      description: 'api_calls, 10,001 – 100,000',
      describedAs: apiCallsTier(phrase('line.range.fromTo', { from: { quantity: '10001' }, to: { quantity: '100000' } })),
      quantity: '90000',
      unitPrice: '0.001',
      tier: 2,
    }),
    anInvoiceLine({
      description: 'api_calls, 100,001 and above',
      describedAs: apiCallsTier(phrase('line.range.from', { from: { quantity: '100001' } })),
      quantity: '152340',
      unitPrice: '0.0005',
      tier: 3,
    }),
    anInvoiceLine({
      description: 'tokens: 2,324,001 in packages of 1,000',
      describedAs: tokenPackages('2324001'),
      meter: 'tokens',
      quantity: '2325',
      unitPrice: '0.02',
    }),
    anInvoiceLine({
      description: 'seats (peak)',
      describedAs: [phrase('line.meterPeak', { meter: { text: 'seats' } })],
      meter: 'seats',
      quantity: '12',
      unitPrice: '10.00',
    }),
    anInvoiceLine({
      description: 'api_calls, 100,001 and above, late usage from 2026-10',
      describedAs: apiCallsTier(phrase('line.range.from', { from: { quantity: '100001' } }), '2026-10'),
      quantity: '4210',
      unitPrice: '0.0005',
      tier: 3,
      period: OCTOBER_2026,
    }),
    anInvoiceLine({
      description: 'tokens: 48,000 in packages of 1,000, late usage from 2026-10',
      describedAs: tokenPackages('48000', '2026-10'),
      meter: 'tokens',
      quantity: '48',
      unitPrice: '0.02',
      period: OCTOBER_2026,
    }),
  ];
}

const DERIVED = ['taxSubtotals', 'netTotal', 'taxTotal', 'total', 'amountDue'] as const;

/**
 * A finalized, unpaid invoice. The lines' tax fields follow `tax`; unless the override sets
 * any of them, subtotals, totals and the amount due are derived from the lines.
 */
export function anInvoice(overrides: Partial<Invoice> = {}): Invoice {
  const number = overrides.number === undefined ? 'ACME-2026-000042' : overrides.number;
  const base: Invoice = {
    number,
    customerId: globexBuyer.id,
    billingPeriod: '2026-11',
    period: NOVEMBER_2026,
    status: 'finalized',
    paymentStatus: 'unpaid',
    currency: 'EUR',
    issueDate: '2026-12-01',
    dueDate: '2026-12-31',
    lines: proPlanLines(),
    taxSubtotals: [],
    netTotal: 0,
    taxTotal: 0,
    total: 0,
    amountPaid: 0,
    amountDue: 0,
    amountRefunded: 0,
    customerCredit: 0,
    payments: [],
    reminders: [],
    tax: REVERSE_CHARGE,
    legends: [REVERSE_CHARGE_LEGEND],
    seller: acmeSeller,
    buyer: globexBuyer,
    paymentMeans: { code: '58', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
    paymentReference: number,
    paymentTermsDays: 30,
    eventCount: 1_284_511,
    duplicateDeliveries: 312,
    readThrough: '2026-12-01T01:00:00.000Z',
    lateWindows: [],
    createdAt: '2026-12-01T00:05:00.000Z',
    updatedAt: '2026-12-01T02:00:00.000Z',
    finalizedAt: '2026-12-01T02:00:00.000Z',
    voidedAt: null,
    voidReason: null,
    notIssuedReason: null,
    deliveryStatus: 'pending',
    document: null,
    emails: [],
    deliveryProblem: null,
  };
  const invoice: Invoice = { ...base, ...overrides };
  // One tax treatment per invoice, as the domain decides it (shared/domain/tax/tax-treatment.ts).
  const lines = invoice.lines.map((line) => ({ ...line, taxRate: invoice.tax.rate, taxCategory: invoice.tax.category }));
  if (DERIVED.some((field) => field in overrides)) return { ...invoice, lines };
  const taxSubtotals = subtotals(lines);
  const netTotal = sum(lines.map((line) => line.netAmount));
  const taxTotal = sum(taxSubtotals.map((subtotal) => subtotal.taxAmount));
  const total = netTotal + taxTotal;
  return { ...invoice, lines, taxSubtotals, netTotal, taxTotal, total, amountDue: total - invoice.amountPaid };
}

/** A draft: no number, issue date, due date or payment reference yet. */
export function aDraftInvoice(overrides: Partial<Invoice> = {}): Invoice {
  return anInvoice({
    number: null,
    status: 'draft',
    issueDate: null,
    dueDate: null,
    paymentReference: null,
    finalizedAt: null,
    ...overrides,
  });
}

function subtotals(lines: readonly InvoiceLine[]): TaxSubtotal[] {
  const byRate = new Map<string, { category: TaxSubtotal['category']; taxable: number }>();
  for (const line of lines) {
    const entry = byRate.get(line.taxRate) ?? { category: line.taxCategory, taxable: 0 };
    entry.taxable += line.netAmount;
    byRate.set(line.taxRate, entry);
  }
  return [...byRate].map(([rate, { category, taxable }]) => ({
    rate,
    category,
    taxableAmount: taxable,
    taxAmount: roundMinorUnits(decimal(String(taxable)).times(decimal(rate)).div(100)),
  }));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function sellerParty({ invoicePrefix, name, address, vatId, email }: Issuer): InvoiceParty {
  return { id: invoicePrefix, name, address, vatId, email };
}
