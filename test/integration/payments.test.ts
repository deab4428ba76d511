/**
 * Payments end to end on the local services, over HTTP: Stripe events signed by the stripe
 * package are POSTed to the local HTTP API (the real receive-stripe-webhook handler, as API Gateway
 * would invoke it), applied by the real apply-payment-event handler behind the local poller,
 * and reminders sent by the real run-dunning handler into the SES emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { localLambdaContext } from '#infra/local/lambda-context.ts';
import { queues, schedules, tables } from '#infra/resources.ts';
import type { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbWebhookEventStore } from '#adapters/dynamodb/webhook-event-store.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { DunningSummary } from '#use-cases/run-dunning.ts';
import type { LocalHttpApi } from '#infra/local/http-api.ts';
import { proCustomer } from '#test-support/invoicing-catalog.ts';
import { TEST_REGION, type TestStack } from '#test-support/local-stack.ts';
import { emailsTo, type StoredEmail } from '#test-support/delivery-harness.ts';
import { startPaymentsPipeline, type PaymentsPipeline } from '#test-support/payments-pipeline.ts';
import { waitForDrained } from '#test-support/ingest-harness.ts';
import { runBillflow, type CliResult } from '#test-support/billflow-cli.ts';
import {
  chargeRefunded,
  deliver,
  disputeEvent,
  newDisputeId,
  newPaymentIntentId,
  paymentSucceeded,
  postWebhook,
  signature,
} from '#test-support/stripe-events.ts';

const SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;
const tag = randomUUID().slice(0, 8);
const CUSTOMERS = [
  'cus_paid',
  'cus_partial',
  'cus_refund_first',
  'cus_twice',
  'cus_unmatched',
  'cus_overdue',
  'cus_refused',
  'cus_chargeback',
] as const;

let pipeline: PaymentsPipeline;
let stack: TestStack;
let api: LocalHttpApi;
let invoices: DynamoDbInvoiceRepository;
let outputsFile: string;
const issued = new Map<string, Invoice>();

const emailOf = (customerId: string) => `${customerId.replaceAll('_', '-')}.${tag}@customer.example`;

async function applied(): Promise<void> {
  await waitForDrained(stack.clients.sqs, stack.env[queues.paymentEvents.envVar]!, 30_000);
}

async function invoiceOf(customerId: string): Promise<Invoice> {
  return (await invoices.findByNumber(issued.get(customerId)!.number!))!;
}

async function billflow(...args: string[]): Promise<CliResult> {
  return runBillflow(outputsFile, args);
}

async function remindersTo(customerId: string): Promise<StoredEmail[]> {
  return (await emailsTo(stack, emailOf(customerId))).filter((email) => email.subject.startsWith('Reminder'));
}

async function runDunning(asOf: string): Promise<DunningSummary> {
  const { handler } = await import('#functions/run-dunning/handler.ts');
  const { runDunning: dunningRun } = schedules;
  return handler({ asOf }, localLambdaContext({ ...dunningRun, functionName: dunningRun.functionId, region: TEST_REGION }));
}

beforeAll(async () => {
  pipeline = await startPaymentsPipeline({
    customers: CUSTOMERS.map((id) => proCustomer(id, { email: emailOf(id) })),
    secret: SECRET,
    name: 'payments-test',
  });
  ({ stack, api, invoices, outputsFile } = pipeline);
  for (const invoice of await invoices.list({ billingPeriod: '2026-10' })) issued.set(invoice.customerId, invoice);
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('Stripe payments over HTTP', () => {
  it('has an issued, unpaid invoice of 119.00 EUR per customer to pay', () => {
    expect([...issued.values()].map((invoice) => [invoice.status, invoice.deliveryStatus, invoice.total, invoice.paymentStatus])).toEqual(
      CUSTOMERS.map(() => ['finalized', 'sent', 11900, 'unpaid']),
    );
  });

  it('marks an invoice paid by a payment of its total', async () => {
    // Act
    const response = await deliver(api.url, paymentSucceeded({ amount: 11900, invoiceNumber: issued.get('cus_paid')!.number }), SECRET);
    await applied();
    // Assess
    expect(response).toEqual({ status: 200, json: { received: true, duplicate: false } });
    expect(await invoiceOf('cus_paid')).toMatchObject({ paymentStatus: 'paid', amountPaid: 11900, amountDue: 0, customerCredit: 0 });
  });

  it('accumulates two partial payments: partially_paid, then paid', async () => {
    const number = issued.get('cus_partial')!.number;
    await deliver(api.url, paymentSucceeded({ amount: 5000, invoiceNumber: number }), SECRET);
    await applied();
    expect(await invoiceOf('cus_partial')).toMatchObject({ paymentStatus: 'partially_paid', amountPaid: 5000, amountDue: 6900 });
    await deliver(api.url, paymentSucceeded({ amount: 6900, invoiceNumber: number }), SECRET);
    await applied();
    expect(await invoiceOf('cus_partial')).toMatchObject({ paymentStatus: 'paid', amountPaid: 11900, amountDue: 0 });
  });

  it('ends in the right state when a refund is delivered before its payment', async () => {
    // Prepare: Stripe retried the payment's event, so its refund (of 19.00) arrives first
    const paymentIntent = newPaymentIntentId();
    const number = issued.get('cus_refund_first')!.number;
    // Act
    await deliver(api.url, chargeRefunded({ paymentIntent, amount: 11900, amountRefunded: 1900 }), SECRET);
    await applied();
    const beforePayment = await invoiceOf('cus_refund_first');
    await deliver(api.url, paymentSucceeded({ paymentIntent, amount: 11900, invoiceNumber: number }), SECRET);
    await applied();
    // Assess
    expect(beforePayment).toMatchObject({ paymentStatus: 'unpaid', amountPaid: 0, payments: [] });
    expect(await invoiceOf('cus_refund_first')).toMatchObject({
      paymentStatus: 'partially_paid',
      amountPaid: 10000,
      amountRefunded: 1900,
      amountDue: 1900,
    });
  });

  it('applies an event delivered twice, one copy while the other is in flight, once', async () => {
    // Prepare
    const event = paymentSucceeded({ amount: 4000, invoiceNumber: issued.get('cus_twice')!.number });
    // Act
    const responses = await Promise.all([deliver(api.url, event, SECRET), deliver(api.url, event, SECRET)]);
    await applied();
    const third = await deliver(api.url, event, SECRET);
    await applied();
    // Assess
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(third.json).toEqual({ received: true, duplicate: true });
    const invoice = await invoiceOf('cus_twice');
    expect(invoice).toMatchObject({ paymentStatus: 'partially_paid', amountPaid: 4000, amountDue: 7900 });
    expect(invoice.payments.map((payment) => payment.eventId)).toEqual([event.id]);
    const stored = await new DynamoDbWebhookEventStore(stack.clients.dynamodb, stack.env[tables.billing.envVar]!).get(event.id);
    expect(stored).toMatchObject({ deliveries: 3, outcome: 'applied' });
  });

  it('refuses a tampered body and a missing signature with 400, applying nothing', async () => {
    // Prepare
    const event = paymentSucceeded({ amount: 11900, invoiceNumber: issued.get('cus_refused')!.number });
    const body = JSON.stringify(event);
    // Act
    const tampered = await postWebhook(api.url, body.replace('11900', '1'), { 'stripe-signature': signature(body, SECRET) });
    const unsigned = await postWebhook(api.url, body, {});
    const notJson = await postWebhook(api.url, 'hello', { 'stripe-signature': signature('hello', SECRET) });
    await applied();
    // Assess
    expect([tampered.status, unsigned.status, notJson.status]).toEqual([400, 400, 400]);
    expect(String(tampered.json.error)).toContain('no v1 signature matches');
    expect(String(unsigned.json.error)).toContain('Stripe-Signature header is missing');
    expect(await invoiceOf('cus_refused')).toMatchObject({ paymentStatus: 'unpaid', amountPaid: 0, payments: [] });
    expect(await new DynamoDbWebhookEventStore(stack.clients.dynamodb, stack.env[tables.billing.envVar]!).get(event.id)).toBeUndefined();
  });

  it('refuses a correctly signed event over 350 KB with 413 (not 500), storing and applying nothing', async () => {
    // Prepare: 400 KB, over DynamoDB's item limit once stored
    const event = paymentSucceeded({ amount: 11900, invoiceNumber: issued.get('cus_refused')!.number });
    (event.data.object as { metadata: Record<string, string> }).metadata.pad = 'x'.repeat(400 * 1024);
    const body = JSON.stringify(event);
    // Act
    const answers = [await postWebhook(api.url, body, { 'stripe-signature': signature(body, SECRET) })];
    answers.push(await postWebhook(api.url, body, { 'stripe-signature': signature(body, SECRET) }));
    await applied();
    // Assess: every retry gets the same 413
    expect(answers.map((answer) => answer.status)).toEqual([413, 413]);
    expect(String(answers[0]!.json.error)).toContain('at most 358400 are accepted');
    expect(await invoiceOf('cus_refused')).toMatchObject({ paymentStatus: 'unpaid', amountPaid: 0, payments: [] });
    expect(await new DynamoDbWebhookEventStore(stack.clients.dynamodb, stack.env[tables.billing.envVar]!).get(event.id)).toBeUndefined();
  });

  it('keeps a payment for an unknown invoice as unmatched, and `payments match` applies it', async () => {
    // Prepare: the payer mistyped the invoice number
    const paymentIntent = newPaymentIntentId();
    const number = issued.get('cus_unmatched')!.number!;
    await deliver(api.url, paymentSucceeded({ paymentIntent, amount: 11900, invoiceNumber: 'ACME-2026-999999' }), SECRET);
    await deliver(api.url, paymentSucceeded({ amount: 500, currency: 'usd', invoiceNumber: number }), SECRET);
    await applied();

    // Act
    const unmatched = await billflow('payments', 'unmatched', '--json');
    const wrongCurrency = JSON.parse(unmatched.stdout) as { paymentId: string; currency: string; reason: string; received: number }[];
    const refused = await billflow('payments', 'match', wrongCurrency.find((row) => row.currency === 'USD')!.paymentId, number);
    const matched = await billflow('payments', 'match', paymentIntent, number, '--json');
    const after = await billflow('payments', 'unmatched', '--json');
    const shown = await billflow('invoices', 'show', number, '--json');

    // Assess
    expect(unmatched.code, unmatched.stderr).toBe(0);
    expect(wrongCurrency.map((row) => [row.paymentId === paymentIntent, row.currency, row.received, row.reason]).sort()).toEqual([
      [false, 'USD', 500, `the payment is in USD but invoice ${number} is in EUR`],
      [true, 'EUR', 11900, 'there is no invoice ACME-2026-999999'],
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is in EUR');
    expect(matched.code, matched.stderr).toBe(0);
    expect(JSON.parse(matched.stdout)).toMatchObject({
      paymentId: paymentIntent,
      number,
      paymentStatus: 'paid',
      amountPaid: 11900,
      amountDue: 0,
    });
    expect((JSON.parse(after.stdout) as { currency: string }[]).map((row) => row.currency)).toEqual(['USD']);
    const invoice = JSON.parse(shown.stdout) as Invoice & { overdue: boolean; paymentSummary: { paymentId: string; net: number }[] };
    expect(invoice).toMatchObject({ paymentStatus: 'paid', overdue: false, paymentSummary: [{ paymentId: paymentIntent, net: 11900 }] });
  });

  it('keeps an invoice whose payment was charged back (dispute lost) disputed, with the amount reversed, and lists the dispute', async () => {
    // Prepare
    const number = issued.get('cus_chargeback')!.number!;
    const paymentIntent = newPaymentIntentId();
    const dispute = newDisputeId();
    const at = (hours: number) => Date.now() - (72 - hours) * 3_600_000;
    await deliver(api.url, paymentSucceeded({ paymentIntent, amount: 11900, invoiceNumber: number, at: at(0) }), SECRET);
    await deliver(
      api.url,
      disputeEvent('charge.dispute.created', { paymentIntent, dispute, amount: 11900, status: 'needs_response', at: at(1) }),
      SECRET,
    );
    await applied();
    const whileOpen = await invoiceOf('cus_chargeback');

    // Act
    await deliver(
      api.url,
      disputeEvent('charge.dispute.closed', { paymentIntent, dispute, amount: 11900, status: 'lost', at: at(48) }),
      SECRET,
    );
    await applied();
    const listed = await billflow('payments', 'list', '--invoice', number, '--json');
    const table = await billflow('payments', 'list', '--invoice', number);
    const shown = await billflow('invoices', 'show', number);

    // Assess
    expect(whileOpen).toMatchObject({ paymentStatus: 'disputed', amountPaid: 0, amountDue: 11900 });
    expect(whileOpen.amountReversed).toBeUndefined();
    expect(await invoiceOf('cus_chargeback')).toMatchObject({
      paymentStatus: 'disputed',
      amountPaid: 0,
      amountDue: 11900,
      amountReversed: 11900,
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        paymentId: paymentIntent,
        invoiceNumber: number,
        received: 11900,
        reversedByDisputes: 11900,
        net: 0,
        disputes: [{ disputeId: dispute, status: 'lost', amount: 11900 }],
      }),
    ]);
    expect(table.stdout).toContain(`${dispute} lost 119.00 EUR`);
    expect(shown.stdout).toContain('payment disputed');
    expect(shown.stdout).toContain('reversed by lost disputes 119.00 EUR');
  });

  it('emails reminders 3, 10 and 20 days after the due date, each once, and none once the invoice is paid', async () => {
    // Prepare
    const invoice = issued.get('cus_overdue')!;
    const day = (days: number) => new Date(Date.parse(`${invoice.dueDate}T06:00:00Z`) + days * 86_400_000).toISOString();
    expect(invoice.dueDate).toBe('2026-12-01');

    // Act / Assess: nothing before day 3
    await runDunning(day(2));
    expect(await remindersTo('cus_overdue')).toHaveLength(0);
    // day 3: the first reminder; the same run again sends nothing more
    const third = await runDunning(day(3));
    await runDunning(day(3));
    expect(third.sent.filter((sent) => sent.number === invoice.number)).toEqual([expect.objectContaining({ stage: 3 })]);
    expect(await remindersTo('cus_overdue')).toHaveLength(1);
    // day 10: the second, from the CLI this time
    const cli = await billflow('invoices', 'run-dunning', '--as-of', day(10), '--json');
    expect(cli.code, cli.stderr).toBe(0);
    const reminders = await remindersTo('cus_overdue');
    expect(reminders).toHaveLength(2);
    expect(reminders[1]!.subject).toBe(`Reminder: invoice ${invoice.number} from Acme Cloud GmbH is 10 days overdue`);
    expect(reminders[1]!.attachments.map((attachment) => attachment.filename)).toEqual([`${invoice.number}.pdf`]);
    const shown = JSON.parse((await billflow('invoices', 'show', invoice.number!, '--as-of', day(10), '--json')).stdout) as {
      overdue: boolean;
      daysOverdue: number;
      reminders: { stage: number; status: string }[];
    };
    expect(shown).toMatchObject({ overdue: true, daysOverdue: 10 });
    expect(shown.reminders.map((reminder) => [reminder.stage, reminder.status])).toEqual([
      [3, 'sent'],
      [10, 'sent'],
    ]);

    // paid in full before day 20: no third reminder
    await deliver(api.url, paymentSucceeded({ amount: 11900, invoiceNumber: invoice.number }), SECRET);
    await applied();
    await runDunning(day(20));
    await runDunning(day(25));
    expect(await remindersTo('cus_overdue')).toHaveLength(2);
    expect(await invoiceOf('cus_overdue')).toMatchObject({ paymentStatus: 'paid' });
    // The same runs left the charged-back invoice (due the same day) to the operator.
    expect(issued.get('cus_chargeback')!.dueDate).toBe(invoice.dueDate);
    expect(await remindersTo('cus_chargeback')).toHaveLength(0);
  });

  it('settles the charged-back invoice once the operator credits it in full, the reversal still shown', async () => {
    // Prepare
    const number = issued.get('cus_chargeback')!.number!;

    // Act
    const credited = await billflow('invoices', 'credit', number, '--all', '--reason', 'chargeback lost: written off', '--json');
    const listed = await billflow('payments', 'list', '--invoice', number, '--json');

    // Assess
    expect(credited.code, credited.stderr).toBe(0);
    expect(JSON.parse(credited.stdout)).toMatchObject({ creditNote: { total: 11900, appliedToInvoice: 11900 } });
    expect(await invoiceOf('cus_chargeback')).toMatchObject({
      paymentStatus: 'credited',
      amountPaid: 0,
      amountDue: 0,
      creditedAmount: 11900,
      amountReversed: 11900,
      customerCredit: 0,
    });
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ reversedByDisputes: 11900, net: 0 })]);
    const after = await runDunning('2026-12-31T06:00:00Z');
    expect(after.sent.map((sent) => sent.number)).not.toContain(number);
    expect(await remindersTo('cus_chargeback')).toHaveLength(0);
  });
});
