/**
 * Invoice benchmark (issue 3), side by side in one run:
 * - billflow: close-billing-period for every customer on the local services (events read from
 *   DynamoDB Local, invoice finalized with its number), N jobs in flight like N Lambda
 *   invocations of the fan-out;
 * - the ceiling: the same aggregation and pricing in memory, no I/O;
 * and DynamoDB read and write units per invoice as DynamoDB Local reports them.
 * Events are written straight into the event store (ingestion has its own benchmark).
 */
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/event-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { closeBillingPeriod } from '#use-cases/close-billing-period.ts';
import { packChunks } from '#domain/events/pack-chunks.ts';
import { indexMetersByEventType } from '#domain/events/validate-event.ts';
import { validateEvent } from '#formats/cloudevents.ts';
import { aggregateUsage } from '#domain/pricing/aggregate.ts';
import { computeInvoice } from '#domain/invoice/assemble.ts';
import type { AcceptedEvent, StoredEvent } from '#domain/events/billable-event.ts';
import type { CatalogHead, Customer } from '#domain/catalog/types.ts';
import { tables } from '#infra/resources.ts';
import { apiRequest, invoicingCatalog, mixedProCustomers, seatsChanged } from '#test-support/invoicing-catalog.ts';
import { BENCH_REGION, type BenchStack } from './bench-stack.ts';
import { meteredDocumentClient } from './capacity-meter.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

export interface InvoicingBenchResult {
  readonly customers: number;
  readonly eventsPerCustomer: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly invoicesPerSecond: number;
  readonly inMemorySeconds: number;
  readonly inMemoryInvoicesPerSecond: number;
  readonly ratio: number;
  readonly readUnitsPerInvoice: number;
  readonly writeUnitsPerInvoice: number;
  readonly finalized: number;
  readonly requestsPerInvoice: Record<string, number>;
}

const PERIOD = '2026-10';
const SHARDS = 4;

export async function benchInvoicing(
  stack: BenchStack,
  customerCount: number,
  eventsPerCustomer: number,
  concurrency: number,
): Promise<InvoicingBenchResult> {
  const { services, resources, clients } = stack;
  const billingTable = resources.env[tables.billing.envVar]!;
  const eventsTable = resources.env[tables.events.envVar]!;
  const customers = mixedProCustomers(customerCount);
  const ids = customers.map((customer) => customer.id);
  const catalogRepository = new DynamoDbCatalogRepository(clients.dynamodb, billingTable);
  const applied = await applyCatalog(invoicingCatalog(customers), catalogRepository);
  if (!applied.ok) throw new Error('benchmark catalog is invalid');
  const head = await catalogRepository.readHead();

  // October's events for every customer, validated and packed as ingestion would, written once.
  const eventsByCustomer = new Map<string, StoredEvent[]>();
  const accepted: { messageId: string; accepted: AcceptedEvent }[] = [];
  const context = {
    now: Date.parse('2026-10-31T23:00:00Z'),
    metersByEventType: indexMetersByEventType(head.meters),
    isKnownCustomer: () => true,
  };
  for (const id of ids) {
    const list: StoredEvent[] = [];
    for (let n = 0; n < eventsPerCustomer; n += 1) {
      const time = `2026-10-${String((n % 28) + 1).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:00:00Z`;
      const raw = n % 20 === 0 ? seatsChanged(id, time, 1 + (n % 7)) : apiRequest(id, time, 100 + n);
      const verdict = validateEvent(raw, context);
      if (!verdict.ok) throw new Error(verdict.reason);
      list.push(verdict.accepted.event);
      accepted.push({ messageId: id, accepted: verdict.accepted });
    }
    eventsByCustomer.set(id, list);
  }
  const writer = new DynamoDbEventStore({ client: clients.dynamodb, tableName: eventsTable, shardCount: SHARDS, retentionDays: 400 });
  const chunks = packChunks(accepted, { shardCount: SHARDS, now: context.now, gracePeriodMs: 3_600_000, maxChunkBytes: 256 * 1024 });
  for (let start = 0; start < chunks.length; start += 1000) {
    const outcomes = await writer.writeChunks(chunks.slice(start, start + 1000), Date.parse('2026-10-31T23:00:00Z'));
    if (outcomes.some((outcome) => !outcome.written)) throw new Error('could not store the benchmark events');
  }

  // billflow: every customer's period closed and finalized, `concurrency` jobs at a time.
  const meter = meteredDocumentClient(services.endpoints.dynamodb, BENCH_REGION);
  const deps = {
    events: new DynamoDbEventStore({ client: meter.client, tableName: eventsTable, shardCount: SHARDS, retentionDays: 400 }),
    invoices: new DynamoDbInvoiceRepository(meter.client, billingTable),
    catalog: new DynamoDbCatalogRepository(meter.client, billingTable),
    now: () => Date.parse('2026-11-01T02:00:00Z'),
    gracePeriodMs: 3_600_000,
    settleMs: 120_000,
    // Rendering has its own benchmark; here the hand-over is only counted.
    requestDocument: async () => undefined,
    outbound: noOutboundEvents,
  };
  let finalized = 0;
  const started = performance.now();
  await forEachConcurrently(ids, concurrency, async (customerId) => {
    const outcome = await closeBillingPeriod({ customerId, period: PERIOD, asOf: '2026-11-01T02:00:00Z' }, deps);
    if (outcome.action === 'finalized') finalized += 1;
  });
  const seconds = (performance.now() - started) / 1000;

  // The ceiling: the same rating in memory.
  const inMemoryStarted = performance.now();
  for (const customer of customers) rateInMemory(head, customer, eventsByCustomer.get(customer.id)!);
  const inMemorySeconds = (performance.now() - inMemoryStarted) / 1000;

  return {
    customers: customerCount,
    eventsPerCustomer,
    concurrency,
    seconds,
    invoicesPerSecond: customerCount / seconds,
    inMemorySeconds,
    inMemoryInvoicesPerSecond: customerCount / inMemorySeconds,
    ratio: customerCount / seconds / (customerCount / inMemorySeconds),
    readUnitsPerInvoice: meter.totals.read / customerCount,
    writeUnitsPerInvoice: meter.totals.write / customerCount,
    finalized,
    requestsPerInvoice: Object.fromEntries(Object.entries(meter.totals.requests).map(([name, count]) => [name, count / customerCount])),
  };
}

function rateInMemory(head: CatalogHead, customer: Customer, events: StoredEvent[]) {
  const aggregates = aggregateUsage(head.meters, events);
  const usage = [...aggregates.entries()]
    .filter(([, aggregate]) => aggregate.eventCount > 0)
    .map(([meter, aggregate]) => ({ meter, period: PERIOD, quantity: aggregate.quantity(), eventCount: aggregate.eventCount }));
  const plan = head.plans.find((candidate) => candidate.code === customer.plan)!;
  return computeInvoice({ issuer: head.issuer!, customer, plan, meters: head.meters, taxRates: head.taxRates, period: PERIOD, usage });
}
