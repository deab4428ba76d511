/**
 * Stripe webhook events as Stripe sends them (the fields billflow reads, plus a few it does
 * not), and their signatures made by the official `stripe` package, never by billflow's code.
 */
import Stripe from 'stripe';
import { randomBytes } from 'node:crypto';

let counter = 0;
const stripeId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}${(counter += 1)}`;

export interface StripeEventBody {
  readonly id: string;
  readonly object: 'event';
  readonly type: string;
  readonly created: number;
  readonly livemode: false;
  readonly api_version: string;
  readonly data: { readonly object: Record<string, unknown> };
}

function event(type: string, object: Record<string, unknown>, created: number): StripeEventBody {
  return { id: stripeId('evt'), object: 'event', type, created, livemode: false, api_version: '2025-09-30.clover', data: { object } };
}

const SECONDS = (at: string | number) => (typeof at === 'number' ? at : Math.floor(Date.parse(at) / 1000));

export const newPaymentIntentId = () => stripeId('pi');
export const newChargeId = () => stripeId('ch');
export const newDisputeId = () => stripeId('dp');

export function paymentSucceeded(options: {
  paymentIntent?: string;
  amount: number;
  currency?: string;
  invoiceNumber?: string | null;
  at?: string | number;
}): StripeEventBody {
  const metadata = options.invoiceNumber === null || options.invoiceNumber === undefined ? {} : { invoice_number: options.invoiceNumber };
  return event(
    'payment_intent.succeeded',
    {
      id: options.paymentIntent ?? newPaymentIntentId(),
      object: 'payment_intent',
      amount: options.amount,
      amount_received: options.amount,
      currency: (options.currency ?? 'eur').toLowerCase(),
      metadata,
      status: 'succeeded',
    },
    SECONDS(options.at ?? Date.now()),
  );
}

export function paymentFailed(options: {
  paymentIntent?: string;
  amount: number;
  currency?: string;
  invoiceNumber?: string;
  at?: string | number;
}): StripeEventBody {
  return event(
    'payment_intent.payment_failed',
    {
      id: options.paymentIntent ?? newPaymentIntentId(),
      object: 'payment_intent',
      amount: options.amount,
      amount_received: 0,
      currency: (options.currency ?? 'eur').toLowerCase(),
      metadata: options.invoiceNumber === undefined ? {} : { invoice_number: options.invoiceNumber },
      last_payment_error: { message: 'Your card was declined.' },
      status: 'requires_payment_method',
    },
    SECONDS(options.at ?? Date.now()),
  );
}

export function chargeRefunded(options: {
  paymentIntent: string;
  charge?: string;
  amount: number;
  amountRefunded: number;
  currency?: string;
  at?: string | number;
}): StripeEventBody {
  return event(
    'charge.refunded',
    {
      id: options.charge ?? newChargeId(),
      object: 'charge',
      amount: options.amount,
      amount_refunded: options.amountRefunded,
      currency: (options.currency ?? 'eur').toLowerCase(),
      payment_intent: options.paymentIntent,
      refunded: options.amountRefunded >= options.amount,
    },
    SECONDS(options.at ?? Date.now()),
  );
}

export function disputeEvent(
  type: 'charge.dispute.created' | 'charge.dispute.closed',
  options: { paymentIntent: string; dispute: string; amount: number; status: string; currency?: string; at?: string | number },
): StripeEventBody {
  return event(
    type,
    {
      id: options.dispute,
      object: 'dispute',
      amount: options.amount,
      currency: (options.currency ?? 'eur').toLowerCase(),
      charge: newChargeId(),
      payment_intent: options.paymentIntent,
      status: options.status,
      reason: 'fraudulent',
    },
    SECONDS(options.at ?? Date.now()),
  );
}

/** The Stripe-Signature header for `payload`, made by the stripe package. */
export function signature(payload: string, secret: string, timestampSeconds = Math.floor(Date.now() / 1000)): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSeconds });
}

/** POSTs a signed event to `{apiUrl}/webhooks/stripe` as Stripe would. */
export async function postWebhook(
  apiUrl: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, json };
}

export async function deliver(
  apiUrl: string,
  stripeEvent: StripeEventBody,
  secret: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = JSON.stringify(stripeEvent);
  return postWebhook(apiUrl, body, { 'stripe-signature': signature(body, secret) });
}
