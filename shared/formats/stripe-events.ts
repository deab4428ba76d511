/**
 * The Stripe webhook event format, read at the edge: the envelope every event has, the objects
 * of the five types billflow handles (CONTRACTS.md section 5), and their mapping onto billflow's
 * PaymentEvent (the domain type use cases receive).
 *
 * A body that is not a Stripe event, or a handled type whose object lacks what billflow needs,
 * is refused at the door (HTTP 400) so nothing is accepted that could not be applied.
 * Any other event type is a Stripe event billflow ignores: accepted, stored, not applied.
 */
import { z } from 'zod';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import { NotAStripeEventError } from './errors.ts';

export const stripeEventSchema = z.object({
  id: z.string().regex(/^evt_\w+$/, 'id must be a Stripe event id (evt_...)'),
  object: z.literal('event', { error: 'object must be "event"' }),
  type: z.string().min(1, 'type is empty'),
  created: z.number({ error: 'created must be a unix time' }).int().nonnegative(),
  livemode: z.boolean().optional(),
  data: z.object(
    { object: z.record(z.string(), z.unknown(), { error: 'data.object must be an object' }) },
    { error: 'data must be an object' },
  ),
});

export type StripeEvent = z.infer<typeof stripeEventSchema>;

const amount = z.number().int().nonnegative();
const currency = z.string().regex(/^[a-zA-Z]{3}$/, 'currency must be a 3-letter code');
const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_\\w+$`), `must be a Stripe id (${prefix}_...)`);

const paymentIntent = z.object({
  id: id('pi'),
  amount,
  amount_received: amount,
  currency,
  metadata: z.record(z.string(), z.string()).nullish(),
  last_payment_error: z.object({ message: z.string().nullish() }).loose().nullish(),
});

const charge = z.object({
  id: id('ch'),
  amount_refunded: amount,
  currency,
  payment_intent: z.string().nullish(),
});

const dispute = z.object({
  id: z.string().regex(/^(dp|du)_\w+$/, 'must be a Stripe dispute id (dp_...)'),
  amount,
  currency,
  charge: z.string().min(1),
  payment_intent: z.string().nullish(),
  status: z.string(),
});

export const HANDLED_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const;

/** Parses a raw body; throws NotAStripeEventError saying what is wrong. */
export function parseStripeEvent(rawBody: string): StripeEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new NotAStripeEventError('the body is not JSON');
  }
  const parsed = stripeEventSchema.safeParse(json);
  if (!parsed.success) throw new NotAStripeEventError(`the body is not a Stripe event: ${describe(parsed.error)}`);
  // Check the object of a handled type now, so an accepted event can always be applied.
  toPaymentEvent(parsed.data);
  return parsed.data;
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'} ${issue.message}`).join('; ');
}

function objectOf<T>(schema: z.ZodType<T>, event: StripeEvent): T {
  const parsed = schema.safeParse(event.data.object);
  if (!parsed.success)
    throw new NotAStripeEventError(`${event.type} event ${event.id} has an unusable data.object: ${describe(parsed.error)}`);
  return parsed.data;
}

/** The PaymentEvent a stored raw Stripe event body reports; null for a type billflow ignores. */
export function readStripePaymentEvent(rawBody: string): PaymentEvent | null {
  return toPaymentEvent(parseStripeEvent(rawBody));
}

/** The PaymentEvent of a handled Stripe event; null for a type billflow ignores. */
export function toPaymentEvent(event: StripeEvent): PaymentEvent | null {
  const base = { eventId: event.id, occurredAt: new Date(event.created * 1000).toISOString() };
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed': {
      const intent = objectOf(paymentIntent, event);
      const invoiceNumber = intent.metadata?.invoice_number?.trim() || null;
      const common = { ...base, paymentId: intent.id, currency: intent.currency.toUpperCase(), invoiceNumber };
      return event.type === 'payment_intent.succeeded'
        ? { ...common, kind: 'payment_succeeded', amount: intent.amount_received }
        : { ...common, kind: 'payment_failed', amount: intent.amount, reason: intent.last_payment_error?.message ?? null };
    }
    case 'charge.refunded': {
      const refunded = objectOf(charge, event);
      return {
        ...base,
        kind: 'refund_updated',
        // A charge without a PaymentIntent (legacy Charges API) is tracked under its own id.
        paymentId: refunded.payment_intent ?? refunded.id,
        chargeId: refunded.id,
        currency: refunded.currency.toUpperCase(),
        amountRefunded: refunded.amount_refunded,
      };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const disputed = objectOf(dispute, event);
      const common = {
        ...base,
        paymentId: disputed.payment_intent ?? disputed.charge,
        disputeId: disputed.id,
        currency: disputed.currency.toUpperCase(),
        amount: disputed.amount,
      };
      if (event.type === 'charge.dispute.created') return { ...common, kind: 'dispute_opened' };
      return { ...common, kind: 'dispute_closed', outcome: disputeOutcome(event, disputed.status) };
    }
    default:
      return null;
  }
}

/** `warning_closed`: an inquiry closed without a chargeback, so no money was lost. */
function disputeOutcome(event: StripeEvent, status: string): 'won' | 'lost' {
  if (status === 'won' || status === 'warning_closed') return 'won';
  if (status === 'lost') return 'lost';
  throw new NotAStripeEventError(`charge.dispute.closed event ${event.id} has status "${status}"; expected won, lost or warning_closed`);
}
