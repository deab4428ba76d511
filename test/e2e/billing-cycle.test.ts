/**
 * One billing cycle end to end, through the public interfaces only, against `npm start` run as
 * a user runs it (a child process with its own state directory and free ports):
 * CloudEvents on the events queue (AWS SDK), the `billflow` bin, signed Stripe webhooks over
 * HTTP, the PDFs in S3 and the emails in the SES emulator's store.
 *
 * Every figure is checked against a value worked out by hand below from the catalog and the
 * events this test sends, never by billflow's own pricing code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runBillflow } from '#test-support/billflow-cli.ts';
import { deliver, paymentSucceeded, postWebhook, signature, type StripeEventBody } from '#test-support/stripe-events.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';
import { startPipeline, type PipelineProcess } from './pipeline-process.ts';

// The current month: events sent now are on time for it. The cycle is closed as of 02:00 UTC on
// the 1st of the next month, as the hourly run does once the month and its grace hour are over.
const NOW = Date.now();
const START = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth(), 1);
const END = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth() + 1, 1);
const PERIOD = new Date(START).toISOString().slice(0, 7);
const RUN_AS_OF = new Date(END + 2 * 3_600_000).toISOString();
const ISSUE_DATE = RUN_AS_OF.slice(0, 10);
const YEAR = ISSUE_DATE.slice(0, 4);
const DAY = 86_400_000;
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const DUE_14 = plusDays(ISSUE_DATE, 14);
const DUE_30 = plusDays(ISSUE_DATE, 30);
// The first reminder is due 3 days after the due date; the daily run is at 06:00 UTC.
const DUNNING_AS_OF = `${plusDays(DUE_14, 3)}T06:00:00Z`;

const CATALOG = `
issuer:
  name: Acme Cloud GmbH
  address: { line1: Hauptstr. 1, city: Berlin, postalCode: "10115", country: DE }
  vatId: DE123456789
  email: billing@acme.example
  invoicePrefix: E2E
  bank: { iban: DE89370400440532013000, bic: COBADEFFXXX }
taxRates: { DE: "19", FR: "20" }
meters:
  - { code: api_calls, eventType: api.request, aggregation: count }
  - { code: tokens, eventType: api.request, aggregation: sum, valueProperty: tokens }
  - { code: seats, eventType: seats.changed, aggregation: max, valueProperty: count }
  - { code: users, eventType: user.active, aggregation: unique_count, valueProperty: userId }
  - { code: storage_gb, eventType: storage.snapshot, aggregation: latest, valueProperty: gb }
plans:
  - code: eu_team
    currency: EUR
    baseFee: "20.00"
    charges:
      - meter: api_calls
        model: graduated
        tiers:
          - { upTo: 100, unitPrice: "0" }
          - { upTo: 200, unitPrice: "0.05" }
          - { upTo: null, unitPrice: "0.02" }
      - { meter: tokens, model: package, packageSize: 1000, packagePrice: "0.30" }
      - { meter: seats, model: per_unit, unitPrice: "7.50" }
  - code: eu_small
    currency: EUR
    baseFee: "5.00"
    minimumCommitment: "25.00"
    charges:
      - { meter: api_calls, model: per_unit, unitPrice: "0.015" }
      - { meter: storage_gb, model: per_unit, unitPrice: "0.125" }
  - code: us_scale
    currency: USD
    baseFee: "10.00"
    charges:
      - meter: api_calls
        model: volume
        tiers:
          - { upTo: 100, unitPrice: "0.10" }
          - { upTo: null, unitPrice: "0.08", flatPrice: "3.00" }
      - { meter: users, model: per_unit, unitPrice: "2.00" }
  - code: jp_team
    currency: JPY
    baseFee: "1000"
    charges:
      - meter: api_calls
        model: volume
        tiers:
          - { upTo: 50, unitPrice: "2" }
          - { upTo: null, unitPrice: "1.5" }
      - { meter: tokens, model: package, packageSize: 500, packagePrice: "7" }
customers:
  - { id: c_de, name: Bergmann GmbH, email: de@e2e.example, plan: eu_team, paymentTermsDays: 30, vatId: DE811907980,
      address: { line1: Am Sandtorkai 40, city: Hamburg, postalCode: "20457", country: DE } }
  - { id: c_fr, name: Lumiere SAS, email: fr@e2e.example, plan: eu_team, paymentTermsDays: 30, vatId: FR40303265045,
      address: { line1: 14 quai Saint-Antoine, city: Lyon, postalCode: "69002", country: FR } }
  - { id: c_fr_consumer, name: Claire Dubois, email: claire@e2e.example, plan: eu_small, paymentTermsDays: 14,
      address: { line1: 8 rue Sainte-Catherine, city: Bordeaux, postalCode: "33000", country: FR } }
  - { id: c_us, name: Northwind Inc., email: us@e2e.example, plan: us_scale, paymentTermsDays: 30,
      address: { line1: 1201 3rd Ave, city: Seattle, region: WA, postalCode: "98101", country: US } }
  - { id: c_jp, name: Sakura KK, email: jp@e2e.example, plan: jp_team, paymentTermsDays: 14,
      address: { line1: 2-3-1 Umeda, city: Osaka, postalCode: "530-0001", country: JP } }
`;

const REVERSE_CHARGE = 'Reverse charge - VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)';
const OUTSIDE_EU = 'Outside the scope of EU VAT';

interface ExpectedLine {
  readonly meter: string | null;
  readonly quantity: string;
  readonly unitPrice: string;
  readonly netAmount: number;
}

interface Expected {
  readonly currency: string;
  readonly email: string;
  readonly dueDate: string;
  readonly eventCount: number;
  readonly lines: readonly ExpectedLine[];
  readonly taxRate: string;
  readonly taxCategory: string;
  readonly netTotal: number;
  readonly taxTotal: number;
  readonly total: number;
  readonly legends: readonly string[];
  /** The total as the PDF prints it. */
  readonly totalText: string;
}

/**
 * The invoices, worked out by hand from CATALOG and the events of `usageEvents()`.
 * Amounts in minor units (cents; yen have none). Lines: base fee, then the plan's charges in
 * catalog order, graduated tiers one line each, then a minimum-commitment top-up.
 */
const EXPECTED: Record<string, Expected> = {
  // 250 calls: 100 free, 100 x 0.05 = 5.00, 50 x 0.02 = 1.00. Tokens 125 x 35 + 125 x 47 = 10,250
  // -> 11 packages of 1,000 (partial rounds up) x 0.30 = 3.30. Seats peak 5 x 7.50 = 37.50.
  // Net 20 + 0 + 5 + 1 + 3.30 + 37.50 = 66.80; German VAT 19 % = 12.692 -> 12.69; total 79.49.
  c_de: {
    currency: 'EUR',
    email: 'de@e2e.example',
    dueDate: DUE_30,
    eventCount: 253,
    lines: [
      { meter: null, quantity: '1', unitPrice: '20.00', netAmount: 2000 },
      { meter: 'api_calls', quantity: '100', unitPrice: '0', netAmount: 0 },
      { meter: 'api_calls', quantity: '100', unitPrice: '0.05', netAmount: 500 },
      { meter: 'api_calls', quantity: '50', unitPrice: '0.02', netAmount: 100 },
      { meter: 'tokens', quantity: '11', unitPrice: '0.30', netAmount: 330 },
      { meter: 'seats', quantity: '5', unitPrice: '7.50', netAmount: 3750 },
    ],
    taxRate: '19',
    taxCategory: 'S',
    netTotal: 6680,
    taxTotal: 1269,
    total: 7949,
    legends: [],
    totalText: '79.49',
  },
  // EU business abroad with a VAT id: reverse charge, 0 %. 80 calls, all in the free tier;
  // tokens 80 x 10 = 800 -> 1 package = 0.30; no seat events, so no seats line.
  c_fr: {
    currency: 'EUR',
    email: 'fr@e2e.example',
    dueDate: DUE_30,
    eventCount: 80,
    lines: [
      { meter: null, quantity: '1', unitPrice: '20.00', netAmount: 2000 },
      { meter: 'api_calls', quantity: '80', unitPrice: '0', netAmount: 0 },
      { meter: 'tokens', quantity: '1', unitPrice: '0.30', netAmount: 30 },
    ],
    taxRate: '0',
    taxCategory: 'AE',
    netTotal: 2030,
    taxTotal: 0,
    total: 2030,
    legends: [REVERSE_CHARGE],
    totalText: '20.30',
  },
  // EU consumer abroad: French VAT, 20 %. 39 calls x 0.015 = 0.585 -> 0.59 (half-up). Storage:
  // the latest snapshot by time is 3.3 GB (sent first; an earlier 9 GB one arrives last)
  // x 0.125 = 0.4125 -> 0.41. 5.00 + 0.59 + 0.41 = 6.00, topped up by 19.00 to the 25.00
  // commitment. VAT 20 % of 25.00 = 5.00; total 30.00.
  c_fr_consumer: {
    currency: 'EUR',
    email: 'claire@e2e.example',
    dueDate: DUE_14,
    eventCount: 42,
    lines: [
      { meter: null, quantity: '1', unitPrice: '5.00', netAmount: 500 },
      { meter: 'api_calls', quantity: '39', unitPrice: '0.015', netAmount: 59 },
      { meter: 'storage_gb', quantity: '3.3', unitPrice: '0.125', netAmount: 41 },
      { meter: null, quantity: '1', unitPrice: '19.00', netAmount: 1900 },
    ],
    taxRate: '20',
    taxCategory: 'S',
    netTotal: 2500,
    taxTotal: 500,
    total: 3000,
    legends: [],
    totalText: '30.00',
  },
  // Outside the EU, 0 %. Volume: 120 calls fall in tier 2, so all 120 x 0.08 = 9.60 plus the
  // tier's flat 3.00 = 12.60. Users: 7 distinct (each active twice) x 2.00 = 14.00.
  c_us: {
    currency: 'USD',
    email: 'us@e2e.example',
    dueDate: DUE_30,
    eventCount: 134,
    lines: [
      { meter: null, quantity: '1', unitPrice: '10.00', netAmount: 1000 },
      { meter: 'api_calls', quantity: '120', unitPrice: '0.08', netAmount: 1260 },
      { meter: 'users', quantity: '7', unitPrice: '2.00', netAmount: 1400 },
    ],
    taxRate: '0',
    taxCategory: 'O',
    netTotal: 3660,
    taxTotal: 0,
    total: 3660,
    legends: [OUTSIDE_EU],
    totalText: '36.60',
  },
  // Yen, no minor unit. Volume: 60 calls > 50, all at 1.5 = 90. Tokens 60 x 25 = 1,500 ->
  // 3 packages of 500 x 7 = 21. 1,000 + 90 + 21 = 1,111.
  c_jp: {
    currency: 'JPY',
    email: 'jp@e2e.example',
    dueDate: DUE_14,
    eventCount: 60,
    lines: [
      { meter: null, quantity: '1', unitPrice: '1000', netAmount: 1000 },
      { meter: 'api_calls', quantity: '60', unitPrice: '1.5', netAmount: 90 },
      { meter: 'tokens', quantity: '3', unitPrice: '7', netAmount: 21 },
    ],
    taxRate: '0',
    taxCategory: 'O',
    netTotal: 1111,
    taxTotal: 0,
    total: 1111,
    legends: [OUTSIDE_EU],
    totalText: '1,111',
  },
};
const CUSTOMERS = Object.keys(EXPECTED);

interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  data: Record<string, unknown>;
}

/** An instant at `fraction` of the part of the month that has passed: on time, never in the future. */
const timeAt = (fraction: number) => new Date(START + Math.floor((Math.min(Date.now(), END - 1) - START) * fraction)).toISOString();

function event(customer: string, id: string, type: string, fraction: number, data: Record<string, unknown>): CloudEvent {
  return {
    specversion: '1.0',
    id: `${customer}-${id}`,
    source: '//e2e.billflow.test',
    type,
    subject: customer,
    time: timeAt(fraction),
    data,
  };
}

function requests(customer: string, count: number, tokens: (index: number) => number): CloudEvent[] {
  return Array.from({ length: count }, (_, index) =>
    event(customer, `req-${index}`, 'api.request', (index + 1) / (count + 2), { tokens: tokens(index) }),
  );
}

/** The month's usage, as message bodies in sending order (CloudEvents JSON batches of at most 100). */
function usageEvents(): { bodies: string[]; distinct: number; duplicates: number; rejected: number } {
  const batches = (events: readonly CloudEvent[]) =>
    Array.from({ length: Math.ceil(events.length / 100) }, (_, index) => JSON.stringify(events.slice(index * 100, (index + 1) * 100)));
  const de = [
    ...requests('c_de', 250, (index) => (index % 2 === 0 ? 35 : 47)),
    ...[3, 5, 4].map((count, index) => event('c_de', `seats-${index}`, 'seats.changed', 0.3 + index * 0.2, { count })),
  ];
  const fr = requests('c_fr', 80, () => 10);
  const frConsumer = requests('c_fr_consumer', 39, () => 1);
  // Latest by time, not by arrival: the 3.3 GB snapshot is the latest and is sent first.
  const storage = [
    event('c_fr_consumer', 'storage-3', 'storage.snapshot', 0.8, { gb: '3.3' }),
    event('c_fr_consumer', 'storage-2', 'storage.snapshot', 0.2, { gb: 2 }),
    event('c_fr_consumer', 'storage-1', 'storage.snapshot', 0.1, { gb: 9 }),
  ];
  const us = [
    ...requests('c_us', 120, () => 5),
    ...Array.from({ length: 14 }, (_, index) =>
      event('c_us', `user-${index}`, 'user.active', (index + 1) / 16, { userId: `u${(index % 7) + 1}` }),
    ),
  ];
  const jp = requests('c_jp', 60, () => 25);
  const deBodies = batches(de);
  const bodies = [
    ...deBodies,
    ...batches([...fr, ...frConsumer]),
    ...storage.map((snapshot) => JSON.stringify(snapshot)),
    ...batches(us),
    ...batches(jp),
    // An at-least-once sender delivers a body again: 100 duplicates, billed once.
    deBodies[0]!,
    // An event for a customer the catalog does not know: rejected, never billed.
    JSON.stringify(event('c_nobody', 'req-0', 'api.request', 0.5, { tokens: 1 })),
  ];
  return {
    bodies,
    distinct: de.length + fr.length + frConsumer.length + storage.length + us.length + jp.length,
    duplicates: 100,
    rejected: 1,
  };
}

interface InvoiceJson {
  number: string;
  customerId: string;
  billingPeriod: string;
  status: string;
  paymentStatus: string;
  currency: string;
  issueDate: string;
  dueDate: string;
  lines: { meter: string | null; quantity: string; unitPrice: string; netAmount: number; taxRate: string; taxCategory: string }[];
  taxSubtotals: { rate: string; category: string; taxableAmount: number; taxAmount: number }[];
  netTotal: number;
  taxTotal: number;
  total: number;
  amountPaid: number;
  amountDue: number;
  customerCredit: number;
  eventCount: number;
  legends: string[];
  deliveryStatus: string;
  document: { bucket: string; key: string; bytes: number } | null;
  emails: { kind: string; to: string }[];
  reminders: { stage: number; status: string }[];
  overdue?: boolean;
  daysOverdue?: number;
}

interface StoredEmail {
  from: string;
  destination: { to: string[] };
  subject: string;
  attachments: { filename?: string }[];
}

let pipeline: PipelineProcess;
let secret: string;
let invoices: Record<string, InvoiceJson>;

async function billflowJson<T>(...args: string[]): Promise<T> {
  const result = await runBillflow(pipeline.outputsFile, [...args, '--json']);
  expect(result.code, `billflow ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function emails(): Promise<StoredEmail[]> {
  const { emails: stored } = (await (await fetch(`${pipeline.outputs.endpoints!.ses}/store`)).json()) as { emails: StoredEmail[] };
  return stored;
}

/** `10 December 2026`, as the PDF prints dates. */
function longDate(date: string): string {
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const [year, month, day] = date.split('-').map(Number);
  return `${day} ${months[month! - 1]} ${year}`;
}

beforeAll(async () => {
  ensurePoppler();
  pipeline = await startPipeline();
  secret = pipeline.outputs.stripeWebhookSecret!;
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
  pipeline?.killGroup();
  if (pipeline !== undefined) rmSync(pipeline.home, { recursive: true, force: true });
}, 60_000);

describe('a billing cycle through npm start, end to end', () => {
  it('stores every event sent to the queue once: received = accepted + duplicates + rejected', async () => {
    // Prepare
    const catalogFile = join(pipeline.home, 'catalog.yaml');
    writeFileSync(catalogFile, CATALOG);
    const sqs = new SQSClient({
      region: pipeline.outputs.region,
      endpoint: pipeline.outputs.endpoints!.sqs,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const usage = usageEvents();

    // Act
    const applied = await billflowJson<{ applied: boolean; customers: number; plans: number; meters: number }>(
      'catalog',
      'apply',
      catalogFile,
    );
    for (const body of usage.bodies)
      await sqs.send(new SendMessageCommand({ QueueUrl: pipeline.outputs.eventsQueueUrl, MessageBody: body }));
    // Poll with a deadline until ingestion has stored everything that was sent.
    const expectedReceived = usage.distinct + usage.duplicates + usage.rejected;
    let stats = { received: 0, accepted: 0, duplicates: 0, rejected: 0 };
    for (const deadline = Date.now() + 60_000; stats.received < expectedReceived && Date.now() < deadline;) {
      stats = await billflowJson('stats', '--period', PERIOD);
    }
    sqs.destroy();

    // Assess
    expect(applied).toMatchObject({ applied: true, customers: 5, plans: 4, meters: 5 });
    expect(usage.distinct).toBe(253 + 80 + 42 + 134 + 60);
    expect(stats).toMatchObject({ received: 670, accepted: 569, duplicates: 100, rejected: 1 });
  }, 120_000);

  it('closes the month into one finalized invoice per customer, every line, VAT and total as worked out by hand', async () => {
    // Act
    const run = await billflowJson<{ period: string; finalized: number; drafts: number; notIssued: number }>(
      'invoices',
      'run',
      '--as-of',
      RUN_AS_OF,
      '--period',
      PERIOD,
    );
    const everyInvoice = await billflowJson<InvoiceJson[]>('invoices', 'list');
    const listed = everyInvoice.filter((invoice) => invoice.billingPeriod === PERIOD);
    const everyNumber = everyInvoice.map((invoice) => invoice.number).filter((number) => number !== null);
    invoices = Object.fromEntries(listed.map((invoice) => [invoice.customerId, invoice]));

    // Assess
    expect(run).toMatchObject({ period: PERIOD, finalized: 5, drafts: 0, notIssued: 0 });
    expect(listed.map((invoice) => invoice.customerId).sort()).toEqual([...CUSTOMERS].sort());
    // Numbers: E2E-{year}-{6 digits}, gap-free from 1 over everything this pipeline issued.
    expect([...everyNumber].sort()).toEqual(everyNumber.map((_, index) => `E2E-${YEAR}-${String(index + 1).padStart(6, '0')}`));
    for (const customer of CUSTOMERS) {
      const invoice = invoices[customer]!;
      const expected = EXPECTED[customer]!;
      expect(invoice, customer).toMatchObject({
        status: 'finalized',
        paymentStatus: 'unpaid',
        billingPeriod: PERIOD,
        currency: expected.currency,
        issueDate: ISSUE_DATE,
        dueDate: expected.dueDate,
        netTotal: expected.netTotal,
        taxTotal: expected.taxTotal,
        total: expected.total,
        amountPaid: 0,
        amountDue: expected.total,
        eventCount: expected.eventCount,
        legends: expected.legends,
        deliveryStatus: 'sent',
      });
      expect(
        invoice.lines.map(({ meter, quantity, unitPrice, netAmount }) => ({ meter, quantity, unitPrice, netAmount })),
        customer,
      ).toEqual(expected.lines);
      expect(
        invoice.lines.every((line) => line.taxRate === expected.taxRate && line.taxCategory === expected.taxCategory),
        customer,
      ).toBe(true);
      expect(invoice.taxSubtotals, customer).toEqual([
        { rate: expected.taxRate, category: expected.taxCategory, taxableAmount: expected.netTotal, taxAmount: expected.taxTotal },
      ]);
      // Invoice total = the sum of line nets + VAT, exactly.
      expect(expected.lines.reduce((sum, line) => sum + line.netAmount, 0) + expected.taxTotal).toBe(expected.total);
    }
  }, 120_000);

  it('stores each PDF once in S3, with the number, total and due date readable, and emails each invoice exactly once', async () => {
    // Prepare
    const s3 = new S3Client({
      region: pipeline.outputs.region,
      endpoint: pipeline.outputs.endpoints!.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

    // Act
    const pdfs = new Map<string, string>();
    for (const customer of CUSTOMERS) {
      const { number } = invoices[customer]!;
      const object = await s3.send(
        new GetObjectCommand({ Bucket: pipeline.outputs.invoicesBucket, Key: `invoices/E2E/${YEAR}/${number}.pdf` }),
      );
      pdfs.set(customer, pdfToText(Buffer.from(await object.Body!.transformToByteArray()), 'layout'));
    }
    s3.destroy();
    const stored = await emails();

    // Assess
    for (const customer of CUSTOMERS) {
      const invoice = invoices[customer]!;
      const expected = EXPECTED[customer]!;
      expect(invoice.document?.key).toBe(`invoices/E2E/${YEAR}/${invoice.number}.pdf`);
      const text = pdfs.get(customer)!;
      expect(text, customer).toContain(invoice.number);
      expect(text, customer).toContain(expected.totalText);
      expect(text, customer).toContain(longDate(expected.dueDate));
      const invoiceEmails = stored.filter((email) => email.subject === `Invoice ${invoice.number} from Acme Cloud GmbH`);
      expect(invoiceEmails, customer).toHaveLength(1);
      expect(invoiceEmails[0]!.destination.to.join(','), customer).toContain(expected.email);
      expect(invoiceEmails[0]!.from, customer).toContain('billing@acme.example');
      expect(
        invoiceEmails[0]!.attachments.map((attachment) => attachment.filename),
        customer,
      ).toEqual([`${invoice.number}.pdf`]);
      expect(invoice.emails, customer).toEqual([expect.objectContaining({ kind: 'invoice', to: expected.email })]);
    }
  }, 120_000);

  it('applies signed Stripe webhooks once each: paid in full, in two parts, twice delivered, and refuses a bad signature', async () => {
    // Prepare
    const { apiUrl } = pipeline.outputs;
    const de = invoices.c_de!;
    const fr = invoices.c_fr!;
    const us = invoices.c_us!;
    const jp = invoices.c_jp!;
    const payUs = paymentSucceeded({ amount: 3660, currency: 'usd', invoiceNumber: us.number });
    const forged: StripeEventBody = paymentSucceeded({ amount: 3000, currency: 'eur', invoiceNumber: invoices.c_fr_consumer!.number });
    const forgedBody = JSON.stringify(forged);

    // Act
    const answers = [
      await deliver(apiUrl!, paymentSucceeded({ amount: 7949, currency: 'eur', invoiceNumber: de.number }), secret),
      // c_fr pays 20.30 in two payments of 6.00 and 4.00: 10.00 paid, 10.30 still due.
      await deliver(apiUrl!, paymentSucceeded({ amount: 600, currency: 'eur', invoiceNumber: fr.number }), secret),
      await deliver(apiUrl!, paymentSucceeded({ amount: 400, currency: 'eur', invoiceNumber: fr.number }), secret),
      await deliver(apiUrl!, payUs, secret),
      await deliver(apiUrl!, payUs, secret),
      await deliver(apiUrl!, paymentSucceeded({ amount: 1111, currency: 'jpy', invoiceNumber: jp.number }), secret),
    ];
    const refused = await postWebhook(apiUrl!, forgedBody, { 'stripe-signature': signature(forgedBody, 'whsec_not_the_endpoint_secret') });
    // `payments list` waits for queued webhook events to be applied before it reads.
    const frPayments = await billflowJson<{ received: number; net: number; invoiceNumber: string }[]>(
      'payments',
      'list',
      '--invoice',
      fr.number,
    );
    const shown = Object.fromEntries(
      (await billflowJson<InvoiceJson[]>('invoices', 'list', '--period', PERIOD)).map((invoice) => [invoice.customerId, invoice]),
    );

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.map((answer) => answer.json.duplicate)).toEqual([false, false, false, false, true, false]);
    expect(refused.status).toBe(400);
    expect(shown.c_de).toMatchObject({ paymentStatus: 'paid', amountPaid: 7949, amountDue: 0, customerCredit: 0 });
    expect(shown.c_fr).toMatchObject({ paymentStatus: 'partially_paid', amountPaid: 1000, amountDue: 1030, customerCredit: 0 });
    expect(shown.c_us).toMatchObject({ paymentStatus: 'paid', amountPaid: 3660, amountDue: 0 });
    expect(shown.c_jp).toMatchObject({ paymentStatus: 'paid', amountPaid: 1111, amountDue: 0 });
    // The forged payment was refused at the door: nothing applied.
    expect(shown.c_fr_consumer).toMatchObject({ paymentStatus: 'unpaid', amountPaid: 0, amountDue: 3000 });
    expect(frPayments.map((payment) => payment.received).sort()).toEqual([400, 600]);
    expect(frPayments.every((payment) => payment.invoiceNumber === fr.number)).toBe(true);
  }, 120_000);

  it('reminds the unpaid invoice once, 3 days after its due date, and no paid or not yet due one', async () => {
    // Act
    const first = await billflowJson<{ candidates: number; sent: { number: string; stage: number }[]; failed: unknown[] }>(
      'invoices',
      'run-dunning',
      '--as-of',
      DUNNING_AS_OF,
    );
    const second = await billflowJson<{ sent: unknown[] }>('invoices', 'run-dunning', '--as-of', DUNNING_AS_OF);
    const [unpaid, partlyPaid] = await Promise.all(
      [invoices.c_fr_consumer!, invoices.c_fr!].map((invoice) =>
        billflowJson<InvoiceJson>('invoices', 'show', invoice.number, '--as-of', DUNNING_AS_OF),
      ),
    );
    const reminders = (await emails()).filter((email) => email.subject.startsWith('Reminder'));

    // Assess
    const number = invoices.c_fr_consumer!.number;
    expect(first.sent).toEqual([expect.objectContaining({ number, stage: 3 })]);
    expect(first.failed).toEqual([]);
    expect(second.sent).toEqual([]);
    expect(unpaid).toMatchObject({
      overdue: true,
      daysOverdue: 3,
      amountDue: 3000,
      reminders: [expect.objectContaining({ stage: 3, status: 'sent' })],
    });
    // Partly paid, but due only 30 days after issue: not overdue yet, not reminded.
    expect(partlyPaid).toMatchObject({ overdue: false, amountDue: 1030, reminders: [] });
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.subject).toBe(`Reminder: invoice ${number} from Acme Cloud GmbH is 3 days overdue`);
    expect(reminders[0]!.destination.to.join(',')).toContain('claire@e2e.example');
    expect(reminders[0]!.attachments.map((attachment) => attachment.filename)).toEqual([`${number}.pdf`]);
  }, 120_000);

  it('stops on Ctrl-C with every local service, DynamoDB Local (Java) included', async () => {
    // Act
    const stopped = await pipeline.stop();

    // Assess
    expect(stopped.code, stopped.output).toBe(0);
    expect(stopped.output).toContain('stopped');
    await expect(fetch(pipeline.outputs.endpoints!.dynamodb)).rejects.toThrow();
    await expect(fetch(`${pipeline.outputs.apiUrl}/webhooks/stripe`, { method: 'POST' })).rejects.toThrow();
  }, 60_000);
});
