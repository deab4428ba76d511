/**
 * The one mapping of typed errors at the edge: to HTTP answers (the webhook route) and to SQS
 * record failures (every failed record is retried; a permanent one is told apart for the log).
 */
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, httpRefusalOf, refusalMetric, refusalResponse } from '#functions/commons/http-errors.ts';
import { recordFailureOf } from '#functions/commons/record-failures.ts';
import { NotAStripeEventError } from '#formats/errors.ts';
import { WebhookSignatureError } from '#formats/errors.ts';
import { NotAMailNotificationError } from '#formats/errors.ts';
import { invoiceJobMessage } from '#messages/invoice-job.ts';
import { UnknownEmailError } from '#use-cases/errors.ts';
import { InvoiceNotFoundError, InvoiceStateError } from '#domain/errors.ts';

describe('typed errors as HTTP answers', () => {
  it('answers a bad signature and a body that is not a Stripe event 400, a body too large 413, with the message as the error', () => {
    const stale = httpRefusalOf(new WebhookSignatureError('stale_timestamp', 'too old'))!;
    expect(stale).toEqual({ status: 400, refusal: 'stale_timestamp', message: 'too old' });
    expect(refusalMetric(stale)).toBe('WebhookSignatureFailures');
    const notStripe = httpRefusalOf(new NotAStripeEventError('the body is not JSON'))!;
    expect(notStripe).toEqual({ status: 400, refusal: 'not_a_stripe_event', message: 'the body is not JSON' });
    expect(refusalMetric(notStripe)).toBe('WebhookBodiesRefused');
    const tooLarge = httpRefusalOf(new BodyTooLargeError('body is 400000 bytes'))!;
    expect(refusalMetric(tooLarge)).toBe('WebhookBodiesRefused');
    expect(refusalResponse(tooLarge)).toEqual({
      statusCode: 413,
      headers: { 'content-type': 'application/json' },
      body: '{"error":"body is 400000 bytes"}',
    });
  });

  it('leaves any other error to propagate (500, so the sender retries)', () => {
    expect(httpRefusalOf(new Error('ProvisionedThroughputExceededException'))).toBeUndefined();
  });
});

describe('errors as SQS record failures', () => {
  it('tells a body no consumer can read as permanent, by its class', () => {
    const malformed = (() => {
      try {
        return invoiceJobMessage.parse('not json');
      } catch (error) {
        return error;
      }
    })();
    expect(recordFailureOf(malformed)).toMatchObject({
      permanent: true,
      reason: expect.stringMatching(/^MalformedMessageError: the body is not JSON/),
    });
    expect(recordFailureOf(new NotAMailNotificationError('no messageId')).permanent).toBe(true);
  });

  it('tells data no retry can fix as permanent: an unknown invoice, a transition its state forbids', () => {
    expect(recordFailureOf(new InvoiceNotFoundError('no invoice ACME-2026-000009')).permanent).toBe(true);
    expect(recordFailureOf(new InvoiceStateError('invoice ACME-2026-000001 is void')).permanent).toBe(true);
    // An error merely named like one is not one.
    expect(recordFailureOf(Object.assign(new Error('x'), { name: 'InvoiceNotFoundError' })).permanent).toBe(false);
  });

  it('keeps anything else retryable: a link not written yet, throttling, a thrown string', () => {
    expect(recordFailureOf(new UnknownEmailError('no invoice email with SES message id x'))).toEqual({
      permanent: false,
      reason: 'UnknownEmailError: no invoice email with SES message id x',
    });
    expect(recordFailureOf('boom')).toEqual({ permanent: false, reason: 'boom' });
  });
});
