/**
 * Outbound events end to end on the local services (issue 19): a month of usage (one event
 * rejected), its invoices drafted, finalized and emailed through the real handler modules, and
 * every fact posted to two webhook endpoints, signed with Standard Webhooks and verified by a
 * local receiver with the `standardwebhooks` package:
 * - the flaky endpoint answers 500, then times out, then accepts: every event arrives, each id
 *   once after deduping on webhook-id;
 * - the dead endpoint answers 500 to every attempt until each event is dead-lettered; once it is
 *   fixed, `billflow webhooks replay --endpoint` sends them again, to it only;
 * - void, credit note and subscription change with a bus that refuses them: their facts wait in
 *   the outbound outbox and the hourly run publishes them, same ids; delivery records expire;
 * - a partial and an unmatched payment, a dunning reminder and a bounce: their facts arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { DynamoDbWebhookEndpointStore } from '#adapters/dynamodb/webhook-endpoint-store.ts';
import { DynamoDbWebhookEventStore } from '#adapters/dynamodb/webhook-event-store.ts';
import { paymentEventMessage } from '#messages/payment-event.ts';
import { localLambdaContext } from '#infra/local/lambda-context.ts';
import { paymentSucceeded } from '#test-support/stripe-events.ts';
import { outboundEventTypes } from '#domain/outbound/catalogue.ts';
import { outboundEventId } from '#domain/outbound/envelope.ts';
import {
  balanceRefunded,
  creditNoteIssued,
  invoiceDelivered,
  invoiceDrafted,
  invoiceFinalized,
  invoiceVoided,
} from '#domain/outbound/facts.ts';
import type { WebhookEndpoint } from '#domain/outbound/webhook-endpoint.ts';
import type { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { queues, schedules, tables } from '#infra/resources.ts';
import { addWebhookEndpoint } from '#use-cases/manage-webhook-endpoints.ts';
import { apiRequest, proCustomer } from '#test-support/invoicing-catalog.ts';
import { createTestStack, type TestStack } from '#test-support/local-stack.ts';
import { runScheduledInvoiceRun, startTestWorkers } from '#test-support/local-functions.ts';
import { drainDelivery, prepareDelivery } from '#test-support/delivery-harness.ts';
import { queueDepth, waitForDrained } from '#test-support/ingest-harness.ts';
import { runBillflow } from '#test-support/billflow-cli.ts';
import { localOutputs } from '#infra/local/function-environment.ts';
import { TEST_REGION } from '#test-support/local-stack.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbOutboundOutbox } from '#adapters/dynamodb/outbound-outbox.ts';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { OutboundPublishError } from '#adapters/errors.ts';
import { noBusinessMetrics } from '#ports/business-metrics.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { voidInvoice } from '#use-cases/void-invoice.ts';
import { issueCreditNote } from '#use-cases/issue-credit-note.ts';
import { changeSubscription } from '#use-cases/manage-subscriptions.ts';
import { refundCustomerBalance } from '#use-cases/refund-customer-balance.ts';
import { DynamoDbCustomerBalances } from '#adapters/dynamodb/customer-balance-store.ts';
import { owedToCustomer } from '#test-support/balance-fixtures.ts';

interface Received {
  readonly id: string;
  readonly type: string;
  readonly body: { id: string; type: string; subject?: string; data: Record<string, unknown> };
}

/** A webhook receiver that verifies every request's signature and answers as `answer` says. */
class Receiver {
  readonly accepted: Received[] = [];
  readonly refusedSignatures: string[] = [];
  requests = 0;
  private server!: Server;
  constructor(
    private readonly answer: (request: number) => 'ok' | 'fail' | 'hang',
    private readonly secret: () => string,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((listening) => this.server.listen(0, '127.0.0.1', listening));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    this.requests += 1;
    const behaviour = this.answer(this.requests);
    if (behaviour === 'hang') return; // no answer: the sender's timeout fails the attempt
    if (behaviour === 'fail') return void response.writeHead(500).end('down for maintenance');
    let verified: Received['body'];
    try {
      verified = new Webhook(this.secret()).verify(body, request.headers as Record<string, string>) as Received['body'];
    } catch (error) {
      this.refusedSignatures.push((error as Error).message);
      return void response.writeHead(401).end();
    }
    this.accepted.push({ id: String(request.headers['webhook-id']), type: verified.type, body: verified });
    response.writeHead(204).end();
  }

  /** Deduped on webhook-id, as a subscriber does. */
  ids(): Set<string> {
    return new Set(this.accepted.map((event) => event.id));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((closed) => this.server.close(closed));
  }
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let stack: TestStack;
let workers: { stop(): Promise<void> };
let invoices: DynamoDbInvoiceRepository;
let endpoints: DynamoDbWebhookEndpointStore;
let flaky: WebhookEndpoint;
let dead: WebhookEndpoint;
let deadIsFixed = false;
// The flaky endpoint: 3 answers 500, then 2 with no answer within the timeout, then it works.
const flakyReceiver = new Receiver(
  (request) => (request <= 3 ? 'fail' : request <= 5 ? 'hang' : 'ok'),
  () => flaky.secret,
);
const deadReceiver = new Receiver(
  () => (deadIsFixed ? 'ok' : 'fail'),
  () => dead.secret,
);

beforeAll(async () => {
  stack = await createTestStack({ visibilityTimeoutSeconds: 3 });
  ({ invoices } = await prepareDelivery(stack, [proCustomer('cus_a'), proCustomer('cus_b')]));
  // Fast backoff (1 s between attempts) and a 1 s answer timeout, so 16 attempts take seconds.
  Object.assign(process.env, { WEBHOOK_RETRY_BASE_SECONDS: '1', WEBHOOK_RETRY_MAX_SECONDS: '1', WEBHOOK_TIMEOUT_SECONDS: '1' });
  endpoints = new DynamoDbWebhookEndpointStore(stack.clients.dynamodb, stack.env[tables.billing.envVar]!);
  const add = async (url: string) => {
    const added = await addWebhookEndpoint(url, [...outboundEventTypes], {
      endpoints,
      policy: 'local',
      newId: () => `wh_${randomBytes(4).toString('hex')}`,
      newSecret: () => `whsec_${randomBytes(24).toString('base64')}`,
      now: Date.now,
    });
    if (!added.ok) throw new Error(added.issues.join('; '));
    return added.endpoint;
  };
  flaky = await add(await flakyReceiver.start());
  dead = await add(await deadReceiver.start());
  workers = await startTestWorkers(stack, 'outbound-test', {
    // Deliveries failing on purpose are reported by the poller: expected here.
    onError: (functionId, error) => {
      if (
        functionId !== 'deliver-webhooks' ||
        !String((error as { recordErrors?: unknown[] }).recordErrors ?? error).includes('WebhookDeliveryError')
      )
        console.error(functionId, error);
    },
  });
}, 60_000);

afterAll(async () => {
  await workers?.stop();
  await flakyReceiver.stop();
  await deadReceiver.stop();
});

describe('outbound events', () => {
  it('posts every fact of a month, signed, once per id after dedupe, through 500s and timeouts', async () => {
    const eventsQueue = stack.env[queues.events.envVar]!;
    const bodies = [
      [apiRequest('cus_a', '2026-10-03T10:00:00Z', 1200), apiRequest('cus_a', '2026-10-20T10:00:00Z', 800)],
      [apiRequest('cus_b', '2026-10-11T08:00:00Z', 5000)],
      // An unknown customer: rejected, and reported as events.rejected.
      [apiRequest('cus_unknown', '2026-10-12T08:00:00Z', 10)],
    ];
    for (const body of bodies)
      await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: eventsQueue, MessageBody: JSON.stringify(body) }));
    await waitForDrained(stack.clients.sqs, eventsQueue);

    // Drafts at 00:30 (within the grace period), finalized and emailed at 02:00.
    expect(await runScheduledInvoiceRun('2026-11-01T00:30:00Z')).toMatchObject({ period: '2026-10', jobs: 2, failed: 0 });
    await drainDelivery(stack);
    expect(await runScheduledInvoiceRun('2026-11-01T02:00:00Z')).toMatchObject({ failed: 0 });
    await drainDelivery(stack);

    const october = await Promise.all(['cus_a', 'cus_b'].map(async (customerId) => (await invoices.get(customerId, '2026-10'))!));
    expect(october.map((invoice) => invoice.deliveryStatus)).toEqual(['sent', 'sent']);
    const expected = new Set(
      october.flatMap((invoice) => [
        outboundEventId(invoiceDrafted(invoice)),
        outboundEventId(invoiceFinalized(invoice)),
        outboundEventId(invoiceDelivered(invoice, invoice.emails[0]!)),
      ]),
    );
    await waitFor(
      'every invoice event and the rejection at the flaky endpoint',
      () => flakyReceiver.ids().size >= expected.size + 1,
      90_000,
    );

    const received = flakyReceiver.accepted;
    expect(flakyReceiver.refusedSignatures).toEqual([]);
    // At least once: a step retried may publish a fact twice, with the same id; deduped on it, each fact once.
    const byId = new Map(received.map((event) => [event.id, event]));
    const deduped = [...byId.values()];
    expect(
      deduped
        .filter((event) => event.type !== 'billflow.events.rejected')
        .map((event) => event.id)
        .sort(),
    ).toEqual([...expected].sort());
    for (const event of received) expect(event.body).toEqual(byId.get(event.id)!.body);
    const counts = Object.fromEntries(
      ['drafted', 'finalized', 'delivered'].map((fact) => [fact, deduped.filter((e) => e.type === `billflow.invoice.${fact}`).length]),
    );
    expect(counts).toEqual({ drafted: 2, finalized: 2, delivered: 2 });
    const rejected = deduped.filter((event) => event.type === 'billflow.events.rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.body.data).toMatchObject({ customerId: 'cus_unknown', reason: expect.stringContaining('cus_unknown') });
    const finalized = deduped.find((event) => event.type === 'billflow.invoice.finalized' && event.body.subject === 'cus_a')!;
    expect(finalized.body.data).toMatchObject({ invoice: { number: october[0]!.number, customerId: 'cus_a', total: october[0]!.total } });
    // It failed 5 times before that (3 x 500, 2 timeouts), each attempt recorded with its answer.
    const attempts = await endpoints.listAttempts({ endpointId: flaky.id, limit: 100 });
    expect(attempts.filter((attempt) => attempt.status === 500)).toHaveLength(3);
    expect(attempts.filter((attempt) => attempt.status === null && attempt.error === 'no answer within 1000 ms')).toHaveLength(2);
    expect(attempts.filter((attempt) => attempt.ok)).toHaveLength(received.length);
  }, 180_000);

  it('dead-letters what an endpoint refused every time, and replays it to that endpoint once it is fixed', async () => {
    const dlq = stack.env[queues.webhookDeliveries.deadLetter.envVar]!;
    // 7 events (a step retried may have published one twice, same id), 16 attempts each, one second apart.
    await waitForDrained(stack.clients.sqs, stack.env[queues.webhookDeliveries.envVar]!, 150_000);
    const deadLettered = await queueDepth(stack.clients.sqs, dlq);
    expect(deadLettered).toBeGreaterThanOrEqual(7);
    expect(deadReceiver.accepted).toEqual([]);
    const failures = await endpoints.listAttempts({ endpointId: dead.id, limit: 1000 });
    // Every message was tried maxReceiveCount times before it was dead-lettered.
    for (const id of flakyReceiver.ids()) {
      expect(failures.filter((attempt) => attempt.eventId === id).length).toBeGreaterThanOrEqual(queues.webhookDeliveries.maxReceiveCount);
    }
    expect(new Set(failures.map((attempt) => attempt.eventId))).toEqual(flakyReceiver.ids());
    const flakyBefore = flakyReceiver.accepted.length;

    deadIsFixed = true;
    const outputsFile = join(mkdtempSync(join(tmpdir(), 'billflow-outbound-')), 'outputs.json');
    writeFileSync(outputsFile, JSON.stringify(localOutputs(stack, stack.endpoints, TEST_REGION, 'http://127.0.0.1:0/')));
    const replay = await runBillflow(outputsFile, ['webhooks', 'replay', '--endpoint', dead.id, '--json']);
    expect(replay.stderr).toBe('');
    expect(JSON.parse(replay.stdout)).toEqual({ replayed: deadLettered, left: 0 });
    await waitFor('the replayed events at the fixed endpoint', () => deadReceiver.ids().size === 7, 60_000);
    await waitForDrained(stack.clients.sqs, stack.env[queues.webhookDeliveries.envVar]!);
    expect(deadReceiver.ids()).toEqual(flakyReceiver.ids());
    expect(deadReceiver.refusedSignatures).toEqual([]);
    // The other endpoint had them already: the replay was for the dead one only.
    expect(flakyReceiver.accepted).toHaveLength(flakyBefore);
  }, 180_000);

  it('publishes the facts of commands whose own publish failed (void, credit note, subscription change, balance refund) from the outbound outbox, with the same ids (billflow outbound flush, the hourly sweep)', async () => {
    // Prepare: a bus that refuses every command's publish; cus_b's email refused for good (voidable).
    const billingTable = stack.env[tables.billing.envVar]!;
    const outbox = new DynamoDbOutboundOutbox(stack.clients.dynamodb, billingTable);
    const refusing: OutboundEvents = {
      publish: async () => {
        throw new OutboundPublishError('bus unavailable');
      },
    };
    const invoiceA = (await invoices.get('cus_a', '2026-10'))!;
    const invoiceB = (await invoices.get('cus_b', '2026-10'))!;
    await invoices.update(invoiceB.number!, (current) => ({
      ...current,
      deliveryStatus: 'failed',
      emails: [],
      deliveryProblem: { kind: 'send_failure', detail: 'mailbox does not exist', at: '2026-11-01T02:00:10.000Z' },
    }));
    const before = flakyReceiver.ids();

    // Act: void, credit note and subscription change, each stored while its publish fails.
    const voided = await voidInvoice(invoiceB.number!, 'issued to the wrong address', {
      invoices,
      metrics: noBusinessMetrics,
      now: () => Date.parse('2026-11-02T09:00:00Z'),
      outbound: refusing,
    });
    const credited = await issueCreditNote(
      invoiceA.number!,
      { reason: 'outage credit', settlement: 'balance', credit: [{ line: 1, amount: '1.00' }] },
      {
        creditNotes: new DynamoDbCreditNoteStore(stack.clients.dynamodb, billingTable),
        metrics: noBusinessMetrics,
        now: () => Date.parse('2026-11-02T09:00:00Z'),
        outbound: refusing,
      },
    );
    const pendingFirst = await outbox.listPending();
    // The operator publishes those now, from the CLI.
    const outputsFile = join(mkdtempSync(join(tmpdir(), 'billflow-outbox-')), 'outputs.json');
    writeFileSync(outputsFile, JSON.stringify(localOutputs(stack, stack.endpoints, TEST_REGION, 'http://127.0.0.1:0/')));
    const flushed = await runBillflow(outputsFile, ['outbound', 'flush', '--json']);
    const cancelled = await changeSubscription(
      'cus_a',
      { kind: 'cancel', at: 'period-end' },
      { catalog: new DynamoDbCatalogRepository(stack.clients.dynamodb, billingTable), invoices, now: Date.now(), outbound: refusing },
    );
    // 12.00 EUR owed to cus_a (a credit note settled to its balance), 2.00 of it paid back by the operator.
    const balances = new DynamoDbCustomerBalances(stack.clients.dynamodb, billingTable);
    await owedToCustomer(balances, {
      customerId: 'cus_a',
      currency: 'EUR',
      amount: 1200,
      creditNote: 'ACME-CN-2026-000077',
      at: '2026-11-02T08:00:00.000Z',
    });
    const refunded = await refundCustomerBalance(
      { customerId: 'cus_a', currency: 'EUR' },
      { amount: '2.00', reference: 'SEPA-0001' },
      { balances, customerExists: () => Promise.resolve(true), now: () => Date.parse('2026-11-02T09:00:00Z'), outbound: refusing },
    );
    const pending = [...pendingFirst, ...(await outbox.listPending())];
    // The hourly run, outside October's closing day: nothing to invoice, only the sweep.
    await runScheduledInvoiceRun('2026-11-05T00:00:00Z');

    // Assess: each command stored its change and said the event is pending; the sweep published each once.
    expect([voided.outboundError, credited.outboundError, cancelled.ok && cancelled.outboundError, refunded.outboundError]).toEqual([
      'bus unavailable',
      'bus unavailable',
      'bus unavailable',
      'bus unavailable',
    ]);
    expect(voided.invoice.status).toBe('void');
    expect(pendingFirst.map((fact) => fact.type).sort()).toEqual(['credit_note.issued', 'invoice.voided']);
    expect([flushed.stderr, JSON.parse(flushed.stdout)]).toEqual(['', { published: 2 }]);
    const expectedIds = [
      outboundEventId(invoiceVoided(voided.invoice)),
      outboundEventId(creditNoteIssued(credited.creditNote, credited.invoice)),
      outboundEventId(pending.find((fact) => fact.type === 'subscription.changed')!),
      outboundEventId(balanceRefunded(refunded.refund, refunded.available)),
    ];
    expect(pending.map(outboundEventId).sort()).toEqual([...expectedIds].sort());
    await waitFor('the four facts from the outbox', () => expectedIds.every((id) => flakyReceiver.ids().has(id)), 60_000);
    expect(await outbox.listPending()).toEqual([]);
    const fresh = flakyReceiver.accepted.filter((event) => !before.has(event.id));
    const types = new Map(fresh.map((event) => [event.id, event.type]));
    expect(expectedIds.map((id) => types.get(id))).toEqual([
      'billflow.invoice.voided',
      'billflow.credit_note.issued',
      'billflow.subscription.changed',
      'billflow.balance.refunded',
    ]);
    const byType = (type: string) => fresh.find((event) => event.type === type)!.body;
    expect(byType('billflow.invoice.voided')).toMatchObject({
      subject: 'cus_b',
      data: { reason: 'issued to the wrong address', invoice: { number: invoiceB.number, status: 'void' } },
    });
    expect(byType('billflow.credit_note.issued').data).toMatchObject({
      creditNote: { number: credited.creditNote.number, invoiceNumber: invoiceA.number, total: credited.creditNote.total },
    });
    expect(byType('billflow.subscription.changed')).toMatchObject({ subject: 'cus_a', data: { customerId: 'cus_a', change: 'cancel' } });
    expect(byType('billflow.balance.refunded')).toMatchObject({
      subject: 'cus_a',
      data: { customerId: 'cus_a', currency: 'EUR', amount: 200, reference: 'SEPA-0001', available: 1000 },
    });
  }, 120_000);

  it('keeps delivery records 30 days (the table TTL attribute expiresAt); webhooks deliveries lists only those kept', async () => {
    // Prepare
    const billingTable = stack.env[tables.billing.envVar]!;
    const day = 86_400_000;
    const attempt = (at: number, eventId: string) => ({
      endpointId: 'wh_retention',
      eventId,
      eventType: 'billflow.invoice.finalized',
      at: new Date(at).toISOString(),
      status: 204,
      latencyMs: 12,
      ok: true,
    });
    const now = Date.now();

    // Act: one attempt 31 days ago (expired, not yet deleted by TTL), one a day ago.
    await endpoints.recordAttempt(attempt(now - 31 * day, 'evt_old'));
    await endpoints.recordAttempt(attempt(now - day, 'evt_recent'));
    await endpoints.markDelivered('wh_retention', 'evt_recent', new Date(now - day).toISOString());

    // Assess
    expect((await endpoints.listAttempts({ endpointId: 'wh_retention' })).map((listed) => listed.eventId)).toEqual(['evt_recent']);
    const { Items = [] } = await stack.clients.dynamodb.send(
      new QueryCommand({
        TableName: billingTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'WEBHOOK#wh_retention' },
      }),
    );
    const expected = (at: number) => Math.floor(at / 1000) + 30 * 86_400;
    expect(Items.map((item) => [String(item.sk).split('#')[0], item.expiresAt])).toEqual([
      ['ATTEMPT', expected(now - 31 * day)],
      ['ATTEMPT', expected(now - day)],
      ['DELIVERED', expected(now - day)],
    ]);
    // Every attempt the delivery function recorded above carries it too.
    const recorded = await stack.clients.dynamodb.send(
      new QueryCommand({
        TableName: billingTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :attempt)',
        ExpressionAttributeValues: { ':pk': `WEBHOOK#${flaky.id}`, ':attempt': 'ATTEMPT#' },
      }),
    );
    expect(recorded.Items!.length).toBeGreaterThan(0);
    for (const item of recorded.Items!) expect(item.expiresAt).toBe(expected(Date.parse((item.attempt as { at: string }).at)));
  });

  it('publishes what payments, dunning and a bounce make: payment status changes, unmatched payments, overdue reminders, failed deliveries', async () => {
    // Prepare: cus_a's October invoice, due 2026-12-01, unpaid, its email linked to it.
    const billingTable = stack.env[tables.billing.envVar]!;
    const invoiceA = (await invoices.get('cus_a', '2026-10'))!;
    const number = invoiceA.number!;
    expect(invoiceA).toMatchObject({ dueDate: '2026-12-01', paymentStatus: 'unpaid' });
    const partial = paymentSucceeded({ amount: 100, currency: invoiceA.currency, invoiceNumber: number, at: '2026-11-20T10:00:00Z' });
    const unnamed = paymentSucceeded({ amount: 500, currency: invoiceA.currency, invoiceNumber: null, at: '2026-11-21T10:00:00Z' });
    const stripeEvents = new DynamoDbWebhookEventStore(stack.clients.dynamodb, billingTable);
    const mailEvents = stack.env[queues.invoiceMailEvents.envVar]!;

    // Act: two Stripe events as receive-stripe-webhook stores and queues them, the daily dunning
    // run 3 days after the due date, then a permanent bounce of the invoice email from SES.
    for (const stripeEvent of [partial, unnamed]) {
      const body = JSON.stringify(stripeEvent);
      const at = new Date(stripeEvent.created * 1000).toISOString();
      await stripeEvents.record({
        provider: 'stripe',
        eventId: stripeEvent.id,
        type: stripeEvent.type,
        createdAt: at,
        receivedAt: at,
        body,
      });
      await stack.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.env[queues.paymentEvents.envVar]!,
          MessageBody: paymentEventMessage.serialize({ eventId: stripeEvent.id }),
        }),
      );
    }
    await waitForDrained(stack.clients.sqs, stack.env[queues.paymentEvents.envVar]!);
    const paidInPart = (await invoices.findByNumber(number))!;
    const { handler: runDunningHandler } = await import('#functions/run-dunning/handler.ts');
    const dunning = await runDunningHandler(
      { asOf: '2026-12-04T06:00:00Z' },
      localLambdaContext({ ...schedules.runDunning, functionName: schedules.runDunning.functionId, region: TEST_REGION }),
    );
    const bounce = {
      eventType: 'Bounce',
      mail: { messageId: invoiceA.emails[0]!.messageId, timestamp: '2026-11-01T02:01:00Z' },
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: invoiceA.buyer.email, diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      },
    };
    await stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: mailEvents,
        MessageBody: JSON.stringify({ Type: 'Notification', MessageId: randomUUID(), Message: JSON.stringify(bounce) }),
      }),
    );

    // Assess: each fact once at the subscriber, with the id its key gives.
    expect(paidInPart.paymentStatus).toBe('partially_paid');
    expect(dunning.sent).toEqual([{ number, stage: 3, messageId: expect.any(String) }]);
    const expected = {
      'billflow.invoice.payment_status_changed': outboundEventId({
        type: 'invoice.payment_status_changed',
        key: [number, partial.id, 'partially_paid'],
      }),
      'billflow.payment.unmatched': outboundEventId({ type: 'payment.unmatched', key: [String(unnamed.data.object.id)] }),
      'billflow.invoice.overdue': outboundEventId({ type: 'invoice.overdue', key: [number, '3'] }),
      'billflow.invoice.delivery_failed': outboundEventId({
        type: 'invoice.delivery_failed',
        key: [number, 'bounce', invoiceA.emails[0]!.messageId],
      }),
    };
    await waitFor('the four facts at the endpoint', () => Object.values(expected).every((id) => flakyReceiver.ids().has(id)), 60_000);
    const received = new Map(flakyReceiver.accepted.map((event) => [event.id, event]));
    for (const [type, id] of Object.entries(expected)) expect(received.get(id)!.type).toBe(type);
    expect(received.get(expected['billflow.invoice.payment_status_changed'])!.body.data).toMatchObject({
      previousStatus: 'unpaid',
      paymentStatus: 'partially_paid',
      invoice: { number, amountPaid: 100 },
    });
    expect(received.get(expected['billflow.payment.unmatched'])!.body).not.toHaveProperty('subject');
    expect(received.get(expected['billflow.payment.unmatched'])!.body.data).toMatchObject({
      namedInvoice: null,
      currency: invoiceA.currency,
    });
    expect(received.get(expected['billflow.invoice.overdue'])!.body).toMatchObject({
      subject: 'cus_a',
      data: { stage: 3, daysOverdue: 3, invoice: { number } },
    });
    expect(received.get(expected['billflow.invoice.delivery_failed'])!.body.data).toMatchObject({ kind: 'bounce', invoice: { number } });
    // The reminder was recorded before its fact was published, and nothing is left in the outbox.
    expect((await invoices.findByNumber(number))!.reminders).toMatchObject([{ stage: 3, status: 'sent' }]);
    expect(await new DynamoDbOutboundOutbox(stack.clients.dynamodb, billingTable).listPending()).toEqual([]);
  }, 120_000);
});
