/** Record factories: valid by default, overridden per test. */
import type { CatalogDocument, Customer } from '#domain/catalog/types.ts';
import { METERS } from './invoicing-catalog.ts';

let sequence = 0;

export interface TestCloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  data?: unknown;
  [extension: string]: unknown;
}

export function aCloudEvent(overrides: Partial<TestCloudEvent> = {}): TestCloudEvent {
  sequence += 1;
  return {
    specversion: '1.0',
    id: `evt-${sequence}`,
    source: '//api.example.com/eu-1',
    type: 'api.request',
    subject: 'cus_1',
    time: '2026-11-03T10:00:00Z',
    data: { tokens: 1200, model: 'small', userId: `u-${sequence % 7}` },
    ...overrides,
  };
}

export function aCustomer(id: string, overrides: Partial<Customer> = {}): Customer {
  return {
    id,
    name: `Customer ${id}`,
    email: `${id}@customer.example`,
    address: { line1: '1 rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
    plan: 'pro',
    paymentTermsDays: 30,
    ...overrides,
  };
}

/** A small catalog like the one in CONTRACTS.md, with the given customers. */
export function aCatalog(customerIds: readonly string[]): CatalogDocument {
  return {
    taxRates: { DE: '19', FR: '20' },
    meters: METERS.map((meter) => ({ ...meter })),
    plans: [
      {
        code: 'pro',
        currency: 'EUR',
        baseFee: '49.00',
        charges: [
          { meter: 'api_calls', model: 'per_unit', unitPrice: '0.001' },
          { meter: 'tokens', model: 'package', packageSize: '1000', packagePrice: '0.02' },
        ],
      },
    ],
    customers: customerIds.map((id) => aCustomer(id)),
  };
}
