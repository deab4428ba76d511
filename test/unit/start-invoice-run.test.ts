import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../shared/domain/invoice/invoice.ts';
import type { CatalogRepository } from '../../shared/ports/catalog-repository.ts';
import type { InvoiceRepository } from '../../shared/ports/invoice-repository.ts';
import type { InvoiceJob } from '../../shared/use-cases/close-billing-period.ts';
import { startInvoiceRun } from '../../shared/use-cases/start-invoice-run.ts';
import { proCustomer } from '../support/invoicing-catalog.ts';

function fakes(drafts: Pick<Invoice, 'customerId' | 'billingPeriod' | 'status'>[]) {
  const sent: InvoiceJob[] = [];
  return {
    sent,
    deps: {
      catalog: { listCustomers: async () => [proCustomer('cus_a'), proCustomer('cus_b')] } as unknown as CatalogRepository,
      invoices: { list: async () => drafts as Invoice[] } as unknown as InvoiceRepository,
      enqueue: async (jobs: readonly InvoiceJob[]) => {
        sent.push(...jobs);
        return { failed: 0 };
      },
    },
  };
}

describe('startInvoiceRun', () => {
  it('enqueues every customer for the period that just ended during the first day after it', async () => {
    // Prepare
    const { sent, deps } = fakes([]);

    // Act
    const started = await startInvoiceRun(Date.parse('2026-12-01T02:00:00Z'), deps);

    // Assess
    expect(started).toEqual({ asOf: '2026-12-01T02:00:00.000Z', period: '2026-11', jobs: 2, failed: 0 });
    expect(sent.map((job) => `${job.customerId}/${job.period}`).sort()).toEqual(['cus_a/2026-11', 'cus_b/2026-11']);
  });

  it('later in the month enqueues only open drafts, including older ones, not every customer', async () => {
    // Prepare
    const { sent, deps } = fakes([
      { customerId: 'cus_a', billingPeriod: '2026-11', status: 'draft' },
      { customerId: 'cus_b', billingPeriod: '2026-10', status: 'draft' },
      { customerId: 'cus_b', billingPeriod: '2026-11', status: 'finalized' },
    ]);

    // Act
    await startInvoiceRun(Date.parse('2026-12-05T10:00:00Z'), deps);

    // Assess
    expect(sent.map((job) => `${job.customerId}/${job.period}`).sort()).toEqual(['cus_a/2026-11', 'cus_b/2026-10']);
  });

  it('runs a period named by hand for every customer, whatever the date', async () => {
    // Prepare
    const { sent, deps } = fakes([]);

    // Act
    await startInvoiceRun(Date.parse('2026-12-20T10:00:00Z'), deps, { period: '2026-10' });

    // Assess
    expect(sent.map((job) => job.customerId).sort()).toEqual(['cus_a', 'cus_b']);
    expect(new Set(sent.map((job) => job.period))).toEqual(new Set(['2026-10']));
  });
});
