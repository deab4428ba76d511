/**
 * Per-record isolation in every queue consumer (issue 12): each function's real Lambda handler
 * module, invoked with one batch holding poison records (a body that is not JSON, a job that
 * throws) beside a good one, reports exactly the poison records as batch item failures and
 * completes the good one. (The ingest function builds its own partial batch response: its
 * poison-message test is in test/unit/ingest-limits.test.ts, with the seeded fuzz.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { localFunctionEnvironment } from '#infra/local/function-environment.ts';
import { localLambdaContext } from '#infra/local/lambda-context.ts';
import { consumers, tables } from '#infra/resources.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbWebhookEventStore } from '#adapters/dynamodb/webhook-event-store.ts';
import { lastEndedPeriod, previousPeriod } from '#domain/period.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { CUSTOMERS_ENTERED, invoicingCatalog, proCustomer } from '#test-support/invoicing-catalog.ts';
import { createTestStack, TEST_REGION, type TestStack } from '#test-support/local-stack.ts';

// Ended more than a month ago: its grace period is long over, so one job drafts and finalizes.
const PERIOD = previousPeriod(lastEndedPeriod(Date.now()));

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type Consumer = (typeof consumers)[keyof typeof consumers];

let stack: TestStack;
let invoices: DynamoDbInvoiceRepository;

function record(body: string): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-central-1:000000000000:test',
    awsRegion: TEST_REGION,
  };
}

/** The consumer's handler module with a batch of poison records around one good record. */
async function invoke(consumer: Consumer, good: string, poison: readonly string[]) {
  const { handler } = (await import(/* @vite-ignore */ `../../${consumer.entry}`)) as { handler: SqsHandler };
  const poisonRecords = poison.map(record);
  const goodRecord = record(good);
  const [first, ...rest] = poisonRecords;
  const records = [first!, goodRecord, ...rest];
  const response = await handler(
    { Records: records },
    localLambdaContext({ ...consumer, functionName: consumer.functionId, region: TEST_REGION }),
  );
  return {
    failed: response.batchItemFailures.map((failure) => failure.itemIdentifier).sort(),
    poison: poisonRecords.map((r) => r.messageId).sort(),
  };
}

beforeAll(async () => {
  stack = await createTestStack();
  const billingTable = stack.env[tables.billing.envVar]!;
  const applied = await applyCatalog(
    invoicingCatalog([proCustomer('cus_good')]),
    new DynamoDbCatalogRepository(stack.clients.dynamodb, billingTable, CUSTOMERS_ENTERED),
  );
  if (!applied.ok) throw new Error('catalog invalid');
  invoices = new DynamoDbInvoiceRepository(stack.clients.dynamodb, billingTable);
  Object.assign(process.env, localFunctionEnvironment(stack, stack.endpoints, TEST_REGION, { verbose: false }));
});

describe('a poison record fails alone', () => {
  // In pipeline order: each good record makes what the next consumer's good record needs.
  it('close-billing-period: the good customer is invoiced', async () => {
    const job = (customerId: string) => JSON.stringify({ customerId, period: PERIOD, asOf: new Date().toISOString() });
    const outcome = await invoke(consumers.closeBillingPeriod, job('cus_good'), [
      'not json',
      JSON.stringify({ customerId: 'cus_good', period: '2026-13' }),
      job('cus_not_in_catalog'),
    ]);
    expect(outcome.failed).toEqual(outcome.poison);
    expect(await invoices.get('cus_good', PERIOD)).toMatchObject({ status: 'finalized' });
  });

  it('render-invoice: the good invoice is rendered', async () => {
    const { number } = (await invoices.get('cus_good', PERIOD))!;
    const outcome = await invoke(consumers.renderInvoice, JSON.stringify({ number }), [
      '{"number":',
      JSON.stringify({ number: 'NOPE-2026-000001' }),
    ]);
    expect(outcome.failed).toEqual(outcome.poison);
    expect((await invoices.findByNumber(number!))?.document).not.toBeNull();
  });

  it('send-invoice: the good invoice is emailed', async () => {
    const { number } = (await invoices.get('cus_good', PERIOD))!;
    const outcome = await invoke(consumers.sendInvoice, JSON.stringify({ number }), ['[', JSON.stringify({ number: 'NOPE-2026-000001' })]);
    expect(outcome.failed).toEqual(outcome.poison);
    expect(await invoices.findByNumber(number!)).toMatchObject({ deliveryStatus: 'sent' });
  });

  it('record-mail-event: the good event is handled', async () => {
    const sesEvent = (eventType: string, messageId: string) =>
      JSON.stringify({
        eventType,
        mail: { messageId, timestamp: new Date().toISOString(), destination: ['a@b.example'] },
        bounce: { bounceType: 'Permanent', bouncedRecipients: [] },
      });
    const outcome = await invoke(consumers.recordMailEvent, sesEvent('Delivery', 'any'), ['', sesEvent('Bounce', 'no-such-message')]);
    expect(outcome.failed).toEqual(outcome.poison);
  });

  it('apply-payment-event: the good event is applied', async () => {
    const store = new DynamoDbWebhookEventStore(stack.clients.dynamodb, stack.env[tables.billing.envVar]!);
    const eventId = `evt_${randomUUID().replaceAll('-', '')}`;
    const body = JSON.stringify({
      id: eventId,
      object: 'event',
      type: 'customer.created',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'cus_x', object: 'customer' } },
    });
    await store.record({
      provider: 'stripe',
      eventId,
      type: 'customer.created',
      createdAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      body,
    });
    const outcome = await invoke(consumers.applyPaymentEvent, JSON.stringify({ eventId }), [
      'not json',
      JSON.stringify({ eventId: 'evt_never_stored' }),
    ]);
    expect(outcome.failed).toEqual(outcome.poison);
    expect(await store.get(eventId)).toMatchObject({ outcome: 'ignored' });
  });
});
