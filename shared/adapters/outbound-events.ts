/**
 * The OutboundEvents adapter a function or the CLI publishes through: the stack's EventBridge
 * bus in AWS, the webhook-deliveries queue locally (readOutboundConfig decides).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OutboundConfig } from '#shared/config.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { EventBridgeOutboundEvents } from './eventbridge/eventbridge-outbound-events.ts';
import { QueueOutboundEvents } from './sqs/queue-outbound-events.ts';

export function createOutboundEvents(config: OutboundConfig, clients: { sqs: SQSClient; region?: string }): OutboundEvents {
  if ('eventBusName' in config.target) {
    return new EventBridgeOutboundEvents(
      new EventBridgeClient(clients.region === undefined ? {} : { region: clients.region }),
      config.target.eventBusName,
      config.source,
    );
  }
  return new QueueOutboundEvents(clients.sqs, config.target.queueUrl, config.source);
}
