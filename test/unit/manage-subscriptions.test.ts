/**
 * Operators' subscription changes (billflow subscriptions start|change|cancel, customers
 * add|update): each request is checked whole, every problem by path, and nothing that would
 * change a finalized period is written.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogHead, Customer } from '#domain/catalog/types.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import { changeSubscription, saveCustomer } from '#use-cases/manage-subscriptions.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { issuer, proCustomer } from '#test-support/invoicing-catalog.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const HEAD: CatalogHead = {
  issuer,
  taxRates: { DE: '19' },
  meters: [],
  plans: [
    { code: 'starter', currency: 'EUR', baseFee: '19.00', charges: [] },
    { code: 'pro', currency: 'EUR', baseFee: '49.00', charges: [] },
    { code: 'usd', currency: 'USD', baseFee: '49.00', charges: [] },
  ],
};
const NOW = Date.parse('2026-12-04T12:00:00Z');

function catalogWith(customers: Customer[]): CatalogRepository & { customers: Map<string, Customer> } {
  const stored = new Map(customers.map((customer) => [customer.id, customer]));
  return {
    customers: stored,
    readHead: async () => HEAD,
    writeHead: async () => undefined,
    upsertCustomers: async (updates) => {
      for (const customer of updates) stored.set(customer.id, customer);
    },
    findCustomers: async (ids) => new Map(ids.flatMap((id) => (stored.has(id) ? [[id, stored.get(id)!] as const] : []))),
    listCustomers: async () => [...stored.values()],
    version: async () => 'v',
  };
}

const novemberInvoice = { billingPeriod: '2026-11', status: 'finalized', number: 'ACME-2026-000007' } as Invoice;

function deps(catalog: CatalogRepository, invoices: Invoice[] = []) {
  return { catalog, invoices: { list: async () => invoices }, now: NOW, outbound: noOutboundEvents };
}

describe('subscriptions start, change, cancel', () => {
  it('start, upgrade, cancel at period end: back-to-back subscriptions', async () => {
    const catalog = catalogWith([proCustomer('cus_50', { plan: undefined, subscriptions: [] })]);
    expect((await changeSubscription('cus_50', { kind: 'start', plan: 'starter', at: '2026-12-10T00:00:00Z' }, deps(catalog))).ok).toBe(
      true,
    );
    expect((await changeSubscription('cus_50', { kind: 'change', plan: 'pro', at: '2026-12-20T00:00:00Z' }, deps(catalog))).ok).toBe(true);
    expect((await changeSubscription('cus_50', { kind: 'cancel', at: 'period-end' }, deps(catalog))).ok).toBe(true);
    expect(catalog.customers.get('cus_50')!.subscriptions).toEqual([
      { plan: 'starter', start: '2026-12-10T00:00:00Z', end: '2026-12-20T00:00:00Z' },
      { plan: 'pro', start: '2026-12-20T00:00:00Z', end: '2027-01-01T00:00:00Z' },
    ]);
  });

  it('a customer on the plan: shorthand keeps every earlier period whole when changed', async () => {
    const catalog = catalogWith([proCustomer('cus_42')]);
    const result = await changeSubscription(
      'cus_42',
      { kind: 'change', plan: 'starter', at: '2026-12-15T00:00:00Z' },
      deps(catalog, [novemberInvoice]),
    );
    expect(result.ok).toBe(true);
    expect(catalog.customers.get('cus_42')).toMatchObject({
      subscriptions: [
        { plan: 'pro', start: '1970-01-01T00:00:00Z', end: '2026-12-15T00:00:00Z' },
        { plan: 'starter', start: '2026-12-15T00:00:00Z' },
      ],
    });
    expect(catalog.customers.get('cus_42')!.plan).toBeUndefined();
  });

  it('reports every problem of a request at once, by path', async () => {
    const catalog = catalogWith([]);
    const result = await changeSubscription('cus_nobody', { kind: 'change', plan: 'gold', at: '2026-12-20' }, deps(catalog));
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'customer', message: 'no customer "cus_nobody" in the catalog: add it first (billflow customers add FILE)' },
        { path: '--plan', message: 'no plan "gold" in the catalog; plans: starter, pro, usd' },
        { path: '--at', message: '"2026-12-20" must be an RFC 3339 instant in whole seconds such as 2026-11-20T00:00:00Z, or period-end' },
      ],
    });
  });

  it('refuses a second active subscription, a second currency, and a change with nothing active', async () => {
    const catalog = catalogWith([
      proCustomer('cus_50', { plan: undefined, subscriptions: [{ plan: 'starter', start: '2026-12-10T00:00:00Z' }] }),
    ]);
    const overlap = await changeSubscription('cus_50', { kind: 'start', plan: 'pro', at: '2026-12-12T00:00:00Z' }, deps(catalog));
    expect(overlap.ok === false && overlap.issues).toEqual([
      {
        path: 'subscriptions[1].start',
        message: expect.stringContaining('overlaps the subscription to plan starter (from 2026-12-10T00:00:00Z), which has no end'),
      },
    ]);
    const currency = await changeSubscription('cus_50', { kind: 'change', plan: 'usd', at: '2026-12-12T00:00:00Z' }, deps(catalog));
    expect(currency.ok === false && currency.issues[0]).toMatchObject({
      path: 'subscriptions[1].plan',
      message: expect.stringContaining('bills in USD'),
    });
    const nothing = await changeSubscription('cus_50', { kind: 'change', plan: 'pro', at: '2026-12-01T00:00:00Z' }, deps(catalog));
    expect(nothing.ok === false && nothing.issues).toEqual([
      { path: '--at', message: 'no subscription is active at 2026-12-01T00:00:00Z to change: use billflow subscriptions start' },
    ]);
    expect(catalog.customers.get('cus_50')!.subscriptions).toEqual([{ plan: 'starter', start: '2026-12-10T00:00:00Z' }]);
  });

  it('refuses to rewrite a finalized period: a credit note corrects it', async () => {
    const catalog = catalogWith([proCustomer('cus_42')]);
    const result = await changeSubscription('cus_42', { kind: 'cancel', at: '2026-11-20T00:00:00Z' }, deps(catalog, [novemberInvoice]));
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: 'subscriptions',
          message: expect.stringMatching(/^would change 2026-11 \(ACME-2026-000007\), already invoiced: .*issue a credit note instead/),
        },
      ],
    });
    expect(catalog.customers.get('cus_42')!.plan).toBe('pro');
    // From the first open period on it is fine.
    expect((await changeSubscription('cus_42', { kind: 'cancel', at: '2026-12-01T00:00:00Z' }, deps(catalog, [novemberInvoice]))).ok).toBe(
      true,
    );
  });
});

describe('customers add and update', () => {
  const document = {
    id: 'cus_70',
    name: 'Hooli',
    email: 'ap@hooli.example',
    address: { line1: 'Torstr. 5', city: 'Berlin', postalCode: '10119', country: 'DE' },
    subscriptions: [],
  };

  it('adds a new customer, refuses to add it twice or to update an unknown one', async () => {
    const catalog = catalogWith([]);
    expect((await saveCustomer({ ...document, id: 'cus_71' }, 'update', deps(catalog))).ok).toBe(false);
    expect((await saveCustomer(document, 'add', deps(catalog))).ok).toBe(true);
    expect(await saveCustomer(document, 'add', deps(catalog))).toEqual({
      ok: false,
      issues: [{ path: 'id', message: 'customer "cus_70" already exists: use billflow customers update' }],
    });
  });

  it('reports every problem by its path in the file', async () => {
    const result = await saveCustomer(
      { ...document, email: 'nope', subscriptions: [{ plan: 'pro', start: 'soon' }] },
      'add',
      deps(catalogWith([])),
    );
    expect(result.ok === false && result.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'email: must be an email address such as billing@example.com',
      'subscriptions[0].start: must be an RFC 3339 date-time in whole seconds such as "2026-11-10T00:00:00Z", not "soon"',
    ]);
  });
});

describe('catalog apply with the invoices', () => {
  it('refuses a customer whose new subscriptions would change a finalized period, by path; writes nothing', async () => {
    const catalog = catalogWith([proCustomer('cus_42')]);
    const invoices = { list: async () => [novemberInvoice] };
    const rewritten = { ...proCustomer('cus_42', { plan: undefined }), subscriptions: [{ plan: 'pro', start: '2026-11-15T00:00:00Z' }] };
    const result = await applyCatalog({ customers: [rewritten] }, catalog, invoices);
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: 'customers[0].subscriptions',
          message: expect.stringContaining('would change 2026-11 (ACME-2026-000007), already invoiced'),
        },
      ],
    });
    expect(catalog.customers.get('cus_42')!.plan).toBe('pro');
    // The same customer unchanged, or changed from December on, applies.
    expect((await applyCatalog({ customers: [proCustomer('cus_42')] }, catalog, invoices)).ok).toBe(true);
    const fromDecember = { ...rewritten, subscriptions: [{ plan: 'pro', start: '1970-01-01T00:00:00Z', end: '2026-12-01T00:00:00Z' }] };
    expect((await applyCatalog({ customers: [fromDecember] }, catalog, invoices)).ok).toBe(true);
  });
});
