/**
 * Worked invoices, computed by hand in the comments and asserted to the minor unit: the `pro`
 * plan of CONTRACTS.md section 2 for German, French, Dutch and US customers, a JPY plan and a
 * KWD plan, the minimum commitment, tier bounds, late usage, and exact decimal arithmetic.
 *
 * The catalog of test/support/invoicing-catalog.ts: issuer in DE; taxRates DE 19, FR 20, NL 21.
 * The pro plan: base fee 49.00, minimum 100.00, api_calls graduated (0 up to 10,000; 0.001 up
 * to 100,000; 0.0005 above), tokens in packages of 1,000 at 0.02, seats at 10.00 each.
 */
import { describe, expect, it } from 'vitest';
import { computeInvoice, dueDate, type InvoiceInput } from '#domain/invoice/assemble.ts';
import { createAggregator } from '#domain/pricing/aggregate.ts';
import { priceCharge } from '#domain/pricing/charges.ts';
import { formatMinor, toMinorUnits } from '#domain/money.ts';
import { taxTreatment } from '#domain/tax/tax-treatment.ts';
import type { Customer, Meter, Plan } from '#domain/catalog/types.ts';
import type { InvoiceComputation, MeterUsage } from '#domain/invoice/types.ts';
import type { StoredEvent } from '#domain/events/billable-event.ts';
import { issuer, METERS, PRO_PLAN, TAX_RATES } from '#test-support/invoicing-catalog.ts';

const REVERSE_CHARGE = 'Reverse charge - VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)';
const OUTSIDE_SCOPE = 'Outside the scope of EU VAT';

const NOVEMBER = { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' };

function customer(country: string, vatId?: string): Customer {
  return {
    id: `cus_${country.toLowerCase()}`,
    name: `Customer in ${country}`,
    email: 'ap@customer.example',
    address: { line1: '1 Main St', city: 'City', postalCode: '12345', country },
    ...(vatId === undefined ? {} : { vatId }),
    plan: 'pro',
    paymentTermsDays: 30,
  };
}

/** Usage of the invoice's own period (November 2026), one entry per meter. */
function november(quantities: Record<string, string>): MeterUsage[] {
  return Object.entries(quantities).map(([meter, quantity]) => ({ meter, period: '2026-11', quantity, eventCount: 1 }));
}

function invoice(overrides: Partial<InvoiceInput> & Pick<InvoiceInput, 'customer' | 'usage'>): InvoiceComputation {
  return computeInvoice({ issuer, plan: PRO_PLAN, meters: METERS, taxRates: TAX_RATES, period: '2026-11', ...overrides });
}

/** The columns a customer reads on each line. */
const columns = (result: InvoiceComputation) =>
  result.lines.map((line) => [line.kind, line.description, line.quantity, line.unitPrice, line.netAmount]);

/** Usage lines of 150,000 api calls, 2,345,678 tokens and 5 seats (examples a, b). */
const STANDARD_USAGE = november({ api_calls: '150000', tokens: '2345678', seats: '5' });
/*
 * Base fee                                    1 x 49.00              =  49.00
 * api_calls tier 1: units 1 - 10,000          10,000 x 0             =   0.00  (shown: free tier)
 * api_calls tier 2: units 10,001 - 100,000    90,000 x 0.001         =  90.00
 * api_calls tier 3: units 100,001 - 150,000   50,000 x 0.0005        =  25.00
 * tokens: 2,345,678 -> ceil(2,345.678)        2,346 packages x 0.02  =  46.92
 * seats (peak)                                5 x 10.00              =  50.00
 * Net total                                                            260.92  (>= 100.00: no top-up)
 */
const STANDARD_LINES = [
  ['base_fee', 'Base fee, plan pro', '1', '49.00', 4900],
  ['usage', 'api_calls, 1 – 10,000', '10000', '0', 0],
  ['usage', 'api_calls, 10,001 – 100,000', '90000', '0.001', 9000],
  ['usage', 'api_calls, 100,001 and above', '50000', '0.0005', 2500],
  ['usage', 'tokens: 2,345,678 in packages of 1,000', '2346', '0.02', 4692],
  ['usage', 'seats (peak)', '5', '10.00', 5000],
];

describe('worked invoices for the pro plan', () => {
  it('(a) German business customer: domestic, 19 % on the net total', () => {
    // Prepare
    const buyer = customer('DE', 'DE811111111');

    // Act
    const result = invoice({ customer: buyer, usage: STANDARD_USAGE });

    // Assess: net 260.92; VAT 260.92 x 19 % = 49.5748 -> 49.57; total 310.49
    expect(columns(result)).toEqual(STANDARD_LINES);
    expect(result.lines.every((line) => line.taxRate === '19' && line.taxCategory === 'S')).toBe(true);
    expect(result.lines.every((line) => line.period.start === NOVEMBER.start && line.period.end === NOVEMBER.end)).toBe(true);
    expect(result.lines.filter((line) => line.meter === 'api_calls').map((line) => line.tier)).toEqual([1, 2, 3]);
    expect(result.taxSubtotals).toEqual([{ rate: '19', category: 'S', taxableAmount: 26092, taxAmount: 4957 }]);
    expect([result.netTotal, result.taxTotal, result.total]).toEqual([26092, 4957, 31049]);
    expect(formatMinor(result.total, result.currency)).toBe('310.49');
    expect(result.tax).toEqual({ rate: '19', category: 'S', rateCountry: 'DE' });
    expect(result.legends).toEqual([]);
  });

  it('(b) French business with a VAT id: reverse charge, 0 %, AE, with the legend', () => {
    // Prepare
    const buyer = customer('FR', 'FR12345678901');

    // Act
    const result = invoice({ customer: buyer, usage: STANDARD_USAGE });

    // Assess: same lines as (a); VAT 0; total = net = 260.92
    expect(columns(result)).toEqual(STANDARD_LINES);
    expect(result.lines.every((line) => line.taxRate === '0' && line.taxCategory === 'AE')).toBe(true);
    expect(result.taxSubtotals).toEqual([{ rate: '0', category: 'AE', taxableAmount: 26092, taxAmount: 0 }]);
    expect([result.netTotal, result.taxTotal, result.total]).toEqual([26092, 0, 26092]);
    expect(result.legends).toEqual([REVERSE_CHARGE]);
  });

  it('(c) Dutch consumer without a VAT id: OSS at the Dutch 21 %, rounded half-up once', () => {
    // Prepare: 2,324,001 tokens need ceil(2,324.001) = 2,325 packages x 0.02 = 46.50
    const buyer = customer('NL');
    const usage = november({ api_calls: '150000', tokens: '2324001', seats: '5' });

    // Act
    const result = invoice({ customer: buyer, usage });

    // Assess: net 49.00 + 0 + 90.00 + 25.00 + 46.50 + 50.00 = 260.50;
    // VAT 260.50 x 21 % = 54.705 -> 54.71 (half-up; half-even would give 54.70); total 315.21
    expect(result.lines.find((line) => line.meter === 'tokens')).toMatchObject({
      description: 'tokens: 2,324,001 in packages of 1,000',
      quantity: '2325',
      netAmount: 4650,
    });
    expect(result.taxSubtotals).toEqual([{ rate: '21', category: 'S', taxableAmount: 26050, taxAmount: 5471 }]);
    expect([result.netTotal, result.taxTotal, result.total]).toEqual([26050, 5471, 31521]);
    expect(result.tax).toEqual({ rate: '21', category: 'S', rateCountry: 'NL' });
    expect(result.legends).toEqual([]);
  });

  it('(d) US customer: outside the scope of EU VAT, 0 %, O, with the legend', () => {
    // Prepare: no tokens at all (a zero line is left out)
    const buyer = customer('US');
    const usage = november({ api_calls: '12345', tokens: '0', seats: '6' });

    // Act
    const result = invoice({ customer: buyer, usage });

    // Assess:
    // Base fee                    49.00
    // api_calls tier 1  10,000 x 0      =  0.00
    // api_calls tier 2   2,345 x 0.001  =  2.345 -> 2.35 (half-up)
    // seats              6 x 10.00      = 60.00
    // net 111.35 (>= 100: no top-up), VAT 0, total 111.35
    expect(columns(result)).toEqual([
      ['base_fee', 'Base fee, plan pro', '1', '49.00', 4900],
      ['usage', 'api_calls, 1 – 10,000', '10000', '0', 0],
      ['usage', 'api_calls, 10,001 – 100,000', '2345', '0.001', 235],
      ['usage', 'seats (peak)', '6', '10.00', 6000],
    ]);
    expect(result.taxSubtotals).toEqual([{ rate: '0', category: 'O', taxableAmount: 11135, taxAmount: 0 }]);
    expect([result.netTotal, result.taxTotal, result.total]).toEqual([11135, 0, 11135]);
    expect(result.legends).toEqual([OUTSIDE_SCOPE]);
  });

  it('(f) small usage: a minimum-commitment top-up brings the net total to 100.00', () => {
    // Prepare
    const buyer = customer('DE');
    const usage = november({ api_calls: '500', tokens: '1500', seats: '1' });

    // Act
    const result = invoice({ customer: buyer, usage });

    // Assess:
    // Base fee 49.00; api_calls 500 x 0 = 0.00; tokens ceil(1.5) = 2 packages x 0.02 = 0.04; seats 1 x 10.00 = 10.00
    // lines so far 59.04; top-up 100.00 - 59.04 = 40.96; net 100.00; VAT 19.00; total 119.00
    expect(columns(result)).toEqual([
      ['base_fee', 'Base fee, plan pro', '1', '49.00', 4900],
      ['usage', 'api_calls, 1 – 10,000', '500', '0', 0],
      ['usage', 'tokens: 1,500 in packages of 1,000', '2', '0.02', 4],
      ['usage', 'seats (peak)', '1', '10.00', 1000],
      ['minimum_commitment', 'Minimum commitment top-up (commitment 100.00 EUR)', '1', '40.96', 4096],
    ]);
    expect(result.lines.at(-1)).toMatchObject({ meter: null, unitCode: 'C62', period: NOVEMBER, taxRate: '19', taxCategory: 'S' });
    expect([result.netTotal, result.taxTotal, result.total]).toEqual([10000, 1900, 11900]);
  });

  it('(g) quantities exactly on the tier bounds 10,000 and 100,000 stay in the lower tier', () => {
    // Prepare
    const buyer = customer('DE');

    // Act
    const atFirstBound = invoice({ customer: buyer, usage: november({ api_calls: '10000' }) });
    const atSecondBound = invoice({ customer: buyer, usage: november({ api_calls: '100000' }) });
    const justAbove = invoice({ customer: buyer, usage: november({ api_calls: '100001' }) });

    // Assess: 10,000 is all tier 1 (free): 49.00 + 0.00, top-up 51.00; net 100.00, VAT 19.00, total 119.00
    expect(columns(atFirstBound)).toEqual([
      ['base_fee', 'Base fee, plan pro', '1', '49.00', 4900],
      ['usage', 'api_calls, 1 – 10,000', '10000', '0', 0],
      ['minimum_commitment', 'Minimum commitment top-up (commitment 100.00 EUR)', '1', '51.00', 5100],
    ]);
    expect(atFirstBound.total).toBe(11900);
    // 100,000: tiers 1 and 2 only: 49.00 + 0.00 + 90,000 x 0.001 = 139.00; VAT 26.41; total 165.41
    expect(columns(atSecondBound)).toEqual([
      ['base_fee', 'Base fee, plan pro', '1', '49.00', 4900],
      ['usage', 'api_calls, 1 – 10,000', '10000', '0', 0],
      ['usage', 'api_calls, 10,001 – 100,000', '90000', '0.001', 9000],
    ]);
    expect([atSecondBound.netTotal, atSecondBound.taxTotal, atSecondBound.total]).toEqual([13900, 2641, 16541]);
    // 100,001: one unit in tier 3 at 0.0005 rounds to 0.00, and the line is still shown
    expect(columns(justAbove).at(-1)).toEqual(['usage', 'api_calls, 100,001 and above', '1', '0.0005', 0]);
    expect(justAbove.total).toBe(16541);
  });

  it('(h) late usage from earlier months: own lines, named and dated by their period, re-rating their minimum', () => {
    // Prepare: the December invoice. October billed 9,800 api calls and 2 seats; 500 more calls
    // arrived late. November billed 8 seats and no tokens; 1,500 tokens arrived late.
    const buyer = customer('DE');
    const usage: MeterUsage[] = [
      { meter: 'api_calls', period: '2026-12', quantity: '20000', eventCount: 20000 },
      { meter: 'seats', period: '2026-12', quantity: '3', eventCount: 4 },
      { meter: 'tokens', period: '2026-11', quantity: '1500', eventCount: 2 },
      { meter: 'api_calls', period: '2026-10', quantity: '500', eventCount: 500, billedQuantity: '9800' },
    ];
    const billedUsage: MeterUsage[] = [
      { meter: 'api_calls', period: '2026-10', quantity: '9800', eventCount: 9800 },
      { meter: 'seats', period: '2026-10', quantity: '2', eventCount: 2 },
      { meter: 'seats', period: '2026-11', quantity: '8', eventCount: 3 },
    ];

    // Act
    const result = invoice({ customer: buyer, usage, billedUsage, period: '2026-12' });

    // Assess:
    // Base fee                                            49.00
    // api_calls Oct (late), continuing after 9,800: 200 x 0 = 0.00; 300 x 0.001 = 0.30
    // api_calls Dec: 10,000 x 0 = 0.00; 10,000 x 0.001 = 10.00
    // tokens Nov (late): ceil(1.5) = 2 packages x 0.02 = 0.04
    // seats Dec: 3 x 10.00 = 30.00
    // October was billed 49.00 + 0.00 + 20.00 = 69.00, topped up by 31.00 to its 100.00 minimum:
    // the 0.30 of late calls fall within it, so -0.30 comes back. November was billed
    // 49.00 + 80.00 = 129.00, above its minimum: its late 0.04 is owed in full.
    // December's own lines 49.00 + 10.00 + 30.00 = 89.00 -> top-up 11.00 (late lines do not count)
    // net 49.00 + 0.30 + 10.00 + 0.04 + 30.00 - 0.30 + 11.00 = 100.04; VAT 19 % = 19.0076 -> 19.01; total 119.05
    expect(columns(result)).toEqual([
      ['base_fee', 'Base fee, plan pro', '1', '49.00', 4900],
      ['usage', 'api_calls, 1 – 10,000, late usage from 2026-10', '200', '0', 0],
      ['usage', 'api_calls, 10,001 – 100,000, late usage from 2026-10', '300', '0.001', 30],
      ['usage', 'api_calls, 1 – 10,000', '10000', '0', 0],
      ['usage', 'api_calls, 10,001 – 100,000', '10000', '0.001', 1000],
      ['usage', 'tokens: 1,500 in packages of 1,000, late usage from 2026-11', '2', '0.02', 4],
      ['usage', 'seats (peak)', '3', '10.00', 3000],
      [
        'minimum_commitment',
        'Minimum commitment top-up already billed for 2026-10, now covered by its late usage (commitment 100.00 EUR)',
        '-1',
        '0.30',
        -30,
      ],
      ['minimum_commitment', 'Minimum commitment top-up (commitment 100.00 EUR)', '1', '11.00', 1100],
    ]);
    const periods = result.lines.map((line) => line.period.start.slice(0, 7));
    expect(periods).toEqual(['2026-12', '2026-10', '2026-10', '2026-12', '2026-12', '2026-11', '2026-12', '2026-10', '2026-12']);
    expect(result.lines[1]?.period).toEqual({ start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' });
    expect([result.netTotal, result.taxTotal, result.total]).toEqual([10004, 1901, 11905]);
  });

  it('(i) late usage of a month topped up to its minimum adds only what exceeds the top-up', () => {
    // Prepare: January billed 40 seats on a plan whose minimum is 500.00: 49.00 base fee +
    // 400.00 = 449.00, topped up by 51.00.
    const plan = { ...PRO_PLAN, minimumCommitment: '500.00' };
    const billedUsage: MeterUsage[] = [{ meter: 'seats', period: '2027-01', quantity: '40', eventCount: 40 }];
    const late = (seats: string): MeterUsage[] => [
      { meter: 'seats', period: '2027-01', quantity: seats, eventCount: 1, billedQuantity: '40' },
      { meter: 'seats', period: '2027-02', quantity: '60', eventCount: 60 },
    ];

    // Act: 3 more seats (30.00) fit in the 51.00 top-up; 8 more (80.00) exceed it by 29.00.
    const within = invoice({ customer: customer('DE'), plan, usage: late('3'), billedUsage, period: '2027-02' });
    const beyond = invoice({ customer: customer('DE'), plan, usage: late('8'), billedUsage, period: '2027-02' });

    // Assess: February's own 49.00 + 600.00 = 649.00 is above its minimum either way.
    const lateNet = (result: InvoiceComputation) =>
      result.lines.filter((line) => line.period.start.startsWith('2027-01')).reduce((sum, line) => sum + line.netAmount, 0);
    expect(lateNet(within)).toBe(0);
    expect(lateNet(beyond)).toBe(2900);
    expect(within.netTotal).toBe(4900 + 60000);
    expect(beyond.netTotal).toBe(4900 + 60000 + 2900);
  });

  it('ignores usage of meters the plan has no charge for, and refuses usage it cannot place', () => {
    // Prepare
    const buyer = customer('DE');
    const stray: MeterUsage = { meter: 'storage_gb', period: '2026-11', quantity: '12', eventCount: 3 };

    // Act
    const result = invoice({ customer: buyer, usage: [...STANDARD_USAGE, stray] });

    // Assess
    expect(columns(result)).toEqual(STANDARD_LINES);
    expect(() => invoice({ customer: buyer, usage: [...STANDARD_USAGE, ...november({ seats: '2' })] })).toThrow(/given twice/);
    expect(() => invoice({ customer: buyer, usage: [{ meter: 'seats', period: '2026-12', quantity: '2', eventCount: 1 }] })).toThrow(
      /cannot be billed on the invoice for the earlier period 2026-11/,
    );
  });
});

describe('worked invoices in other currencies', () => {
  it('(e) JPY (no minor unit): every line and the VAT round half-up to whole yen', () => {
    // Prepare
    const plan: Plan = {
      code: 'pro_jp',
      currency: 'JPY',
      baseFee: '980',
      charges: [
        {
          meter: 'api_calls',
          model: 'graduated',
          tiers: [
            { upTo: '1000', unitPrice: '0' },
            { upTo: null, unitPrice: '0.15' },
          ],
        },
        { meter: 'tokens', model: 'package', packageSize: '1000', packagePrice: '2.5' },
        { meter: 'seats', model: 'per_unit', unitPrice: '1234.5' },
      ],
    };
    const usage = november({ api_calls: '1010', tokens: '2001', seats: '3' });

    // Act
    const result = invoice({ customer: customer('DE'), plan, usage });

    // Assess:
    // Base fee 980; api_calls 1,000 x 0 = 0; 10 x 0.15 = 1.5 -> 2; tokens ceil(2.001) = 3 x 2.5 = 7.5 -> 8;
    // seats 3 x 1,234.5 = 3,703.5 -> 3,704. Net 4,694; VAT 4,694 x 19 % = 891.86 -> 892; total 5,586
    expect(columns(result)).toEqual([
      ['base_fee', 'Base fee, plan pro_jp', '1', '980', 980],
      ['usage', 'api_calls, 1 – 1,000', '1000', '0', 0],
      ['usage', 'api_calls, 1,001 and above', '10', '0.15', 2],
      ['usage', 'tokens: 2,001 in packages of 1,000', '3', '2.5', 8],
      ['usage', 'seats (peak)', '3', '1234.5', 3704],
    ]);
    expect([result.netTotal, result.taxTotal, result.total]).toEqual([4694, 892, 5586]);
    expect(result.currency).toBe('JPY');
    expect(formatMinor(result.total, 'JPY')).toBe('5586');
  });

  it('(i) KWD (three decimals): a flat tier fee and OSS VAT in fils', () => {
    // Prepare: a French consumer (OSS, 20 %) on a dinar plan
    const plan: Plan = {
      code: 'pro_kw',
      currency: 'KWD',
      baseFee: '15.000',
      charges: [
        {
          meter: 'api_calls',
          model: 'graduated',
          tiers: [
            { upTo: '100', unitPrice: '0' },
            { upTo: null, unitPrice: '0.0125', flatPrice: '2.000' },
          ],
        },
        { meter: 'seats', model: 'per_unit', unitPrice: '2.3456' },
      ],
    };
    const usage = november({ api_calls: '333', seats: '7' });

    // Act
    const result = invoice({ customer: customer('FR'), plan, usage });

    // Assess:
    // Base fee 15.000
    // api_calls tier 1: 100 x 0 = 0.000
    // api_calls tier 2: 233 x 0.0125 = 2.9125, + flat 2.000 = 4.9125 -> 4.913 (half-up)
    // seats 7 x 2.3456 = 16.4192 -> 16.419
    // net 36.332; VAT 36.332 x 20 % = 7.2664 -> 7.266; total 43.598
    expect(columns(result)).toEqual([
      ['base_fee', 'Base fee, plan pro_kw', '1', '15.000', 15000],
      ['usage', 'api_calls, 1 – 100', '100', '0', 0],
      ['usage', 'api_calls, 101 and above, including a flat fee of 2.000', '233', '0.0125', 4913],
      ['usage', 'seats (peak)', '7', '2.3456', 16419],
    ]);
    expect(result.lines[2]).toMatchObject({ tier: 2, flatPrice: '2.000' });
    expect(result.taxSubtotals).toEqual([{ rate: '20', category: 'S', taxableAmount: 36332, taxAmount: 7266 }]);
    expect([result.netTotal, result.taxTotal, result.total]).toEqual([36332, 7266, 43598]);
    expect(formatMinor(result.total, 'KWD')).toBe('43.598');
  });
});

describe('exact decimals, never binary floats', () => {
  const sumMeter: Meter = { code: 'gb', eventType: 'storage', aggregation: 'sum', valueProperty: 'gb', unitCode: 'C62' };
  const event = (id: string, gb: number | string): StoredEvent => ({
    source: '//s',
    id,
    type: 'storage',
    time: '2026-11-01T00:00:00Z',
    t: 0,
    data: { gb },
  });

  it('sums 0.1 and 0.2 to exactly 0.3, from decimal strings and from JSON numbers', () => {
    // Prepare
    const fromStrings = createAggregator(sumMeter);
    const fromNumbers = createAggregator(sumMeter);

    // Act
    fromStrings.add(event('a', '0.1'));
    fromStrings.add(event('b', '0.2'));
    fromNumbers.add(event('a', 0.1));
    fromNumbers.add(event('b', 0.2));

    // Assess (0.1 + 0.2 in binary floating point is 0.30000000000000004)
    expect(fromStrings.quantity()).toBe('0.3');
    expect(fromNumbers.quantity()).toBe('0.3');
  });

  it('prices 10^12 units at 0.000000000001 at exactly one currency unit', () => {
    // Act
    const price = priceCharge({ meter: 'gb', model: 'per_unit', unitPrice: '0.000000000001' }, '1000000000000');

    // Assess
    expect(price.amount.toFixed()).toBe('1');
    expect(toMinorUnits(price.amount, 'EUR')).toBe(100);
  });

  it('rounds 3 x 1.123456789012 = 3.370370367036 half-up to 3.37 EUR', () => {
    // Act
    const price = priceCharge({ meter: 'gb', model: 'per_unit', unitPrice: '1.123456789012' }, '3');

    // Assess
    expect(price.amount.toFixed()).toBe('3.370370367036');
    expect(toMinorUnits(price.amount, 'EUR')).toBe(337);
  });

  it('rounds half-up at each currency exponent and formats minor units back', () => {
    // Assess
    expect(toMinorUnits('0.005', 'EUR')).toBe(1);
    expect(toMinorUnits('0.00499999999999', 'EUR')).toBe(0);
    expect(toMinorUnits('2.5', 'JPY')).toBe(3);
    expect(toMinorUnits('1.2345', 'KWD')).toBe(1235);
    expect(formatMinor(1234, 'EUR')).toBe('12.34');
    expect(formatMinor(5, 'EUR')).toBe('0.05');
    expect(formatMinor(1234, 'JPY')).toBe('1234');
    expect(formatMinor(1234, 'KWD')).toBe('1.234');
    expect(() => toMinorUnits('90071992547409.92', 'EUR')).toThrow(/too large/);
  });
});

describe('tax treatment', () => {
  it('applies the rules of CONTRACTS.md section 2 and names what is missing', () => {
    // Assess
    expect(taxTreatment('DE', { address: { country: 'DE' }, vatId: 'DE811111111' }, TAX_RATES)).toEqual({
      rate: '19',
      category: 'S',
      rateCountry: 'DE',
    });
    expect(taxTreatment('DE', { address: { country: 'DE' } }, { DE: '0' })).toEqual({ rate: '0', category: 'Z', rateCountry: 'DE' });
    expect(taxTreatment('DE', { address: { country: 'AT' }, vatId: 'ATU12345678' }, TAX_RATES)).toEqual({
      rate: '0',
      category: 'AE',
      legend: REVERSE_CHARGE,
    });
    expect(taxTreatment('DE', { address: { country: 'CH' }, vatId: 'CHE123' }, TAX_RATES)).toEqual({
      rate: '0',
      category: 'O',
      legend: OUTSIDE_SCOPE,
    });
    expect(() => taxTreatment('DE', { address: { country: 'AT' } }, TAX_RATES)).toThrow(/No VAT rate for AT/);
    expect(() => taxTreatment('DE', { address: { country: 'DE' } }, {})).toThrow(/No VAT rate for DE/);
    expect(() => taxTreatment('US', { address: { country: 'US' } }, TAX_RATES)).toThrow(/issuer is in US, which is not an EU member state/);
  });
});

describe('due date', () => {
  it('adds the payment terms in calendar days, across months and leap days', () => {
    // Assess
    expect(dueDate('2026-12-01', 30)).toBe('2026-12-31');
    expect(dueDate('2026-12-15', 30)).toBe('2027-01-14');
    expect(dueDate('2028-02-01', 28)).toBe('2028-02-29');
    expect(dueDate('2026-11-30', 0)).toBe('2026-11-30');
    expect(() => dueDate('2026-02-30', 30)).toThrow(/does not exist/);
    expect(() => dueDate('2026-11-30', -1)).toThrow(/Payment terms/);
  });
});
