/**
 * A failing customer job is loud (issue 12): `billflow invoices run` lists the customers whose
 * job failed, with the reason, and exits non-zero, while the others are invoiced; and every
 * instant the CLI takes is strict RFC 3339, with a run far in the past refused unless its period
 * is named. Against a local pipeline whose workers run the real Lambda handler modules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues, tables } from '#infra/resources.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { sendBodies } from '#adapters/sqs/send-bodies.ts';
import { billingPeriodOf, lastEndedPeriod, periodBounds, previousPeriod } from '#domain/period.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { CUSTOMERS_ENTERED, apiRequest, invoicingCatalog, proCustomer, seatsChanged } from '#test-support/invoicing-catalog.ts';
import type { TestStack } from '#test-support/local-stack.ts';
import { startCliPipeline, type CliPipeline } from '#test-support/cli-pipeline.ts';
import { queueDepth, waitForDrained } from '#test-support/ingest-harness.ts';
import type { CliResult } from '#test-support/billflow-cli.ts';

// The current month, closed as of 02:30 after it ends: events sent now are on time for it
// (not late), whatever date the suite runs on.
const PERIOD = billingPeriodOf(Date.now());
const AS_OF = new Date(periodBounds(PERIOD).end + 2.5 * 3_600_000).toISOString();
const IN_PERIOD = new Date(Math.max(periodBounds(PERIOD).start, Date.now() - 3_600_000)).toISOString();

let pipeline: CliPipeline;
let stack: TestStack;

const billflow = (...args: string[]): Promise<CliResult> => pipeline.billflow(...args);

beforeAll(async () => {
  pipeline = await startCliPipeline('job-failures-test');
  stack = pipeline.stack;
  const applied = await applyCatalog(
    invoicingCatalog(['cus_ok_1', 'cus_overflow', 'cus_ok_2'].map((id) => proCustomer(id))),
    new DynamoDbCatalogRepository(stack.clients.dynamodb, stack.env[tables.billing.envVar]!, CUSTOMERS_ENTERED),
  );
  if (!applied.ok) throw new Error('catalog invalid');
  // Each value is within ingest's bounds; 999,999,999,999,999 seats at 10.00 EUR is not an amount
  // a JavaScript number holds in cents, so that customer's invoice job fails on every attempt.
  const events = [
    apiRequest('cus_ok_1', IN_PERIOD, 1200),
    apiRequest('cus_ok_2', IN_PERIOD, 1200),
    seatsChanged('cus_overflow', IN_PERIOD, 999_999_999_999_999),
  ];
  const { failed } = await sendBodies(stack.clients.sqs, stack.eventsQueueUrl, [JSON.stringify(events)]);
  expect(failed).toEqual([]);
  await waitForDrained(stack.clients.sqs, stack.eventsQueueUrl, 30_000);
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('invoices run with a failing customer', () => {
  it('invoices the others, lists the failing customer with the reason and exits 1, without waiting for the retry', async () => {
    // Act
    const run = await billflow('invoices', 'run', '--as-of', AS_OF, '--json');

    // Assess
    expect(run.code, run.stderr).toBe(1);
    const document = JSON.parse(run.stdout) as {
      finalized: number;
      failedJobs: { customerId: string; period: string; reason: string; attempts: number }[];
    };
    expect(document.finalized).toBe(2);
    expect(document.failedJobs).toEqual([
      { customerId: 'cus_overflow', period: PERIOD, reason: expect.stringMatching(/^RangeError: Amount .* is too large/), attempts: 1 },
    ]);
    // Still retried by SQS (in flight until its visibility timeout), not dead-lettered or lost.
    expect(await queueDepth(stack.clients.sqs, stack.env[queues.invoiceJobs.envVar]!)).toBe(1);
  });

  it('prints the failing customer in the text output too', async () => {
    // Act: the same period again (the job still fails; the run records this attempt's failure)
    const run = await billflow('invoices', 'run', '--period', PERIOD, '--as-of', AS_OF);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`FAILED cus_overflow ${PERIOD}: RangeError: Amount .* is too large`));
    expect(run.stdout).toContain('1 customers failed');
  });
});

describe('CLI instants', () => {
  it.each([
    ['1', '--as-of 1 is not an RFC 3339 date-time'],
    ['2027-02-30T00:00:00Z', '--as-of 2027-02-30T00:00:00Z is not an RFC 3339 date-time'],
    ['2026-12-01', '--as-of 2026-12-01 is not an RFC 3339 date-time'],
  ])('refuses --as-of %s for every command that takes it, enqueuing nothing', async (asOf, message) => {
    // Act
    const results = await Promise.all([
      billflow('invoices', 'run', '--as-of', asOf, '--no-wait'),
      billflow('invoices', 'run-dunning', '--as-of', asOf),
      billflow('invoices', 'show', 'ACME-2026-000001', '--as-of', asOf),
    ]);

    // Assess
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });

  it('refuses a run more than 3 periods back unless --period names it, saying so', async () => {
    // Act
    const farBack = await billflow('invoices', 'run', '--as-of', '2001-01-01T00:00:00Z', '--no-wait');
    // Ends the period 3 before the last ended one: the furthest back a run goes unasked.
    const lastEnded = lastEndedPeriod(Date.now());
    const threeBack = new Date(periodBounds(previousPeriod(previousPeriod(lastEnded))).start + 3_600_000).toISOString();
    const allowed = await billflow('invoices', 'run', '--as-of', threeBack, '--no-wait', '--json');

    // Assess
    expect(farBack.code).toBe(2);
    expect(farBack.stderr).toContain('--as-of 2001-01-01T00:00:00Z would bill 2000-12');
    expect(farBack.stderr).toContain('add --period 2000-12 if that is meant');
    expect(allowed.code, allowed.stderr).toBe(0);
  });
});
