/**
 * `npm start -- --demo`: once the local pipeline is ready, drive one month of billing through
 * it the way its users would, and print what came out. The demo computes nothing itself; every
 * figure it prints was produced by the pipeline:
 *
 * 1. Apply the demo catalog (docs/examples/demo-catalog.yaml), as `billflow catalog apply` does.
 * 2. Send a month of usage events to the events queue in CloudEvents batch bodies of 100, as
 *    `billflow events send` does, and wait for ingestion to drain the queue.
 * 3. Close the month as of 02:00 UTC on the 1st of the next month (as `billflow invoices run
 *    --as-of` does; the demo's month is the current one, because events sent now for a month
 *    already closed would be late usage, billed on the next invoice), then wait for the
 *    invoices to be finalized, rendered and emailed. Only the demo's customers: a demo must
 *    not close anyone else's month early.
 * 4. Post signed Stripe webhooks: some invoices paid in full, some in part, one not at all.
 * 5. Run dunning as of the unpaid invoice's first reminder day, so its reminder is emailed
 *    (again only for the demo's customers).
 * 6. Print the invoices, the mail viewer and what to try next.
 *
 * Everything is deterministic (event ids, webhook ids), so running the demo again on the same
 * BILLFLOW_HOME in the same month changes nothing: events and webhooks are answered as
 * duplicates, invoices and reminders exist already.
 */
import { CATALOGUES } from '#domain/language/catalogue.ts';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createContext, type CliContext } from '../context.ts';
import { runDunningByHand, startInvoiceRunByHand, waitForInvoiceRun, waitForPaymentEvents } from '../by-hand.ts';
import { batchBodies, sendBodies } from '#adapters/sqs/send-bodies.ts';
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import { waitUntilEmpty } from '#adapters/sqs/queue-depth.ts';
import { parseCatalogText } from '#domain/catalog/parse.ts';
import { formatIssue } from '#domain/catalog/validate.ts';
import { reminderDaysOf } from '#domain/dunning/reminder-policy.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { formatMinor } from '#domain/money.ts';
import { billingPeriodOf, periodBounds } from '#domain/period.ts';
import { accountEvents } from '#use-cases/account-events.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { DEMO_CUSTOMER_IDS, demoEvents } from './demo-events.ts';
import { DEMO_PAYMENT_BEHAVIOUR, demoPaymentEvent, postSignedWebhook, signingSecret, type WebhookDelivery } from './demo-payments.ts';
import { progressBar } from './progress.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
export const DEMO_CATALOG = resolve(repoRoot, 'docs/examples/demo-catalog.yaml');

const EVENTS_PER_BODY = 100;
/** Bodies per SendMessageBatch request, and requests in flight, as `billflow events send` sends them. */
const BODIES_PER_REQUEST = 10;
const REQUESTS_IN_FLIGHT = 8;
const QUEUE_TIMEOUT_MS = 300_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface DemoOptions {
  /** The outputs.json `npm start` wrote. */
  readonly outputsFile: string;
  /** Endpoint secret(s) to sign webhooks with (STRIPE_WEBHOOK_SECRET as npm start set it). */
  readonly webhookSecret: string | undefined;
  readonly out?: NodeJS.WriteStream;
  readonly now?: number;
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const out = options.out ?? process.stdout;
  const say = (line = '') => out.write(`${line}\n`);
  // One step per line, continued on an indented second line where it would not fit 100 columns.
  const step = (label: string, ...lines: string[]) =>
    lines.forEach((text, index) => say(`  ${(index === 0 ? label : '').padEnd(10)}${text}`));
  const context = createContext(options.outputsFile);
  const { outputs } = context;
  const { sqs } = context.clients;
  const now = options.now ?? Date.now();
  const period = billingPeriodOf(now);
  const demoIds = new Set(DEMO_CUSTOMER_IDS);

  say();
  say(`demo: one month (${period}) of usage for ${demoIds.size} customers, billed end to end by this pipeline`);

  // 1. The catalog, validated and upserted like `billflow catalog apply`.
  const catalogFile = relative(process.cwd(), DEMO_CATALOG) || DEMO_CATALOG;
  const parsed = parseCatalogText(readFileSync(DEMO_CATALOG, 'utf8'), DEMO_CATALOG);
  const applied = parsed.ok ? await applyCatalog(parsed.value, context.catalog) : { ok: false as const, issues: parsed.issues };
  if (!applied.ok) throw new Error(`${catalogFile} is invalid:\n${applied.issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`);
  const customers = (await context.catalog.listCustomers()).filter((customer) => demoIds.has(customer.id));
  const countries = [...new Set(customers.map((customer) => customer.address.country))];
  const head = await context.catalog.readHead();
  const planCodes = new Set(customers.map((customer) => customer.plan));
  const plans = head.plans.filter((plan) => planCodes.has(plan.code));
  const models = new Set(plans.flatMap((plan) => plan.charges.map((charge) => charge.model)));
  const commitments = plans.filter((plan) => plan.minimumCommitment !== undefined).length;
  step(
    'catalog',
    `${catalogFile}: ${customers.length} customers in ${countries.join(', ')}, ${plans.length} plans:`,
    `${[...models].join(', ')} charges, base fees, ${commitments} minimum commitments`,
  );

  // 2. Events, in batch bodies of 100 on the events queue, then ingestion drains it.
  let started = Date.now();
  const demo = demoEvents(period, now);
  const bodies = batchBodies(demo.events, EVENTS_PER_BODY);
  const bar = progressBar(out, `  ${'events'.padEnd(10)}`, demo.events.length, 'events sent');
  let sentEvents = 0;
  bar.update(0);
  const requests = Array.from({ length: Math.ceil(bodies.length / BODIES_PER_REQUEST) }, (_, index) =>
    bodies.slice(index * BODIES_PER_REQUEST, (index + 1) * BODIES_PER_REQUEST),
  );
  // One sendBodies call per request, so the bar moves as each one is answered.
  await forEachConcurrently(requests, REQUESTS_IN_FLIGHT, async (slice) => {
    const result = await sendBodies(sqs, outputs.eventsQueueUrl, slice);
    if (result.failed.length > 0) throw new Error(`${result.failed.length} event messages could not be sent: ${result.failed[0]!.error}`);
    sentEvents += slice.reduce((sum, body) => sum + (JSON.parse(body) as unknown[]).length, 0);
    bar.update(sentEvents);
  });
  const ingestSettledAt = await waitUntilEmpty(sqs, outputs.eventsQueueUrl, QUEUE_TIMEOUT_MS, 'the events queue');
  bar.finish(
    `  ${'events'.padEnd(10)}${count(demo.events.length)} sent in ${count(bodies.length)} messages (${count(demo.redelivered)} redelivered copies), ingested in ${seconds(started)}`,
  );
  const statement = await accountEvents(context.events, context.rejected, { period });
  const rows = statement.rows.filter((row) => row.customerId !== null && demoIds.has(row.customerId));
  const total = (field: 'received' | 'accepted' | 'duplicates' | 'rejected') => rows.reduce((sum, row) => sum + row[field], 0);
  step(
    'stored',
    `${count(total('accepted'))} distinct events, once each; ${count(total('duplicates'))} duplicates dropped; ${count(total('rejected'))} rejected`,
  );

  // 3. The invoice run as of 02:00 UTC on the 1st of next month, for the demo's customers.
  started = Date.now();
  const asOf = periodBounds(period).end + 2 * HOUR_MS;
  // What an earlier demo on this BILLFLOW_HOME already did, so only this run's work is claimed.
  const before = deliveryProgress(await demoInvoices(context, period, demoIds));
  const run = await startInvoiceRunByHand(context, asOf, period, {
    catalog: withOverrides(context.catalog, {
      listCustomers: async () => (await context.catalog.listCustomers()).filter((customer) => demoIds.has(customer.id)),
    }),
    ingestSettledAt,
  });
  if (run.failed > 0) throw new Error(`${run.failed} invoice jobs could not be enqueued`);
  await waitForInvoiceRun(context, QUEUE_TIMEOUT_MS);
  let invoices = await demoInvoices(context, period, demoIds);
  const finalized = invoices.filter((invoice) => invoice.status === 'finalized');
  const after = deliveryProgress(invoices);
  const emailed = after.emailed;
  step(
    'invoices',
    `${period} closed as of ${instant(asOf)} (a simulated month end) in ${seconds(started)}:`,
    `${after.finalized - before.finalized} finalized, ${after.rendered - before.rendered} PDFs rendered, ${after.emailed - before.emailed} emailed` +
      (before.finalized > 0
        ? `; ${before.finalized} finalized, ${before.rendered} rendered and ${before.emailed} emailed by an earlier run (each once)`
        : ''),
  );
  const notFinalized = invoices.filter((invoice) => invoice.status !== 'finalized');
  if (notFinalized.length > 0)
    step('', `not finalized: ${notFinalized.map((invoice) => `${invoice.customerId} (${invoice.status})`).join(', ')}`);

  // 4. Stripe webhooks, signed with the endpoint secret, then applied from the payment-events queue.
  if (outputs.apiUrl === undefined) throw new Error('the outputs name no apiUrl: start the pipeline with npm start');
  const secret = signingSecret(options.webhookSecret);
  const deliveries: WebhookDelivery[] = [];
  for (const invoice of finalized) {
    const payment = demoPaymentEvent(invoice, Math.floor(Date.now() / 1000));
    if (payment === undefined) continue;
    const answer = await postSignedWebhook(outputs.apiUrl, payment.body, secret);
    if (answer.status !== 200) throw new Error(`the webhook for ${invoice.number} was refused (HTTP ${answer.status}): ${answer.text}`);
    deliveries.push({
      number: invoice.number!,
      behaviour: payment.behaviour,
      amount: payment.amount,
      status: answer.status,
      duplicate: answer.duplicate,
    });
  }
  await waitForPaymentEvents(context, QUEUE_TIMEOUT_MS);
  const unpaidCustomers = Object.entries(DEMO_PAYMENT_BEHAVIOUR)
    .filter(([, behaviour]) => behaviour === 'not_at_all')
    .map(([id]) => id);
  const duplicates = deliveries.filter((delivery) => delivery.duplicate).length;
  step(
    'payments',
    `${deliveries.length} signed Stripe webhooks posted to ${outputs.apiUrl}/webhooks/stripe:`,
    `${deliveries.filter((d) => d.behaviour === 'in_full').length} pay in full, ${deliveries.filter((d) => d.behaviour === 'in_part').length} in part, ` +
      `${unpaidCustomers.length} left unpaid` +
      (duplicates > 0 ? `; ${duplicates} answered as duplicates (applied before)` : ''),
  );

  // 5. Dunning as of the day the unpaid invoice is first reminded.
  invoices = await demoInvoices(context, period, demoIds);
  const unpaid = invoices.find(
    (invoice) => unpaidCustomers.includes(invoice.customerId) && invoice.status === 'finalized' && invoice.dueDate !== null,
  );
  if (unpaid !== undefined) {
    const firstDay = reminderDaysOf(head)[0] ?? 3;
    // 06:00 UTC: when the daily schedule runs.
    const dunningAsOf = Date.parse(`${unpaid.dueDate}T06:00:00Z`) + firstDay * DAY_MS;
    const { summary } = await runDunningByHand(
      context,
      dunningAsOf,
      withOverrides(context.invoices, {
        listOpenReceivables: async (dueBefore: string) =>
          (await context.invoices.listOpenReceivables(dueBefore)).filter((invoice) => demoIds.has(invoice.customerId)),
      }),
    );
    const reminded = summary.sent.map((sent) => `${sent.number}, ${sent.stage} days overdue`);
    step(
      'dunning',
      `as of ${instant(dunningAsOf)} (simulated: ${firstDay} days after ${unpaid.number} was due):`,
      (summary.sent.length === 0
        ? `${summary.candidates} overdue, no new reminder (each reminder is sent once)`
        : `${summary.sent.length} ${summary.sent.length === 1 ? 'reminder' : 'reminders'} emailed (${reminded.join('; ')})`) +
        (summary.failed.length > 0
          ? `; ${summary.failed.length} failed: ${summary.failed.map((failed) => `${failed.number} ${failed.reason}`).join('; ')}`
          : ''),
    );
    invoices = await demoInvoices(context, period, demoIds);
  }

  // 6. What came out.
  say();
  const missingPdfs = await pdfsMissing(context, invoices);
  say(
    table(
      ['NUMBER', 'CUSTOMER', 'COUNTRY', 'TOTAL', 'PAYMENT', 'PDF'],
      invoices.map((invoice) => [
        invoice.number ?? `(${invoice.status})`,
        invoice.customerId,
        invoice.buyer.address.country,
        money(invoice.total, invoice.currency),
        invoice.status === 'finalized' ? invoice.paymentStatus : '-',
        invoice.document === null
          ? '-'
          : `s3://${invoice.document.bucket}/${invoice.document.key}${missingPdfs.has(invoice.document.key) ? ' (gone)' : ''}`,
      ]),
      new Set([3]),
    ),
  );
  say();
  const mail = await mailStore(
    outputs.endpoints?.ses,
    customers.map((customer) => customer.email),
  );
  const mailText =
    mail === undefined
      ? ''
      : mail.invoices + mail.reminders === 0
        ? '  (no emails to the demo customers in this session)'
        : `  (${mail.invoices} invoice emails and ${mail.reminders} ${mail.reminders === 1 ? 'reminder' : 'reminders'} to the demo customers)`;
  say(`mail viewer  ${outputs.mailViewerUrl ?? '(none)'}${mailText}`);
  if (mail !== undefined && mail.invoices < emailed) {
    say('note: the mail viewer keeps emails in memory, so those of an earlier `npm start` are gone from it');
    say(
      `      (each invoice keeps the record of its email: invoices show NUMBER); for a fresh demo, delete ${dirname(resolve(options.outputsFile))} first`,
    );
  }
  if (missingPdfs.size > 0)
    say(
      `note: ${missingPdfs.size} recorded PDFs are missing from the bucket (marked "gone"): was ${dirname(resolve(options.outputsFile))}/s3 deleted?`,
    );
  const example = invoices.find((invoice) => invoice.paymentStatus === 'partially_paid') ?? invoices[0];
  if (example?.number != null) {
    say();
    say('try next:');
    // The CLI reads .billflow/outputs.json unless told otherwise.
    if (resolve(options.outputsFile) !== resolve('.billflow/outputs.json'))
      say(`  export BILLFLOW_OUTPUTS=${resolve(options.outputsFile)}`);
    say('  npx billflow invoices list');
    say(`  npx billflow invoices show ${example.number}`);
    if (example.document !== null && !missingPdfs.has(example.document.key))
      say(`  npx billflow invoices pdf ${example.number} --out invoice.pdf`);
    say('  npx billflow payments list');
  }
  say();
  say('the pipeline keeps running; Ctrl-C stops it');
}

/**
 * `target` with some methods replaced. The demo narrows the invoice run and dunning to its own
 * customers this way: on a pipeline that also bills other customers, a demo must not close
 * their month early or remind them as of a simulated date.
 */
function withOverrides<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

async function demoInvoices(context: CliContext, period: string, ids: ReadonlySet<string>): Promise<Invoice[]> {
  const found = await context.invoices.list({ billingPeriod: period });
  return found
    .filter((invoice) => ids.has(invoice.customerId))
    .sort((a, b) => (a.number ?? '~').localeCompare(b.number ?? '~') || a.customerId.localeCompare(b.customerId));
}

/** How many of the demo's invoices are finalized, have their PDF and their invoice email. */
function deliveryProgress(invoices: readonly Invoice[]): { finalized: number; rendered: number; emailed: number } {
  const finalized = invoices.filter((invoice) => invoice.status === 'finalized');
  return {
    finalized: finalized.length,
    rendered: finalized.filter((invoice) => invoice.document !== null).length,
    emailed: finalized.filter((invoice) => invoice.emails.some((email) => email.kind === 'invoice')).length,
  };
}

/** Document keys recorded on the invoices that the bucket no longer holds. */
async function pdfsMissing(context: CliContext, invoices: readonly Invoice[]): Promise<Set<string>> {
  const missing = new Set<string>();
  for (const invoice of invoices) {
    if (invoice.document === null) continue;
    try {
      await context.clients.s3.send(new HeadObjectCommand({ Bucket: invoice.document.bucket, Key: invoice.document.key }));
    } catch {
      missing.add(invoice.document.key);
    }
  }
  return missing;
}

/** Emails the SES emulator holds for these addresses, by kind; undefined where there is no emulator. */
async function mailStore(
  sesEndpoint: string | undefined,
  addresses: readonly string[],
): Promise<{ invoices: number; reminders: number } | undefined> {
  if (sesEndpoint === undefined) return undefined;
  try {
    const { emails } = (await (await fetch(`${sesEndpoint}/store`)).json()) as {
      emails: { subject: string; destination: { to: string[] } }[];
    };
    const ours = emails.filter((email) => email.destination.to.some((to) => addresses.some((address) => to.includes(address))));
    // Subjects are in each customer's language: a reminder's starts as the catalogue's reminder subject does.
    const reminderPrefixes = Object.values(CATALOGUES).map((messages) => messages['reminder.subject'].split('{{')[0] ?? '');
    const reminders = ours.filter((email) => reminderPrefixes.some((prefix) => email.subject.startsWith(prefix))).length;
    return { invoices: ours.length - reminders, reminders };
  } catch {
    return undefined;
  }
}

function table(headers: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** 123456.78 EUR as "123,456.78 EUR": the amount as billflow stored it, grouped for reading. */
function money(minor: number, currency: string): string {
  const [whole = '', fraction] = formatMinor(minor, currency).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fraction === undefined ? grouped : `${grouped}.${fraction}`} ${currency}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function instant(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
