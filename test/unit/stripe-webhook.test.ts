/**
 * The webhook door (CONTRACTS.md section 5), signed by the official stripe package's
 * generateTestHeaderString: what is accepted is stored and queued; what is refused is neither.
 */
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { parseWebhookSecrets, verifyStripeSignature } from '#formats/stripe-signature.ts';
import { parseStripeEvent, toPaymentEvent } from '#formats/stripe-events.ts';
import { MAX_WEBHOOK_BODY_BYTES, receiveStripeWebhook } from '#functions/receive-stripe-webhook/door.ts';
import type { ReceivedWebhookEvent, StoredWebhookEvent, WebhookEventStore } from '#ports/webhook-event-store.ts';
import { chargeRefunded, disputeEvent, paymentSucceeded, signature } from '#test-support/stripe-events.ts';

const SECRET = 'whsec_current_endpoint_secret';
const OLD_SECRET = 'whsec_previous_endpoint_secret';
const NOW = Date.parse('2026-12-05T10:00:00Z');
const NOW_SECONDS = NOW / 1000;

class RecordingStore implements WebhookEventStore {
  readonly stored = new Map<string, StoredWebhookEvent>();
  async record(event: ReceivedWebhookEvent): Promise<'new' | 'duplicate'> {
    const existing = this.stored.get(event.eventId);
    if (existing !== undefined) {
      this.stored.set(event.eventId, { ...existing, deliveries: existing.deliveries + 1 });
      return 'duplicate';
    }
    this.stored.set(event.eventId, { ...event, outcome: 'received', deliveries: 1, processedAt: null });
    return 'new';
  }
  async get(eventId: string) {
    return this.stored.get(eventId);
  }
  async markProcessed(): Promise<void> {}
}

function door(secrets: readonly string[] = [SECRET]) {
  const store = new RecordingStore();
  const queued: string[] = [];
  const deps = { secrets: async () => secrets, events: store, enqueue: async (id: string) => void queued.push(id), now: () => NOW };
  return { store, queued, receive: (body: string, header: string | undefined) => receiveStripeWebhook({ body, signature: header }, deps) };
}

const payment = JSON.stringify(paymentSucceeded({ amount: 12138, invoiceNumber: 'ACME-2026-000001', at: NOW_SECONDS - 5 }));

describe('the Stripe webhook door', () => {
  it('accepts a validly signed event, stores it byte for byte and queues it', async () => {
    // Prepare
    const { store, queued, receive } = door();
    // Act
    const outcome = await receive(payment, signature(payment, SECRET, NOW_SECONDS));
    // Assess
    expect(outcome).toMatchObject({ status: 200, duplicate: false });
    const id = (JSON.parse(payment) as { id: string }).id;
    expect(store.stored.get(id)?.body).toBe(payment);
    expect(queued).toEqual([id]);
  });

  it('answers a second delivery of the same event 200 as a duplicate, and queues it again (applying is idempotent)', async () => {
    const { store, queued, receive } = door();
    await receive(payment, signature(payment, SECRET, NOW_SECONDS));
    const again = await receive(payment, signature(payment, SECRET, NOW_SECONDS));
    expect(again).toMatchObject({ status: 200, duplicate: true });
    expect(store.stored.size).toBe(1);
    expect(queued).toHaveLength(2);
  });

  const refusals: [string, () => { body: string; header: string | undefined }, string][] = [
    [
      'a tampered body',
      () => ({ body: payment.replace('12138', '99999'), header: signature(payment, SECRET, NOW_SECONDS) }),
      'no_matching_signature',
    ],
    ['a wrong secret', () => ({ body: payment, header: signature(payment, 'whsec_someone_else', NOW_SECONDS) }), 'no_matching_signature'],
    ['a timestamp 301 s old', () => ({ body: payment, header: signature(payment, SECRET, NOW_SECONDS - 301) }), 'stale_timestamp'],
    [
      'a timestamp 301 s in the future',
      () => ({ body: payment, header: signature(payment, SECRET, NOW_SECONDS + 301) }),
      'stale_timestamp',
    ],
    ['a missing header', () => ({ body: payment, header: undefined }), 'missing_header'],
    ['a header without v1', () => ({ body: payment, header: `t=${NOW_SECONDS}` }), 'malformed_header'],
    [
      'a non-JSON body',
      () => ({ body: 'not json at all', header: signature('not json at all', SECRET, NOW_SECONDS) }),
      'not_a_stripe_event',
    ],
    [
      'JSON that is not a Stripe event',
      () => ({ body: '{"hello":"world"}', header: signature('{"hello":"world"}', SECRET, NOW_SECONDS) }),
      'not_a_stripe_event',
    ],
  ];

  it.each(refusals)('refuses %s with 400, storing and queuing nothing', async (_, request, refusal) => {
    // Prepare
    const { store, queued, receive } = door();
    const { body, header } = request();
    // Act
    const outcome = await receive(body, header);
    // Assess
    expect(outcome).toMatchObject({ status: 400, refusal });
    expect(store.stored.size).toBe(0);
    expect(queued).toEqual([]);
  });

  it('refuses a correctly signed body over 350 KB with 413 before verifying or storing anything, and takes one of exactly 350 KB', async () => {
    // Prepare: a real payment event padded in its metadata, signed with the right secret
    const padded = (bytes: number) => {
      const event = paymentSucceeded({ amount: 100, invoiceNumber: 'ACME-2026-000001', at: NOW_SECONDS - 5 });
      const base = Buffer.byteLength(JSON.stringify(event));
      (event.data.object as { metadata: Record<string, string> }).metadata.pad = '';
      const pad = bytes - base - Buffer.byteLength(',"pad":""');
      (event.data.object as { metadata: Record<string, string> }).metadata.pad = 'x'.repeat(pad);
      return JSON.stringify(event);
    };
    const tooLarge = padded(MAX_WEBHOOK_BODY_BYTES + 1);
    const fits = padded(MAX_WEBHOOK_BODY_BYTES);
    const { store, queued, receive } = door();

    // Act
    const refused = await receive(tooLarge, signature(tooLarge, SECRET, NOW_SECONDS));
    const accepted = await receive(fits, signature(fits, SECRET, NOW_SECONDS));

    // Assess
    expect(Buffer.byteLength(tooLarge)).toBe(358_401);
    expect(refused).toEqual({
      status: 413,
      refusal: 'body_too_large',
      message: 'body is 358401 bytes; at most 358400 are accepted (a Stripe event is a few KB): nothing was stored',
    });
    expect(accepted).toMatchObject({ status: 200 });
    expect(store.stored.size).toBe(1);
    expect(queued).toHaveLength(1);
  });

  it('accepts a timestamp exactly 300 s old (the tolerance is inclusive)', async () => {
    const { receive } = door();
    expect(await receive(payment, signature(payment, SECRET, NOW_SECONDS - 300))).toMatchObject({ status: 200 });
  });

  it('accepts a header with two v1 signatures of which only the second is valid', async () => {
    // Prepare: Stripe sends several v1 while an endpoint has several secrets
    const { receive } = door();
    const valid = signature(payment, SECRET, NOW_SECONDS);
    const invalid = signature(payment, 'whsec_other', NOW_SECONDS).split('v1=')[1]!;
    const header = `t=${NOW_SECONDS},v1=${invalid},${valid.split(',')[1]!}`;
    // Act / Assess
    expect(await receive(payment, header)).toMatchObject({ status: 200 });
  });

  it('accepts events signed with either secret while a secret is rotated, and neither once it is dropped', async () => {
    const rotating = door([OLD_SECRET, SECRET]);
    expect(await rotating.receive(payment, signature(payment, OLD_SECRET, NOW_SECONDS))).toMatchObject({ status: 200 });
    expect(await rotating.receive(payment, signature(payment, SECRET, NOW_SECONDS))).toMatchObject({ status: 200 });
    const rotated = door([SECRET]);
    expect(await rotated.receive(payment, signature(payment, OLD_SECRET, NOW_SECONDS))).toMatchObject({
      status: 400,
      refusal: 'no_matching_signature',
    });
  });

  it('accepts an event type billflow ignores (it is a Stripe event)', async () => {
    const body = JSON.stringify({
      id: 'evt_customer1',
      object: 'event',
      type: 'customer.created',
      created: NOW_SECONDS,
      data: { object: { id: 'cus_1' } },
    });
    const { queued, receive } = door();
    expect(await receive(body, signature(body, SECRET, NOW_SECONDS))).toMatchObject({ status: 200 });
    expect(queued).toEqual(['evt_customer1']);
    expect(toPaymentEvent(parseStripeEvent(body))).toBeNull();
  });

  it('refuses a handled type whose object lacks what billflow needs, saying which field', async () => {
    const broken = paymentSucceeded({ amount: 100 }) as unknown as { data: { object: Record<string, unknown> } };
    delete broken.data.object.amount_received;
    const body = JSON.stringify(broken);
    const { receive } = door();
    const outcome = await receive(body, signature(body, SECRET, NOW_SECONDS));
    expect(outcome).toMatchObject({ status: 400, refusal: 'not_a_stripe_event' });
    expect(outcome.status === 400 && outcome.message).toContain('amount_received');
  });
});

describe('verifyStripeSignature', () => {
  it('agrees with an HMAC computed independently from the contract text', () => {
    const body = '{"id":"evt_1"}';
    const v1 = createHmac('sha256', SECRET).update(`${NOW_SECONDS}.${body}`).digest('hex');
    expect(verifyStripeSignature(body, `t=${NOW_SECONDS},v1=${v1}`, [SECRET], NOW_SECONDS)).toBe(NOW_SECONDS);
    expect(signature(body, SECRET, NOW_SECONDS)).toBe(`t=${NOW_SECONDS},v1=${v1}`);
  });

  it('reads one or two secrets, and refuses none or three', () => {
    expect(parseWebhookSecrets('whsec_a')).toEqual(['whsec_a']);
    expect(parseWebhookSecrets(' whsec_a , whsec_b ')).toEqual(['whsec_a', 'whsec_b']);
    expect(() => parseWebhookSecrets(' , ')).toThrow(/empty/);
    expect(() => parseWebhookSecrets('a,b,c')).toThrow(/at most two/);
  });
});

describe('Stripe events as payment events', () => {
  it('maps the five handled types with upper-case currencies and the cumulative refund', () => {
    const pi = 'pi_mapping1';
    const succeeded = toPaymentEvent(
      parseStripeEvent(
        JSON.stringify(paymentSucceeded({ paymentIntent: pi, amount: 5000, invoiceNumber: ' ACME-2026-000007 ', at: NOW_SECONDS })),
      ),
    );
    expect(succeeded).toMatchObject({
      kind: 'payment_succeeded',
      paymentId: pi,
      amount: 5000,
      currency: 'EUR',
      invoiceNumber: 'ACME-2026-000007',
      occurredAt: '2026-12-05T10:00:00.000Z',
    });
    const refunded = toPaymentEvent(
      parseStripeEvent(JSON.stringify(chargeRefunded({ paymentIntent: pi, amount: 5000, amountRefunded: 1500 }))),
    );
    expect(refunded).toMatchObject({ kind: 'refund_updated', paymentId: pi, amountRefunded: 1500 });
    const opened = toPaymentEvent(
      parseStripeEvent(
        JSON.stringify(
          disputeEvent('charge.dispute.created', { paymentIntent: pi, dispute: 'dp_1', amount: 5000, status: 'needs_response' }),
        ),
      ),
    );
    expect(opened).toMatchObject({ kind: 'dispute_opened', disputeId: 'dp_1', amount: 5000 });
    for (const [status, outcome] of [
      ['won', 'won'],
      ['warning_closed', 'won'],
      ['lost', 'lost'],
    ] as const) {
      const closed = toPaymentEvent(
        parseStripeEvent(
          JSON.stringify(disputeEvent('charge.dispute.closed', { paymentIntent: pi, dispute: 'dp_1', amount: 5000, status })),
        ),
      );
      expect(closed).toMatchObject({ kind: 'dispute_closed', outcome });
    }
  });
});
