/**
 * The operator's view: the `billflow` bin (as `npx billflow` runs it) against a local
 * pipeline whose workers run the real Lambda handler module (functions/ingest-events/handler.ts,
 * with its middy and Powertools wiring), exactly as `npm start` wires them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { tables } from '#infra/resources.ts';
import { billingPeriodOf, periodBounds, previousPeriod } from '#domain/period.ts';
import type { TestStack } from '#test-support/local-stack.ts';
import { startCliPipeline, type CliPipeline } from '#test-support/cli-pipeline.ts';
import { queueDepth, waitForDrained } from '#test-support/ingest-harness.ts';
import type { CliResult } from '#test-support/billflow-cli.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';

// The current month, and an instant just after it ends: events sent now are on time for it,
// whatever date the suite runs on.
const PERIOD = billingPeriodOf(Date.now());
const AFTER_PERIOD = (hours: number) => new Date(periodBounds(PERIOD).end + hours * 3_600_000).toISOString();
const examples = resolve(import.meta.dirname, '../../docs/examples');

let pipeline: CliPipeline;
let stack: TestStack;
let workDir: string;

async function billflow(...args: string[]): Promise<CliResult> {
  return pipeline.billflow(...args);
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await billflow(...args, '--json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  pipeline = await startCliPipeline('cli-test');
  ({ stack, workDir } = pipeline);
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('billflow CLI against a local pipeline', () => {
  it('refuses an invalid catalog with every error by path, writing nothing, then applies a valid one', async () => {
    // Act
    const invalid = await billflow('catalog', 'apply', join(examples, 'catalog-invalid.yaml'));
    const generateBeforeCatalog = await billflow('events', 'generate', '--out', join(workDir, 'none.ndjson'));
    const applied = await json<{ applied: boolean; customers: number }>('catalog', 'apply', join(examples, 'catalog.yaml'));

    // Assess
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('plans[0].charges[2].tiers[1].upTo: must be greater than the previous tier');
    expect(invalid.stderr.split('\n').filter((line) => line.startsWith('  ')).length).toBeGreaterThanOrEqual(5);
    expect(generateBeforeCatalog.code).toBe(1);
    expect(generateBeforeCatalog.stderr).toContain('the catalog has no customers');
    expect(applied).toMatchObject({ applied: true });
    expect(applied.customers).toBeGreaterThan(0);
  });

  it('sends 10,000 events with 10 % duplicates and 2 % invalid ones; stats shows the exact counts', async () => {
    // Prepare
    const file = join(workDir, 'events.ndjson');
    const generated = await json<{ expected: { received: number; accepted: number; duplicates: number; rejected: number } }>(
      'events',
      'generate',
      '--out',
      file,
      '--count',
      '10000',
      '--duplicates',
      '0.1',
      '--invalid',
      '0.02',
      '--period',
      PERIOD,
    );

    // Act
    // events send waits until the pipeline has stored or rejected every event it sent.
    const sent = await json<{ events: number; messages: number; failed: unknown[]; ingested: Record<string, number> }>(
      'events',
      'send',
      file,
    );
    const stats = await json<{ received: number; accepted: number; duplicates: number; rejected: number }>('stats', '--period', PERIOD);
    const rejected = await json<{ count: number; rejected: { reason: string; body: string }[] }>('events', 'rejected');

    // Assess
    expect(generated.expected).toEqual({ received: 10_000, accepted: 8_800, duplicates: 1_000, rejected: 200 });
    expect(sent).toMatchObject({ events: 10_000, messages: 100, failed: [] });
    expect(sent.ingested).toEqual({ ...generated.expected, deadLettered: 0 });
    expect(stats).toMatchObject(generated.expected);
    expect(stats.received).toBe(stats.accepted + stats.duplicates + stats.rejected);
    expect(rejected.count).toBe(200);
    expect(rejected.rejected.every((r) => r.reason.length > 10 && r.body.length > 0)).toBe(true);
  });

  it('replays rejected events, and redrives the dead-letter queue', async () => {
    // Prepare: a message parked in the DLQ, as after 5 failed receives.
    await stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.eventsDlqUrl,
        MessageBody: JSON.stringify({
          specversion: '1.0',
          id: 'from-dlq',
          source: 'cli-test',
          type: 'api.request',
          subject: 'cus_42',
          time: new Date(periodBounds(PERIOD).start + 3_600_000).toISOString(),
          data: { tokens: 5, userId: 'u' },
        }),
      }),
    );

    // Act
    const replay = await json<{ selected: number; sent: number; rejectedAgain: number; ingested: Record<string, number> }>(
      'events',
      'replay',
      '--period',
      PERIOD,
    );
    const replayText = await billflow('events', 'replay', '--period', PERIOD, '--no-wait');
    const redrive = await json<{ moved: number }>('dlq', 'redrive');
    await waitForDrained(stack.clients.sqs, stack.eventsQueueUrl, 60_000);
    const stats = await json<{ received: number; accepted: number; duplicates: number; rejected: number }>('stats', '--period', PERIOD);
    const stillOpen = await json<{ count: number }>('events', 'rejected', '--period', PERIOD);

    // Assess: the replayed events are still invalid, so they are rejected again (and counted again).
    expect(replay.sent).toBe(replay.selected);
    expect(replay.selected).toBeGreaterThan(0);
    // It waited and says so: every replayed event rejected again, and the parked DLQ message seen.
    expect(replay.rejectedAgain).toBe(replay.selected);
    expect(replay.ingested).toEqual({ received: replay.selected, accepted: 0, duplicates: 0, rejected: replay.selected, deadLettered: 1 });
    expect(replayText.stdout).toContain(`re-sent ${replay.selected} of ${replay.selected} open rejected events`);
    expect(replayText.stdout).toContain('ingestion is asynchronous');
    expect(redrive.moved).toBe(1);
    expect(await queueDepth(stack.clients.sqs, stack.eventsDlqUrl)).toBe(0);
    expect(stats.accepted).toBe(8_801);
    expect(stats.received).toBe(stats.accepted + stats.duplicates + stats.rejected);
    expect(stillOpen.count).toBe(replay.selected);
  });

  it('runs the invoice cycle by hand, lists, shows, refuses to void a delivered invoice and credits it; a second run changes nothing', async () => {
    // Act
    const run = await json<{
      period: string;
      finalized: number;
      drafts: number;
      invoices: { number: string | null; customerId: string; total: number }[];
    }>('invoices', 'run', '--as-of', AFTER_PERIOD(2));
    const listed = await json<
      { number: string; customerId: string; currency: string; status: string; total: number; netTotal: number; taxTotal: number }[]
    >('invoices', 'list', '--period', PERIOD);
    // A EUR invoice: the partial credit below is 0.10, which JPY (no decimals) refuses. Numbers are
    // given in the order the customers' jobs finish, so the first listed may be any currency's.
    const target = listed.find((invoice) => invoice.currency === 'EUR')!;
    const shown = await json<Record<string, unknown> & { lines: Record<string, unknown>[]; total: number; customerId: string }>(
      'invoices',
      'show',
      target.number,
    );
    const preview = await json<{ invoice: { total: number } }>('usage', shown.customerId, '--period', PERIOD);
    const pdfFile = join(workDir, 'invoice.pdf');
    const pdf = await json<{ bytes: number; key: string }>('invoices', 'pdf', target.number, '--out', pdfFile);
    const resent = await json<{ action: string; invoice: { emails: { kind: string }[] } }>('invoices', 'resend', target.number);
    // Emailed: the invoice can no longer be voided, only credited.
    const voided = await billflow('invoices', 'void', target.number, '--reason', 'sent to the wrong address', '--json');
    const line = shown.lines.findIndex((candidate) => (candidate.netAmount as number) > 0) + 1;
    const creditedAt = AFTER_PERIOD(4);
    const partial = await json<{ creditNote: { number: string; total: number }; invoice: { amountDue: number; creditedAmount: number } }>(
      'invoices',
      'credit',
      target.number,
      '--reason',
      'goodwill',
      '--line',
      String(line),
      '--amount',
      '0.10',
      '--as-of',
      creditedAt,
    );
    const rest = await json<{ creditNote: { number: string; total: number }; invoice: { amountDue: number; paymentStatus: string } }>(
      'invoices',
      'credit',
      target.number,
      '--reason',
      'sent to the wrong address',
      '--all',
      '--refund',
      '--as-of',
      creditedAt,
    );
    const creditNotes = await json<{ number: string; invoiceNumber: string; total: number; settlement: string }[]>(
      'credit-notes',
      'list',
      '--invoice',
      target.number,
    );
    const creditNote = await json<{ number: string; lines: { invoiceLine: number; netAmount: number }[] }>(
      'credit-notes',
      'show',
      partial.creditNote.number,
    );
    const rerun = await json<{ finalized: number; void: number }>('invoices', 'run', '--as-of', AFTER_PERIOD(3));
    const notFound = await billflow('invoices', 'show', 'ACME-2026-999999', '--json');

    // Assess
    expect(run.period).toBe(PERIOD);
    expect(run.finalized).toBeGreaterThan(0);
    expect(run.drafts).toBe(0);
    const numbers = listed
      .map((invoice) => invoice.number)
      .filter(Boolean)
      .sort();
    expect(numbers).toEqual(numbers.map((_, i) => `ACME-${AFTER_PERIOD(2).slice(0, 4)}-${String(i + 1).padStart(6, '0')}`));
    for (const invoice of listed) expect(invoice.total).toBe(invoice.netTotal + invoice.taxTotal);
    for (const field of [
      'number',
      'customerId',
      'period',
      'status',
      'paymentStatus',
      'currency',
      'issueDate',
      'dueDate',
      'lines',
      'netTotal',
      'taxTotal',
      'total',
      'amountPaid',
      'amountDue',
    ]) {
      expect(shown).toHaveProperty(field);
    }
    for (const field of ['description', 'meter', 'quantity', 'unitPrice', 'netAmount', 'taxRate'])
      expect(shown.lines[0]).toHaveProperty(field);
    expect(preview.invoice.total).toBe(shown.total);
    // invoices run waited for rendering and sending: the PDF is stored and the email went out.
    expect(shown).toMatchObject({ deliveryStatus: 'sent' });
    expect(pdf.key).toBe(`invoices/ACME/${AFTER_PERIOD(2).slice(0, 4)}/${target.number}.pdf`);
    expect(readFileSync(pdfFile).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(pdfFile).length).toBe(pdf.bytes);
    expect(resent.action).toBe('resent');
    expect(resent.invoice.emails.map((email) => email.kind)).toEqual(['invoice', 'resend']);
    expect(voided).toMatchObject({ code: 2, stdout: '' });
    expect(voided.stderr).toContain(`billflow invoices credit ${target.number}`);
    const year = creditedAt.slice(0, 4);
    expect(partial.creditNote.number).toBe(`ACME-CN-${year}-000001`);
    expect(partial.invoice.creditedAmount).toBe(partial.creditNote.total);
    expect(partial.invoice.amountDue).toBe(shown.total - partial.creditNote.total);
    expect(rest.creditNote.number).toBe(`ACME-CN-${year}-000002`);
    expect(partial.creditNote.total + rest.creditNote.total).toBe(shown.total);
    expect(rest.invoice).toMatchObject({ amountDue: 0, paymentStatus: 'credited' });
    expect(creditNotes.map((note) => [note.number, note.settlement])).toEqual([
      [`ACME-CN-${year}-000001`, 'balance'],
      [`ACME-CN-${year}-000002`, 'refund'],
    ]);
    expect(creditNote.lines).toEqual([expect.objectContaining({ invoiceLine: line, netAmount: 10 })]);
    expect(rerun).toMatchObject({ finalized: run.finalized, void: 0 });
    expect(notFound.code).toBe(2);
    expect(notFound.stderr).toContain('no invoice ACME-2026-999999');
  });

  it('redelivers an invoice whose sender died after claiming it, once; refuses a sent one and a live claim', async () => {
    // Prepare: a finalized invoice left in `sending` by a sender that died 6 minutes ago, before sending.
    const invoices = new DynamoDbInvoiceRepository(stack.clients.dynamodb, stack.env[tables.billing.envVar]!);
    const [stuck, sent] = (await invoices.list({ billingPeriod: PERIOD })).filter((invoice) => invoice.status === 'finalized');
    const claimedAt = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    await invoices.update(stuck!.number!, (current) => ({ ...current, deliveryStatus: 'sending', sendingSince: claimedAt(6), emails: [] }));
    const outputs = await json<{ apiUrl?: string; eventsQueueUrl: string }>('outputs');
    const queueUrl = await billflow('outputs', 'eventsQueueUrl');

    // Act
    const redelivered = await json<{ requeued: string[]; invoices: { number: string; deliveryStatus: string; emails: unknown[] }[] }>(
      'invoices',
      'redeliver',
    );
    const again = await billflow('invoices', 'redeliver');
    const alreadySent = await billflow('invoices', 'redeliver', sent!.number!);
    await invoices.update(sent!.number!, (current) => ({ ...current, deliveryStatus: 'sending', sendingSince: claimedAt(1) }));
    const liveClaim = await billflow('invoices', 'redeliver', sent!.number!);

    // Assess
    expect(redelivered.requeued).toEqual([stuck!.number]);
    expect(redelivered.invoices).toEqual([
      expect.objectContaining({ number: stuck!.number, deliveryStatus: 'sent', emails: [expect.objectContaining({ kind: 'invoice' })] }),
    ]);
    expect(again.stdout).toContain('no delivery is stuck');
    expect(alreadySent.code).toBe(2);
    expect(alreadySent.stderr).toContain(`billflow invoices resend ${sent!.number}`);
    expect(liveClaim.code).toBe(2);
    expect(liveClaim.stderr).toContain('run this again after that');
    expect(outputs.eventsQueueUrl).toBe(stack.eventsQueueUrl);
    expect(queueUrl.stdout.trim()).toBe(stack.eventsQueueUrl);
  });

  it('bills no customer for a month before it entered the catalog unless the run names the month; says who was left out', async () => {
    // Prepare: every customer entered the catalog this month, and has no events last month.
    const lastMonth = previousPeriod(PERIOD);
    const asOf = new Date(periodBounds(PERIOD).start + 2 * 3_600_000).toISOString();

    // Act: `invoices run --as-of` the close of last month, as a README copied today would.
    const run = await billflow('invoices', 'run', '--as-of', asOf, '--json');
    const text = await billflow('invoices', 'run', '--as-of', asOf);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as {
      period: string;
      finalized: number;
      leftOut: { customerId: string }[];
      invoices: unknown[];
    };
    expect(document).toMatchObject({ period: lastMonth, finalized: 0, invoices: [] });
    expect(document.leftOut.map((entry) => entry.customerId).sort()).toEqual(['cus_42', 'cus_43', 'cus_44', 'cus_45']);
    expect(text.stdout).toContain(`to bill them for it anyway, run again with --period ${lastMonth}`);
    expect(await json<unknown[]>('invoices', 'list', '--period', lastMonth)).toEqual([]);
  });

  it('reports bad arguments on stderr with exit code 2 and nothing on stdout', async () => {
    // Act
    const badPeriod = await billflow('stats', '--period', '2026-13', '--json');
    const missingFile = await billflow('events', 'send', join(workDir, 'does-not-exist.ndjson'), '--json');
    const unknown = await billflow('invoicez');
    // Refusals of the use cases, mapped by their error class: an invoice credited in full, an unknown customer.
    const credited = (await json<{ number: string | null; paymentStatus: string }[]>('invoices', 'list', '--period', PERIOD)).find(
      (invoice) => invoice.paymentStatus === 'credited',
    );
    const voidAgain = await billflow('invoices', 'void', credited!.number!, '--reason', 'twice', '--json');
    const creditAgain = await billflow(
      'invoices',
      'credit',
      credited!.number!,
      '--reason',
      'again',
      '--all',
      '--as-of',
      AFTER_PERIOD(5),
      '--json',
    );
    const amountWithoutLine = await billflow('invoices', 'credit', credited!.number!, '--reason', 'x', '--amount', '1', '--json');
    const lineWithoutAmount = await billflow('invoices', 'credit', credited!.number!, '--reason', 'x', '--line', '1', '--json');
    const nothingNamed = await billflow('invoices', 'credit', credited!.number!, '--reason', 'x', '--json');
    const unknownCreditNote = await billflow('credit-notes', 'show', 'ACME-CN-2026-999999', '--json');
    const unknownCustomer = await billflow('usage', 'cus_nobody', '--json');

    // Assess
    expect(badPeriod).toMatchObject({ code: 2, stdout: '' });
    expect(badPeriod.stderr).toContain('--period 2026-13 is not a billing period: use YYYY-MM');
    expect(missingFile).toMatchObject({ code: 2, stdout: '' });
    expect(missingFile.stderr).toContain('cannot read');
    expect(unknown.code).toBe(2);
    expect(voidAgain).toMatchObject({ code: 2, stdout: '' });
    expect(voidAgain.stderr).toContain(`billflow invoices credit ${credited!.number!}`);
    expect(voidAgain.stderr).not.toContain('    at ');
    expect(creditAgain).toMatchObject({ code: 2, stdout: '' });
    expect(creditAgain.stderr).toContain(`Invoice ${credited!.number!} is credited in full already`);
    expect(creditAgain.stderr).not.toContain('    at ');
    expect(amountWithoutLine).toMatchObject({ code: 2, stdout: '' });
    expect(amountWithoutLine.stderr).toContain('--amount 1 must follow the --line N it is for');
    expect(lineWithoutAmount).toMatchObject({ code: 2, stdout: '' });
    expect(lineWithoutAmount.stderr).toContain('--line 1 needs --quantity Q or --amount A after it');
    expect(nothingNamed).toMatchObject({ code: 2, stdout: '' });
    expect(nothingNamed.stderr).toContain('say what to credit: give --all, or one or more --line N');
    expect(unknownCreditNote).toMatchObject({ code: 2, stdout: '' });
    expect(unknownCreditNote.stderr).toContain('no credit note ACME-CN-2026-999999');
    expect(unknownCustomer).toMatchObject({ code: 2, stdout: '' });
    expect(unknownCustomer.stderr).toContain('cus_nobody is not in the catalog');
  });
});
