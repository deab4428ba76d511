/**
 * A hard crash of `npm start` in the middle of invoice delivery (kill -9 of its whole process
 * group: the handlers, the in-memory queues with their messages, DynamoDB Local), then a start
 * on the same BILLFLOW_HOME and an invoice run: every invoice ends with exactly one invoice
 * email and one PDF, and the PDFs stored before the crash come back byte for byte.
 *
 * The restarted pipeline and the CLI run 6 minutes ahead (libfaketime): deliveries cut off by
 * the crash are recovered once their last step is older than the 5-minute claim timeout, and
 * waiting for that in real time would make the test slow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { startPipeline, type PipelineProcess } from '../e2e/pipeline-process.ts';
import { runBillflow } from '#test-support/billflow-cli.ts';
import { clockAt, ensureFaketime } from '#test-support/faketime.ts';
import { billingPeriodOf, periodBounds } from '#domain/period.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { createContext } from '#cli/context.ts';

const CUSTOMERS = 40;
const workDir = mkdtempSync(join(tmpdir(), 'billflow-crash-'));
let running: PipelineProcess | undefined;

/** The example catalog with CUSTOMERS customers like cus_43 (German consumers, EUR), so delivery takes a while. */
function crashCatalog(): string {
  const catalog = parse(readFileSync(resolve(import.meta.dirname, '../../docs/examples/catalog.yaml'), 'utf8')) as {
    customers: Record<string, unknown>[];
  };
  const template = catalog.customers.find((customer) => customer.id === 'cus_43')!;
  catalog.customers = Array.from({ length: CUSTOMERS }, (_, index) => ({
    ...template,
    id: `cus_crash_${String(index).padStart(2, '0')}`,
    email: `crash-${index}@customer.example`,
  }));
  const file = join(workDir, 'catalog.yaml');
  writeFileSync(file, stringify(catalog));
  return file;
}

async function cli<T>(pipeline: PipelineProcess, args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const result = await runBillflow(pipeline.outputsFile, [...args, '--json'], env);
  if (result.code !== 0) throw new Error(`billflow ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

async function emailsInStore(pipeline: PipelineProcess): Promise<{ destination: { to: string[] }; subject: string }[]> {
  const { emails } = (await (await fetch(`${pipeline.outputs.mailViewerUrl!.replace(/\/$/, '')}/store`)).json()) as {
    emails: { destination: { to: string[] }; subject: string }[];
  };
  return emails.filter((email) => email.destination.to.some((to) => to.startsWith('crash-')));
}

beforeAll(() => {
  ensureFaketime();
});

afterAll(async () => {
  await running?.stop();
  running?.killGroup();
  rmSync(workDir, { recursive: true, force: true });
  if (running !== undefined) rmSync(running.home, { recursive: true, force: true });
}, 60_000);

describe('kill -9 of npm start during invoice delivery', () => {
  it('ends, after a restart and a run, with one PDF and exactly one email per invoice, and the PDFs stored before the crash unchanged', async () => {
    // Prepare: CUSTOMERS customers with usage this month, and the month closed without waiting.
    running = await startPipeline();
    const period = billingPeriodOf(Date.now());
    const asOf = new Date(periodBounds(period).end + 2 * 3_600_000).toISOString();
    await cli(running, ['catalog', 'apply', crashCatalog()]);
    const events = join(workDir, 'events.ndjson');
    await cli(running, ['events', 'generate', '--out', events, '--count', String(CUSTOMERS * 10), '--duplicates', '0', '--invalid', '0']);
    await cli(running, ['events', 'send', events]);
    await cli(running, ['invoices', 'run', '--as-of', asOf, '--no-wait']);

    // Act 1: kill -9 as soon as some invoices are emailed and others are finalized but not emailed
    // yet: deliveries under way, which only the sweep can finish. Not-emailed alone is not enough:
    // when delivery keeps pace with finalization, those are invoices not yet finalized, whose
    // jobs the run redoes, and the crash would not test the recovery. Two under way, so that
    // one finishing in the milliseconds before the kill still leaves one.
    // Read straight from DynamoDB Local, as the CLI does, but without a process start per look.
    const watched = createContext(running.outputsFile).invoices;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const atCrash = await watched.list({ billingPeriod: period });
      const emailed = atCrash.filter((invoice) => invoice.emails.length > 0).length;
      const underway = atCrash.filter((invoice) => invoice.status === 'finalized' && invoice.emails.length === 0).length;
      if (emailed > 0 && underway >= 2) break;
      if (emailed === CUSTOMERS || Date.now() > deadline)
        throw new Error(
          `delivery was not caught midway (${emailed} of ${CUSTOMERS} emailed, ${underway} finalized and not emailed): the crash would prove nothing`,
        );
      await new Promise((resolveWait) => setTimeout(resolveWait, 20));
    }
    running.killGroup();
    await running.stop();

    // Act 2: start again on the same state, 6 minutes later by the clock, and run.
    const later = clockAt(new Date(Date.now() + 6 * 60_000));
    running = await startPipeline({ home: running.home, env: later });
    const afterRestart = await cli<Invoice[]>(running, ['invoices', 'list', '--period', period], later);
    const emailedBefore = afterRestart.filter((invoice) => invoice.emails.length > 0);
    const rendered = afterRestart.filter((invoice) => invoice.document !== null);
    const run = await cli<{ finalized: number; deliveries: { requeued: string[] } }>(running, ['invoices', 'run', '--as-of', asOf], later);
    const final = await cli<Invoice[]>(running, ['invoices', 'list', '--period', period], later);

    // Assess: npm start said what a restart keeps and loses.
    expect(running.output()).toContain(`kept across restarts, under ${running.home}: the DynamoDB tables`);
    expect(running.output()).toContain('the invoice PDFs (s3/)');
    expect(running.output()).toContain('lost at a restart: messages still queued');
    // The crash left deliveries undone, and the run recovered exactly those.
    expect(emailedBefore.length).toBeGreaterThan(0);
    expect(emailedBefore.length).toBeLessThan(CUSTOMERS);
    expect(run.finalized).toBe(CUSTOMERS);
    // Requeued by the sweep: exactly the invoices finalized before the crash and not emailed;
    // one whose job was lost with the queue is finalized, and so delivered, by the run itself.
    const stuckAtRestart = afterRestart.filter((invoice) => invoice.status === 'finalized' && invoice.emails.length === 0);
    expect(stuckAtRestart.length).toBeGreaterThan(0);
    expect([...run.deliveries.requeued].sort()).toEqual(stuckAtRestart.map((invoice) => invoice.number).sort());
    expect(final).toHaveLength(CUSTOMERS);
    for (const invoice of final) {
      expect(invoice.deliveryStatus, invoice.number!).toBe('sent');
      expect(
        invoice.emails.map((email) => email.kind),
        invoice.number!,
      ).toEqual(['invoice']);
      expect(invoice.document?.key).toMatch(new RegExp(`/${invoice.number}\\.pdf$`));
    }
    // The mail store lost the emails sent before the crash (it keeps them in memory): it holds
    // exactly one email for each invoice that had none, and none for those that had one.
    const stored = await emailsInStore(running);
    expect(stored).toHaveLength(CUSTOMERS - emailedBefore.length);
    const subjects = stored.map((email) => email.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    for (const invoice of emailedBefore) expect(subjects.some((subject) => subject.includes(invoice.number!))).toBe(false);
    // PDFs rendered before the crash: the same bytes after the restart, as recorded.
    expect(rendered.length).toBeGreaterThan(0);
    for (const invoice of final) {
      const out = join(workDir, `${invoice.number}.pdf`);
      const written = await cli<{ sha256: string; bytes: number }>(running, ['invoices', 'pdf', invoice.number!, '--out', out], later);
      const bytes = readFileSync(out);
      expect(createHash('sha256').update(bytes).digest('hex'), invoice.number!).toBe(invoice.document!.sha256);
      expect(written).toMatchObject({ sha256: invoice.document!.sha256, bytes: bytes.length });
      const before = rendered.find((each) => each.number === invoice.number);
      if (before !== undefined) expect(before.document!.sha256).toBe(invoice.document!.sha256);
    }
  }, 600_000);
});
