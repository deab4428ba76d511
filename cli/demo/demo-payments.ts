/**
 * The demo's customers paying, as Stripe would tell billflow: one `payment_intent.succeeded`
 * webhook per paying customer, signed with the endpoint secret by the official `stripe`
 * package and POSTed to `{apiUrl}/webhooks/stripe`. Ids are derived from the invoice number,
 * so a second demo run delivers the same events again and billflow answers them as duplicates.
 */
import Stripe from 'stripe';
import type { Invoice } from '#domain/invoice/invoice.ts';

/** How each demo customer pays: all of it, about half (the rest stays due), or nothing. */
export type PaymentBehaviour = 'in_full' | 'in_part' | 'not_at_all';

export const DEMO_PAYMENT_BEHAVIOUR: Readonly<Record<string, PaymentBehaviour>> = {
  cus_bergmann: 'in_full',
  cus_weber: 'not_at_all',
  cus_lumiere: 'in_part',
  cus_dubois: 'in_full',
  cus_northwind: 'in_part',
  cus_sakura: 'in_full',
};

export interface WebhookDelivery {
  readonly number: string;
  readonly behaviour: PaymentBehaviour;
  readonly amount: number;
  readonly status: number;
  readonly duplicate: boolean;
}

/** The Stripe event that pays `amount` (minor units) of the invoice, or undefined for a customer who does not pay. */
export function demoPaymentEvent(
  invoice: Invoice,
  createdSeconds: number,
): { body: string; amount: number; behaviour: PaymentBehaviour } | undefined {
  const behaviour = DEMO_PAYMENT_BEHAVIOUR[invoice.customerId] ?? 'in_full';
  if (behaviour === 'not_at_all' || invoice.number === null) return undefined;
  // What the customer chose to transfer, not a price: the invoice total, or half of it.
  const amount = behaviour === 'in_full' ? invoice.total : Math.floor(invoice.total / 2);
  const suffix = invoice.number.replace(/\W/g, '_');
  const event = {
    id: `evt_demo_${suffix}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    created: createdSeconds,
    livemode: false,
    data: {
      object: {
        id: `pi_demo_${suffix}`,
        object: 'payment_intent',
        amount,
        amount_received: amount,
        currency: invoice.currency.toLowerCase(),
        metadata: { invoice_number: invoice.number },
        status: 'succeeded',
      },
    },
  };
  return { body: JSON.stringify(event), amount, behaviour };
}

/** POSTs a body signed as Stripe signs it; answers the HTTP status and whether billflow saw it before. */
export async function postSignedWebhook(
  apiUrl: string,
  body: string,
  secret: string,
): Promise<{ status: number; duplicate: boolean; text: string }> {
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
  const response = await fetch(`${apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body,
  });
  const text = await response.text();
  let duplicate = false;
  try {
    duplicate = (JSON.parse(text) as { duplicate?: unknown }).duplicate === true;
  } catch {
    // A refusal's body is reported as text by the caller.
  }
  return { status: response.status, duplicate, text };
}

/** The secret to sign with: STRIPE_WEBHOOK_SECRET may hold two during a rotation; Stripe signs with each, one is enough. */
export function signingSecret(configured: string | undefined): string {
  const first = (configured ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .find((secret) => secret !== '');
  if (first === undefined) throw new Error('no webhook secret: npm start sets STRIPE_WEBHOOK_SECRET before the demo runs');
  return first;
}
