/**
 * Locally there is no EventBridge: outbound events go straight to the webhook-deliveries
 * queue, the queue the bus rule feeds in AWS, as the same body (the CloudEvent envelope).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import { envelopeOf } from '#domain/outbound/envelope.ts';
import { webhookDeliveryMessage } from '#messages/webhook-delivery.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { OutboundPublishError } from '../errors.ts';
import { sendBodies } from './send-bodies.ts';

export class QueueOutboundEvents implements OutboundEvents {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly source: string,
  ) {}

  async publish(facts: readonly OutboundFact[]): Promise<void> {
    if (facts.length === 0) return;
    const bodies = facts.map((fact) => webhookDeliveryMessage.serialize(envelopeOf(fact, this.source)));
    const { failed } = await sendBodies(this.sqs, this.queueUrl, bodies);
    if (failed.length > 0) throw new OutboundPublishError(`${failed.length} outbound event(s) not queued: ${failed[0]!.error}`);
  }
}
