/**
 * Invoices are right whatever the clock says (issue 11): a month's usage sent after the month
 * has ended is billed on that month's invoice as long as it is not finalized (backfills,
 * delayed runs, daily exports inside a long grace period); only what is stored after the
 * invoice took its cut is late, and late usage re-rates its month's minimum commitment.
 * Real ingest and close-billing-period code on DynamoDB Local and the invoice-jobs queue; the
 * expected figures come from the small calculator below, written apart from the pricing code.
 */
import { describe, expect, it } from 'vitest';
import type { Customer } from '#domain/catalog/types.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { previewUsage } from '#use-cases/preview-usage.ts';
import { tables } from '#infra/resources.ts';
import { apiRequest, invoicingCatalog, proCustomer, seatsChanged } from '#test-support/invoicing-catalog.ts';
import { createInvoicingHarness } from '#test-support/invoicing-harness.ts';

type TestEvent = ReturnType<typeof apiRequest> | ReturnType<typeof seatsChanged>;

/** A repeatable month of usage for one customer (days 1 to `days`): requests with tokens, seat counts, some sent twice. */
function monthOfUsage(customerId: string, month: string, seed: number, requests: number, days = 28): TestEvent[] {
  let state = seed;
  const next = (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % below;
  };
  const at = () =>
    `${month}-${String(1 + next(days)).padStart(2, '0')}T${String(next(24)).padStart(2, '0')}:${String(next(60)).padStart(2, '0')}:00Z`;
  const events: TestEvent[] = [];
  for (let i = 0; i < requests; i += 1) events.push(apiRequest(customerId, at(), 1 + next(5000), `${customerId}-${month}-req-${i}`));
  for (let i = 0; i < 6; i += 1) events.push({ ...seatsChanged(customerId, at(), 1 + next(9)), id: `${customerId}-${month}-seats-${i}` });
  // Redelivered copies: the same (source, id), billed once.
  return [...events, ...events.filter((_, index) => index % 7 === 0)];
}

const TAX_PERCENT: Record<string, number> = { DE: 19, FR: 0, US: 0 };

/**
 * The pro plan of test/support/invoicing-catalog.ts, priced by hand in hundredths of a cent:
 * base 49.00; api_calls 10,000 free, then 0.001 up to 100,000, then 0.0005; tokens in packages
 * of 1,000 at 0.02 (partial packages round up); peak seats at 10.00; a 100.00 minimum; each
 * line rounded half-up to the cent; VAT on the net (FR reverse charge and US: 0 %).
 */
function expectedInvoice(events: readonly TestEvent[], country: string): { net: number; tax: number; total: number; eventCount: number } {
  const distinct = new Map(events.map((event) => [`${event.source}|${event.id}`, event]));
  const requests = [...distinct.values()].filter((event) => event.type === 'api.request') as ReturnType<typeof apiRequest>[];
  const seats = [...distinct.values()].filter((event) => event.type === 'seats.changed') as ReturnType<typeof seatsChanged>[];
  const cents = (hundredths: number) => Math.floor((hundredths + 50) / 100);
  const calls = requests.length;
  const tier2 = Math.max(0, Math.min(calls, 100_000) - 10_000);
  const tier3 = Math.max(0, calls - 100_000);
  const tokens = requests.reduce((sum, event) => sum + event.data.tokens, 0);
  const peakSeats = Math.max(0, ...seats.map((event) => event.data.count));
  const lines = [4900, cents(tier2 * 10), cents(tier3 * 5), cents(Math.ceil(tokens / 1000) * 200), peakSeats * 1000];
  const own = lines.reduce((sum, amount) => sum + amount, 0);
  const net = Math.max(own, 10_000);
  const tax = Math.floor((net * TAX_PERCENT[country]! + 50) / 100);
  return { net, tax, total: net + tax, eventCount: distinct.size };
}

const CUSTOMERS: Customer[] = [
  proCustomer('cus_de'),
  proCustomer('cus_fr', {
    address: { line1: '1 rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
    vatId: 'FR12345678901',
  }),
  proCustomer('cus_us', { address: { line1: '1 Main St', city: 'Austin', postalCode: '78701', country: 'US' }, vatId: undefined }),
];

const usageLinesOf = (invoice: Invoice | undefined, period: string) =>
  (invoice?.lines ?? []).filter((line) => line.kind !== 'base_fee' && line.period.start.startsWith(period));

describe('backfills and delayed runs', () => {
  it('bills a past month sent days after it ended on that month, run by hand as of its close; the next month has no late line for it', async () => {
    // Prepare: on 4 December, a team loads November's usage before its first run.
    const harness = await createInvoicingHarness(invoicingCatalog(CUSTOMERS));
    const november = Object.fromEntries(
      CUSTOMERS.map((customer, index) => [customer.id, monthOfUsage(customer.id, '2026-11', 17 + index, 400 + 150 * index)]),
    );
    await harness.ingestAt('2026-12-04T09:00:00Z', Object.values(november).flat());

    // Act: `billflow invoices run --as-of 2026-12-01T02:00:00Z`, typed at 09:05.
    await harness.runThroughQueue('2026-12-01T02:00:00Z', { now: '2026-12-04T09:05:00Z' });
    const novemberInvoices = await harness.invoices.list({ billingPeriod: '2026-11' });
    // December: its own usage, and one November request that really is late (after the cut).
    await harness.ingestAt('2026-12-15T10:00:00Z', [
      ...monthOfUsage('cus_de', '2026-12', 99, 50, 14),
      apiRequest('cus_de', '2026-11-30T23:00:00Z', 700, 'cus_de-really-late'),
      november.cus_de![0]!,
    ]);
    await harness.runThroughQueue('2027-01-01T02:00:00Z');
    const december = Object.fromEntries(
      (await harness.invoices.list({ billingPeriod: '2026-12' })).map((invoice) => [invoice.customerId, invoice]),
    );

    // Assess: every November invoice bills all of November, as the calculator says.
    expect(novemberInvoices).toHaveLength(3);
    for (const invoice of novemberInvoices) {
      const expected = expectedInvoice(november[invoice.customerId]!, invoice.buyer.address.country);
      expect({
        customer: invoice.customerId,
        status: invoice.status,
        net: invoice.netTotal,
        tax: invoice.taxTotal,
        total: invoice.total,
        events: invoice.eventCount,
      }).toEqual({
        customer: invoice.customerId,
        status: 'finalized',
        net: expected.net,
        tax: expected.tax,
        total: expected.total,
        events: expected.eventCount,
      });
      expect(invoice.readThrough).toBe('2026-12-04T09:03:00.000Z');
    }
    // No late line for the backfill; only the request stored after November's cut, named by its month.
    expect(usageLinesOf(december.cus_fr, '2026-11')).toEqual([]);
    expect(usageLinesOf(december.cus_us, '2026-11')).toEqual([]);
    const late = usageLinesOf(december.cus_de, '2026-11');
    expect(late.find((line) => line.meter === 'api_calls')).toMatchObject({
      quantity: '1',
      description: expect.stringContaining('late usage from 2026-11'),
    });
    expect(december.cus_de!.lateWindows).toEqual([
      { period: '2026-11', from: '2026-12-04T09:03:00.000Z', to: december.cus_de!.readThrough },
    ]);
    // The copy of a November event already billed is a duplicate, not billed twice.
    expect(december.cus_de!.duplicateDeliveries).toBeGreaterThanOrEqual(1);
  });

  it('closes the month at the first hourly run after an outage, with everything stored until then', async () => {
    // Prepare: the schedule was off from 30 November to 3 December; an export arrived on the 2nd.
    const harness = await createInvoicingHarness(invoicingCatalog(CUSTOMERS));
    const early = monthOfUsage('cus_de', '2026-11', 5, 300, 19);
    const exported = monthOfUsage('cus_fr', '2026-11', 6, 500);
    await harness.ingestAt('2026-11-20T12:00:00Z', early);
    await harness.ingestAt('2026-12-02T03:00:00Z', exported);

    // Act: the first run after the outage, as the schedule fires it (its as-of is its own time).
    const started = await harness.runThroughQueue('2026-12-03T05:00:00Z');
    const invoices = Object.fromEntries(
      (await harness.invoices.list({ billingPeriod: '2026-11' })).map((invoice) => [invoice.customerId, invoice]),
    );

    // Assess
    expect(started).toMatchObject({ period: '2026-11', everyCustomer: true, jobs: 3 });
    expect(invoices.cus_de).toMatchObject({
      status: 'finalized',
      netTotal: expectedInvoice(early, 'DE').net,
      total: expectedInvoice(early, 'DE').total,
    });
    expect(invoices.cus_fr).toMatchObject({
      status: 'finalized',
      netTotal: expectedInvoice(exported, 'FR').net,
      eventCount: expectedInvoice(exported, 'FR').eventCount,
    });
    expect(invoices.cus_us).toMatchObject({ status: 'finalized', netTotal: 10_000, eventCount: 0 });
  });

  it('keeps drafts open for a catalog grace period of 26 hours, so a daily export at 03:00 is on its month', async () => {
    // Prepare
    const harness = await createInvoicingHarness({ ...invoicingCatalog(CUSTOMERS.slice(0, 1)), billing: { gracePeriodHours: 26 } });
    const month = monthOfUsage('cus_de', '2026-11', 8, 250);
    await harness.ingestAt('2026-11-30T03:00:00Z', month.slice(0, 100));

    // Act: the run of 1 December 02:00 drafts; the daily export arrives at 03:00; the runs finalize
    // only once the 26 hours are over (2 December 02:00, plus the settle time).
    await harness.runThroughQueue('2026-12-01T02:00:00Z');
    const draft = await harness.invoices.get('cus_de', '2026-11');
    await harness.ingestAt('2026-12-01T03:00:00Z', month.slice(100));
    const preview = await previewUsage('cus_de', '2026-11', {
      events: harness.events,
      catalog: harness.catalog,
      now: Date.parse('2026-12-01T03:30:00Z'),
    });
    await harness.runThroughQueue('2026-12-02T01:00:00Z');
    const stillDraft = await harness.invoices.get('cus_de', '2026-11');
    await harness.runThroughQueue('2026-12-02T03:00:00Z');
    const finalized = await harness.invoices.get('cus_de', '2026-11');

    // Assess
    const expected = expectedInvoice(month, 'DE');
    expect(draft).toMatchObject({ status: 'draft', number: null });
    expect(stillDraft).toMatchObject({ status: 'draft', eventCount: expected.eventCount });
    // `billflow usage cus_de --period 2026-11` before finalization shows what the invoice bills.
    expect(preview.invoice.total).toBe(expected.total);
    expect(finalized).toMatchObject({
      status: 'finalized',
      netTotal: expected.net,
      total: expected.total,
      eventCount: expected.eventCount,
    });
  });

  it('bills no month before a customer entered the catalog, unless it has events there or the run names the month', async () => {
    // Prepare: cus_new and cus_migrated enter the catalog on 4 December; cus_migrated brings its
    // November usage along (a team moving onto billflow), cus_new has none.
    const harness = await createInvoicingHarness(invoicingCatalog(CUSTOMERS.slice(0, 1)));
    const onFourDecember = new DynamoDbCatalogRepository(harness.stack.clients.dynamodb, harness.stack.env[tables.billing.envVar]!, {
      now: () => new Date('2026-12-04T09:00:00Z'),
    });
    await applyCatalog({ customers: [proCustomer('cus_new'), proCustomer('cus_migrated')] }, onFourDecember);
    const migrated = monthOfUsage('cus_migrated', '2026-11', 3, 120);
    await harness.ingestAt('2026-12-04T09:30:00Z', migrated);

    // Act: `invoices run --as-of 2026-12-01T02:00:00Z` typed at 10:00, then with --period 2026-11.
    const asOf = '2026-12-01T02:00:00Z';
    const unnamed = await Promise.all(
      ['cus_new', 'cus_migrated'].map((id) => harness.close(id, '2026-11', asOf, { now: '2026-12-04T10:00:00Z' })),
    );
    const named = await harness.close('cus_new', '2026-11', asOf, { now: '2026-12-04T10:05:00Z', periodNamed: true });

    // Assess
    expect(unnamed[0]).toEqual({ action: 'before_customer' });
    expect(unnamed[1]).toMatchObject({
      action: 'finalized',
      invoice: { netTotal: expectedInvoice(migrated, 'DE').net, eventCount: expectedInvoice(migrated, 'DE').eventCount },
    });
    expect(named).toMatchObject({ action: 'finalized', invoice: { netTotal: 10_000, eventCount: 0 } });
  });

  it('bills late usage that only fills an already billed minimum as 0.00, and beyond it exactly the excess', async () => {
    // Prepare: November, 2 seats: 49.00 + 20.00 = 69.00, topped up by 31.00 to the 100.00 minimum.
    const harness = await createInvoicingHarness(invoicingCatalog(CUSTOMERS.slice(0, 1)));
    await harness.ingestAt('2026-11-10T10:00:00Z', [seatsChanged('cus_de', '2026-11-10T09:00:00Z', 2)]);
    await harness.runThroughQueue('2026-12-01T02:00:00Z');
    // Late: the peak was 4 (20.00 more, inside the 31.00 top-up)...
    await harness.ingestAt('2026-12-05T10:00:00Z', [seatsChanged('cus_de', '2026-11-20T09:00:00Z', 4)]);
    await harness.runThroughQueue('2027-01-01T02:00:00Z');
    // ... and later still, 7 (30.00 more: 11.00 left of the top-up, 19.00 beyond it).
    await harness.ingestAt('2027-01-05T10:00:00Z', [seatsChanged('cus_de', '2026-11-25T09:00:00Z', 7)]);
    await harness.runThroughQueue('2027-02-01T02:00:00Z');

    // Act
    const [nov, dec, jan] = await Promise.all(['2026-11', '2026-12', '2027-01'].map((period) => harness.invoices.get('cus_de', period)));
    const lateNet = (invoice: Invoice | undefined) => usageLinesOf(invoice, '2026-11').reduce((sum, line) => sum + line.netAmount, 0);

    // Assess: November re-rated with 7 seats is 49.00 + 70.00 = 119.00, of which 100.00 billed.
    const novemberRerated = (peak: number) => Math.max(10_000, 4900 + peak * 1000);
    expect(nov).toMatchObject({ status: 'finalized', netTotal: novemberRerated(2) });
    expect(lateNet(dec)).toBe(novemberRerated(4) - novemberRerated(2));
    expect(lateNet(jan)).toBe(novemberRerated(7) - novemberRerated(4));
    expect(lateNet(dec)).toBe(0);
    expect(lateNet(jan)).toBe(1900);
    // The usage still shows, with the period named, beside the line that gives the top-up back.
    expect(usageLinesOf(dec, '2026-11').map((line) => [line.kind, line.quantity, line.netAmount])).toEqual([
      ['usage', '2', 2000],
      ['minimum_commitment', '-1', -2000],
    ]);
    expect(usageLinesOf(jan, '2026-11').map((line) => [line.kind, line.quantity, line.netAmount])).toEqual([
      ['usage', '3', 3000],
      ['minimum_commitment', '-1', -1100],
    ]);
    // December and January bill their own months whole: 49.00 topped up to 100.00 each.
    expect(dec!.netTotal - lateNet(dec)).toBe(10_000);
    expect(jan!.netTotal - lateNet(jan)).toBe(10_000);
  });
});
