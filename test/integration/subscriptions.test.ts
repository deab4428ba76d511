/**
 * Subscriptions through the operator's CLI and the events queue on the local services
 * (issue 15): cus_50 starts on starter on 10 November 2026, upgrades to pro on the 20th and
 * cancels at the end of the month. Its November invoice is exactly the hand-computed example
 * of docs/invoicing.md ("Subscriptions and proration"); its events outside the subscriptions
 * are rejected with the reason, and counted; December brings no invoice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_LINES, WORKED_EXAMPLE_TOTALS, exampleColumns } from '#test-support/subscription-example.ts';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitForDrained } from '#test-support/ingest-harness.ts';
import { startCliPipeline, type CliPipeline } from '#test-support/cli-pipeline.ts';

const examples = resolve(import.meta.dirname, '../../docs/examples');
let pipeline: CliPipeline;

async function json<T>(...args: string[]): Promise<T> {
  const result = await pipeline.billflow(...args, '--json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** `count` api.request events spread evenly over [from, to). */
function calls(prefix: string, count: number, from: string, to: string): object[] {
  const start = Date.parse(from);
  const step = Math.floor((Date.parse(to) - start) / count);
  return Array.from({ length: count }, (_, index) => ({
    specversion: '1.0',
    id: `${prefix}-${index}`,
    source: '//subscriptions-test',
    type: 'api.request',
    subject: 'cus_50',
    time: new Date(start + index * step).toISOString(),
    data: { tokens: 0, userId: 'u-1' },
  }));
}

beforeAll(async () => {
  pipeline = await startCliPipeline('subscriptions-test');
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('a customer who starts on the 10th, upgrades on the 20th and cancels at period end', () => {
  it('is set up through the CLI, every refusal by path', async () => {
    // Act
    await json('catalog', 'apply', join(examples, 'catalog.yaml'));
    await json('catalog', 'apply', join(examples, 'subscriptions.yaml'));
    const started = await json<{ subscriptions: unknown[] }>(
      'subscriptions',
      'start',
      'cus_50',
      '--plan',
      'starter',
      '--at',
      '2026-11-10T00:00:00Z',
    );
    const overlapping = await pipeline.billflow('subscriptions', 'start', 'cus_50', '--plan', 'pro', '--at', '2026-11-15T00:00:00Z');
    await json('subscriptions', 'change', 'cus_50', '--plan', 'pro', '--at', '2026-11-20T00:00:00Z');
    await json('subscriptions', 'cancel', 'cus_50', '--at', '2026-12-01T00:00:00Z');
    const listed = await json<{ subscriptions: unknown[] }>('subscriptions', 'list', 'cus_50');
    const badRequest = await pipeline.billflow('subscriptions', 'change', 'cus_nobody', '--plan', 'gold', '--at', 'tomorrow');

    // Assess
    expect(started.subscriptions).toEqual([{ plan: 'starter', start: '2026-11-10T00:00:00Z', end: null, status: expect.any(String) }]);
    expect(overlapping.code).toBe(1);
    expect(overlapping.stderr).toContain(
      'subscriptions[1].start: overlaps the subscription to plan starter (from 2026-11-10T00:00:00Z), which has no end',
    );
    expect(listed.subscriptions).toEqual([
      { plan: 'starter', start: '2026-11-10T00:00:00Z', end: '2026-11-20T00:00:00Z', status: 'ended' },
      { plan: 'pro', start: '2026-11-20T00:00:00Z', end: '2026-12-01T00:00:00Z', status: 'ended' },
    ]);
    expect(badRequest.code).toBe(1);
    expect(badRequest.stderr).toContain('customer: no customer "cus_nobody" in the catalog');
    expect(badRequest.stderr).toContain('--plan: no plan "gold" in the catalog');
    expect(badRequest.stderr).toContain('--at: "tomorrow" must be an RFC 3339 instant');
  });

  it('bills November exactly as the worked example; events outside the subscriptions are rejected with the reason', async () => {
    // Prepare: 3,000 calls on starter, 12,000 on pro and a peak of 1 seat; 3 events outside.
    const outside = [
      ...calls('before-start', 1, '2026-11-05T00:00:00Z', '2026-11-06T00:00:00Z'),
      ...calls('after-cancel', 2, '2026-12-01T00:00:00Z', '2026-12-01T12:00:00Z'),
    ];
    const events = [
      ...calls('starter', 3_000, '2026-11-10T00:00:00Z', '2026-11-20T00:00:00Z'),
      ...calls('pro', 12_000, '2026-11-20T00:00:00Z', '2026-12-01T00:00:00Z'),
      {
        specversion: '1.0',
        id: 'seat-1',
        source: '//subscriptions-test',
        type: 'seats.changed',
        subject: 'cus_50',
        time: '2026-11-25T09:00:00Z',
        data: { count: 1 },
      },
      ...outside,
    ];
    const file = join(pipeline.workDir, 'cus_50.ndjson');
    writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n'));

    // Act
    await json('events', 'send', file);
    await waitForDrained(pipeline.stack.clients.sqs, pipeline.stack.eventsQueueUrl, 120_000);
    const usage = await json<{ segments: unknown[] }>('usage', 'cus_50', '--period', '2026-11');
    await json('invoices', 'run', '--as-of', '2026-12-01T02:00:00Z');
    const [listed] = await json<{ number: string }[]>('invoices', 'list', '--customer', 'cus_50', '--period', '2026-11');
    const invoice = await json<{
      lines: { description: string; quantity: string; unitPrice: string; netAmount: number }[];
      netTotal: number;
      taxTotal: number;
      total: number;
    }>('invoices', 'show', listed!.number);
    const rejected = await json<{ rejected: { id?: string; reason: string }[] }>('events', 'rejected');
    const november = await json<{ received: number; accepted: number; duplicates: number; rejected: number }>(
      'stats',
      '--period',
      '2026-11',
    );
    const december = await json<{ received: number; accepted: number; duplicates: number; rejected: number }>(
      'stats',
      '--period',
      '2026-12',
    );
    const rewrite = await pipeline.billflow('subscriptions', 'change', 'cus_50', '--plan', 'starter', '--at', '2026-11-25T00:00:00Z');

    // Assess: the worked example, line by line (docs/invoicing.md).
    expect(usage.segments).toEqual([
      { plan: 'starter', start: '2026-11-10T00:00:00.000Z', end: '2026-11-20T00:00:00.000Z', seconds: 864_000, periodSeconds: 2_592_000 },
      { plan: 'pro', start: '2026-11-20T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z', seconds: 950_400, periodSeconds: 2_592_000 },
    ]);
    expect(exampleColumns(invoice.lines)).toEqual(WORKED_EXAMPLE_LINES);
    expect([invoice.netTotal, invoice.taxTotal, invoice.total]).toEqual(WORKED_EXAMPLE_TOTALS);
    const reasons = new Map(rejected.rejected.map((entry) => [entry.id, entry.reason]));
    expect(reasons.get('before-start-0')).toContain('customer "cus_50" has no active subscription at time 2026-11-05T00:00:00.000Z');
    expect(reasons.get('after-cancel-0')).toContain(
      'has no active subscription at time 2026-12-01T00:00:00.000Z (plan pro ended at 2026-12-01T00:00:00Z)',
    );
    expect(reasons.get('after-cancel-1')).toContain('billflow subscriptions start cus_50');
    expect(november).toMatchObject({ accepted: 15_001, rejected: 1 });
    expect(december).toMatchObject({ accepted: 0, rejected: 2 });
    for (const stats of [november, december]) expect(stats.received).toBe(stats.accepted + stats.duplicates + stats.rejected);
    expect(rewrite.code).toBe(1);
    expect(rewrite.stderr).toContain(`would change 2026-11 (${listed!.number}), already invoiced`);
    expect(rewrite.stderr).toContain('issue a credit note instead');
  });

  it('gets no invoice for December, when no subscription is active', async () => {
    // Act: December closed as of its end (a run as of an instant after today is allowed).
    await json('invoices', 'run', '--as-of', '2027-01-01T02:00:00Z');
    const december = await json<unknown[]>('invoices', 'list', '--customer', 'cus_50', '--period', '2026-12');

    // Assess
    expect(december).toEqual([]);
  });
});
