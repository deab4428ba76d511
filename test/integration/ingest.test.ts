/**
 * Ingestion through the real local path: SQS (fauxqs) -> event-source-mapping poller ->
 * ingest handler -> DynamoDB Local. Counts come back through the same accounting `billflow
 * stats` prints, and the events through the reader the invoice run uses.
 */
import { describe, expect, it } from 'vitest';
import { batchBodies, sendBodies } from '#adapters/sqs/send-bodies.ts';
import { redriveMessages } from '#adapters/sqs/redrive.ts';
import { accountEvents } from '#use-cases/account-events.ts';
import { collectBillableEvents } from '#use-cases/read-billable-events.ts';
import type { RejectedEvent } from '#ports/rejected-event-store.ts';
import { aCatalog, aCloudEvent } from '#test-support/factories.ts';
import { faultyDocumentClient } from '#test-support/faults.ts';
import { createIngestHarness, queueDepth, waitForDrained } from '#test-support/ingest-harness.ts';
import type { SqsHandler } from '#infra/local/queue-poller.ts';

async function listRejected(harness: { rejected: { list(f?: object): AsyncIterable<RejectedEvent> } }): Promise<RejectedEvent[]> {
  const all: RejectedEvent[] = [];
  for await (const rejection of harness.rejected.list()) all.push(rejection);
  return all;
}

describe('ingest through SQS and the event source mapping', () => {
  it('stores every distinct event once: duplicates within a batch, across batches and across redeliveries', async () => {
    // Prepare
    const harness = await createIngestHarness(aCatalog(['cus_1', 'cus_2']));
    const events = Array.from({ length: 100 }, (_, i) => aCloudEvent({ id: `e-${i}`, subject: i % 2 === 0 ? 'cus_1' : 'cus_2' }));
    const withCopyInside = JSON.stringify([events[0], events[0], events[1]]);
    const copyInAnotherMessage = JSON.stringify(events[2]);
    const toBeRedelivered = JSON.stringify([events[3], events[4]]);
    // The first invocation that sees this message stores its events, then fails as a Lambda
    // timing out would: SQS delivers the very same message again after the visibility timeout.
    let failedAfterStoring = 0;
    let deliveriesRedone = 0;
    const failOnceAfterStoring =
      (handler: SqsHandler): SqsHandler =>
      async (event, context) => {
        const response = await handler(event, context);
        if (failedAfterStoring === 0 && event.Records.some((record) => record.body === toBeRedelivered)) {
          failedAfterStoring += 1;
          for (const record of event.Records) {
            const body: unknown = JSON.parse(record.body);
            deliveriesRedone += Array.isArray(body) ? body.length : 1;
          }
          throw new Error('simulated timeout after the writes');
        }
        return response;
      };

    // Act
    await sendBodies(harness.stack.clients.sqs, harness.stack.eventsQueueUrl, [
      JSON.stringify(events),
      withCopyInside,
      copyInAnotherMessage,
      toBeRedelivered,
    ]);
    const workers = harness.startWorkers({ wrap: failOnceAfterStoring, concurrency: 1 });
    await waitForDrained(harness.stack.clients.sqs, harness.stack.eventsQueueUrl);
    await workers.stop();

    // Assess: 100 + 3 + 1 + 2 deliveries, plus every message of the failed invocation again.
    expect(failedAfterStoring).toBe(1);
    const statement = await accountEvents(harness.events, harness.rejected, { period: '2026-11' });
    expect(statement.accepted).toBe(100);
    expect(statement.rejected).toBe(0);
    expect(deliveriesRedone).toBeGreaterThanOrEqual(2);
    expect(statement.received).toBe(106 + deliveriesRedone);
    expect(statement.duplicates).toBe(6 + deliveriesRedone);
    const cus1 = await collectBillableEvents(harness.events, 'cus_1', '2026-11');
    expect(cus1.events.map((e) => e.id).sort()).toEqual(
      events
        .filter((_, i) => i % 2 === 0)
        .map((e) => e.id)
        .sort(),
    );
    const cus2 = await collectBillableEvents(harness.events, 'cus_2', '2026-11');
    expect(cus2.events).toHaveLength(50);
  });

  it('accepts a batch body of exactly 100 events and rejects one of 101, keeping each event for replay', async () => {
    // Prepare
    const harness = await createIngestHarness(aCatalog(['cus_1']));
    const hundred = Array.from({ length: 100 }, () => aCloudEvent());
    const hundredAndOne = Array.from({ length: 101 }, () => aCloudEvent());

    // Act
    await sendBodies(harness.stack.clients.sqs, harness.stack.eventsQueueUrl, [JSON.stringify(hundred), JSON.stringify(hundredAndOne)]);
    const workers = harness.startWorkers();
    await waitForDrained(harness.stack.clients.sqs, harness.stack.eventsQueueUrl);
    await workers.stop();

    // Assess
    const statement = await accountEvents(harness.events, harness.rejected);
    expect(statement).toMatchObject({ received: 201, accepted: 100, duplicates: 0, rejected: 101 });
    const rejected = await listRejected(harness);
    expect(rejected).toHaveLength(101);
    expect(rejected[0]!.reason).toBe('arrived in a batch of 101 events; a batch holds at most 100: split it');
    expect(new Set(rejected.map((r) => JSON.parse(r.body).id))).toEqual(new Set(hundredAndOne.map((e) => e.id)));
  });

  it('rejects malformed JSON and invalid events with their body and a reason, without blocking the queue', async () => {
    // Prepare
    const harness = await createIngestHarness(aCatalog(['cus_1']));
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    const invalid = [
      aCloudEvent({ id: 'no-subject', subject: undefined as unknown as string }),
      aCloudEvent({ id: 'unknown-customer', subject: 'cus_nobody' }),
      aCloudEvent({ id: 'from-the-future', time: future }),
      aCloudEvent({ id: 'tokens-missing', data: { model: 'small' } }),
      aCloudEvent({ id: 'tokens-text', data: { tokens: 'many' } }),
      aCloudEvent({ id: 'bad-version', specversion: '0.3' }),
    ];
    const valid = [aCloudEvent({ id: 'ok-1' }), aCloudEvent({ id: 'ok-2', data: { tokens: '12.5' } })];

    // Act
    await sendBodies(harness.stack.clients.sqs, harness.stack.eventsQueueUrl, [
      '{"specversion": "1.0", "id": ',
      JSON.stringify([...invalid, ...valid]),
    ]);
    const workers = harness.startWorkers();
    await waitForDrained(harness.stack.clients.sqs, harness.stack.eventsQueueUrl);
    await workers.stop();

    // Assess
    const reasons = Object.fromEntries((await listRejected(harness)).map((r) => [r.id ?? r.body, r.reason]));
    expect(reasons['{"specversion": "1.0", "id": ']).toMatch(/^body is not JSON/);
    expect(reasons['no-subject']).toBe('subject is missing');
    expect(reasons['unknown-customer']).toBe(
      'unknown customer "cus_nobody" in subject: add the customer to the catalog (billflow catalog apply), then billflow events replay',
    );
    expect(reasons['from-the-future']).toMatch(/is more than 5 minutes in the future/);
    expect(reasons['tokens-missing']).toBe('data.tokens (read by meter tokens) is missing');
    expect(reasons['tokens-text']).toMatch(/^data.tokens \(read by meter tokens\) must be a finite number/);
    expect(reasons['bad-version']).toBe('specversion must be "1.0"');
    const statement = await accountEvents(harness.events, harness.rejected);
    expect(statement).toMatchObject({ accepted: 2, rejected: 7, duplicates: 0, received: 9 });
    expect(await queueDepth(harness.stack.clients.sqs, harness.stack.eventsDlqUrl)).toBe(0);
  });

  it('retries only the messages whose writes were throttled or timed out; the others are not redone', async () => {
    // Prepare
    const harness = await createIngestHarness(aCatalog(['cus_ok', 'cus_throttled', 'cus_slow']));
    const failures = new Map([
      ['cus_throttled', 2],
      ['cus_slow', 1],
    ]);
    const { client, injected } = faultyDocumentClient(harness.stack.endpoints.dynamodb, {
      failWhen: (pk) => {
        for (const [customer, left] of failures) {
          if (pk.startsWith(`E|${customer}|`) && left > 0) {
            failures.set(customer, left - 1);
            return customer === 'cus_slow' ? 'timeout' : 'throttle';
          }
        }
        return undefined;
      },
    });
    // One customer per message, so a retried message can only repeat its own customer's events.
    const perCustomer = (customer: string) => Array.from({ length: 50 }, () => aCloudEvent({ subject: customer }));
    const bodies = ['cus_ok', 'cus_throttled', 'cus_slow'].flatMap((customer) => batchBodies(perCustomer(customer), 25));

    // Act
    await sendBodies(harness.stack.clients.sqs, harness.stack.eventsQueueUrl, bodies);
    const workers = harness.startWorkers({ dynamodb: client, concurrency: 1 });
    await waitForDrained(harness.stack.clients.sqs, harness.stack.eventsQueueUrl, 60_000);
    await workers.stop();

    // Assess
    expect(injected()).toBeGreaterThanOrEqual(3);
    const statement = await accountEvents(harness.events, harness.rejected);
    const row = (customer: string) => statement.rows.find((r) => r.customerId === customer);
    expect(row('cus_ok')).toMatchObject({ received: 50, accepted: 50, duplicates: 0 });
    expect(row('cus_throttled')).toMatchObject({ accepted: 50 });
    expect(row('cus_slow')).toMatchObject({ accepted: 50 });
    expect(statement.accepted).toBe(150);
    expect(await queueDepth(harness.stack.clients.sqs, harness.stack.eventsDlqUrl)).toBe(0);
  });

  it('moves a poison message to the DLQ after 5 receives, and `dlq redrive` brings it back once fixed', async () => {
    // Prepare
    const harness = await createIngestHarness(aCatalog(['cus_ok', 'cus_poison']), { visibilityTimeoutSeconds: 2 });
    const { client } = faultyDocumentClient(harness.stack.endpoints.dynamodb, {
      failWhen: (pk) => (pk.startsWith('E|cus_poison|') ? 'throttle' : undefined),
    });
    const poison = [aCloudEvent({ subject: 'cus_poison', id: 'p-1' }), aCloudEvent({ subject: 'cus_poison', id: 'p-2' })];
    const healthy = [aCloudEvent({ subject: 'cus_ok', id: 'h-1' })];

    // Act: the store keeps failing for the poison message's customer until it is dead-lettered.
    await sendBodies(harness.stack.clients.sqs, harness.stack.eventsQueueUrl, [JSON.stringify(poison), JSON.stringify(healthy)]);
    const failing = harness.startWorkers({ dynamodb: client, concurrency: 1 });
    await waitForDrained(harness.stack.clients.sqs, harness.stack.eventsQueueUrl, 45_000);
    await failing.stop();
    const dlqDepth = await queueDepth(harness.stack.clients.sqs, harness.stack.eventsDlqUrl);
    const moved = await redriveMessages(harness.stack.clients.sqs, harness.stack.eventsDlqUrl, harness.stack.eventsQueueUrl);
    const healed = harness.startWorkers();
    await waitForDrained(harness.stack.clients.sqs, harness.stack.eventsQueueUrl);
    await healed.stop();

    // Assess
    expect(dlqDepth).toBe(1);
    expect(moved.moved).toBe(1);
    expect(await queueDepth(harness.stack.clients.sqs, harness.stack.eventsDlqUrl)).toBe(0);
    const statement = await accountEvents(harness.events, harness.rejected);
    expect(statement).toMatchObject({ accepted: 3, duplicates: 0, rejected: 0, received: 3 });
  });
});
