/**
 * What every publishing function gives its use case as `outbound`: the stack's event bus in
 * AWS (EVENT_BUS_NAME), the webhook-deliveries queue locally, read once per container.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOutboundOutbox } from '#adapters/dynamodb/outbound-outbox.ts';
import { createOutboundEvents } from '#adapters/outbound-events.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import type { OutboundOutbox } from '#ports/outbound-outbox.ts';
import { readOutboundConfig } from '#shared/config.ts';
import { clearingOutbox } from '#use-cases/publish-recorded.ts';

export function outboundEventsOf(sqs: SQSClient): OutboundEvents {
  return createOutboundEvents(readOutboundConfig(), { sqs });
}

/**
 * For steps that record their facts in the outbound outbox with their change (serve-api,
 * run-dunning) and for the sweep: the outbox, and `outbound` clearing from it what it published.
 */
export function outboxOutboundOf(sqs: SQSClient, dynamodb: DynamoDBDocumentClient, billingTable: string) {
  const outbox: OutboundOutbox = new DynamoDbOutboundOutbox(dynamodb, billingTable);
  const events = outboundEventsOf(sqs);
  return { outbox, events, outbound: clearingOutbox(events, outbox) };
}
