/**
 * E-invoices against the official rules (issue 17): every invoice of the demo catalog and of a
 * generator (every VAT treatment billflow decides, every pricing model, EUR and JPY, names
 * with & < and non-Latin scripts, many lines, late usage) is written in all four formats, and
 * each passes its XSD and every schematron rule set that applies (EN 16931, XRechnung,
 * Peppol BIS 3) with no fatal finding. A broken invoice and a missing Leitweg-ID fail, by rule.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Charge, Customer, Issuer, Meter, Plan } from '#domain/catalog/types.ts';
import { parseCatalogText } from '#domain/catalog/parse.ts';
import { validateCatalogDocument } from '#domain/catalog/validate.ts';
import { einvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { EINVOICE_FORMATS, type EInvoiceFormat } from '#domain/einvoice/format.ts';
import { type EInvoiceOptions } from '#domain/einvoice/model.ts';
import { EInvoiceDataError } from '#domain/errors.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { MeterUsage } from '#domain/invoice/types.ts';
import { issuedInvoice } from '#test-support/einvoice/issued-invoice.ts';
import { describeFindings, validateEInvoice } from '#adapters/einvoice-validation/validate-einvoice.ts';
import { anInvoice, numberedLines } from '#test-support/invoice-factory.ts';
import { issuer } from '#test-support/invoicing-catalog.ts';

/** What a customer on each format gives in the catalog: a Leitweg-ID, Peppol ids (GLNs, check digit valid). */
const OPTIONS: Readonly<Record<EInvoiceFormat, EInvoiceOptions>> = {
  facturx: {},
  'xrechnung-cii': { buyerReference: '04011000-12345-34', sellerContact: { name: 'Accounts receivable', telephone: '+49 30 1234567' } },
  'xrechnung-ubl': { buyerReference: '04011000-12345-34', sellerContact: { name: 'Accounts receivable', telephone: '+49 30 1234567' } },
  // Peppol's German national rules (DE-R-005/006) want the seller's contact too.
  peppol: {
    buyerReference: 'PO-4711',
    sellerContact: { name: 'Accounts receivable', telephone: '+49 30 1234567' },
    sellerEndpoint: { scheme: '0088', id: '4035811991021' },
    buyerEndpoint: { scheme: '0088', id: '5790000435968' },
  },
};

async function expectValidInAllFormats(invoice: Invoice): Promise<void> {
  for (const format of EINVOICE_FORMATS) {
    const { xml } = einvoiceDocument(invoice, format, OPTIONS[format]);
    const report = await validateEInvoice(xml);
    expect(
      report.errors,
      `${invoice.number} as ${format} (${invoice.buyer.name}, ${invoice.currency}, ${invoice.tax.category}):\n${describeFindings(report.errors)}`,
    ).toEqual([]);
    expect(report.steps.length).toBeGreaterThanOrEqual(2);
  }
}

const ISSUER: Issuer = issuer;

/** Every treatment of shared/domain/tax/tax-treatment.ts: S domestic and OSS, Z (a 0 % rate), AE, O. */
const TAX_RATES = { DE: '19', FR: '20', NL: '21', IE: '0' };
const SITUATIONS = [
  { country: 'DE', vatId: 'DE811907980', category: 'S' },
  { country: 'DE', category: 'S' },
  { country: 'FR', category: 'S' },
  { country: 'IE', category: 'Z' },
  { country: 'FR', vatId: 'FR40303265045', category: 'AE' },
  { country: 'US', category: 'O' },
  { country: 'JP', category: 'O' },
] as const;

const NAMES = [
  'Müller & Søn GmbH',
  'A<B> "Quotes" & \'Apostrophes\' Ltd',
  '株式会社さくらロボティクス',
  'Ελληνική Εταιρεία Α.Ε.',
  'ООО «Ромашка»',
  'شركة الاختبار',
  'Plain Name SARL',
];

const METERS: readonly Meter[] = [
  { code: 'api_calls', eventType: 'api.request', aggregation: 'count', unitCode: 'C62' },
  { code: 'storage', eventType: 'storage', aggregation: 'sum', valueProperty: 'gb', unitCode: 'E34' },
  { code: 'compute', eventType: 'compute', aggregation: 'sum', valueProperty: 'hours', unitCode: 'HUR' },
  { code: 'energy', eventType: 'energy', aggregation: 'sum', valueProperty: 'kwh', unitCode: 'KWH' },
];

const price = fc.constantFrom('0', '0.0005', '0.001', '0.25', '1.5', '10.00', '0.333333333333');
const wholeOrDecimal = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000 }).map(String),
  fc.integer({ min: 0, max: 99_999_999 }).map((n) => (n / 1000).toString()),
);

function chargeFor(meter: string): fc.Arbitrary<Charge> {
  const tiers = fc.tuple(
    fc.integer({ min: 1, max: 5000 }),
    fc.integer({ min: 1, max: 50_000 }),
    price,
    price,
    price,
    fc.option(fc.constantFrom('5.00', '0.50', '12.345'), { nil: undefined }),
  );
  return fc.oneof(
    price.map((unitPrice) => ({ meter, model: 'per_unit' as const, unitPrice })),
    fc.tuple(fc.constantFrom('graduated' as const, 'volume' as const), tiers).map(([model, [first, more, p1, p2, p3, flat]]) => ({
      meter,
      model,
      tiers: [
        { upTo: String(first), unitPrice: p1 },
        { upTo: String(first + more), unitPrice: p2, ...(flat === undefined ? {} : { flatPrice: flat }) },
        { upTo: null, unitPrice: p3 },
      ],
    })),
    fc
      .tuple(fc.constantFrom('100', '1000', '0.5'), price)
      .map(([packageSize, packagePrice]) => ({ meter, model: 'package' as const, packageSize, packagePrice })),
  );
}

const scenario = fc.record({
  currency: fc.constantFrom('EUR', 'JPY'),
  situation: fc.constantFrom(...SITUATIONS),
  name: fc
    .tuple(fc.constantFrom(...NAMES), fc.integer({ min: 1, max: 6 }))
    .map(([name, times]) => Array.from({ length: times }, () => name).join(' ')),
  baseFee: fc.constantFrom('0', '49.00', '19.99', '6000'),
  minimum: fc.option(fc.constantFrom('50.00', '100000'), { nil: undefined }),
  charges: fc.tuple(...METERS.map((meter) => chargeFor(meter.code))),
  usage: fc.tuple(...METERS.map(() => wholeOrDecimal)),
  late: fc.option(wholeOrDecimal, { nil: undefined }),
  paymentTermsDays: fc.constantFrom(0, 14, 30),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function scenarioInvoice(s: Scenario): Invoice {
  const plan: Plan = {
    code: 'generated',
    currency: s.currency,
    baseFee: s.currency === 'JPY' ? s.baseFee.replace(/\.\d+$/, '') : s.baseFee,
    ...(s.minimum === undefined ? {} : { minimumCommitment: s.currency === 'JPY' ? s.minimum.replace(/\.\d+$/, '') : s.minimum }),
    charges: s.charges,
  };
  const customer: Customer = {
    id: 'cus_generated',
    name: s.name,
    email: 'ap@customer.example',
    address: { line1: `${s.name.slice(0, 40)} Str. 1 & 2`, city: 'Город <Ort>', postalCode: '12345', country: s.situation.country },
    ...('vatId' in s.situation ? { vatId: s.situation.vatId } : {}),
    plan: plan.code,
    paymentTermsDays: s.paymentTermsDays,
  };
  const usage: MeterUsage[] = METERS.map((meter, index) => ({
    meter: meter.code,
    period: '2026-11',
    quantity: s.usage[index] ?? '0',
    eventCount: 1,
  }));
  if (s.late !== undefined) usage.push({ meter: 'storage', period: '2026-10', quantity: s.late, eventCount: 1 });
  return issuedInvoice({ issuer: ISSUER, customer, plan, meters: METERS, taxRates: TAX_RATES, period: '2026-11', usage });
}

/** One scenario per VAT situation, alternating the currency: every flat-fee, rounding and late-usage path at once. */
function exampleScenario(situation: Scenario['situation'], index: number): Scenario {
  const tiers = [
    { upTo: '10', unitPrice: '0.25' },
    { upTo: '100', unitPrice: '0.0005', flatPrice: '12.345' },
    { upTo: null, unitPrice: '1.5' },
  ];
  const volume = (meter: string): Charge => ({ meter, model: 'volume', tiers });
  return {
    currency: index % 2 === 0 ? 'EUR' : 'JPY',
    situation,
    name: NAMES[index] ?? 'x',
    baseFee: '49.00',
    minimum: '100000',
    charges: [volume('api_calls'), volume('storage'), volume('compute'), volume('energy')],
    usage: ['37', '3', '0.003', '1000'],
    late: '7',
    paymentTermsDays: 30,
  };
}

// SaxonJS takes 0.1-1.5 s per rule set and invoice (20 s for the four formats of 100 lines) on
// a busy 2-core machine, hence the long timeouts; they bound a run, they assert no speed.
describe('e-invoices pass the official rules', () => {
  it('every customer of the demo catalog, in every format', async () => {
    const parsed = parseCatalogText(
      readFileSync(new URL('../../docs/examples/demo-catalog.yaml', import.meta.url), 'utf8'),
      'demo-catalog.yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const validation = validateCatalogDocument(parsed.value, { taxRates: {}, meters: [], plans: [] });
    if (!validation.ok) throw new Error(JSON.stringify(validation.issues));
    const catalog = validation.document;
    const customers = catalog.customers ?? [];
    expect(customers.length).toBe(6);
    for (const [index, customer] of customers.entries()) {
      const plan = (catalog.plans ?? []).find((candidate) => candidate.code === customer.plan);
      const usage = (catalog.meters ?? []).map((meter, position) => ({
        meter: meter.code,
        period: '2026-11',
        quantity: String(1234 * (position + 1) + index * 777),
        eventCount: 1,
      }));
      const invoice = issuedInvoice(
        {
          issuer: catalog.issuer ?? ISSUER,
          customer,
          ...(plan === undefined ? {} : { plan }),
          meters: catalog.meters ?? [],
          taxRates: catalog.taxRates ?? {},
          period: '2026-11',
          usage,
        },
        index + 1,
      );
      await expectValidInAllFormats(invoice);
    }
  }, 240_000);

  it('generated invoices: all VAT treatments and pricing models, EUR and JPY, hostile names, late usage', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const invoice = scenarioInvoice(s);
        seen.add(`${invoice.tax.category}/${invoice.currency}`);
        await expectValidInAllFormats(invoice);
      }),
      { numRuns: 10, examples: SITUATIONS.map((situation, index): [Scenario] => [exampleScenario(situation, index)]) },
    );
    // Every treatment met in both currencies (the examples above guarantee it).
    expect([...seen].sort()).toEqual(expect.arrayContaining(['AE/EUR', 'O/EUR', 'O/JPY', 'S/EUR', 'S/JPY', 'Z/JPY']));
  }, 240_000);

  it('an invoice of 100 lines', async () => {
    await expectValidInAllFormats(
      anInvoice({ lines: numberedLines(100, { suffix: (index) => (index % 3 === 0 ? ' & <more>' : ' 日本語') }) }),
    );
  }, 240_000);
});

describe('the rules can fail', () => {
  it('a total changed after writing fails BR-CO-15 in CII and UBL', async () => {
    const invoice = anInvoice();
    const cii = einvoiceDocument(invoice, 'facturx').xml.replace(
      /<ram:GrandTotalAmount>([\d.]+)</,
      (_, total: string) => `<ram:GrandTotalAmount>${(Number(total) + 1).toFixed(2)}<`,
    );
    const ubl = einvoiceDocument(invoice, 'peppol', OPTIONS.peppol).xml.replace(
      /<cbc:TaxInclusiveAmount currencyID="EUR">([\d.]+)</,
      (_, total: string) => `<cbc:TaxInclusiveAmount currencyID="EUR">${(Number(total) + 1).toFixed(2)}<`,
    );
    for (const xml of [cii, ubl]) {
      const report = await validateEInvoice(xml);
      expect(report.ok).toBe(false);
      expect(report.errors.map((error) => error.id)).toContain('BR-CO-15');
    }
  });

  it('an element the schema does not know fails the XSD', async () => {
    const xml = einvoiceDocument(anInvoice(), 'xrechnung-ubl', OPTIONS['xrechnung-ubl']).xml.replace(
      '<cbc:DueDate>',
      '<cbc:PayBy>2026-12-31</cbc:PayBy><cbc:DueDate>',
    );
    const report = await validateEInvoice(xml);
    expect(report.errors.some((error) => error.id === 'xsd' && error.text.includes('PayBy'))).toBe(true);
  });

  it('XRechnung without a buyer reference (Leitweg-ID) fails BR-DE-15, with the path', async () => {
    for (const format of ['xrechnung-cii', 'xrechnung-ubl'] as const) {
      const report = await validateEInvoice(einvoiceDocument(anInvoice(), format, { sellerContact: OPTIONS[format].sellerContact }).xml);
      const missing = report.errors.find((error) => error.id === 'BR-DE-15');
      expect(missing, describeFindings(report.errors)).toBeDefined();
      expect(missing?.location).toMatch(
        /^\/(rsm:CrossIndustryInvoice|Q\{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\}Invoice|.*Invoice)/,
      );
    }
  });
});

describe('what cannot be an e-invoice says why', () => {
  it('a draft has no e-invoice', () => {
    expect(() => einvoiceDocument({ ...anInvoice(), status: 'draft', number: null }, 'facturx')).toThrow(EInvoiceDataError);
  });

  it('a three-decimal currency is refused: EN 16931 amounts have two decimals', () => {
    expect(() => einvoiceDocument(anInvoice({ currency: 'KWD' }), 'facturx')).toThrow(/KWD has 3/);
  });
});
