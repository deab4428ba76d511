/**
 * Outbound events (issue 19): stable ids per fact, the CloudEvents 1.0 envelope, no bank data
 * or documents in `data`, the URL rules of webhook endpoints, and a retry schedule that holds a
 * failing delivery for at least 3 days before it is dead-lettered.
 */
import { describe, expect, it } from 'vitest';
import { outboundEventTypes } from '#domain/outbound/catalogue.ts';
import { envelopeOf, outboundEventId, outboundSource } from '#domain/outbound/envelope.ts';
import { exampleEnvelopes } from '#domain/outbound/examples.ts';
import { applyPayments } from '#domain/payments/invoice-payments.ts';
import {
  deliveryOutcomeFacts,
  paymentStatusChangeOf,
  invoiceDrafted,
  invoiceFinalized,
  invoiceOverdue,
  invoiceVoided,
  paymentStatusChanged,
  subscriptionChanged,
} from '#domain/outbound/facts.ts';
import { DEFAULT_RETRY_SCHEDULE, endpointIssues, retryDelaySeconds, retryWindowSeconds } from '#domain/outbound/webhook-endpoint.ts';
import { queues } from '#infra/resources.ts';
import { webhookDeliveryMessage } from '#messages/webhook-delivery.ts';
import { aDraftInvoice, anInvoice } from '#test-support/invoice-factory.ts';

const source = outboundSource('billflow-prod');

describe('outbound event ids', () => {
  it('are the same for the same fact, whenever and however often it is built (a retried step)', () => {
    const invoice = anInvoice({ number: 'ACME-2026-000007', finalizedAt: '2026-12-01T02:00:00.000Z' });
    const first = envelopeOf(invoiceFinalized(invoice), source);
    const retried = envelopeOf(invoiceFinalized({ ...invoice, updatedAt: '2026-12-01T03:00:00.000Z', deliveryStatus: 'sent' }), source);
    expect(retried.id).toBe(first.id);
    expect(first.id).toMatch(/^evt_[0-9a-f]{32}$/);
  });

  it('differ between facts: type, invoice, reminder stage, new payment status', () => {
    const invoice = anInvoice({ number: 'ACME-2026-000007' });
    const ids = [
      envelopeOf(invoiceFinalized(invoice), source).id,
      envelopeOf(invoiceVoided({ ...invoice, status: 'void', voidReason: 'x' }), source).id,
      envelopeOf(invoiceFinalized({ ...invoice, number: 'ACME-2026-000008' }), source).id,
      envelopeOf(invoiceOverdue(invoice, 3, 3, '2027-01-03T06:00:00Z'), source).id,
      envelopeOf(invoiceOverdue(invoice, 10, 10, '2027-01-10T06:00:00Z'), source).id,
      envelopeOf(paymentStatusChanged({ ...invoice, paymentStatus: 'paid' }, 'unpaid', 'evt_1')!, source).id,
      envelopeOf(paymentStatusChanged({ ...invoice, paymentStatus: 'refunded' }, 'paid', 'evt_2')!, source).id,
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('cannot collide by moving a separator between key parts', () => {
    expect(outboundEventId({ type: 'events.rejected', key: ['a', 'b|c'] })).not.toBe(
      outboundEventId({ type: 'events.rejected', key: ['a|b', 'c'] }),
    );
  });

  it('give one drafted fact per customer and period, however often the draft is rebuilt', () => {
    const draft = aDraftInvoice({ customerId: 'cus_42', billingPeriod: '2026-11' });
    const rebuilt = { ...draft, total: draft.total + 100, createdAt: '2026-12-01T01:00:00.000Z' };
    expect(outboundEventId(invoiceDrafted(rebuilt))).toBe(outboundEventId(invoiceDrafted(draft)));
  });

  it('give one subscription fact per resulting history (the same command twice is one fact)', () => {
    const terms = [{ plan: 'pro', start: '2026-01-01T00:00:00Z' }];
    const once = subscriptionChanged('cus_42', { kind: 'start', plan: 'pro', at: '2026-01-01T00:00:00Z' }, terms);
    const again = subscriptionChanged('cus_42', { kind: 'start', plan: 'pro', at: '2026-01-01T00:00:00Z' }, terms);
    expect(outboundEventId(again)).toBe(outboundEventId(once));
  });
});

describe('the CloudEvents envelope', () => {
  it('has source the stack, type billflow.<fact>, subject the customer, and the invoice summary as data', () => {
    const invoice = anInvoice({ number: 'ACME-2026-000007', customerId: 'cus_42' });
    const envelope = envelopeOf(invoiceFinalized(invoice), source);
    expect(envelope).toMatchObject({
      specversion: '1.0',
      source: 'billflow/billflow-prod',
      type: 'billflow.invoice.finalized',
      subject: 'cus_42',
      datacontenttype: 'application/json',
      data: { invoice: { number: 'ACME-2026-000007', customerId: 'cus_42', total: invoice.total, amountDue: invoice.amountDue } },
    });
  });

  it('carries no PDF, no e-invoice, no bank data and no addresses', () => {
    const text = JSON.stringify(envelopeOf(invoiceFinalized(anInvoice({ number: 'ACME-2026-000007' })), source));
    for (const secret of ['iban', 'bic', 'paymentMeans', 'document', 'address', 'email', 'DE89370400440532013000']) {
      expect(text).not.toContain(secret);
    }
  });

  it('is one delivery message as the queue consumer reads it, for every example', () => {
    const examples = exampleEnvelopes();
    expect(examples.map((envelope) => envelope.type)).toEqual(outboundEventTypes.map((type) => `billflow.${type}`));
    for (const envelope of examples) expect(webhookDeliveryMessage.parse(JSON.stringify(envelope))).toEqual(envelope);
  });

  it('refuses a delivery message that is not a billflow event, saying why', () => {
    const foreign = { ...exampleEnvelopes()[0], type: 'com.example.other' };
    expect(() => webhookDeliveryMessage.parse(JSON.stringify(foreign))).toThrow(/billflow outbound event type/);
  });
});

describe('webhook endpoints', () => {
  it('must be https in AWS; locally http to 127.0.0.1 is allowed', () => {
    expect(endpointIssues('http://127.0.0.1:9000/hook', ['invoice.finalized'], 'public-https')).toEqual([
      'URL "http://127.0.0.1:9000/hook" must use https',
    ]);
    expect(endpointIssues('http://127.0.0.1:9000/hook', ['invoice.finalized'], 'local')).toEqual([]);
    expect(endpointIssues('https://hooks.example.com/billflow', ['invoice.finalized'], 'public-https')).toEqual([]);
  });

  it('name what to fix: not a URL, credentials in it, no or unknown event types', () => {
    expect(endpointIssues('hooks.example.com', [], 'public-https')).toEqual([
      'URL "hooks.example.com" is not an absolute URL: give one such as https://hooks.example.com/billflow',
      expect.stringContaining('give the event types to send with --events'),
    ]);
    expect(endpointIssues('https://u:p@hooks.example.com/', ['invoice.paid'], 'public-https')).toEqual([
      'URL "https://u:p@hooks.example.com/" must not carry a user name or password',
      expect.stringContaining('unknown event type "invoice.paid": use one of invoice.drafted, invoice.finalized'),
    ]);
  });
});

describe('the retry schedule of webhook deliveries', () => {
  it('doubles from 1 minute up to 12 hours (the longest SQS visibility timeout)', () => {
    expect([1, 2, 3, 10, 11, 12, 40].map((attempt) => retryDelaySeconds(attempt, DEFAULT_RETRY_SCHEDULE))).toEqual([
      60, 120, 240, 30_720, 43_200, 43_200, 43_200,
    ]);
  });

  it("keeps a failing delivery for at least 3 days within the queue's receives, and within its retention", () => {
    const window = retryWindowSeconds(queues.webhookDeliveries.maxReceiveCount, DEFAULT_RETRY_SCHEDULE);
    expect(window).toBeGreaterThanOrEqual(3 * 24 * 3600);
    expect(window).toBeLessThan(queues.webhookDeliveries.retentionDays * 24 * 3600);
  });
});

describe('facts a retried step publishes again', () => {
  const payment = (eventId: string, amount: number) => ({
    kind: 'payment_succeeded' as const,
    eventId,
    paymentId: 'pi_1',
    occurredAt: '2026-12-10T09:30:00Z',
    currency: 'EUR',
    amount,
    invoiceNumber: 'ACME-2026-000007',
  });

  it('a payment status change: the same fact whether the ledger took the event now or on an earlier try', () => {
    const unpaid = anInvoice({ number: 'ACME-2026-000007', paymentStatus: 'unpaid', payments: [] });
    const full = payment('evt_pay', unpaid.total);
    const paid = applyPayments(unpaid, [full], '2026-12-10T09:30:01Z')!;
    expect(paid.paymentStatus).toBe('paid');
    const firstTry = paymentStatusChangeOf(paid, unpaid, 'evt_pay');
    // The retry finds the event in the ledger already: before and after are the same invoice.
    const retry = paymentStatusChangeOf(paid, paid, 'evt_pay');
    expect(firstTry).toHaveLength(1);
    expect(retry.map(outboundEventId)).toEqual(firstTry.map(outboundEventId));
    expect(retry[0]!.data).toMatchObject({ previousStatus: 'unpaid', paymentStatus: 'paid' });
  });

  it('no status change, no fact', () => {
    const unpaid = anInvoice({ number: 'ACME-2026-000007', paymentStatus: 'unpaid', payments: [] });
    const partly = applyPayments(unpaid, [payment('evt_a', 100)], '2026-12-10T09:30:01Z')!;
    const more = applyPayments(partly, [{ ...payment('evt_b', 100), paymentId: 'pi_2' }], '2026-12-11T09:30:01Z')!;
    expect(more.paymentStatus).toBe('partially_paid');
    expect(paymentStatusChangeOf(more, partly, 'evt_b')).toEqual([]);
  });

  it('the delivery: delivered once the invoice email is recorded, failed when refused for good, nothing before', () => {
    const sent = anInvoice({
      number: 'ACME-2026-000007',
      deliveryStatus: 'sent',
      emails: [{ messageId: 'ses-1', sentAt: '2026-12-01T02:00:07Z', kind: 'invoice', to: 'ap@globex.example' }],
    });
    expect(deliveryOutcomeFacts(sent).map((fact) => fact.type)).toEqual(['invoice.delivered']);
    const failed = anInvoice({
      number: 'ACME-2026-000007',
      deliveryStatus: 'failed',
      emails: [],
      deliveryProblem: { kind: 'send_failure', detail: 'MessageRejected', at: '2026-12-01T02:00:07Z' },
    });
    expect(deliveryOutcomeFacts(failed).map((fact) => [fact.type, fact.data])).toEqual([
      ['invoice.delivery_failed', expect.objectContaining({ kind: 'send_failure', detail: 'MessageRejected' })],
    ]);
    expect(deliveryOutcomeFacts(anInvoice({ number: 'ACME-2026-000007', deliveryStatus: 'rendered', emails: [] }))).toEqual([]);
  });
});
