/** A catalog for invoice-run tests: the CONTRACTS.md `pro` plan, a free plan, and customers in DE, FR and the US. */
import type { CatalogDocument, Customer, Issuer, Meter, Plan } from '#domain/catalog/types.ts';

/** The CONTRACTS.md issuer. */
export const issuer: Issuer = {
  name: 'Acme Cloud GmbH',
  address: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  vatId: 'DE123456789',
  email: 'billing@acme.example',
  invoicePrefix: 'ACME',
  bank: { iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
};

/**
 * When the tests' customers entered the catalog: before every period they bill. A customer who
 * enters after a period ended is not billed for it unless it has events there or the run names
 * the period (close-billing-period), and these tests close past periods.
 */
export const CUSTOMERS_ENTERED = { now: () => new Date('2026-01-01T00:00:00Z') };

export function proCustomer(id: string, overrides: Partial<Customer> = {}): Customer {
  return {
    id,
    name: `Customer ${id}`,
    email: `${id}@customer.example`,
    address: { line1: 'Alexanderplatz 1', city: 'Berlin', postalCode: '10178', country: 'DE' },
    vatId: 'DE987654321',
    plan: 'pro',
    paymentTermsDays: 30,
    ...overrides,
  };
}

/** A French business customer on the pro plan: reverse charge from the German issuer. */
export function frenchProCustomer(id: string, overrides: Partial<Customer> = {}): Customer {
  return proCustomer(id, {
    address: { line1: '1 rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
    vatId: 'FR12345678901',
    ...overrides,
  });
}

/** `count` customers cus_000000, cus_000001, ... on the pro plan: every third French (reverse charge), the others German. */
export function mixedProCustomers(count: number): Customer[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `cus_${String(i).padStart(6, '0')}`;
    return i % 3 === 1 ? frenchProCustomer(id) : proCustomer(id);
  });
}

/** The standard VAT rates of the CONTRACTS.md catalog, percent per country. */
export const TAX_RATES = { DE: '19', FR: '20', NL: '21' };

/** The api_calls, tokens and seats meters of CONTRACTS.md. */
export const METERS: readonly Meter[] = [
  { code: 'api_calls', eventType: 'api.request', aggregation: 'count', unitCode: 'C62' },
  { code: 'tokens', eventType: 'api.request', aggregation: 'sum', valueProperty: 'tokens', unitCode: 'C62' },
  { code: 'seats', eventType: 'seats.changed', aggregation: 'max', valueProperty: 'count', unitCode: 'C62' },
];

/** The CONTRACTS.md `pro` plan: base fee 49.00, minimum 100.00, graduated api_calls, tokens in packages, seats per unit. */
export const PRO_PLAN: Plan = {
  code: 'pro',
  currency: 'EUR',
  baseFee: '49.00',
  minimumCommitment: '100.00',
  charges: [
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
  ],
};

/** The CONTRACTS.md catalog with a free plan besides `pro`; a fresh copy each call, so a test may change it. */
export function invoicingCatalog(customers: readonly Customer[]): CatalogDocument {
  const freePlan: Plan = {
    code: 'free',
    currency: 'EUR',
    baseFee: '0',
    charges: [{ meter: 'api_calls', model: 'per_unit', unitPrice: '0.01' }],
  };
  return {
    ...structuredClone({ issuer, taxRates: TAX_RATES, meters: [...METERS], plans: [PRO_PLAN, freePlan] }),
    customers: [...customers],
  };
}

let sequence = 0;

export function apiRequest(customerId: string, time: string, tokens: number, id?: string) {
  sequence += 1;
  return {
    specversion: '1.0',
    id: id ?? `req-${sequence}`,
    source: '//api.example.com/eu-1',
    type: 'api.request',
    subject: customerId,
    time,
    data: { tokens, userId: `u-${sequence % 3}` },
  };
}

export function seatsChanged(customerId: string, time: string, count: number) {
  sequence += 1;
  return {
    specversion: '1.0',
    id: `seats-${sequence}`,
    source: '//admin.example.com',
    type: 'seats.changed',
    subject: customerId,
    time,
    data: { count },
  };
}
