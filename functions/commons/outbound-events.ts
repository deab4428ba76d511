/**
 * What every publishing function gives its use case as `outbound`: the stack's event bus in
 * AWS (EVENT_BUS_NAME), the webhook-deliveries queue locally, read once per container.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createOutboundEvents } from '#adapters/outbound-events.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { readOutboundConfig } from '#shared/config.ts';

export function outboundEventsOf(sqs: SQSClient): OutboundEvents {
  return createOutboundEvents(readOutboundConfig(), { sqs });
}
