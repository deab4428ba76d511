/**
 * Fault: `npm start` is killed with SIGKILL while close-billing-period works through an invoice
 * run's jobs, started again on the same state, and the run is run again. Through the public
 * contracts only: one invoice per customer and period, every one finalized, and the numbers
 * gap-free from 000001 (none lost to the crash, none given twice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { messagesInFlight, waitUntilEmpty } from '#adapters/sqs/queue-depth.ts';
import { batchBodies, sendBodies } from '#adapters/sqs/send-bodies.ts';
import { currentPeriod } from '#cli/sample-events.ts';
import { periodBounds } from '#domain/period.ts';
import { startCrashablePipeline, waitUntil, type CrashablePipeline } from './support/crashing-pipeline.ts';

const CUSTOMERS = 120;
const PERIOD = currentPeriod(Date.now());
// After the period's grace hour and settling time: the run drafts and finalizes in one go.
const AS_OF = new Date(periodBounds(PERIOD).end + 2 * 3_600_000).toISOString();
const customerIds = Array.from({ length: CUSTOMERS }, (_, index) => `cus_f${String(index).padStart(3, '0')}`);

let pipeline: CrashablePipeline;

beforeAll(async () => {
  pipeline = await startCrashablePipeline();
  // The example catalog with its issuer prefix changed (numbers of this test only) and many customers.
  const example = parse(readFileSync(resolve(import.meta.dirname, '../../docs/examples/catalog.yaml'), 'utf8')) as {
    issuer: Record<string, unknown>;
    customers: Record<string, unknown>[];
  };
  const template = example.customers[0]!;
  const catalog = {
    ...example,
    issuer: { ...example.issuer, invoicePrefix: 'FAULT' },
    customers: customerIds.map((id) => ({ ...template, id })),
  };
  const file = join(pipeline.home, 'fault-catalog.json');
  writeFileSync(file, JSON.stringify(catalog));
  await pipeline.json('catalog', 'apply', file);
  // One event per customer in the period, so every invoice has a usage line.
  const at = new Date(Math.max(periodBounds(PERIOD).start, Date.now() - 60_000)).toISOString();
  const events = customerIds.map((subject, index) => ({
    specversion: '1.0',
    id: `fault-${index}`,
    source: '//faults',
    type: 'api.request',
    subject,
    time: at,
    data: { tokens: 1000 + index },
  }));
  const queueUrl = pipeline.current.outputs.eventsQueueUrl;
  expect((await sendBodies(pipeline.sqs, queueUrl, batchBodies(events, 100))).failed).toEqual([]);
  await waitUntilEmpty(pipeline.sqs, queueUrl, 60_000, 'the events queue');
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
});

interface InvoiceSummary {
  number: string | null;
  customerId: string;
  billingPeriod: string;
  status: string;
}

describe('kill -9 during invoices run, then the run again', () => {
  it('ends with one finalized invoice per customer and period, numbered gap-free', { timeout: 240_000 }, async () => {
    // Act: crash while the jobs are being closed (some done, some still queued)
    const started = await pipeline.json<{ jobs: number }>('invoices', 'run', '--as-of', AS_OF, '--no-wait');
    const jobsQueue = pipeline.current.outputs.invoiceJobsQueueUrl;
    await waitUntil(async () => (await messagesInFlight(pipeline.sqs, jobsQueue)) < started.jobs - 5, 60_000, 'the first jobs to close');
    const jobsLeftAtCrash = await messagesInFlight(pipeline.sqs, jobsQueue);
    await pipeline.crash();
    await pipeline.restart();
    const rerun = await pipeline.billflow('invoices', 'run', '--as-of', AS_OF, '--json');

    // Assess
    expect(started.jobs).toBe(CUSTOMERS);
    expect(jobsLeftAtCrash).toBeGreaterThan(0);
    expect(rerun.code, `${rerun.stderr}\n${pipeline.current.output()}`).toBe(0);
    const invoices = await pipeline.json<InvoiceSummary[]>('invoices', 'list', '--period', PERIOD);
    expect(invoices.map((invoice) => invoice.customerId).sort()).toEqual(customerIds);
    expect(invoices.every((invoice) => invoice.status === 'finalized')).toBe(true);
    const numbers = invoices.map((invoice) => invoice.number ?? '(none)').sort();
    const year = /^FAULT-(\d{4})-/.exec(numbers[0]!)?.[1];
    expect(numbers).toEqual(customerIds.map((_, index) => `FAULT-${year}-${String(index + 1).padStart(6, '0')}`));
  });
});
