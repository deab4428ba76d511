import { describe, expect, it } from 'vitest';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import type { OpenDrafts } from '#ports/invoice-repository.ts';
import type { InvoiceRunLog } from '#ports/invoice-run-log.ts';
import type { InvoiceJob } from '#use-cases/close-billing-period.ts';
import { startInvoiceRun } from '#use-cases/start-invoice-run.ts';
import { proCustomer } from '#test-support/invoicing-catalog.ts';

type Draft = { customerId: string; billingPeriod: string };

/** A catalog of cus_a and cus_b at version `v1`, a run log and a queue that fails `failing` jobs. */
function fakes(drafts: Draft[] = [], options: { failing?: number } = {}) {
  const sent: InvoiceJob[] = [];
  const log = new Map<string, string>();
  const state = { catalogVersion: 'v1', listed: 0, draftQueries: [] as string[] };
  const runs: InvoiceRunLog = {
    customersEnqueued: async (period) => log.get(period),
    recordCustomersEnqueued: async (period, version) => void log.set(period, version),
  };
  return {
    sent,
    log,
    state,
    deps: {
      catalog: {
        version: async () => state.catalogVersion,
        listCustomers: async () => {
          state.listed += 1;
          return [proCustomer('cus_a'), proCustomer('cus_b')];
        },
      } as unknown as CatalogRepository,
      invoices: {
        listOpenDrafts: async (through: string) => {
          state.draftQueries.push(through);
          return drafts.filter((draft) => draft.billingPeriod <= through);
        },
      } satisfies OpenDrafts,
      runs,
      enqueue: async (jobs: readonly InvoiceJob[]) => {
        sent.push(...jobs);
        return { failed: Math.min(options.failing ?? 0, jobs.length) };
      },
    },
  };
}

const jobsOf = (sent: readonly InvoiceJob[]) => sent.map((job) => `${job.customerId}/${job.period}`).sort();

describe('startInvoiceRun', () => {
  it('enqueues every customer for the period that just ended at the first run after it, and logs it', async () => {
    // Prepare
    const { sent, deps, log } = fakes();

    // Act
    const started = await startInvoiceRun(Date.parse('2026-12-01T00:00:00Z'), deps);

    // Assess
    expect(started).toEqual({ asOf: '2026-12-01T00:00:00.000Z', period: '2026-11', jobs: 2, failed: 0, everyCustomer: true });
    expect(jobsOf(sent)).toEqual(['cus_a/2026-11', 'cus_b/2026-11']);
    expect(log.get('2026-11')).toBe('v1');
  });

  it('later that day enqueues only the open drafts, without listing the customers again', async () => {
    // Prepare
    const { sent, deps, state } = fakes([{ customerId: 'cus_a', billingPeriod: '2026-11' }]);
    await startInvoiceRun(Date.parse('2026-12-01T00:00:00Z'), deps);
    sent.length = 0;

    // Act
    const started = await startInvoiceRun(Date.parse('2026-12-01T02:00:00Z'), deps);

    // Assess
    expect(started).toMatchObject({ jobs: 1, everyCustomer: false });
    expect(jobsOf(sent)).toEqual(['cus_a/2026-11']);
    expect(state.listed).toBe(1);
  });

  it('enqueues every customer again within the day when the catalog changed since', async () => {
    // Prepare: a customer added (or a plan fixed) after the first run.
    const { sent, deps, state, log } = fakes();
    await startInvoiceRun(Date.parse('2026-12-01T00:00:00Z'), deps);
    sent.length = 0;
    state.catalogVersion = 'v2';

    // Act
    const started = await startInvoiceRun(Date.parse('2026-12-01T05:00:00Z'), deps);

    // Assess
    expect(started).toMatchObject({ jobs: 2, everyCustomer: true });
    expect(log.get('2026-11')).toBe('v2');
  });

  it('does not log a fan-out that lost jobs, so the next run enqueues every customer again', async () => {
    // Prepare
    const { sent, deps, log } = fakes([], { failing: 1 });

    // Act
    const first = await startInvoiceRun(Date.parse('2026-12-01T00:00:00Z'), deps);
    sent.length = 0;
    const second = await startInvoiceRun(Date.parse('2026-12-01T01:00:00Z'), deps);

    // Assess
    expect(first.failed).toBe(1);
    expect(log.has('2026-11')).toBe(false);
    expect(second).toMatchObject({ jobs: 2, everyCustomer: true });
  });

  it('after the first day enqueues only open drafts, including older ones, whatever the catalog', async () => {
    // Prepare: every customer of 2026-11 enqueued on the first day; the catalog changed since.
    const { sent, deps, state, log } = fakes([
      { customerId: 'cus_a', billingPeriod: '2026-11' },
      { customerId: 'cus_b', billingPeriod: '2026-10' },
    ]);
    log.set('2026-11', 'v0');

    // Act
    await startInvoiceRun(Date.parse('2026-12-05T10:00:00Z'), deps);

    // Assess
    expect(jobsOf(sent)).toEqual(['cus_a/2026-11', 'cus_b/2026-10']);
    expect(state.draftQueries).toEqual(['2026-11']);
    expect(state.listed).toBe(0);
  });

  it('enqueues every customer at the first run after an outage that missed the whole first day', async () => {
    // Prepare: no run since 2026-11 ended (the schedule was off until the 5th).
    const { sent, deps, state, log } = fakes([{ customerId: 'cus_b', billingPeriod: '2026-10' }]);

    // Act
    const started = await startInvoiceRun(Date.parse('2026-12-05T10:00:00Z'), deps);
    const again = await startInvoiceRun(Date.parse('2026-12-05T11:00:00Z'), deps);

    // Assess: the delayed run closes 2026-11 for everyone, once.
    expect(started).toMatchObject({ period: '2026-11', everyCustomer: true });
    expect(jobsOf(sent.slice(0, started.jobs))).toEqual(['cus_a/2026-11', 'cus_b/2026-10', 'cus_b/2026-11']);
    expect(log.get('2026-11')).toBe('v1');
    expect(again.everyCustomer).toBe(false);
    expect(state.listed).toBe(1);
  });

  it('marks the jobs of a period a person named, and only those', async () => {
    // Prepare
    const { sent, deps } = fakes([{ customerId: 'cus_b', billingPeriod: '2026-10' }]);

    // Act: `invoices run --period 2026-11`, then `invoices run --as-of ...` (the CLI passes the period it computed).
    await startInvoiceRun(Date.parse('2026-12-04T10:00:00Z'), deps, { period: '2026-11' });
    const named = sent.splice(0);
    await startInvoiceRun(Date.parse('2026-12-04T10:00:00Z'), deps, { period: '2026-11', periodNamed: false });
    const computed = sent.splice(0);
    await startInvoiceRun(Date.parse('2026-12-04T10:00:00Z'), deps);

    // Assess: an open draft of another period is never marked.
    expect(named.map((job) => [job.customerId, job.period, job.periodNamed])).toEqual([
      ['cus_a', '2026-11', true],
      ['cus_b', '2026-11', true],
      ['cus_b', '2026-10', undefined],
    ]);
    expect(computed.every((job) => job.periodNamed === undefined)).toBe(true);
    expect(sent.every((job) => job.periodNamed === undefined)).toBe(true);
  });

  it('runs a period named by hand for every customer, whatever the date and the log', async () => {
    // Prepare
    const { sent, deps } = fakes();
    await startInvoiceRun(Date.parse('2026-11-01T00:30:00Z'), deps);
    sent.length = 0;

    // Act
    await startInvoiceRun(Date.parse('2026-12-20T10:00:00Z'), deps, { period: '2026-10' });

    // Assess
    expect(jobsOf(sent)).toEqual(['cus_a/2026-10', 'cus_b/2026-10']);
  });
});
