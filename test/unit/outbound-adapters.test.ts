/**
 * The EventBridge adapter (PutEvents in batches of 10, failed entries sent again, what still
 * fails thrown so the step is retried) and the SSRF guard of webhook deliveries in AWS.
 */
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventBridgeOutboundEvents } from '#adapters/eventbridge/eventbridge-outbound-events.ts';
import { OutboundPublishError } from '#adapters/errors.ts';
import { isPublicAddress } from '#adapters/http/address-policy.ts';
import { HttpWebhookSender } from '#adapters/http/webhook-sender.ts';
import { invoiceOverdue } from '#domain/outbound/facts.ts';
import { exampleEnvelopes } from '#domain/outbound/examples.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';

const facts = Array.from({ length: 23 }, (_, index) =>
  invoiceOverdue(anInvoice({ number: `ACME-2026-${String(index + 1).padStart(6, '0')}` }), 3, 3, '2027-01-03T06:00:00Z'),
);

describe('EventBridgeOutboundEvents', () => {
  it('puts every event on the bus in batches of at most 10, the CloudEvent as the detail', async () => {
    const bus = mockClient(EventBridgeClient);
    bus
      .on(PutEventsCommand)
      .callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    await new EventBridgeOutboundEvents(new EventBridgeClient({}), 'billflow-prod-events', 'billflow/billflow-prod').publish(facts);
    const calls = bus.commandCalls(PutEventsCommand);
    expect(calls.map((call) => call.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
    const entry = calls[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({
      EventBusName: 'billflow-prod-events',
      Source: 'billflow/billflow-prod',
      DetailType: 'billflow.invoice.overdue',
    });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ specversion: '1.0', type: 'billflow.invoice.overdue', subject: 'cus_42' });
    bus.restore();
  });

  it('sends the failed entries again, and only those', async () => {
    const bus = mockClient(EventBridgeClient);
    bus
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: 'c' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    await new EventBridgeOutboundEvents(new EventBridgeClient({}), 'bus', 'billflow/x', { backoffMs: 1 }).publish(facts.slice(0, 3));
    const calls = bus.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(JSON.parse(calls[1]!.args[0].input.Entries![0]!.Detail!).data.invoice.number).toBe('ACME-2026-000002');
    bus.restore();
  });

  it('throws OutboundPublishError naming the error when entries still fail, so the step is retried', async () => {
    const bus = mockClient(EventBridgeClient);
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    const publishing = new EventBridgeOutboundEvents(new EventBridgeClient({}), 'bus', 'billflow/x', { attempts: 2, backoffMs: 1 }).publish(
      facts.slice(0, 1),
    );
    await expect(publishing).rejects.toBeInstanceOf(OutboundPublishError);
    await expect(publishing).rejects.toThrow('1 outbound event(s) not accepted by bus bus: InternalFailure: try again');
    bus.restore();
  });
});

describe('webhook deliveries in AWS (SSRF guard)', () => {
  it('connect to public addresses only', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(isPublicAddress(address), address).toBe(true);
  });

  it('refuse http, loopback and metadata addresses before connecting, and names resolving to them', async () => {
    const sender = new HttpWebhookSender({ policy: 'public-https', timeoutMs: 2000 });
    const endpoint = (url: string) => ({
      id: 'wh_1',
      url,
      events: ['invoice.finalized' as const],
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      createdAt: '',
    });
    const envelope = exampleEnvelopes()[1]!;
    expect(await sender.post(endpoint('http://hooks.example.com/'), envelope)).toMatchObject({
      status: null,
      error: expect.stringContaining('https only'),
    });
    expect(await sender.post(endpoint('https://169.254.169.254/latest/meta-data'), envelope)).toMatchObject({
      status: null,
      error: '169.254.169.254 is not a public address: webhooks may not be sent to it',
    });
    expect(await sender.post(endpoint('https://[::1]:8443/'), envelope)).toMatchObject({
      status: null,
      error: expect.stringContaining('not a public address'),
    });
    expect(await sender.post(endpoint('https://localhost:8443/'), envelope)).toMatchObject({
      status: null,
      error: expect.stringMatching(/localhost resolves to (127\.0\.0\.1|::1), which webhooks may not be sent to/),
    });
  });
});
