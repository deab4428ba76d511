import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseCatalogText } from '#domain/catalog/parse.ts';
import { formatIssue, validateCatalogDocument } from '#domain/catalog/validate.ts';
import { mergeIntoHead } from '#domain/catalog/merge.ts';
import { currencyExponent } from '#domain/catalog/currencies.ts';
import { EU_MEMBER_STATES } from '#domain/catalog/countries.ts';
import { hasValidIbanChecksum } from '#domain/catalog/iban.ts';
import { gracePeriodMsOf } from '#domain/catalog/billing-settings.ts';
import type { CatalogDocument, CatalogHead, Meter, Plan } from '#domain/catalog/types.ts';

const EMPTY_HEAD: CatalogHead = { taxRates: {}, meters: [], plans: [] };

/** CONTRACTS.md section 2, verbatim. */
const CONTRACT_EXAMPLE = `
issuer:
  name: Acme Cloud GmbH
  address: { line1: Hauptstr. 1, city: Berlin, postalCode: "10115", country: DE }
  vatId: DE123456789
  email: billing@acme.example
  invoicePrefix: ACME            # invoice numbers ACME-2026-000001, gap-free per prefix and year
  bank: { iban: DE89370400440532013000, bic: COBADEFFXXX }
taxRates: { DE: "19", FR: "20", NL: "21" }   # standard VAT rate per country, percent
meters:
  - { code: api_calls, eventType: api.request, aggregation: count }
  - { code: tokens, eventType: api.request, aggregation: sum, valueProperty: tokens }
  - { code: seats, eventType: seats.changed, aggregation: max, valueProperty: count }
  - { code: active_users, eventType: user.active, aggregation: unique_count, valueProperty: userId }
  - { code: storage_gb, eventType: storage.snapshot, aggregation: latest, valueProperty: gb }
plans:
  - code: pro
    currency: EUR
    baseFee: "49.00"               # per period, in arrears
    minimumCommitment: "100.00"    # optional: a top-up line brings the net total up to it
    charges:
      - meter: api_calls
        model: graduated           # per_unit | graduated | volume | package (partial packages round up)
        tiers:
          - { upTo: 10000, unitPrice: "0" }
          - { upTo: 100000, unitPrice: "0.001" }
          - { upTo: null, unitPrice: "0.0005" }
      - { meter: tokens, model: package, packageSize: 1000, packagePrice: "0.02" }
      - { meter: seats, model: per_unit, unitPrice: "10.00" }
customers:
  - id: cus_42
    name: Globex SARL
    email: ap@globex.example
    address: { line1: 1 rue de la Paix, city: Paris, postalCode: "75002", country: FR }
    vatId: FR12345678901          # optional
    plan: pro
    paymentTermsDays: 30
`;

function parsed(text: string, fileName = 'catalog.yaml'): unknown {
  const result = parseCatalogText(text, fileName);
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.value;
}

function readExample(name: string): unknown {
  return parsed(readFileSync(new URL(`../../docs/examples/${name}`, import.meta.url), 'utf8'), name);
}

/** Formatted issues of an invalid document; fails the test if it was valid. */
function issuesOf(input: unknown, head: CatalogHead = EMPTY_HEAD): string[] {
  const result = validateCatalogDocument(input, head);
  if (result.ok) throw new Error('expected the document to be invalid');
  return result.issues.map(formatIssue);
}

const meter = (code: string): Meter => ({ code, eventType: `${code}.used`, aggregation: 'count', unitCode: 'C62' });
const perUnitPlan = (code: string, meterCode: string): Plan => ({
  code,
  currency: 'EUR',
  baseFee: '0',
  charges: [{ meter: meterCode, model: 'per_unit', unitPrice: '1' }],
});
const customer = (id: string, plan: string) => ({
  id,
  name: `Customer ${id}`,
  email: `${id}@example.com`,
  address: { line1: 'Street 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  plan,
});

describe('validateCatalogDocument', () => {
  it('accepts the example of CONTRACTS.md and fills in the defaults', () => {
    // Prepare
    const input = parsed(CONTRACT_EXAMPLE);

    // Act
    const result = validateCatalogDocument(input, EMPTY_HEAD);

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document.meters?.[0]).toEqual({ code: 'api_calls', eventType: 'api.request', aggregation: 'count', unitCode: 'C62' });
    expect(result.document.plans?.[0]?.charges).toEqual([
      {
        meter: 'api_calls',
        model: 'graduated',
        tiers: [
          { upTo: '10000', unitPrice: '0' },
          { upTo: '100000', unitPrice: '0.001' },
          { upTo: null, unitPrice: '0.0005' },
        ],
      },
      { meter: 'tokens', model: 'package', packageSize: '1000', packagePrice: '0.02' },
      { meter: 'seats', model: 'per_unit', unitPrice: '10.00' },
    ]);
    expect(result.document.customers?.[0]?.paymentTermsDays).toBe(30);
  });

  it('accepts docs/examples/catalog.yaml', () => {
    // Prepare
    const input = readExample('catalog.yaml');

    // Act
    const result = validateCatalogDocument(input, EMPTY_HEAD);

    // Assess
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
    expect(result.ok && result.document.customers?.map((entry) => entry.address.country)).toEqual(['FR', 'DE', 'US', 'JP']);
    expect(result.ok && result.document.dunning).toEqual({ reminderDays: [3, 10, 20] });
  });

  it('lists every error of docs/examples/catalog-invalid.yaml by its path, in document order', () => {
    // Prepare
    const input = readExample('catalog-invalid.yaml');

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues.some((issue) => issue.startsWith('plans[0].charges[2].tiers[1].upTo: must be greater than the previous tier'))).toBe(
      true,
    );
    expect(issues).toEqual([
      'issuer.bank.iban: IBAN check digits do not match; check it for a typo',
      'taxRates.FR: give the rate as a decimal string such as "19", not a number',
      'meters[1].valueProprety: unknown field; check the spelling (allowed here: code, eventType, aggregation, valueProperty, unitCode)',
      'meters[1].valueProperty: is required for a sum meter: name the property of the event data to read, such as "tokens"',
      'meters[2].code: duplicate meter code "api_calls" (first at meters[0])',
      'plans[0].currency: "EURO" is not an ISO 4217 currency code such as "EUR"',
      'plans[0].charges[0].meter: no meter "token" in this document or the applied catalog; did you mean "tokens"?',
      'plans[0].charges[1].unitPrice: give the price as a decimal string such as "0.001", not a number',
      'plans[0].charges[2].meter: duplicate charge for meter "api_calls" (first at plans[0].charges[1]); one charge per meter per plan',
      'plans[0].charges[2].tiers[1].upTo: must be greater than the previous tier (10000)',
      'customers[0].id: must not contain "|" or "#": customer ids are used in storage keys',
      'customers[0].email: must be an email address such as billing@example.com',
      'customers[0].plan: no plan "premium" in this document or the applied catalog; define it under plans or fix the code',
      'dunning.reminderDays[1]: must be greater than the previous day (10); list the days in increasing order, each once',
    ]);
  });

  it('asks for prices as decimal strings, not numbers', () => {
    // Prepare
    const input = {
      meters: [meter('api_calls')],
      plans: [{ code: 'pro', currency: 'EUR', baseFee: 49, charges: [{ meter: 'api_calls', model: 'per_unit', unitPrice: 0.001 }] }],
    };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'plans[0].baseFee: give the amount as a decimal string such as "49.00", not a number',
      'plans[0].charges[0].unitPrice: give the price as a decimal string such as "0.001", not a number',
    ]);
  });

  it('rejects negative prices and more than 12 fraction digits', () => {
    // Prepare
    const charges = [
      { meter: 'a', model: 'per_unit', unitPrice: '-1' },
      { meter: 'b', model: 'per_unit', unitPrice: '0.0000000000001' },
      { meter: 'c', model: 'per_unit', unitPrice: '1e-3' },
    ];
    const input = { meters: [meter('a'), meter('b'), meter('c')], plans: [{ code: 'pro', currency: 'EUR', charges }] };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'plans[0].charges[0].unitPrice: must not be negative',
      'plans[0].charges[1].unitPrice: has 13 fraction digits; at most 12 are allowed',
      'plans[0].charges[2].unitPrice: must be a decimal string such as "0.001" (digits, optionally "." and more digits)',
    ]);
  });

  it('rejects unknown keys at their path, at every level', () => {
    // Prepare
    const input = {
      customer: [],
      meters: [{ ...meter('api_calls'), unit: 'C62' }],
      plans: [{ code: 'pro', currency: 'EUR', charges: [{ meter: 'api_calls', model: 'per_unit', unitPrice: '1', tiers: [] }] }],
    };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'meters[0].unit: unknown field; check the spelling (allowed here: code, eventType, aggregation, valueProperty, unitCode)',
      'plans[0].charges[0].tiers: unknown field; check the spelling (allowed here: meter, model, unitPrice)',
      'customer: unknown field; check the spelling (allowed here: issuer, taxRates, meters, plans, customers, dunning, billing)',
    ]);
  });

  it('reports unknown meters and plans, and resolves references against the applied catalog', () => {
    // Prepare
    const head: CatalogHead = { taxRates: {}, meters: [meter('api_calls')], plans: [perUnitPlan('basic', 'api_calls')] };
    const input = {
      plans: [
        {
          code: 'pro',
          currency: 'EUR',
          charges: [
            { meter: 'api_calls', model: 'per_unit', unitPrice: '1' },
            { meter: 'storage', model: 'per_unit', unitPrice: '1' },
          ],
        },
      ],
      customers: [customer('cus_1', 'basic'), customer('cus_2', 'pro'), customer('cus_3', 'enterprise')],
    };

    // Act
    const issues = issuesOf(input, head);

    // Assess
    expect(issues).toEqual([
      'plans[0].charges[1].meter: no meter "storage" in this document or the applied catalog; define it under meters or fix the code',
      'customers[2].plan: no plan "enterprise" in this document or the applied catalog; define it under plans or fix the code',
    ]);
  });

  it('runs the cross-reference checks even when the referencing item has other errors', () => {
    // Prepare: the charge's price is broken and its model misspelt; its meter is unknown too.
    const input = {
      plans: [
        {
          code: 'pro',
          currency: 'EUR',
          charges: [
            { meter: 'ghost', model: 'per_unit', unitPrice: 5 },
            { meter: 'ghost2', model: 'per-unit' },
          ],
        },
      ],
      customers: [{ ...customer('cus_1', 'gold'), email: 'not an email' }],
    };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'plans[0].charges[0].unitPrice: give the price as a decimal string such as "0.001", not a number',
      'plans[0].charges[0].meter: no meter "ghost" in this document or the applied catalog; define it under meters or fix the code',
      'plans[0].charges[1].model: must be one of per_unit, graduated, volume, package',
      'plans[0].charges[1].meter: no meter "ghost2" in this document or the applied catalog; define it under meters or fix the code',
      'customers[0].email: must be an email address such as billing@example.com',
      'customers[0].plan: no plan "gold" in this document or the applied catalog; define it under plans or fix the code',
    ]);
  });

  it('reports duplicate meter codes, plan codes, customer ids and charges per meter', () => {
    // Prepare
    const input = {
      meters: [meter('a'), meter('b'), meter('a')],
      plans: [
        perUnitPlan('pro', 'a'),
        {
          ...perUnitPlan('pro', 'b'),
          charges: [
            { meter: 'b', model: 'per_unit', unitPrice: '1' },
            { meter: 'b', model: 'package', packageSize: '10', packagePrice: '1' },
          ],
        },
      ],
      customers: [customer('cus_1', 'pro'), customer('cus_2', 'pro'), customer('cus_1', 'pro')],
    };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'meters[2].code: duplicate meter code "a" (first at meters[0])',
      'plans[1].code: duplicate plan code "pro" (first at plans[0])',
      'plans[1].charges[1].meter: duplicate charge for meter "b" (first at plans[1].charges[0]); one charge per meter per plan',
      'customers[2].id: duplicate customer id "cus_1" (first at customers[0])',
    ]);
  });

  it('checks tiers: ascending bounds, only the last one open-ended', () => {
    // Prepare
    const tiers = [
      { upTo: 100, unitPrice: '1' },
      { upTo: null, unitPrice: '0.5' },
      { upTo: '50', unitPrice: '0.25' },
      { upTo: 1000, unitPrice: '0.1' },
    ];
    const input = { meters: [meter('a')], plans: [{ code: 'pro', currency: 'EUR', charges: [{ meter: 'a', model: 'volume', tiers }] }] };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'plans[0].charges[0].tiers[1].upTo: only the last tier may be open-ended (null); give this tier an upper bound',
      'plans[0].charges[0].tiers[3].upTo: the last tier must have upTo: null, so usage above 1000 has a price',
    ]);
  });

  it('requires valueProperty for every aggregation but count, and rejects it for count', () => {
    // Prepare
    const input = {
      meters: [
        { code: 'calls', eventType: 'api.request', aggregation: 'count', valueProperty: 'tokens' },
        { code: 'tokens', eventType: 'api.request', aggregation: 'sum' },
      ],
    };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'meters[0].valueProperty: a count meter counts events and reads no property; remove valueProperty or choose another aggregation',
      'meters[1].valueProperty: is required for a sum meter: name the property of the event data to read, such as "tokens"',
    ]);
  });

  it('checks customer ids, emails, postal codes and payment terms', () => {
    // Prepare
    const input = {
      plans: [{ code: 'pro', currency: 'EUR' }],
      customers: [
        { ...customer('cus|1', 'pro'), email: 'ap@example.com', paymentTermsDays: 400 },
        { ...customer('cus_2', 'pro'), email: 'nobody', address: { line1: 'x', city: 'y', postalCode: 1234, country: 'de' } },
      ],
    };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'customers[0].id: must not contain "|" or "#": customer ids are used in storage keys',
      'customers[0].paymentTermsDays: must be a whole number of days between 0 and 365',
      'customers[1].email: must be an email address such as billing@example.com',
      'customers[1].address.postalCode: give the postal code as a quoted string such as "01234", not the number 1234 (leading zeros would be lost)',
      'customers[1].address.country: "de" is not an ISO 3166-1 alpha-2 country code such as "DE"; write it in upper case: "DE"',
    ]);
  });

  it('checks the issuer: IBAN checksum, BIC, invoice prefix', () => {
    // Prepare
    const input = {
      issuer: {
        name: 'Acme',
        address: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
        vatId: 'DE123456789',
        email: 'billing@acme.example',
        invoicePrefix: 'acme-1',
        bank: { iban: 'DE89 3704 0044 0532 0130 01', bic: 'COBADE' },
      },
      taxRates: { DE: '19' },
    };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'issuer.invoicePrefix: must be 1-10 upper-case letters or digits such as "ACME" (it is used in invoice numbers and file names)',
      'issuer.bank.iban: IBAN check digits do not match; check it for a typo',
      'issuer.bank.bic: must be a BIC of 8 or 11 characters such as "COBADEFFXXX"',
    ]);
  });

  it('asks for the VAT rates invoices will need: the issuer country and EU consumers abroad', () => {
    // Prepare
    const head: CatalogHead = { ...EMPTY_HEAD, plans: [perUnitPlan('pro', 'a')], meters: [meter('a')] };
    const issuer = (readExample('catalog.yaml') as { issuer: unknown }).issuer;
    const inAustria = (id: string) => ({
      ...customer(id, 'pro'),
      address: { line1: 'Ring 1', city: 'Wien', postalCode: '1010', country: 'AT' },
    });
    const input = {
      issuer,
      taxRates: { FR: '20' },
      customers: [
        inAustria('consumer'),
        { ...inAustria('business'), vatId: 'ATU12345678' },
        { ...customer('us', 'pro'), address: { line1: '1 Main St', city: 'Austin', postalCode: '73301', country: 'US' } },
      ],
    };

    // Act
    const issues = issuesOf(input, head);

    // Assess
    expect(issues).toEqual([
      "issuer.address.country: no VAT rate for DE in taxRates; customers in the issuer's country pay it: add taxRates.DE",
      "customers[0].address.country: no VAT rate for AT in taxRates; an EU consumer (no vatId) outside the issuer's country pays their own country's rate: add taxRates.AT or the customer's vatId",
    ]);
  });

  it('keeps fixed fees within the currency minor unit', () => {
    // Prepare
    const input = {
      plans: [
        { code: 'jp', currency: 'JPY', baseFee: '7500.5' },
        { code: 'kw', currency: 'KWD', baseFee: '1.250', minimumCommitment: '10.0001' },
      ],
    };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'plans[0].baseFee: JPY amounts have 0 decimal places; "7500.5" has more',
      'plans[1].minimumCommitment: KWD amounts have 3 decimal places; "10.0001" has more',
    ]);
  });

  it('reports an empty document or one that is not a mapping', () => {
    // Prepare / Act / Assess
    expect(issuesOf(parsed(''))).toEqual([
      '(document): the document is empty; give at least one of issuer, taxRates, meters, plans, customers, dunning, billing',
    ]);
    expect(issuesOf(parsed('- a\n- b\n'))).toEqual(['(document): must be a mapping of fields, not a list']);
  });
});

describe('validateCatalogDocument: dunning', () => {
  it('accepts a document that sets only the reminder days', () => {
    // Prepare
    const input = parsed('dunning:\n  reminderDays: [5, 15, 30, 60]\n');

    // Act
    const result = validateCatalogDocument(input, EMPTY_HEAD);

    // Assess
    expect(result).toEqual({ ok: true, document: { dunning: { reminderDays: [5, 15, 30, 60] } } });
  });

  it('asks for whole days between 1 and 365, one message per entry', () => {
    // Prepare
    const input = { dunning: { reminderDays: [0, 2.5, '7', 400, null, 30] } };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'dunning.reminderDays[0]: must be a whole number of days between 1 and 365; day 0 is the due date itself, when payment is not late yet',
      'dunning.reminderDays[1]: must be a whole number of days between 1 and 365',
      'dunning.reminderDays[2]: must be a whole number of days between 1 and 365, not the text "7"',
      'dunning.reminderDays[3]: must be a whole number of days between 1 and 365',
      'dunning.reminderDays[4]: must be a whole number of days between 1 and 365, not null',
    ]);
  });

  it('asks for strictly increasing days, comparing past a malformed entry', () => {
    // Prepare
    const input = { dunning: { reminderDays: [3, 10, 10, 'x', 5, 20] } };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'dunning.reminderDays[2]: must be greater than the previous day (10); list the days in increasing order, each once',
      'dunning.reminderDays[3]: must be a whole number of days between 1 and 365, not the text "x"',
      'dunning.reminderDays[4]: must be greater than the previous day (10); list the days in increasing order, each once',
    ]);
  });

  it('takes 1 to 10 days, given as a list', () => {
    // Prepare
    const eleven = Array.from({ length: 11 }, (_, index) => index + 1);

    // Act / Assess
    expect(issuesOf({ dunning: { reminderDays: [] } })).toEqual([
      'dunning.reminderDays: must name at least one day; leave the dunning section out for the defaults [3, 10, 20]',
    ]);
    expect(issuesOf({ dunning: { reminderDays: eleven } })).toEqual([
      'dunning.reminderDays: must name at most 10 days (a customer gets one email per day listed); this list has 11',
    ]);
    expect(issuesOf({ dunning: { reminderDays: '3, 10, 20' } })).toEqual([
      'dunning.reminderDays: must be a list of days such as [3, 10, 20], not the text "3, 10, 20"',
    ]);
  });

  it('requires reminderDays and refuses unknown fields', () => {
    // Prepare
    const input = { dunning: { reminderDay: [3] } };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      'dunning.reminderDays: is required: the days overdue at which a reminder is emailed, such as [3, 10, 20]',
      'dunning.reminderDay: unknown field; check the spelling (allowed here: reminderDays)',
    ]);
    expect(issuesOf({ dunning: [3, 10] })).toEqual(['dunning: must be a mapping of fields, not a list']);
  });
});

describe('billing settings', () => {
  it('accepts a grace period of 0 to 744 whole hours and keeps it in the head', () => {
    // Act
    const accepted = [0, 1, 26, 744].map((hours) => validateCatalogDocument({ billing: { gracePeriodHours: hours } }, EMPTY_HEAD).ok);
    const head = mergeIntoHead({ taxRates: {}, meters: [], plans: [] }, { billing: { gracePeriodHours: 26 } });

    // Assess
    expect(accepted).toEqual([true, true, true, true]);
    expect(gracePeriodMsOf(head)).toBe(26 * 3_600_000);
    expect(gracePeriodMsOf(mergeIntoHead(head, { meters: [] }))).toBe(26 * 3_600_000);
    expect(gracePeriodMsOf({})).toBe(3_600_000);
  });

  it('refuses a grace period that is not a whole number of hours within a month, by its path', () => {
    // Act
    const issues = [-1, 1.5, 745, '26'].map((hours) => issuesOf({ billing: { gracePeriodHours: hours } }));

    // Assess
    expect(issues).toEqual([
      ['billing.gracePeriodHours: must be a whole number of hours from 0 to 744 (31 days)'],
      ['billing.gracePeriodHours: must be a whole number of hours from 0 to 744 (31 days)'],
      ['billing.gracePeriodHours: must be a whole number of hours from 0 to 744 (31 days)'],
      ['billing.gracePeriodHours: must be a whole number of hours from 0 to 744 (31 days), not the text "26"'],
    ]);
    expect(issuesOf({ billing: { grace: 2 } })).toEqual([
      'billing.gracePeriodHours: is required',
      'billing.grace: unknown field; check the spelling (allowed here: gracePeriodHours)',
    ]);
  });
});

describe('parseCatalogText', () => {
  it('reports JSON syntax errors with line:column at (document)', () => {
    // Prepare
    const text = '{\n  "meters": [\n    { "code": "a" \n    "x": 1 }\n  ]\n}';

    // Act
    const result = parseCatalogText(text, 'catalog.json');

    // Assess
    expect(result).toEqual({ ok: false, issues: [{ path: '(document)', message: "line 4:5: Expected ',' or '}' after property value" }] });
  });

  it('reports YAML syntax errors and duplicate keys with line:column', () => {
    // Prepare
    const text = 'meters:\n  - { code: a\nplans: []\nplans: []\n';

    // Act
    const result = parseCatalogText(text, 'catalog.yml');

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^\(document\): line 3:1: /),
      '(document): line 4:1: Map keys must be unique',
    ]);
  });

  it('refuses files that are neither JSON nor YAML', () => {
    // Prepare / Act
    const result = parseCatalogText('{}', 'catalog.txt');

    // Assess
    expect(result).toEqual({
      ok: false,
      issues: [{ path: '(document)', message: 'cannot tell the format of "catalog.txt": name it .json, .yaml or .yml' }],
    });
  });
});

describe('reference tables', () => {
  it('knows the minor units of ISO 4217 currencies', () => {
    // Prepare / Act / Assess
    expect([currencyExponent('EUR'), currencyExponent('JPY'), currencyExponent('KWD'), currencyExponent('BHD')]).toEqual([2, 0, 3, 3]);
    expect(() => currencyExponent('XXX')).toThrow(RangeError);
  });

  it('lists the 27 EU member states', () => {
    // Prepare / Act / Assess
    expect(EU_MEMBER_STATES.size).toBe(27);
    expect(EU_MEMBER_STATES.has('GR') && !EU_MEMBER_STATES.has('GB') && !EU_MEMBER_STATES.has('CH')).toBe(true);
  });

  it('validates IBAN check digits', () => {
    // Prepare / Act / Assess
    expect(hasValidIbanChecksum('DE89370400440532013000')).toBe(true);
    expect(hasValidIbanChecksum('GB82WEST12345698765432')).toBe(true);
    expect(hasValidIbanChecksum('NO9386011117947')).toBe(true);
    expect(hasValidIbanChecksum('DE89370400440532013001')).toBe(false);
    expect(hasValidIbanChecksum('GB82WEST12345698765423')).toBe(false);
  });
});

describe('mergeIntoHead', () => {
  const issuer = (readExample('catalog.yaml') as { issuer: CatalogDocument['issuer'] }).issuer;
  const head: CatalogHead = {
    issuer,
    taxRates: { DE: '19', FR: '20' },
    meters: [meter('a'), meter('b')],
    plans: [perUnitPlan('basic', 'a'), perUnitPlan('pro', 'b')],
  };

  it('upserts meters and plans by code, merges tax rates by country and keeps the rest', () => {
    // Prepare
    const changedMeter: Meter = { ...meter('b'), eventType: 'b.changed' };
    const document: CatalogDocument = {
      taxRates: { FR: '20.5', NL: '21' },
      meters: [changedMeter, meter('c')],
      plans: [perUnitPlan('pro', 'c')],
      customers: [{ ...customer('cus_1', 'pro'), paymentTermsDays: 30 }],
    };

    // Act
    const merged = mergeIntoHead(head, document);

    // Assess
    expect(merged).toEqual({
      issuer,
      taxRates: { DE: '19', FR: '20.5', NL: '21' },
      meters: [meter('a'), changedMeter, meter('c')],
      plans: [perUnitPlan('basic', 'a'), perUnitPlan('pro', 'c')],
    });
    expect(merged).not.toHaveProperty('customers');
  });

  it('replaces the issuer only when the document gives one, and is idempotent', () => {
    // Prepare
    const newIssuer = issuer && { ...issuer, name: 'Acme Cloud SE' };
    const document: CatalogDocument = { issuer: newIssuer, meters: [meter('a')] };

    // Act
    const once = mergeIntoHead(head, document);
    const twice = mergeIntoHead(once, document);

    // Assess
    expect(once.issuer?.name).toBe('Acme Cloud SE');
    expect(twice).toEqual(once);
    expect(mergeIntoHead(head, { customers: [] })).toEqual(head);
    expect(mergeIntoHead(EMPTY_HEAD, {})).toEqual(EMPTY_HEAD);
  });
});

describe('mergeIntoHead: dunning', () => {
  it('replaces the reminder days whole when a document gives them, and keeps them otherwise', () => {
    // Prepare
    const head: CatalogHead = { ...EMPTY_HEAD, dunning: { reminderDays: [3, 10, 20] } };

    // Act
    const replaced = mergeIntoHead(head, { dunning: { reminderDays: [7] } });
    const kept = mergeIntoHead(head, { taxRates: { DE: '19' } });

    // Assess
    expect(replaced.dunning).toEqual({ reminderDays: [7] });
    expect(kept.dunning).toEqual({ reminderDays: [3, 10, 20] });
    expect(mergeIntoHead(EMPTY_HEAD, { meters: [] })).not.toHaveProperty('dunning');
  });
});

describe('catalog validation properties', () => {
  // fc.string over a small alphabet: far cheaper to generate than fc.stringMatching.
  const word = (alphabet: string, minLength: number, maxLength: number) =>
    fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
  const code = fc
    .tuple(word('abcdefghijklmnopqrstuvwxyz', 1, 1), word('abcdefghijklmnopqrstuvwxyz0123456789_', 0, 11))
    .map(([head, tail]) => head + tail);
  const fraction = word('0123456789', 1, 12);
  const price = fc
    .tuple(fc.nat({ max: 100_000 }), fc.option(fraction, { nil: undefined }))
    .map(([units, digits]) => (digits === undefined ? String(units) : `${units}.${digits}`));
  const currency = fc.constantFrom('EUR', 'USD', 'JPY', 'KWD', 'GBP');
  const aggregation = fc.constantFrom('count', 'sum', 'max', 'unique_count', 'latest');

  const meterArbitrary = fc
    .record({ code, eventType: fc.constantFrom('api.request', 'user.active'), aggregation })
    .chain((entry) =>
      entry.aggregation === 'count'
        ? fc.constant(entry)
        : fc.constantFrom('tokens', 'count', 'userId', 'gb').map((valueProperty) => ({ ...entry, valueProperty })),
    );

  /** A bound as a YAML author writes it: a number or a decimal string. */
  const bound = (value: number) => fc.boolean().map((asText) => (asText ? String(value) : value));
  const tiers = fc
    .uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 4 })
    .chain((bounds) =>
      fc.tuple(
        ...[...bounds].sort((a, b) => a - b).map((value) => fc.record({ upTo: bound(value), unitPrice: price })),
        fc.record({ upTo: fc.constant(null), unitPrice: price, flatPrice: price }, { requiredKeys: ['upTo', 'unitPrice'] }),
      ),
    );

  const chargeFor = (meterCode: string) =>
    fc.oneof(
      fc.record({ meter: fc.constant(meterCode), model: fc.constant('per_unit'), unitPrice: price }),
      fc.record({ meter: fc.constant(meterCode), model: fc.constantFrom('graduated', 'volume'), tiers }),
      fc.record({
        meter: fc.constant(meterCode),
        model: fc.constant('package'),
        packageSize: fc.integer({ min: 1, max: 100_000 }).chain(bound),
        packagePrice: price,
      }),
    );

  /** Fixed fees within the currency's minor unit, as the rules require. */
  const planFor = (meterCodes: readonly string[]) =>
    fc.record({ code, currency }).chain((plan) =>
      fc.record({
        code: fc.constant(plan.code),
        currency: fc.constant(plan.currency),
        baseFee: fc.nat({ max: 10_000 }).map((units) => (currencyExponent(plan.currency) === 0 ? String(units) : `${units}.00`)),
        charges: fc.subarray([...meterCodes]).chain((codes) => fc.tuple(...codes.map(chargeFor))),
      }),
    );

  const customerFor = (planCodes: readonly string[]) =>
    fc.record(
      {
        id: word('abcdefghijklmnopqrstuvwxyz0123456789_', 1, 8).map((suffix) => `cus_${suffix}`),
        name: fc.constantFrom('Globex SARL', 'Initech Inc.', 'Erika Mustermann'),
        email: fc.constantFrom('ap@globex.example', 'billing@initech.example', 'erika@example.com'),
        address: fc.record({
          line1: fc.constant('Street 1'),
          city: fc.constant('City'),
          postalCode: word('0123456789', 4, 5),
          country: fc.constantFrom('DE', 'FR', 'NL', 'US', 'JP', 'CH'),
        }),
        vatId: fc.constantFrom('FR12345678901', 'NL123456789B01'),
        plan: fc.constantFrom(...planCodes),
        paymentTermsDays: fc.integer({ min: 0, max: 365 }),
      },
      { requiredKeys: ['id', 'name', 'email', 'address', 'plan'] },
    );

  const exampleIssuer = (readExample('catalog.yaml') as { issuer: unknown }).issuer;
  const validDocument = fc.uniqueArray(meterArbitrary, { selector: (entry) => entry.code, minLength: 1, maxLength: 5 }).chain((meters) =>
    fc.uniqueArray(planFor(meters.map((entry) => entry.code)), { selector: (plan) => plan.code, maxLength: 3 }).chain((plans) =>
      fc.record({
        issuer: fc.constant(exampleIssuer),
        taxRates: fc.constant({ DE: '19', FR: '20', NL: '21' }),
        meters: fc.constant(meters),
        plans: fc.constant(plans),
        customers:
          plans.length === 0
            ? fc.constant([])
            : fc.uniqueArray(customerFor(plans.map((plan) => plan.code)), { selector: (entry) => entry.id, maxLength: 5 }),
      }),
    ),
  );

  it('accepts every generated valid document', () => {
    // Prepare / Act / Assess
    fc.assert(
      fc.property(validDocument, (document) => {
        const result = validateCatalogDocument(document, EMPTY_HEAD);
        expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
      }),
    );
  });

  it('reports a tier bound lowered to or below the previous one at its exact path', () => {
    fc.assert(
      fc.property(validDocument, fc.nat(), fc.nat(), fc.nat(), (document, pick, tierPick, lowerBy) => {
        // Prepare: every tier after the first in a tiered charge is a candidate.
        const candidates = document.plans.flatMap((plan, planIndex) =>
          plan.charges.flatMap((charge, chargeIndex) =>
            'tiers' in charge && charge.tiers.length >= 2 ? [{ planIndex, chargeIndex, tierCount: charge.tiers.length }] : [],
          ),
        );
        fc.pre(candidates.length > 0);
        const target = candidates[pick % candidates.length]!;
        const tierIndex = 1 + (tierPick % (target.tierCount - 1));
        const mutated = structuredClone(document);
        const charge = mutated.plans[target.planIndex]!.charges[target.chargeIndex] as { tiers: { upTo: number | string | null }[] };
        const previous = Number(charge.tiers[tierIndex - 1]!.upTo);
        const lowered = previous - (lowerBy % previous);
        charge.tiers[tierIndex]!.upTo = lowered;

        // Act
        const result = validateCatalogDocument(mutated, EMPTY_HEAD);

        // Assess
        const path = `plans[${target.planIndex}].charges[${target.chargeIndex}].tiers[${tierIndex}].upTo`;
        expect(result.ok ? [] : result.issues.map(formatIssue)).toContain(`${path}: must be greater than the previous tier (${previous})`);
      }),
    );
  });
});

describe('customer subscriptions (CONTRACTS.md section 7)', () => {
  const plans = [
    { code: 'basic', currency: 'EUR', baseFee: '10.00' },
    { code: 'pro', currency: 'EUR', baseFee: '49.00' },
    { code: 'usd', currency: 'USD', baseFee: '49.00' },
  ];
  const customer = (fields: Record<string, unknown>) => ({
    id: 'cus_9',
    name: 'Initech',
    email: 'ap@initech.example',
    address: { line1: '1 Main St', city: 'Austin', postalCode: '73301', country: 'US' },
    ...fields,
  });
  const messages = (input: unknown) => {
    const result = validateCatalogDocument(input, EMPTY_HEAD);
    return result.ok ? [] : result.issues.map(formatIssue);
  };

  it('accepts a history and stores its instants in UTC whole seconds', () => {
    const result = validateCatalogDocument(
      {
        plans,
        customers: [
          customer({
            subscriptions: [
              { plan: 'basic', start: '2026-11-10T01:00:00+01:00', end: '2026-11-20T00:00:00Z' },
              { plan: 'pro', start: '2026-11-20T00:00:00Z' },
            ],
          }),
        ],
      },
      EMPTY_HEAD,
    );
    expect(result.ok && result.document.customers?.[0]?.subscriptions).toEqual([
      { plan: 'basic', start: '2026-11-10T00:00:00Z', end: '2026-11-20T00:00:00Z' },
      { plan: 'pro', start: '2026-11-20T00:00:00Z' },
    ]);
  });

  it('reports every problem by its path', () => {
    expect(
      messages({
        plans,
        customers: [
          customer({ plan: 'pro', subscriptions: [] }),
          customer({ id: 'cus_10' }),
          customer({
            id: 'cus_11',
            subscriptions: [
              { plan: 'basic', start: '2026-11-10', end: '2026-11-20T00:00:00.5Z' },
              { plan: 'pro', start: '2026-11-10T00:00:00Z', end: '2026-11-05T00:00:00Z' },
              { plan: 'prO', start: '2026-12-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
              { plan: 'usd', start: '2027-01-01T00:00:00Z' },
            ],
          }),
        ],
      }),
    ).toEqual([
      'customers[0].plan: give either plan (one open-ended subscription) or subscriptions, not both',
      'customers[1].plan: is required: the code of a plan such as "pro", or a subscriptions list instead',
      'customers[2].subscriptions[0].start: must be an RFC 3339 date-time in whole seconds such as "2026-11-10T00:00:00Z", not "2026-11-10"',
      'customers[2].subscriptions[0].end: must be an RFC 3339 date-time in whole seconds such as "2026-11-10T00:00:00Z", not "2026-11-20T00:00:00.5Z"',
      'customers[2].subscriptions[1].end: must be after start (2026-11-10T00:00:00Z)',
      'customers[2].subscriptions[2].plan: no plan "prO" in this document or the applied catalog; did you mean "pro"?',
      "customers[2].subscriptions[3].plan: plan usd bills in USD but plan pro (from 2026-11-10T00:00:00Z) in EUR; all of a customer's subscriptions use one currency",
    ]);
  });

  it('refuses two subscriptions active at once', () => {
    expect(
      messages({
        plans,
        customers: [
          customer({
            subscriptions: [
              { plan: 'pro', start: '2026-11-20T00:00:00Z' },
              { plan: 'basic', start: '2026-11-10T00:00:00Z', end: '2026-11-21T00:00:00Z' },
            ],
          }),
        ],
      }),
    ).toEqual([
      'customers[0].subscriptions[0].start: overlaps the subscription to plan basic (from 2026-11-10T00:00:00Z), which ends at 2026-11-21T00:00:00Z; a customer has at most one active subscription at any instant: end the earlier one first',
    ]);
  });
});
