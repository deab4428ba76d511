/**
 * Which invoice bills an event, whatever the order of ingest writes and finalization: every
 * distinct event of a period is billed exactly once, on the period's own invoice when its chunk
 * was stamped before the invoice's cut, else as late usage on the next invoice. Ingest writes
 * really interleave with the finalization's reads (the in-memory store yields between pages).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CatalogHead, Customer } from '#domain/catalog/types.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import type { InvoiceSequence } from '#domain/invoice/numbering.ts';
import type { BillingPeriodInvoices, SaveDraftOutcome } from '#ports/invoice-repository.ts';
import { closeBillingPeriod, type CloseBillingPeriodDependencies } from '#use-cases/close-billing-period.ts';
import { ingestEvents } from '#functions/ingest-events/ingest-handler.ts';
import { InMemoryEventStore, InMemoryRejectedEventStore } from '#test-support/in-memory-stores.ts';
import { issuer, proCustomer } from '#test-support/invoicing-catalog.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const HOUR = 3_600_000;
const SETTLE_MS = 120_000;
const NOVEMBER_END = Date.parse('2026-12-01T00:00:00Z');

/** One cent per request, no base fee, no minimum: the money billed counts the events billed. */
const HEAD: CatalogHead = {
  issuer,
  taxRates: { DE: '19' },
  meters: [{ code: 'api_calls', eventType: 'api.request', aggregation: 'count', unitCode: 'C62' }],
  plans: [{ code: 'metered', currency: 'EUR', baseFee: '0', charges: [{ meter: 'api_calls', model: 'per_unit', unitPrice: '0.01' }] }],
  billing: { gracePeriodHours: 1 },
};
const CUSTOMER: Customer = proCustomer('cus_a', { plan: 'metered' });

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Invoices by customer and period, with the conditional writes of the DynamoDB adapter. */
class InvoiceLedger implements BillingPeriodInvoices {
  readonly invoices = new Map<string, Invoice>();
  private numbers = 0;

  async get(customerId: string, period: string) {
    await yieldToOthers();
    return this.invoices.get(`${customerId}|${period}`);
  }
  async listCustomerFrom(customerId: string, fromPeriod: string) {
    await yieldToOthers();
    return [...this.invoices.values()].filter((invoice) => invoice.customerId === customerId && invoice.billingPeriod >= fromPeriod);
  }
  async saveDraft(draft: Invoice): Promise<SaveDraftOutcome> {
    const stored = this.invoices.get(`${draft.customerId}|${draft.billingPeriod}`);
    if (stored !== undefined && stored.status !== 'draft') return 'closed';
    this.invoices.set(`${draft.customerId}|${draft.billingPeriod}`, draft);
    return 'saved';
  }
  async finalize(draft: Invoice, _sequence: InvoiceSequence, finalized: (position: number) => Invoice) {
    const key = `${draft.customerId}|${draft.billingPeriod}`;
    const stored = this.invoices.get(key);
    if (stored !== undefined && stored.status !== 'draft') return { invoice: stored, numbered: false };
    this.numbers += 1;
    const numbered = finalized(this.numbers);
    this.invoices.set(key, numbered);
    return { invoice: numbered, numbered: true };
  }
  async closeDraft(closed: Invoice) {
    const key = `${closed.customerId}|${closed.billingPeriod}`;
    const stored = this.invoices.get(key);
    if (stored !== undefined && stored.status !== 'draft') return stored;
    this.invoices.set(key, closed);
    return closed;
  }
}

interface Write {
  /** Which of the period's events (copies share an id). */
  readonly events: readonly number[];
  /** The ingest stamp, as an offset from the cut (negative: before it). */
  readonly offsetMs: number;
  /** For a stamp at or after the cut: written after the finalization started reading. */
  readonly duringFinalization: boolean;
}

const writeArbitrary = fc.record({
  events: fc.array(fc.integer({ min: 0, max: 29 }), { minLength: 1, maxLength: 8 }),
  offsetMs: fc.oneof(
    fc.integer({ min: -5 * HOUR, max: -1 }),
    fc.integer({ min: 0, max: SETTLE_MS }),
    fc.integer({ min: SETTLE_MS, max: 10 * 86_400_000 }),
  ),
  duringFinalization: fc.boolean(),
});

function request(index: number) {
  return {
    specversion: '1.0',
    id: `req-${index}`,
    source: '//api.example.com',
    type: 'api.request',
    subject: CUSTOMER.id,
    // Every event is of early November, whenever it is stored.
    time: new Date(Date.parse('2026-11-01T00:00:00Z') + 60_000 * index).toISOString(),
    data: {},
  };
}

describe('late events across finalization', () => {
  it('bills every distinct event exactly once across the period invoice and the next, whatever interleaves with the cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(writeArbitrary, { minLength: 1, maxLength: 12 }),
        // When finalization runs: from just after the grace period to weeks later (a delayed run).
        fc.integer({ min: HOUR + SETTLE_MS, max: 20 * 86_400_000 }),
        async (writes, finalizeAfterEndMs) => {
          // Prepare
          const events = new InMemoryEventStore({ shardCount: 4 });
          const rejected = new InMemoryRejectedEventStore({ shardCount: 4 });
          const invoices = new InvoiceLedger();
          const catalog = {
            readHead: async () => HEAD,
            findCustomers: async (ids: readonly string[]) => new Map(ids.includes(CUSTOMER.id) ? [[CUSTOMER.id, CUSTOMER]] : []),
          } as unknown as CatalogRepository;
          const finalizingAt = NOVEMBER_END + finalizeAfterEndMs;
          const cut = finalizingAt - SETTLE_MS;
          const deps = (now: number): CloseBillingPeriodDependencies => ({
            outbound: noOutboundEvents,
            events,
            invoices,
            catalog,
            now: () => now,
            settleMs: SETTLE_MS,
            requestDocument: async () => undefined,
          });
          const ingest = (write: Write, index: number) =>
            ingestEvents([{ messageId: `m-${index}`, body: JSON.stringify(write.events.map(request)) }], {
              outbound: noOutboundEvents,
              events,
              rejected,
              catalogRules: async () => ({ meters: HEAD.meters, gracePeriodMs: HOUR }),
              knownCustomers: async () => new Set([CUSTOMER.id]),
              // A stamp before the cut is written before finalization reads (the settle time covers
              // slower writes); one at or after it may land while it reads, or after.
              now: () => cut + write.offsetMs,
              maxChunkBytes: 256 * 1024,
            });
          const before = writes.filter((write) => write.offsetMs < 0 || !write.duringFinalization);
          const during = writes.filter((write) => write.offsetMs >= 0 && write.duringFinalization);

          // Act
          await Promise.all(before.map(ingest));
          const [november] = await Promise.all([
            closeBillingPeriod(
              { customerId: CUSTOMER.id, period: '2026-11', asOf: new Date(finalizingAt).toISOString() },
              deps(finalizingAt),
            ),
            ...during.map((write, index) => ingest(write, before.length + index)),
          ]);
          const december = await closeBillingPeriod(
            { customerId: CUSTOMER.id, period: '2026-12', asOf: '2027-01-01T02:00:00Z' },
            deps(Math.max(Date.parse('2027-01-01T02:00:00Z'), cut + 11 * 86_400_000)),
          );

          // Assess: against the writes themselves, not the code under test.
          const distinct = new Set(writes.flatMap((write) => write.events));
          const onTime = new Set(writes.filter((write) => write.offsetMs < 0).flatMap((write) => write.events));
          const novemberInvoice = 'invoice' in november ? november.invoice : undefined;
          const decemberInvoice = 'invoice' in december ? december.invoice : undefined;
          const billedOn = (invoice: Invoice | undefined, period: string) =>
            (invoice?.lines ?? [])
              .filter((line) => line.meter === 'api_calls' && line.period.start.startsWith(period))
              .reduce((sum, line) => sum + Number(line.quantity), 0);
          expect(novemberInvoice?.readThrough).toBe(new Date(cut).toISOString());
          expect(billedOn(novemberInvoice, '2026-11')).toBe(onTime.size);
          expect(billedOn(decemberInvoice, '2026-11')).toBe(distinct.size - onTime.size);
          expect((novemberInvoice?.eventCount ?? 0) + (decemberInvoice?.eventCount ?? 0)).toBe(distinct.size);
          // One cent an event: the money billed for November across both invoices is its events'.
          const netOf = (invoice: Invoice | undefined) => (invoice === undefined || invoice.status === 'not_issued' ? 0 : invoice.netTotal);
          expect(netOf(novemberInvoice) + netOf(decemberInvoice)).toBe(distinct.size);
        },
      ),
      { numRuns: 150 },
    );
  });
});
