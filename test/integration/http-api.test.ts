/**
 * The HTTP API (issue 18) on the local services, through HTTP only (the operator's part, the
 * catalog head, API keys and the invoice run, through the CLI): a customer created, a
 * subscription started, October's events sent over HTTP and over SQS with duplicates across
 * both, usage read, October invoiced after its end, the invoice and its PDF fetched; subscription
 * changes reach a webhook endpoint subscribed to subscription.changed. Every
 * answer is checked against the OpenAPI document by validator libraries (test/support/api-client.ts).
 * serve-api is the handler module's own build, given a clock the tests can move forward (by
 * `clockShiftMs`), so a Retry-After is waited out without sleeping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaHandler } from '#functions/commons/lambda-handler.ts';
import { buildApi } from '#functions/serve-api/handler.ts';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbCustomerBalances } from '#adapters/dynamodb/customer-balance-store.ts';
import { owedToCustomer } from '#test-support/balance-fixtures.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { backfillListings } from '#adapters/dynamodb/listings-backfill.ts';
import { localCredentials } from '#infra/local/credentials.ts';
import { startLocalHttpApi, type LocalHttpApi } from '#infra/local/http-api.ts';
import { localOutputs } from '#infra/local/function-environment.ts';
import { queues, tables } from '#infra/resources.ts';
import { startCliPipeline, type CliPipeline } from '#test-support/cli-pipeline.ts';
import { TEST_REGION } from '#test-support/local-stack.ts';
import { ApiClient } from '#test-support/api-client.ts';
import { apiRequest, invoicingCatalog, proCustomer } from '#test-support/invoicing-catalog.ts';
import { waitForDrained } from '#test-support/ingest-harness.ts';

let pipeline: CliPipeline;
let api: LocalHttpApi;
let client: ApiClient;
const keys = { all: '', read: '', events: '', revoked: '', tiny: '' };
let clockShiftMs = 0;
/** The outbound events posted to a webhook endpoint subscribed to subscription.changed. */
const posted: { type: string; subject?: string; data: Record<string, unknown> }[] = [];
let hooks: Server;

const customer = (id: string) => {
  const { id: _inPath, ...body } = proCustomer(id, { email: `${id.replaceAll('_', '-')}@customer.example` });
  return { ...body, plan: undefined, subscriptions: [] };
};

async function cli<T>(...args: string[]): Promise<T> {
  const result = await pipeline.billflow(...args, '--json');
  if (result.code !== 0) throw new Error(`billflow ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  pipeline = await startCliPipeline('http-api');
  const serveApi = lambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(() =>
    buildApi(() => Date.now() + clockShiftMs),
  );
  api = await startLocalHttpApi({
    port: 0,
    region: TEST_REGION,
    prefix: 'http-api',
    handlers: { serveApi, serveApiDocument: serveApi },
    onError: (id, error) => console.error(id, error),
  });
  // The outputs the CLI reads, with this API's URL.
  writeFileSync(
    join(pipeline.workDir, 'outputs.json'),
    JSON.stringify(localOutputs(pipeline.stack, pipeline.stack.endpoints, TEST_REGION, 'http://127.0.0.1:0/', { url: api.url })),
  );
  const catalogFile = join(pipeline.workDir, 'catalog.json');
  writeFileSync(catalogFile, JSON.stringify(invoicingCatalog([])));
  await cli('catalog', 'apply', catalogFile);
  keys.all = (await cli<{ key: string }>('api-keys', 'create', '--name', 'orders-service')).key;
  keys.read = (await cli<{ key: string }>('api-keys', 'create', '--name', 'dashboard', '--scope', 'read')).key;
  keys.events = (await cli<{ key: string }>('api-keys', 'create', '--name', 'metering', '--scope', 'events:write')).key;
  const revoked = await cli<{ key: string; id: string }>('api-keys', 'create', '--name', 'old');
  keys.revoked = revoked.key;
  await cli('api-keys', 'revoke', revoked.id);
  // Three requests at once, then one every 100 s.
  keys.tiny = (await cli<{ key: string }>('api-keys', 'create', '--name', 'tiny', '--scope', 'read', '--rate', '0.01', '--burst', '3')).key;
  hooks = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posted.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof posted)[number]);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((listening) => hooks.listen(0, '127.0.0.1', listening));
  const hooksUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`;
  await cli('webhooks', 'add', hooksUrl, '--events', 'subscription.changed');
  client = new ApiClient(api.url);
}, 120_000);

afterAll(async () => {
  client?.close();
  await api?.stop();
  await pipeline?.stop();
  hooks?.closeAllConnections();
  await new Promise((closed) => hooks?.close(closed));
});

describe('the HTTP API, through HTTP', () => {
  it('serves a valid OpenAPI 3.1 document without a key, listing every /v1 route', async () => {
    const verdict = await client.loadDocument();
    expect(verdict).toEqual({ valid: true });
    expect(client.openApi.openapi).toBe('3.1.0');
    expect(Object.keys(client.openApi.paths as object)).toEqual(
      expect.arrayContaining(['/v1/events', '/v1/customers/{id}', '/v1/invoices/{number}/pdf', '/v1/openapi.json']),
    );
  });

  it('refuses a missing key (401), an unknown, malformed or revoked one (403), and a key without the scope (403 problem)', async () => {
    // API Gateway's own answers (locally the same), as the document describes them.
    const missing = await client.call('GET', '/v1/customers');
    const unknown = await client.call('GET', '/v1/customers', { key: `bf_${'A'.repeat(43)}` });
    const malformed = await client.call('GET', '/v1/customers', { key: 'sk_live_123' });
    const revoked = await client.call('GET', '/v1/customers', { key: keys.revoked });
    const outOfScope = await client.call('POST', '/v1/events', { key: keys.read, body: apiRequest('cus_a', '2026-10-05T10:00:00Z', 1) });
    const listed = await cli<Record<string, unknown>[]>('api-keys', 'list');
    expect([missing.status, unknown.status, malformed.status, revoked.status]).toEqual([401, 403, 403, 403]);
    expect([missing.json, revoked.json]).toEqual([{ message: 'Unauthorized' }, { message: 'Forbidden' }]);
    expect(listed.map((record) => [record.name, record.revokedAt === null])).toEqual([
      ['orders-service', true],
      ['dashboard', true],
      ['metering', true],
      ['old', false],
      ['tiny', true],
    ]);
    // Each key's request limit: its own, or the default spelled out.
    expect(listed.map((record) => record.rateLimit)).toEqual([
      ...Array.from({ length: 4 }, () => ({ ratePerSecond: 50, burst: 100 })),
      { ratePerSecond: 0.01, burst: 3 },
    ]);
    // Never the key nor its hash.
    expect(listed.every((record) => !('key' in record) && !('hash' in record))).toBe(true);
    expect(outOfScope.status).toBe(403);
    expect(outOfScope.headers['content-type']).toBe('application/problem+json');
    expect(outOfScope.json).toMatchObject({
      status: 403,
      type: 'urn:billflow:problem:forbidden',
      detail: expect.stringContaining('events:write'),
    });
  });

  it('holds each key to its own limit: over it 429 problem+json with Retry-After, accepted again after it, other keys unaffected', async () => {
    // Eight at once from a key with a burst of 3: its bucket in DynamoDB is taken by concurrent conditional updates.
    const [burst, otherKey, zeroRate] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => client.call('GET', '/v1/customers', { key: keys.tiny }))),
      client.call('GET', '/v1/customers', { key: keys.read }),
      // Meanwhile: a limit out of bounds is refused with what to fix.
      pipeline.billflow('api-keys', 'create', '--name', 'none', '--rate', '0', '--json'),
    ]);
    const refused = burst.filter((answer) => answer.status === 429);
    expect(burst.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    expect(otherKey.status).toBe(200);
    const retryAfter = refused.map((answer) => Number(answer.headers['retry-after']));
    // One token every 100 s: the next is at most 100 s away (less the time since the burst, rounded up).
    expect(retryAfter.every((seconds) => Number.isInteger(seconds) && seconds >= 1 && seconds <= 100)).toBe(true);
    expect(refused[0]!.headers['content-type']).toBe('application/problem+json');
    expect(refused[0]!.json).toMatchObject({
      status: 429,
      type: 'urn:billflow:problem:too-many-requests',
      detail: expect.stringContaining('0.01'),
    });
    const documented = (client.openApi.paths as Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>)[
      '/v1/customers'
    ]!.get!.responses['429']!;
    expect(Object.keys(documented.headers ?? {})).toEqual(['Retry-After']);

    clockShiftMs += Math.max(...retryAfter) * 1000;
    const afterWait = await client.call('GET', '/v1/customers', { key: keys.tiny });
    const next = await client.call('GET', '/v1/customers', { key: keys.tiny });
    expect([afterWait.status, next.status]).toEqual([200, 429]);
    expect(Number(next.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(next.headers['retry-after'])).toBeLessThanOrEqual(100);
    expect(zeroRate.code).not.toBe(0);
    expect(zeroRate.stderr).toContain('--rate must be a number of requests per second from 0.01');
  });

  it('creates a customer (201), replaces it (200), refuses an invalid one with every error by path (400), 404s an unknown one', async () => {
    const created = await client.call('PUT', '/v1/customers/cus_a', { key: keys.all, body: customer('cus_a') });
    const replaced = await client.call('PUT', '/v1/customers/cus_a', {
      key: keys.all,
      body: { ...customer('cus_a'), name: 'Globex SARL' },
    });
    const invalid = await client.call('PUT', '/v1/customers/cus_bad', {
      key: keys.all,
      body: { ...customer('cus_bad'), email: 'not-an-email', address: { line1: 'x', city: 'y', postalCode: '1', country: 'XX' } },
    });
    const notJson = await client.call('PUT', '/v1/customers/cus_bad', { key: keys.all, rawBody: '{"name": ' });
    const unknown = await client.call('GET', '/v1/customers/cus_nobody', { key: keys.read });
    expect([created.status, replaced.status, invalid.status, notJson.status, unknown.status]).toEqual([201, 200, 400, 400, 404]);
    expect((invalid.json as { errors: { path: string }[] }).errors.map((error) => error.path)).toEqual(
      expect.arrayContaining(['email', 'address.country']),
    );
    expect((await client.call('GET', '/v1/customers/cus_a', { key: keys.read })).json).toMatchObject({ id: 'cus_a', name: 'Globex SARL' });
  });

  it('lists customers a page at a time with a cursor', async () => {
    await client.call('PUT', '/v1/customers/cus_b', { key: keys.all, body: customer('cus_b') });
    const first = await client.call('GET', '/v1/customers?limit=1', { key: keys.read });
    const { nextCursor } = first.json as { nextCursor: string };
    const second = await client.call('GET', `/v1/customers?limit=1&cursor=${nextCursor}`, { key: keys.read });
    const badCursor = await client.call('GET', '/v1/customers?cursor=%%%', { key: keys.read });
    expect((first.json as { items: { id: string }[] }).items.map((item) => item.id)).toEqual(['cus_a']);
    expect(second.json).toMatchObject({ items: [{ id: 'cus_b' }], nextCursor: null });
    expect(badCursor.status).toBe(400);
  });

  it('reads a page of customers or invoices from the listings index and only the items it returns: no Scan', async () => {
    const { dynamodb } = createAwsClients({ region: TEST_REGION, endpoints: pipeline.stack.endpoints, credentials: localCredentials });
    const sent: { command: string; input: Record<string, unknown> }[] = [];
    dynamodb.middlewareStack.add(
      (next, context) => (args) => {
        sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize' },
    );
    const billingTable = pipeline.stack.env[tables.billing.envVar]!;
    const page = await new DynamoDbCatalogRepository(dynamodb, billingTable).customersPage({ limit: 1 });
    const invoices = await new DynamoDbInvoiceRepository(dynamodb, billingTable).invoicesPage({ limit: 1 });
    expect([page.customers.map((customer) => customer.id), page.more]).toEqual([['cus_a'], true]);
    expect(invoices).toEqual({ invoices: [], more: false });
    // One index Query (two keys: the page's and the one saying more follow), one read of the page's customer.
    expect(sent.map((entry) => entry.command)).toEqual(['QueryCommand', 'BatchGetItemCommand', 'QueryCommand']);
    expect(sent[0]!.input).toMatchObject({ IndexName: 'listings', Limit: 3 });
    expect(Object.values(sent[1]!.input.RequestItems as Record<string, { Keys: unknown[] }>)[0]!.Keys).toHaveLength(1);
    dynamodb.destroy();
  });

  it('starts a subscription (201) with the CLI rules: an unknown plan is 400 at `plan`, an unknown customer 404', async () => {
    const started = await client.call('POST', '/v1/customers/cus_a/subscriptions', {
      key: keys.all,
      body: { plan: 'pro', at: '2026-10-01T00:00:00Z' },
    });
    const unknownPlan = await client.call('POST', '/v1/customers/cus_b/subscriptions', { key: keys.all, body: { plan: 'platinum' } });
    const unknownCustomer = await client.call('POST', '/v1/customers/cus_nobody/subscriptions', { key: keys.all, body: { plan: 'pro' } });
    const listed = await client.call('GET', '/v1/customers/cus_a/subscriptions', { key: keys.read });
    expect([started.status, unknownPlan.status, unknownCustomer.status]).toEqual([201, 400, 404]);
    expect((unknownPlan.json as { errors: { path: string }[] }).errors).toEqual([expect.objectContaining({ path: 'plan' })]);
    expect(listed.json).toEqual({
      customerId: 'cus_a',
      subscriptions: [{ plan: 'pro', start: '2026-10-01T00:00:00Z', end: null, status: 'active' }],
    });
    // serve-api published subscription.changed (the refused requests changed nothing: no fact).
    const deadline = Date.now() + 30_000;
    while (posted.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(posted).toEqual([
      expect.objectContaining({
        type: 'billflow.subscription.changed',
        subject: 'cus_a',
        data: {
          customerId: 'cus_a',
          change: 'start',
          plan: 'pro',
          at: '2026-10-01T00:00:00Z',
          subscriptions: [{ plan: 'pro', start: '2026-10-01T00:00:00Z', end: null }],
        },
      }),
    ]);
  });

  it("takes October's events after its end (202 per event), deduplicated across HTTP and SQS", async () => {
    const events = [
      apiRequest('cus_a', '2026-10-05T10:00:00Z', 1500, 'evt-1'),
      apiRequest('cus_a', '2026-10-20T10:00:00Z', 2500, 'evt-2'),
      apiRequest('cus_nobody', '2026-10-20T10:00:00Z', 1, 'evt-3'),
      { specversion: '1.0', id: 'evt-4' },
    ];
    const sent = await client.call('POST', '/v1/events', { key: keys.events, body: events });
    // The same two events again, once over HTTP and once over SQS: billed once.
    await client.call('POST', '/v1/events', { key: keys.events, body: events[0] });
    await pipeline.stack.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: pipeline.stack.env[queues.events.envVar]!, MessageBody: JSON.stringify([events[0], events[1]]) }),
    );
    await waitForDrained(pipeline.stack.clients.sqs, pipeline.stack.env[queues.events.envVar]!, 30_000);
    expect(sent.status).toBe(202);
    expect(sent.json).toMatchObject({
      received: 4,
      accepted: 2,
      rejected: 2,
      results: [
        { index: 0, id: 'evt-1', status: 'accepted' },
        { index: 1, id: 'evt-2', status: 'accepted' },
        { index: 2, id: 'evt-3', status: 'rejected', reason: expect.stringContaining('cus_nobody') },
        { index: 3, id: 'evt-4', status: 'rejected', reason: expect.stringContaining('source') },
      ],
    });
    const stats = await cli<{ received: number; accepted: number; duplicates: number; rejected: number }>('stats', '--period', '2026-10');
    // October's deliveries: evt-1 three times, evt-2 twice, evt-3 (unknown customer) once; evt-4
    // names no time, so it is rejected outside any period.
    expect(stats).toMatchObject({ received: 6, accepted: 2, duplicates: 3, rejected: 1 });
  });

  it('refuses a body that is not JSON (400), over 256 KiB (413) or a batch over 100 (400), keeping nothing', async () => {
    const notJson = await client.call('POST', '/v1/events', { key: keys.events, rawBody: 'tokens=5' });
    const oversize = await client.call('POST', '/v1/events', {
      key: keys.events,
      body: { ...apiRequest('cus_a', '2026-10-06T10:00:00Z', 1), data: { pad: 'x'.repeat(300 * 1024) } },
    });
    const tooMany = await client.call('POST', '/v1/events', {
      key: keys.events,
      body: Array.from({ length: 101 }, (_, index) => apiRequest('cus_a', '2026-10-06T10:00:00Z', 1, `many-${index}`)),
    });
    expect([notJson.status, oversize.status, tooMany.status]).toEqual([400, 413, 400]);
    expect(notJson.json).toMatchObject({ type: 'urn:billflow:problem:malformed-json' });
  });

  it('replays a write with the same Idempotency-Key and refuses the key with another body (422)', async () => {
    const event = apiRequest('cus_a', '2026-10-07T10:00:00Z', 10, 'evt-idem');
    const headers = { 'idempotency-key': 'order-7' };
    const first = await client.call('POST', '/v1/events', { key: keys.all, body: event, headers });
    const again = await client.call('POST', '/v1/events', { key: keys.all, body: event, headers });
    const other = await client.call('POST', '/v1/events', { key: keys.all, body: { ...event, id: 'evt-other' }, headers });
    expect([first.status, again.status, other.status]).toEqual([202, 202, 422]);
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
    await waitForDrained(pipeline.stack.clients.sqs, pipeline.stack.env[queues.events.envVar]!, 30_000);
  });

  it('runs concurrent repeats of one Idempotency-Key once: the others wait (409, Retry-After) or get the same answer', async () => {
    const event = apiRequest('cus_a', '2026-10-08T10:00:00Z', 10, 'evt-concurrent');
    const headers = { 'idempotency-key': 'order-8' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => client.call('POST', '/v1/events', { key: keys.all, body: event, headers })),
    );
    const accepted = answers.filter((answer) => answer.status === 202);
    const waiting = answers.filter((answer) => answer.status === 409);
    expect(accepted.length + waiting.length).toBe(5);
    expect(accepted.filter((answer) => answer.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(new Set(accepted.map((answer) => answer.text)).size).toBe(1);
    expect(waiting.every((answer) => answer.headers['retry-after'] === '1')).toBe(true);
    await waitForDrained(pipeline.stack.clients.sqs, pipeline.stack.env[queues.events.envVar]!, 30_000);
  });

  it("reads October's usage priced now", async () => {
    const usage = await client.call('GET', '/v1/customers/cus_a/usage?period=2026-10', { key: keys.read });
    const badPeriod = await client.call('GET', '/v1/customers/cus_a/usage?period=October', { key: keys.read });
    expect(usage.status).toBe(200);
    expect(usage.json).toMatchObject({ customerId: 'cus_a', period: '2026-10', eventCount: 4 });
    expect(badPeriod.status).toBe(400);
    expect((badPeriod.json as { errors: { path: string }[] }).errors).toEqual([expect.objectContaining({ path: 'query.period' })]);
  });

  it('lists, shows and redirects to the PDF of the invoice run after the month (302 to a presigned URL)', async () => {
    await cli('invoices', 'run', '--as-of', '2026-11-01T02:00:00Z');
    const listed = await client.call('GET', '/v1/invoices?customer=cus_a&period=2026-10&status=finalized', { key: keys.read });
    const [invoice] = (listed.json as { items: { number: string; total: number; lines: unknown[] }[] }).items;
    const shown = await client.call('GET', `/v1/invoices/${invoice!.number}`, { key: keys.read });
    const pdf = await client.call('GET', `/v1/invoices/${invoice!.number}/pdf`, { key: keys.read });
    const unknown = await client.call('GET', '/v1/invoices/ACME-2026-999999', { key: keys.read });
    expect([listed.status, shown.status, pdf.status, unknown.status]).toEqual([200, 200, 302, 404]);
    expect(shown.json).toMatchObject({ number: invoice!.number, customerId: 'cus_a', status: 'finalized', currency: 'EUR' });
    await expectPdfBehind(pdf.headers.location!, '/invoices/');
  });

  it('lists invoices across customers from the listings index, a page at a time, by period and status', async () => {
    type InvoicePage = { items: { customerId: string; period: { start: string }; status: string }[]; nextCursor: string | null };
    const orderOf = (invoice: InvoicePage['items'][number]) => `${invoice.period.start}|${invoice.customerId}`;
    const all = (await client.call('GET', '/v1/invoices', { key: keys.read })).json as InvoicePage;
    const walked: InvoicePage['items'] = [];
    let cursor: string | null = null;
    do {
      const answer = await client.call('GET', `/v1/invoices?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`, { key: keys.read });
      const { items, nextCursor } = answer.json as InvoicePage;
      walked.push(...items);
      cursor = nextCursor;
    } while (cursor !== null && walked.length <= all.items.length);
    const october = (await client.call('GET', '/v1/invoices?period=2026-10&status=finalized', { key: keys.read })).json as InvoicePage;
    const september = (await client.call('GET', '/v1/invoices?period=2026-09', { key: keys.read })).json as InvoicePage;
    const voided = (await client.call('GET', '/v1/invoices?status=void', { key: keys.read })).json as InvoicePage;
    expect(all.items).toContainEqual(expect.objectContaining({ customerId: 'cus_a', status: 'finalized' }));
    expect(all.items.map(orderOf)).toEqual(all.items.map(orderOf).sort());
    expect(walked.map(orderOf)).toEqual(all.items.map(orderOf));
    expect(october.items.map((invoice) => [invoice.customerId, invoice.status])).toEqual([['cus_a', 'finalized']]);
    expect([september, voided]).toEqual([
      { items: [], nextCursor: null },
      { items: [], nextCursor: null },
    ]);
  });

  it('lists again, after billflow api reindex, a customer and an invoice stored before the listings index (no entry in it)', async () => {
    const billingTable = pipeline.stack.env[tables.billing.envVar]!;
    const { dynamodb } = pipeline.stack.clients;
    for (const Key of [
      { pk: 'CUSTOMER#cus_b', sk: 'PROFILE' },
      { pk: 'INVOICE#cus_a', sk: '2026-10' },
    ]) {
      await dynamodb.send(new UpdateCommand({ TableName: billingTable, Key, UpdateExpression: 'REMOVE listing, listingOrder' }));
    }
    const listed = async () => {
      const customers = (await client.call('GET', '/v1/customers', { key: keys.read })).json as { items: { id: string }[] };
      const invoices = (await client.call('GET', '/v1/invoices', { key: keys.read })).json as { items: { customerId: string }[] };
      return [customers.items.map((item) => item.id), invoices.items.map((item) => item.customerId)];
    };
    const before = await listed();
    const reindexed = await cli<{ customers: number; invoices: number; creditNotes: number }>('api', 'reindex');
    const after = await listed();
    const again = await backfillListings(dynamodb, billingTable);
    expect(before).toEqual([['cus_a'], []]);
    expect(reindexed).toEqual({ customers: 1, invoices: 1, creditNotes: 0 });
    expect(after).toEqual([['cus_a', 'cus_b'], ['cus_a']]);
    expect(again).toEqual({ customers: 0, invoices: 0, creditNotes: 0 });
  });

  it('refuses a subscription change that would rewrite the finalized October (409), and takes one from the period end', async () => {
    const rewrite = await client.call('POST', '/v1/customers/cus_a/subscriptions/cancel', {
      key: keys.all,
      body: { at: '2026-10-15T00:00:00Z' },
    });
    const later = await client.call('POST', '/v1/customers/cus_a/subscriptions/change', {
      key: keys.all,
      body: { plan: 'free', at: 'period-end' },
    });
    expect([rewrite.status, later.status]).toEqual([409, 200]);
    expect((rewrite.json as { errors: { path: string }[] }).errors).toEqual([expect.objectContaining({ path: 'subscriptions' })]);
    expect((later.json as { subscriptions: { plan: string }[] }).subscriptions.map((subscription) => subscription.plan)).toEqual([
      'pro',
      'free',
    ]);
  });

  it('lists credit notes, shows one, redirects to its PDF once rendered (302), and 404s an unknown one; an unknown route is a 404 problem', async () => {
    // Prepare: none yet, then October's invoice of cus_a credited in full by the operator.
    const before = await client.call('GET', '/v1/credit-notes', { key: keys.read });
    const [invoice] = (
      (await client.call('GET', '/v1/invoices?customer=cus_a&period=2026-10&status=finalized', { key: keys.read })).json as {
        items: { number: string }[];
      }
    ).items;
    const { creditNote } = await cli<{ creditNote: { number: string } }>(
      'invoices',
      'credit',
      invoice!.number,
      '--all',
      '--reason',
      'service outage',
      '--as-of',
      '2026-11-05T10:00:00Z',
      '--json',
    );

    // Act: the PDF is rendered by render-invoice after the note is issued, so ask until it is there (409 meanwhile).
    const listed = await client.call('GET', `/v1/credit-notes?invoice=${invoice!.number}`, { key: keys.read });
    const shown = await client.call('GET', `/v1/credit-notes/${creditNote.number}`, { key: keys.read });
    let pdf = await client.call('GET', `/v1/credit-notes/${creditNote.number}/pdf`, { key: keys.read });
    for (const deadline = Date.now() + 30_000; pdf.status === 409 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      pdf = await client.call('GET', `/v1/credit-notes/${creditNote.number}/pdf`, { key: keys.read });
    }
    const numbersListed = async (query: string) =>
      ((await client.call('GET', `/v1/credit-notes${query}`, { key: keys.read })).json as { items: { number: string }[] }).items.map(
        (note) => note.number,
      );
    const byCustomer = [await numbersListed(''), await numbersListed('?customer=cus_a'), await numbersListed('?customer=cus_b')];
    // A credit note stored before the listings index: missing from the listing until billflow api reindex.
    const { dynamodb } = pipeline.stack.clients;
    const billingTable = pipeline.stack.env[tables.billing.envVar]!;
    await dynamodb.send(
      new UpdateCommand({
        TableName: billingTable,
        Key: { pk: `CREDITNOTES#${invoice!.number}`, sk: creditNote.number },
        UpdateExpression: 'REMOVE listing, listingOrder',
      }),
    );
    const unlisted = await numbersListed('');
    const reindexed = await backfillListings(dynamodb, billingTable);
    const relisted = await numbersListed('');
    const unknown = await client.call('GET', '/v1/credit-notes/ACME-CN-2026-999999', { key: keys.read });
    const unknownPdf = await client.call('GET', '/v1/credit-notes/ACME-CN-2026-999999/pdf', { key: keys.read });
    const noRoute = await client.send('GET', '/v1/nothing-here', { key: keys.read });

    // Assess
    expect(before.json).toEqual({ items: [], nextCursor: null });
    expect((listed.json as { items: { number: string }[] }).items.map((note) => note.number)).toEqual([creditNote.number]);
    expect(byCustomer).toEqual([[creditNote.number], [creditNote.number], []]);
    expect([unlisted, reindexed, relisted]).toEqual([[], { customers: 0, invoices: 0, creditNotes: 1 }, [creditNote.number]]);
    expect(shown.json).toMatchObject({ number: creditNote.number, invoiceNumber: invoice!.number, reason: 'service outage' });
    expect([pdf.status, unknown.status, unknownPdf.status]).toEqual([302, 404, 404]);
    await expectPdfBehind(pdf.headers.location!, '/credit-notes/');
    expect(noRoute.status).toBe(404);
    expect(noRoute.headers['content-type']).toBe('application/problem+json');
  });

  it("shows a customer's balance per currency with its movements; records a refund (201), a retry of it (200), refuses too much (409), a bad amount (400 at amount); 404s a customer with neither", async () => {
    // Prepare: 12.00 EUR owed to cus_a (a credit note settled to its balance), 5.00 of it paid back by the operator with the CLI.
    const balances = new DynamoDbCustomerBalances(pipeline.stack.clients.dynamodb, pipeline.stack.env[tables.billing.envVar]!);
    await owedToCustomer(balances, {
      customerId: 'cus_a',
      currency: 'EUR',
      amount: 1200,
      creditNote: 'ACME-CN-2026-000077',
      at: '2026-11-06T10:00:00.000Z',
    });
    await cli(
      'customers',
      'refund-balance',
      'cus_a',
      '--amount',
      '5',
      '--currency',
      'EUR',
      '--reference',
      'SEPA-0001',
      '--as-of',
      '2026-11-07T09:00:00Z',
    );
    const refund = (body: Record<string, unknown>, customer = 'cus_a') =>
      client.call('POST', `/v1/customers/${customer}/balance/refunds`, { key: keys.all, body });

    // Act
    const shown = await client.call('GET', '/v1/customers/cus_a/balance', { key: keys.read });
    const inUsd = await client.call('GET', '/v1/customers/cus_a/balance?currency=USD', { key: keys.read });
    const lowercase = await client.call('GET', '/v1/customers/cus_a/balance?currency=eur', { key: keys.read });
    const unknown = await client.call('GET', '/v1/customers/cus_nobody/balance', { key: keys.read });
    const recorded = await refund({ amount: '2.00', currency: 'EUR', reference: 'SEPA-0002', at: '2026-11-08T09:00:00Z' });
    const retried = await refund({ amount: '2', currency: 'EUR', reference: 'SEPA-0002' });
    const tooMuch = await refund({ amount: '5.01', currency: 'EUR', reference: 'SEPA-0003' });
    const tooPrecise = await refund({ amount: '1.001', currency: 'EUR', reference: 'SEPA-0003' });
    const readOnly = await client.call('POST', '/v1/customers/cus_a/balance/refunds', {
      key: keys.read,
      body: { amount: '1', currency: 'EUR', reference: 'SEPA-0004' },
    });
    const nobody = await refund({ amount: '1', currency: 'EUR', reference: 'SEPA-0005' }, 'cus_nobody');
    const after = await client.call('GET', '/v1/customers/cus_a/balance?currency=EUR', { key: keys.read });

    // Assess
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({ customerId: 'cus_a', balances: [{ currency: 'EUR', available: 700 }] });
    const movementsOf = (answer: typeof shown) =>
      (answer.json as { movements: { kind: string; amount: number; reference: string }[] }).movements.map((movement) => [
        movement.kind,
        movement.amount,
        movement.reference,
      ]);
    expect(movementsOf(shown)).toEqual([
      ['credit_note', 1200, 'ACME-CN-2026-000077'],
      ['refund', -500, 'SEPA-0001'],
    ]);
    expect(inUsd.json).toEqual({ customerId: 'cus_a', balances: [{ currency: 'USD', available: 0 }], movements: [] });
    expect(lowercase.status).toBe(400);
    expect(JSON.stringify(lowercase.json)).toContain('must be an ISO 4217 currency code in capitals, e.g. EUR');
    expect(unknown.status).toBe(404);
    expect([recorded.status, recorded.json]).toEqual([
      201,
      {
        refund: {
          id: 'refund:SEPA-0002',
          customerId: 'cus_a',
          currency: 'EUR',
          kind: 'refund',
          amount: -200,
          at: '2026-11-08T09:00:00.000Z',
          reference: 'SEPA-0002',
        },
        alreadyRecorded: false,
        available: 500,
      },
    ]);
    expect([retried.status, retried.json]).toEqual([200, { ...(recorded.json as object), alreadyRecorded: true }]);
    expect(tooMuch.status).toBe(409);
    expect(JSON.stringify(tooMuch.json)).toContain('has 5.00 EUR of balance available; 5.01 EUR cannot be taken out of it');
    expect(tooPrecise.status).toBe(400);
    expect((tooPrecise.json as { errors: { path: string; message: string }[] }).errors).toEqual([
      { path: 'amount', message: 'refund amount "1.001" has more decimals than EUR has (2): give it in EUR, e.g. 1.00' },
    ]);
    expect(readOnly.status).toBe(403);
    expect(nobody.status).toBe(404);
    expect(movementsOf(after)).toEqual([
      ['credit_note', 1200, 'ACME-CN-2026-000077'],
      ['refund', -500, 'SEPA-0001'],
      ['refund', -200, 'SEPA-0002'],
    ]);
  });

  it('has answered every operation of the document in these tests, each answer validated against it', async () => {
    await client.call('GET', '/v1/openapi.json');
    const documented = Object.values(client.openApi.paths as Record<string, Record<string, { operationId: string }>>).flatMap((item) =>
      Object.values(item).map((operation) => operation.operationId),
    );
    const answered = new Set(client.checked.map((entry) => entry.operationId));
    expect(documented.filter((operationId) => !answered.has(operationId))).toEqual([]);
  });
});

/** A 302's Location: a presigned URL valid 5 minutes, under `folder`, that serves a PDF. */
async function expectPdfBehind(locationHeader: string, folder: string): Promise<void> {
  const location = new URL(locationHeader);
  expect(location.pathname).toContain(folder);
  expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
  const document = await fetch(location);
  expect(document.status).toBe(200);
  expect(
    Buffer.from(await document.arrayBuffer())
      .subarray(0, 5)
      .toString('latin1'),
  ).toBe('%PDF-');
}
