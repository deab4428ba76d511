import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { BatchGetCommand, BatchWriteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTestStack } from '#test-support/local-stack.ts';
import { tables } from '#infra/resources.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { CatalogStoreError } from '#adapters/errors.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { parseCatalogText } from '#domain/catalog/parse.ts';
import { formatIssue } from '#domain/catalog/validate.ts';
import type { Customer } from '#domain/catalog/types.ts';
import { PRO_PLAN } from '#test-support/invoicing-catalog.ts';

function example(name: string): unknown {
  const result = parseCatalogText(readFileSync(new URL(`../../docs/examples/${name}`, import.meta.url), 'utf8'), name);
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.value;
}

function customer(index: number): Customer {
  return {
    id: `cus_${String(index).padStart(4, '0')}`,
    name: `Customer ${index}`,
    email: `ap+${index}@example.com`,
    address: { line1: `Street ${index}`, city: 'Berlin', postalCode: '10115', country: 'DE' },
    plan: 'pro',
    paymentTermsDays: 30,
  };
}

/** The clock of every apply below: customers read back carry it as `enteredAt`. */
const APPLIED_AT = '2026-06-01T00:00:00.000Z';

describe('DynamoDbCatalogRepository with applyCatalog', () => {
  /** Each test gets its own empty tables, so counts and listings are its own. */
  async function freshRepository(options: { maxUnprocessedRetries?: number } = {}) {
    const fresh = await createTestStack();
    const client = fresh.clients.dynamodb;
    const tableName = fresh.env[tables.billing.envVar]!;
    const repository = new DynamoDbCatalogRepository(client, tableName, { baseDelayMs: 1, now: () => new Date(APPLIED_AT), ...options });
    return { repository, tableName, client };
  }

  async function itemCount(client: DynamoDBDocumentClient, tableName: string): Promise<number> {
    const page = await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }));
    return page.Count ?? 0;
  }

  it('applies the example catalog and reads it back', async () => {
    // Prepare
    const { repository } = await freshRepository();

    // Act
    const result = await applyCatalog(example('catalog.yaml'), repository);

    // Assess
    expect(result).toEqual({ ok: true, summary: { meters: 5, plans: 2, customers: 4, taxRates: 3, issuer: true } });
    const head = await repository.readHead();
    expect(head.issuer?.invoicePrefix).toBe('ACME');
    expect(head.taxRates).toEqual({ DE: '19', FR: '20', NL: '21' });
    expect(head.meters.map((meter) => meter.code)).toEqual(['api_calls', 'tokens', 'seats', 'active_users', 'storage_gb']);
    expect(head.plans.map((plan) => plan.code)).toEqual(['pro', 'pro_jp']);
    expect(head.plans[0]?.charges[0]).toEqual(PRO_PLAN.charges[0]);
    const customers = await repository.listCustomers();
    expect(customers.map((entry) => entry.id)).toEqual(['cus_42', 'cus_43', 'cus_44', 'cus_45']);
    expect(customers.find((entry) => entry.id === 'cus_45')).toEqual({
      id: 'cus_45',
      name: 'Kaiyo Systems KK',
      email: 'keiri@kaiyo.example',
      address: { line1: '1-1 Marunouchi', city: 'Chiyoda-ku', region: 'Tokyo', postalCode: '100-0005', country: 'JP' },
      plan: 'pro_jp',
      paymentTermsDays: 30,
      enteredAt: APPLIED_AT,
    });
  });

  it('writes nothing at all for an invalid document', async () => {
    // Prepare
    const { repository, tableName, client } = await freshRepository();

    // Act
    const result = await applyCatalog(example('catalog-invalid.yaml'), repository);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toContain(
      'plans[0].charges[2].tiers[1].upTo: must be greater than the previous tier (10000)',
    );
    expect(await itemCount(client, tableName)).toBe(0);
  });

  it('is idempotent: applying the same document twice gives the same catalog', async () => {
    // Prepare
    const { repository, tableName, client } = await freshRepository();
    await applyCatalog(example('catalog.yaml'), repository);
    const headAfterFirst = await repository.readHead();
    const customersAfterFirst = await repository.listCustomers();

    // Act
    const second = await applyCatalog(example('catalog.yaml'), repository);

    // Assess
    expect(second.ok).toBe(true);
    expect(await repository.readHead()).toEqual(headAfterFirst);
    expect(await repository.listCustomers()).toEqual(customersAfterFirst);
    // The head, the customers' version and one item per customer: nothing added by the second apply.
    expect(await itemCount(client, tableName)).toBe(2 + customersAfterFirst.length);
  });

  it('changes its version when the head or any customer is written, not when nothing is', async () => {
    // Prepare
    const { repository } = await freshRepository();
    const empty = await repository.version();
    await applyCatalog(example('catalog.yaml'), repository);
    const applied = await repository.version();

    // Act
    const unchanged = await repository.version();
    await applyCatalog({ customers: [{ ...customer(1), id: 'cus_new', plan: 'pro' }] }, repository);
    const customerAdded = await repository.version();

    // Assess
    expect(applied).not.toBe(empty);
    expect(unchanged).toBe(applied);
    expect(customerAdded).not.toBe(applied);
    // The head's part is the same: only a customer was written.
    expect(customerAdded.split('|')[0]).toBe(applied.split('|')[0]);
  });

  it('applies a document that sets only the billing settings, keeping the rest of the head', async () => {
    // Prepare
    const { repository } = await freshRepository();
    await applyCatalog(example('catalog.yaml'), repository);

    // Act
    const result = await applyCatalog({ billing: { gracePeriodHours: 26 } }, repository);

    // Assess
    expect(result.ok).toBe(true);
    const head = await repository.readHead();
    expect(head.billing).toEqual({ gracePeriodHours: 26 });
    expect(head.plans).toHaveLength(2);
  });

  it('upserts customers in a later document that references the applied plans', async () => {
    // Prepare
    const { repository, client, tableName } = await freshRepository();
    await applyCatalog(example('catalog.yaml'), repository);
    const changed = { ...customer(1), id: 'cus_42', name: 'Globex SA', plan: 'pro_jp' };
    const aMonthLater = new DynamoDbCatalogRepository(client, tableName, { now: () => new Date('2026-07-01T00:00:00Z') });

    // Act
    const result = await applyCatalog({ customers: [changed, customer(7)] }, aMonthLater);

    // Assess: the changed customer keeps when it first entered the catalog; a new one is entered now.
    expect(result).toEqual({ ok: true, summary: { meters: 0, plans: 0, customers: 2, taxRates: 0, issuer: false } });
    expect((await repository.findCustomers(['cus_42'])).get('cus_42')).toEqual({ ...changed, enteredAt: APPLIED_AT });
    expect((await repository.findCustomers([customer(7).id])).get(customer(7).id)?.enteredAt).toBe('2026-07-01T00:00:00.000Z');
    expect((await repository.readHead()).plans).toHaveLength(2);
  });

  it('upserts 250 customers and finds them in chunks; unknown ids are not returned', async () => {
    // Prepare
    const { repository, client } = await freshRepository();
    const customers = Array.from({ length: 250 }, (_, index) => customer(index));
    const ids = [...customers.map((entry) => entry.id), 'cus_unknown', 'nobody'];
    const send = vi.spyOn(client, 'send');
    const requests = (type: new (...args: never[]) => unknown) => send.mock.calls.filter(([command]) => command instanceof type).length;

    // Act
    await repository.upsertCustomers(customers);
    const found = await repository.findCustomers(ids);

    // Assess
    // 250 customers: 10 writes of 25; 3 reads of 100 for their enteredAt before, 3 to find them.
    expect([requests(BatchWriteCommand), requests(BatchGetCommand)]).toEqual([10, 6]);
    expect(found.size).toBe(250);
    expect(found.get('cus_0249')).toEqual({ ...customer(249), enteredAt: APPLIED_AT });
    expect(found.has('cus_unknown') || found.has('nobody')).toBe(false);
    expect(await repository.listCustomers()).toHaveLength(250);
    expect((await repository.findCustomers([])).size).toBe(0);
  });

  it('retries customers DynamoDB leaves unprocessed', async () => {
    // Prepare: the first BatchWriteItem writes only 20 of its 25 items and returns the rest.
    const { repository, client } = await freshRepository();
    const send = client.send.bind(client);
    let throttled = false;
    // send's callback overload returns void; the SDK calls the promise form, which this replaces.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    vi.spyOn(client, 'send').mockImplementation(async (command: Parameters<typeof send>[0]) => {
      if (!(command instanceof BatchWriteCommand) || throttled) return send(command);
      throttled = true;
      const [tableName, requests] = Object.entries(command.input.RequestItems ?? {})[0]!;
      await send(new BatchWriteCommand({ RequestItems: { [tableName]: requests.slice(0, 20) } }));
      return { UnprocessedItems: { [tableName]: requests.slice(20) }, $metadata: {} };
    });
    const customers = Array.from({ length: 25 }, (_, index) => customer(index));

    // Act
    await repository.upsertCustomers(customers);

    // Assess
    expect(throttled).toBe(true);
    expect((await repository.findCustomers(customers.map((entry) => entry.id))).size).toBe(25);
  });

  it('fails clearly when customers stay unprocessed after the retries', async () => {
    // Prepare: every BatchWriteItem comes back with all its items unprocessed.
    const { repository, client } = await freshRepository({ maxUnprocessedRetries: 2 });
    const send = client.send.bind(client);
    // send's callback overload returns void; the SDK calls the promise form, which this replaces.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    vi.spyOn(client, 'send').mockImplementation(async (command: Parameters<typeof send>[0]) => {
      // The read of when the customers entered the catalog goes through.
      if (command instanceof BatchGetCommand) return send(command);
      if (!(command instanceof BatchWriteCommand)) throw new Error('unexpected command');
      return { UnprocessedItems: command.input.RequestItems, $metadata: {} };
    });

    // Act
    const upsert = repository.upsertCustomers([customer(1), customer(2)]);

    // Assess
    await expect(upsert).rejects.toThrow(CatalogStoreError);
    await expect(upsert).rejects.toThrow(/2 of 2 customers were not written \(cus_0001, cus_0002\)/);
  });
});
