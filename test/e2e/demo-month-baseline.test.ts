/**
 * The demo month, before and after a redesign: `npm start -- --demo` on a fixed date (the
 * pipeline and the CLI on libfaketime's clock), and what a user can see of it afterwards,
 * compared with test/e2e/demo-month.baseline.json, recorded from the code before issue 14's
 * redesign (commit 9d31853):
 *
 * - every invoice as `billflow invoices show --json` prints it,
 * - the text of every PDF (pdftotext; the bytes differ run to run by their creation date),
 * - every email the SES emulator received (addresses, subject, text, HTML, attachments' names
 *   and the text of attached PDFs),
 * - the payments Stripe's webhooks recorded (`billflow payments list --json`),
 * - the demo's own report.
 *
 * What differs between two runs of the same code is masked, and only that: wall-clock instants
 * (the clock advances while the demo runs; instants the demo sets, like the as-of 02:00, are whole
 * minutes and kept), random ids, invoice page tokens, hashes and sizes of PDF bytes (the number's digits change how they compress), durations, ports. Invoice numbers are given in
 * the order the customers' jobs finish, so each is replaced by its customer's name; the set of
 * numbers is checked on its own.
 *
 * To record a new baseline on purpose (a change of behaviour, said in the commit):
 * BILLFLOW_RECORD_BASELINE=1 npx vitest run test/e2e/demo-month-baseline.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startPipeline, type PipelineProcess } from './pipeline-process.ts';
import { runBillflow } from '#test-support/billflow-cli.ts';
import { clockAt, ensureFaketime } from '#test-support/faketime.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';

const BASELINE = resolve(import.meta.dirname, 'demo-month.baseline.json');
const RECORD = process.env.BILLFLOW_RECORD_BASELINE === '1';
/** Mid-November 2026, 10:00 UTC: the demo bills November and closes it as of 1 December 02:00. */
const DEMO_DATE = new Date('2026-11-20T10:00:00Z');
const DONE = 'the pipeline keeps running; Ctrl-C stops it';

interface StoredEmail {
  from: string;
  destination: { to: string[]; cc?: string[]; bcc?: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments?: { filename?: string; content: string; contentType: string }[];
}

interface Fingerprint {
  numbers: string[];
  invoices: Record<string, unknown>;
  pdfText: Record<string, string>;
  emails: unknown[];
  payments: unknown;
  demoReport: string[];
}

let running: PipelineProcess | undefined;

beforeAll(() => {
  ensureFaketime();
  ensurePoppler();
});

afterAll(async () => {
  await running?.stop();
  running?.killGroup();
  if (running !== undefined) rmSync(running.home, { recursive: true, force: true });
}, 60_000);

/** Replaces what two runs of the same code cannot share (see the file's comment). */
function masker(numbersToCustomers: ReadonlyMap<string, string>) {
  const text = (value: string): string => {
    let masked = value;
    for (const [number, customer] of numbersToCustomers) {
      // The demo's Stripe payment ids carry the number with underscores (pi_demo_DEMO_2026_000002).
      masked = masked.split(number).join(`<invoice of ${customer}>`).split(number.replaceAll('-', '_')).join(`<invoice of ${customer}>`);
    }
    return (
      masked
        // Wall-clock instants: anything not on a whole minute.
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:(?!00(?:\.000)?Z)\d\d(?:\.\d+)?Z/g, '<instant>')
        .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>')
        .replace(/\b[0-9a-f]{64}\b/g, '<sha256>')
        // npm start picks free ports.
        .replace(/(127\.0\.0\.1|localhost):\d+/g, '$1:<port>')
        // The invoice page link's token is random (256 bits) in every run.
        .replace(/\/i\/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, '/i/<page token>')
    );
  };
  const json = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(json);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
          key,
          /^(messageId|sesMessageId|providerMessageId|etag|versionId|bytes)$/i.test(key) ? '<id>' : json(inner),
        ]),
      );
    }
    return value;
  };
  return { text, json };
}

async function cli(outputsFile: string, clock: NodeJS.ProcessEnv, args: string[]): Promise<unknown> {
  const result = await runBillflow(outputsFile, [...args, '--json'], clock);
  if (result.code !== 0) throw new Error(`billflow ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as unknown;
}

async function fingerprint(pipeline: PipelineProcess, clock: NodeJS.ProcessEnv, demoOutput: string): Promise<Fingerprint> {
  const listed = (await cli(pipeline.outputsFile, clock, ['invoices', 'list'])) as
    { invoices?: { number: string | null; customerId: string }[] } | { number: string | null; customerId: string }[];
  const rows = Array.isArray(listed) ? listed : (listed.invoices ?? []);
  const numbered = rows.filter((row): row is { number: string; customerId: string } => row.number !== null);
  const numbersToCustomers = new Map(numbered.map((row) => [row.number, row.customerId]));
  const mask = masker(numbersToCustomers);

  const invoices: Record<string, unknown> = {};
  const pdfText: Record<string, string> = {};
  for (const { number, customerId } of numbered) {
    invoices[customerId] = mask.json(await cli(pipeline.outputsFile, clock, ['invoices', 'show', number]));
    const file = resolve(pipeline.home, `${number}.pdf`);
    const written = await runBillflow(pipeline.outputsFile, ['invoices', 'pdf', number, '--out', file], clock);
    if (written.code !== 0) throw new Error(`invoices pdf ${number}: ${written.stderr}`);
    pdfText[customerId] = mask.text(pdfToText(readFileSync(file)));
  }

  const store = (await (await fetch(`${pipeline.outputs.endpoints!.ses}/store`)).json()) as { emails: StoredEmail[] };
  const emails = store.emails
    .map((email) => ({
      from: email.from,
      to: email.destination.to,
      cc: email.destination.cc ?? [],
      bcc: email.destination.bcc ?? [],
      subject: mask.text(email.subject),
      text: mask.text(email.body.text ?? ''),
      html: mask.text(email.body.html ?? ''),
      attachments: (email.attachments ?? []).map((attachment) => ({
        filename: mask.text(attachment.filename ?? ''),
        contentType: attachment.contentType,
        text:
          attachment.contentType === 'application/pdf' ? mask.text(pdfToText(Buffer.from(attachment.content, 'base64'))) : '<not a pdf>',
      })),
    }))
    .sort((a, b) => `${a.to.join()} ${a.subject}`.localeCompare(`${b.to.join()} ${b.subject}`));

  const listedPayments = (await cli(pipeline.outputsFile, clock, ['payments', 'list'])) as unknown[];
  const payments = (mask.json(listedPayments) as unknown[]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const start = demoOutput.indexOf('demo:');
  const demoReport = demoOutput
    .slice(start, demoOutput.indexOf(DONE, start) + DONE.length)
    .split('\n')
    // The demo's timings and the state directory it names vary; its counts and figures do not.
    .map((line) =>
      mask
        .text(line)
        .replace(/\d+(?:\.\d+)? s\b/g, '<seconds>')
        .replace(/[\d,]+ events\/s/g, '<rate>')
        .split(pipeline.home)
        .join('<home>'),
    )
    .filter((line) => !line.includes('mail viewer'))
    // "try next" names the first partially paid invoice by number, so either of the two.
    .map((line) =>
      line.startsWith('  npx billflow invoices ')
        ? line.replace(/<invoice of cus_(northwind|lumiere)>/, '<a partially paid invoice>')
        : line,
    );
  // The invoice table is in number order, which is the order the customers' jobs finished.
  const tableStart = demoReport.findIndex((line) => line.startsWith('NUMBER '));
  const tableEnd = demoReport.indexOf('', tableStart);
  const tableRows = demoReport.splice(tableStart + 1, tableEnd - tableStart - 1).sort();
  demoReport.splice(tableStart + 1, 0, ...tableRows);
  return { numbers: [...numbersToCustomers.keys()].sort(), invoices, pdfText, emails, payments, demoReport };
}

describe('the demo month before and after the redesign', () => {
  it('bills, renders, emails and settles the demo month exactly as the baseline recorded', async () => {
    // Arrange: a fresh pipeline on 20 November 2026, and the CLI on the same clock.
    const clock = clockAt(DEMO_DATE);
    running = await startPipeline({ args: ['--demo'], env: clock });

    // Act: the demo, then what a user can see of it.
    await running.waitForOutput(DONE, 240_000);
    const actual = await fingerprint(running, clock, running.output());

    // Assert
    expect(actual.numbers).toEqual([
      'DEMO-2026-000001',
      'DEMO-2026-000002',
      'DEMO-2026-000003',
      'DEMO-2026-000004',
      'DEMO-2026-000005',
      'DEMO-2026-000006',
    ]);
    if (RECORD) writeFileSync(BASELINE, `${JSON.stringify(actual, null, 2)}\n`);
    expect(existsSync(BASELINE), `${BASELINE} is missing: record it (see this file's comment)`).toBe(true);
    const baseline = JSON.parse(readFileSync(BASELINE, 'utf8')) as Fingerprint;
    expect.soft(actual.demoReport).toEqual(baseline.demoReport);
    expect.soft(actual.invoices).toEqual(baseline.invoices);
    expect.soft(actual.pdfText).toEqual(baseline.pdfText);
    expect.soft(actual.emails).toEqual(baseline.emails);
    expect.soft(actual.payments).toEqual(baseline.payments);
  }, 420_000);
});
