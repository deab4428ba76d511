/**
 * The payment-events queue: the id of a stored provider webhook event to apply, sent by the
 * Stripe webhook once the event is stored, read by apply-payment-event.
 */
import { z } from 'zod';
import { queueMessage } from './queue-message.ts';

export interface PaymentEventMessage {
  readonly eventId: string;
}

export const paymentEventMessage = queueMessage<PaymentEventMessage>('payment event message', z.object({ eventId: z.string().min(1) }));
