/**
 * The invoice run on the local services: events stored by the real ingest code, periods closed
 * by the real close-billing-period code (through the invoice-jobs queue where it matters).
 */
import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { localCredentials } from '#infra/local/credentials.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { apiRequest, invoicingCatalog, proCustomer, seatsChanged } from '#test-support/invoicing-catalog.ts';
import { createInvoicingHarness } from '#test-support/invoicing-harness.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { voidInvoice } from '#use-cases/void-invoice.ts';
import { noBusinessMetrics } from '#ports/business-metrics.ts';
import { TEST_REGION } from '#test-support/local-stack.ts';
import { tables } from '#infra/resources.ts';
import { chunkPartitionKey } from '#adapters/dynamodb/event-keys.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const byCustomer = (invoices: Invoice[]) => Object.fromEntries(invoices.map((invoice) => [invoice.customerId, invoice]));
const lineFor = (invoice: Invoice, meter: string) => invoice.lines.filter((line) => line.meter === meter);

describe('the invoice run', () => {
  it('turns a month of events into one correct invoice per customer, and re-running it changes nothing', async () => {
    // Prepare
    const harness = await createInvoicingHarness(
      invoicingCatalog([
        proCustomer('cus_de'),
        proCustomer('cus_fr', {
          address: { line1: '1 rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
          vatId: 'FR12345678901',
        }),
        proCustomer('cus_us', { address: { line1: '1 Main St', city: 'Austin', postalCode: '78701', country: 'US' }, vatId: undefined }),
        proCustomer('cus_free', { plan: 'free' }),
      ]),
    );
    const day = (d: number) => `2026-10-${String(d).padStart(2, '0')}T12:00:00Z`;
    await harness.ingestAt('2026-10-31T12:00:00Z', [
      ...Array.from({ length: 150 }, (_, i) => apiRequest('cus_de', day((i % 28) + 1), 1000)),
      seatsChanged('cus_de', day(3), 3),
      seatsChanged('cus_de', day(9), 5),
      seatsChanged('cus_de', day(20), 4),
      ...Array.from({ length: 20 }, (_, i) => apiRequest('cus_fr', day((i % 28) + 1), 500)),
      ...Array.from({ length: 10 }, (_, i) => apiRequest('cus_us', day((i % 28) + 1), 2000)),
    ]);

    // Act
    await harness.runThroughQueue('2026-11-01T02:00:00Z');
    const first = await harness.invoices.list({ billingPeriod: '2026-10' });
    await harness.runThroughQueue('2026-11-01T03:00:00Z');
    await Promise.all([harness.runThroughQueue('2026-11-01T04:00:00Z'), harness.runThroughQueue('2026-11-01T04:00:00Z')]);
    const after = await harness.invoices.list({ billingPeriod: '2026-10' });

    // Assess
    const invoices = byCustomer(first);
    // cus_de (domestic, 19 %): api_calls 150 in the free tier = 0; tokens 150,000 = 150 packages
    // x 0.02 = 3.00; seats max 5 x 10.00 = 50.00; base 49.00 -> net 102.00 (above the 100.00
    // minimum); VAT 19.38; total 121.38.
    expect(invoices.cus_de).toMatchObject({
      status: 'finalized',
      netTotal: 10200,
      taxTotal: 1938,
      total: 12138,
      currency: 'EUR',
      eventCount: 153,
      duplicateDeliveries: 0,
    });
    expect(lineFor(invoices.cus_de!, 'seats')[0]).toMatchObject({ quantity: '5', netAmount: 5000 });
    expect(lineFor(invoices.cus_de!, 'tokens')[0]).toMatchObject({ netAmount: 300 });
    // cus_fr (reverse charge): tokens 10 packages = 0.20; base 49.00; top-up to 100.00 = 50.80; VAT 0.
    expect(invoices.cus_fr).toMatchObject({ status: 'finalized', netTotal: 10000, taxTotal: 0, total: 10000 });
    expect(invoices.cus_fr!.tax).toMatchObject({ category: 'AE' });
    expect(invoices.cus_fr!.lines.find((line) => line.kind === 'minimum_commitment')).toMatchObject({ netAmount: 5080 });
    // cus_us (outside the scope of EU VAT): tokens 20 packages = 0.40; base 49.00; top-up 50.60.
    expect(invoices.cus_us).toMatchObject({ status: 'finalized', total: 10000, taxTotal: 0 });
    expect(invoices.cus_us!.legends).toContain('Outside the scope of EU VAT');
    // cus_free: no usage and no base fee: nothing issued, no number used.
    expect(invoices.cus_free).toMatchObject({ status: 'not_issued', number: null, total: 0 });
    expect(
      first
        .map((invoice) => invoice.number)
        .filter(Boolean)
        .sort(),
    ).toEqual(['ACME-2026-000001', 'ACME-2026-000002', 'ACME-2026-000003']);
    expect(invoices.cus_de!.issueDate).toBe('2026-11-01');
    expect(invoices.cus_de!.dueDate).toBe('2026-12-01');
    expect(after).toEqual(first);
    // Every finalized invoice was handed to rendering (re-runs may hand it again: idempotent).
    expect(new Set(harness.documentRequests)).toEqual(new Set(['ACME-2026-000001', 'ACME-2026-000002', 'ACME-2026-000003']));
  });

  it('hourly runs of the day after a period ends: drafts, then finalization from the open-drafts index; a customer added meanwhile is invoiced too', async () => {
    // Prepare
    const harness = await createInvoicingHarness(invoicingCatalog([proCustomer('cus_a'), proCustomer('cus_b')]));
    await harness.ingestAt('2026-10-31T12:00:00Z', [
      apiRequest('cus_a', '2026-10-10T08:00:00Z', 1000),
      apiRequest('cus_b', '2026-10-11T08:00:00Z', 1000),
    ]);

    // Act: drafts in the grace period; cus_c joins the catalog; the runs after the grace period.
    const drafting = await harness.runThroughQueue('2026-11-01T00:30:00Z');
    const openAfterDrafting = await harness.invoices.listOpenDrafts('2026-10');
    const redrafting = await harness.runThroughQueue('2026-11-01T00:45:00Z');
    const applied = await applyCatalog(invoicingCatalog([proCustomer('cus_c')]), harness.catalog);
    const finalizing = await harness.runThroughQueue('2026-11-01T02:00:00Z');
    const idle = await harness.runThroughQueue('2026-11-01T03:00:00Z');
    const invoices = byCustomer(await harness.invoices.list({ billingPeriod: '2026-10' }));

    // Assess
    expect(drafting).toMatchObject({ period: '2026-10', jobs: 2, failed: 0, everyCustomer: true });
    expect(openAfterDrafting.sort((a, b) => a.customerId.localeCompare(b.customerId))).toEqual([
      { customerId: 'cus_a', billingPeriod: '2026-10' },
      { customerId: 'cus_b', billingPeriod: '2026-10' },
    ]);
    // Same catalog: the two drafts come from the index, the customers are not listed again.
    expect(redrafting).toMatchObject({ jobs: 2, everyCustomer: false });
    expect(applied.ok).toBe(true);
    // The catalog changed: every customer again, so cus_c gets its October invoice.
    expect(finalizing).toMatchObject({ jobs: 3, everyCustomer: true });
    expect(idle).toMatchObject({ jobs: 0, everyCustomer: false });
    expect(Object.keys(invoices).sort()).toEqual(['cus_a', 'cus_b', 'cus_c']);
    expect(Object.values(invoices).map((invoice) => invoice.status)).toEqual(['finalized', 'finalized', 'finalized']);
    expect(await harness.invoices.listOpenDrafts('2026-12')).toEqual([]);
  });

  it('updates the draft with events that arrive in the grace period, and bills late events on the next invoice', async () => {
    // Prepare
    const harness = await createInvoicingHarness(invoicingCatalog([proCustomer('cus_de')]));
    const onTime = Array.from({ length: 10 }, (_, i) => apiRequest('cus_de', `2026-10-${10 + i}T08:00:00Z`, 1000, `oct-${i}`));
    await harness.ingestAt('2026-10-25T00:00:00Z', [...onTime, seatsChanged('cus_de', '2026-10-12T09:00:00Z', 5)]);

    // Act: a draft at 00:30, events in the grace period at 00:40, the draft again, then final.
    const draft = await harness.close('cus_de', '2026-10', '2026-11-01T00:30:00Z');
    await harness.ingestAt(
      '2026-11-01T00:40:00Z',
      Array.from({ length: 5 }, (_, i) => apiRequest('cus_de', '2026-10-31T23:59:00Z', 1000, `grace-${i}`)),
    );
    const updated = await harness.close('cus_de', '2026-10', '2026-11-01T00:50:00Z');
    const finalized = await harness.close('cus_de', '2026-10', '2026-11-01T02:00:00Z');
    // After finalization: 3 late October requests, a late copy of a request already billed,
    // and late seat counts: 5 (the peak already billed) and 7 (2 more than billed).
    await harness.ingestAt('2026-11-05T10:00:00Z', [
      ...Array.from({ length: 3 }, (_, i) => apiRequest('cus_de', '2026-10-30T10:00:00Z', 1000, `late-${i}`)),
      onTime[0],
      seatsChanged('cus_de', '2026-10-20T09:00:00Z', 5),
      seatsChanged('cus_de', '2026-10-21T09:00:00Z', 7),
    ]);
    await harness.ingestAt('2026-11-10T10:00:00Z', [
      apiRequest('cus_de', '2026-11-09T10:00:00Z', 1000),
      apiRequest('cus_de', '2026-11-09T11:00:00Z', 1000),
    ]);
    const afterLate = await harness.invoices.get('cus_de', '2026-10');
    const november = await harness.close('cus_de', '2026-11', '2026-12-01T02:00:00Z');

    // Assess
    expect(draft).toMatchObject({ action: 'drafted', invoice: { status: 'draft', eventCount: 11, number: null } });
    expect(updated).toMatchObject({ action: 'drafted', invoice: { status: 'draft', eventCount: 16 } });
    expect(finalized).toMatchObject({ action: 'finalized', invoice: { status: 'finalized', eventCount: 16, number: 'ACME-2026-000001' } });
    expect(afterLate).toEqual(finalized.action === 'finalized' ? finalized.invoice : undefined);
    // The late copy of an October event already billed is a duplicate delivery, not billed again.
    expect(november).toMatchObject({ action: 'finalized', invoice: { number: 'ACME-2026-000002', eventCount: 7, duplicateDeliveries: 1 } });
    const novemberInvoice = (november as { invoice: Invoice }).invoice;
    const lateLines = novemberInvoice.lines.filter((line) => line.period.start.startsWith('2026-10'));
    expect(lateLines.length).toBeGreaterThan(0);
    expect(lateLines.find((line) => line.meter === 'api_calls')).toMatchObject({ quantity: '3' });
    expect(lateLines.every((line) => line.description.includes('2026-10'))).toBe(true);
    // Peak seats rose from 5 (billed in October) to 7: 2 seats x 10.00 more, not 7 or 12.
    expect(lateLines.find((line) => line.meter === 'seats')).toMatchObject({ quantity: '2', netAmount: 2000 });
    expect(novemberInvoice.lines.find((line) => line.meter === 'api_calls' && line.period.start.startsWith('2026-11'))).toMatchObject({
      quantity: '2',
    });
  });

  it('reads the events of a draft eventually consistent (half the read units) and those of the invoice it finalizes strongly consistent', async () => {
    // Prepare
    const harness = await createInvoicingHarness(invoicingCatalog([proCustomer('cus_de')]));
    await harness.ingestAt('2026-10-25T00:00:00Z', [apiRequest('cus_de', '2026-10-10T08:00:00Z', 1000)]);
    const watched = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: harness.stack.endpoints.dynamodb, region: TEST_REGION, credentials: localCredentials }),
    );
    let eventQueries: { consistent: boolean }[] = [];
    watched.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TableName?: string; ConsistentRead?: boolean; ExpressionAttributeValues?: Record<string, unknown> };
        // The chunk partitions of October (the late markers, L|{customer}, are read strongly either way).
        const chunks = String(input.ExpressionAttributeValues?.[':pk']).startsWith(chunkPartitionKey('cus_de', '2026-10', 0).slice(0, -1));
        if (context.commandName === 'QueryCommand' && input.TableName === harness.stack.env[tables.events.envVar] && chunks) {
          eventQueries.push({ consistent: input.ConsistentRead === true });
        }
        return next(args);
      },
      { step: 'initialize', name: 'watch' },
    );

    // Act
    const draft = await harness.close('cus_de', '2026-10', '2026-11-01T00:30:00Z', { dynamodb: watched });
    const draftQueries = eventQueries;
    eventQueries = [];
    const finalized = await harness.close('cus_de', '2026-10', '2026-11-01T02:00:00Z', { dynamodb: watched });

    // Assess
    expect(draft.action).toBe('drafted');
    expect(finalized.action).toBe('finalized');
    expect(draftQueries.length).toBeGreaterThan(0);
    expect(draftQueries.every((query) => !query.consistent)).toBe(true);
    expect(eventQueries.length).toBeGreaterThan(0);
    expect(eventQueries.every((query) => query.consistent)).toBe(true);
  });

  it('stores an invoice as compressed JSON; one stored as a plain map by an earlier version is read, and rewritten compressed at its next change', async () => {
    // Prepare
    const harness = await createInvoicingHarness(invoicingCatalog([proCustomer('cus_de')]));
    await harness.ingestAt('2026-10-25T00:00:00Z', [apiRequest('cus_de', '2026-10-10T08:00:00Z', 1000)]);
    const closed = await harness.close('cus_de', '2026-10', '2026-11-01T02:00:00Z');
    const invoice = (closed as { invoice: Invoice }).invoice;
    const tableName = harness.stack.env[tables.billing.envVar]!;
    const key = { pk: 'INVOICE#cus_de', sk: '2026-10' };
    const raw = async () =>
      (await harness.stack.clients.dynamodb.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item!;

    // Act
    const stored = await raw();
    const { invoiceGz: _compressed, ...legacy } = stored;
    await harness.stack.clients.dynamodb.send(new PutCommand({ TableName: tableName, Item: { ...legacy, invoice } }));
    const readLegacy = await harness.invoices.get('cus_de', '2026-10');
    const listedLegacy = await harness.invoices.list({ billingPeriod: '2026-10' });
    await voidAs(harness.invoices, invoice.number!, 'test: rewrite', '2026-11-02T00:00:00Z');
    const rewritten = await raw();

    // Assess
    expect(closed.action).toBe('finalized');
    expect(stored.invoice).toBeUndefined();
    expect(stored.invoiceGz).toBeInstanceOf(Uint8Array);
    expect((stored.invoiceGz as Uint8Array).byteLength).toBeLessThan(JSON.stringify(invoice).length / 2);
    expect(readLegacy).toEqual(invoice);
    expect(listedLegacy).toEqual([invoice]);
    expect(rewritten.invoice).toBeUndefined();
    expect(rewritten.invoiceGz).toBeInstanceOf(Uint8Array);
    expect(await harness.invoices.get('cus_de', '2026-10')).toMatchObject({
      status: 'void',
      voidReason: 'test: rewrite',
      total: invoice.total,
    });
  });

  it('numbers 200 concurrently finalized invoices without a gap or a repeat, even when transactions fail or their answers are lost', async () => {
    // Prepare
    const ids = Array.from({ length: 200 }, (_, i) => `cus_${String(i).padStart(3, '0')}`);
    const harness = await createInvoicingHarness(invoicingCatalog(ids.map((id) => proCustomer(id))));
    let calls = 0;
    const flaky = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: harness.stack.endpoints.dynamodb,
        region: TEST_REGION,
        credentials: localCredentials,
        maxAttempts: 1,
      }),
    );
    // Every 7th transaction fails before reaching DynamoDB (a crash before allocation); every
    // 11th commits but its answer is lost (a crash after): neither may leave a gap.
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
        calls += 1;
        if (calls % 7 === 0) throw Object.assign(new Error('injected: connection reset'), { name: 'TimeoutError' });
        const result = await next(args);
        if (calls % 11 === 0) throw Object.assign(new Error('injected: answer lost'), { name: 'TimeoutError' });
        return result;
      },
      { step: 'initialize', name: 'crash' },
    );
    const closeUntilDone = async (id: string, attempt = 0): Promise<void> => {
      try {
        await harness.close(id, '2026-10', '2026-11-01T02:00:00Z', attempt % 2 === 0 ? { dynamodb: flaky } : {});
      } catch {
        // What SQS does with a failed job: deliver it again.
        await closeUntilDone(id, attempt + 1);
      }
    };

    // Act
    await Promise.all(ids.map((id) => closeUntilDone(id)));

    // Assess
    const invoices = await harness.invoices.list({ billingPeriod: '2026-10' });
    expect(invoices).toHaveLength(200);
    expect(invoices.every((invoice) => invoice.status === 'finalized')).toBe(true);
    const sequences = invoices.map((invoice) => Number(invoice.number!.slice('ACME-2026-'.length))).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(calls).toBeGreaterThan(200);
  }, 300_000);

  it('voids a finalized invoice keeping its number and reason; a draft or a void invoice cannot be voided', async () => {
    // Prepare
    const harness = await createInvoicingHarness(invoicingCatalog([proCustomer('cus_de')]));
    await harness.close('cus_de', '2026-10', '2026-11-01T02:00:00Z');

    // Act
    const voided = await voidAs(harness.invoices, 'ACME-2026-000001', 'issued to the wrong legal entity', '2026-11-02T09:00:00Z');
    // The outcome is captured at once: a rejection left pending across the next await would be
    // reported as unhandled.
    const again = await voidAs(harness.invoices, 'ACME-2026-000001', 'twice', '2026-11-02T09:05:00Z').catch((error: unknown) => error);
    const rerun = await harness.close('cus_de', '2026-10', '2026-11-01T05:00:00Z');

    // Assess
    expect(voided).toMatchObject({ status: 'void', number: 'ACME-2026-000001', voidReason: 'issued to the wrong legal entity' });
    expect(again).toBeInstanceOf(Error);
    expect((again as Error).message).toBe('invoice ACME-2026-000001 is void; only a finalized invoice can be voided');
    expect(rerun).toMatchObject({ action: 'already_closed', invoice: { status: 'void', number: 'ACME-2026-000001' } });
    expect(await harness.invoices.findByNumber('ACME-2026-000001')).toMatchObject({ status: 'void' });
  });
});

/** Voids through the use case (voiding is a lifecycle decision, no longer a repository method), as of `at`. */
async function voidAs(
  invoices: Parameters<typeof voidInvoice>[2]['invoices'],
  number: string,
  reason: string,
  at: string,
): Promise<Invoice> {
  return (
    await voidInvoice(number, reason, { invoices, metrics: noBusinessMetrics, now: () => Date.parse(at), outbound: noOutboundEvents })
  ).invoice;
}
