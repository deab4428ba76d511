/**
 * The webhook-deliveries queue: one outbound event (its CloudEvent envelope, as is) per
 * message. In AWS the bus rule's target puts the entry's `detail` there; locally the queue
 * adapter sends it; deliver-webhooks reads it. A replay for one endpoint names it in the
 * message attribute `endpointId`.
 */
import { z } from 'zod';
import { OUTBOUND_TYPE_PREFIX } from '#domain/outbound/envelope.ts';
import { isOutboundEventType } from '#domain/outbound/catalogue.ts';
import type { OutboundEnvelope } from '#domain/outbound/envelope.ts';
import { queueMessage } from './queue-message.ts';

export const ENDPOINT_ATTRIBUTE = 'endpointId';

const envelopeSchema = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().refine((type) => type.startsWith(OUTBOUND_TYPE_PREFIX) && isOutboundEventType(type.slice(OUTBOUND_TYPE_PREFIX.length)), {
    message: 'must be a billflow outbound event type (billflow.invoice.finalized, ...)',
  }),
  subject: z.string().optional(),
  time: z.string().min(1),
  datacontenttype: z.literal('application/json'),
  data: z.record(z.string(), z.unknown()),
}) as unknown as z.ZodType<OutboundEnvelope>;

export const webhookDeliveryMessage = queueMessage<OutboundEnvelope>('outbound event', envelopeSchema);
