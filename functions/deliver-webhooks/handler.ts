/**
 * Lambda entry point of deliver-webhooks: one outbound event per SQS message (the bus rule's
 * target in AWS, the queue adapter locally), posted to every subscribed webhook endpoint.
 *
 * A delivery that failed for some endpoint is retried with exponential backoff: before the
 * record is reported failed, the message is made invisible for the attempt's delay (1 min,
 * doubling, up to 12 h), so the queue's 16 receives span more than 3 days before it is
 * dead-lettered (alarmed; `billflow webhooks replay` sends it again).
 */
import type { SQSRecord } from 'aws-lambda';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbWebhookEndpointStore } from '#adapters/dynamodb/webhook-endpoint-store.ts';
import { HttpWebhookSender } from '#adapters/http/webhook-sender.ts';
import { retryDelaySeconds } from '#domain/outbound/webhook-endpoint.ts';
import { ENDPOINT_ATTRIBUTE, webhookDeliveryMessage } from '#messages/webhook-delivery.ts';
import { readWebhookDeliveryConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { deliverWebhooks } from '#use-cases/deliver-webhooks.ts';
import { WebhookDeliveryError } from '#use-cases/errors.ts';
import { sqsRecordHandler } from '../commons/sqs-record-handler.ts';

function build() {
  const config = readWebhookDeliveryConfig();
  const { dynamodb, sqs } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  tracer.captureAWSv3Client(sqs);
  const deps = {
    endpoints: new DynamoDbWebhookEndpointStore(dynamodb, config.billingTable),
    sender: new HttpWebhookSender({ policy: config.urlPolicy, timeoutMs: config.timeoutMs }),
    now: Date.now,
  };
  return async (record: SQSRecord) => {
    const envelope = webhookDeliveryMessage.parse(record.body);
    const onlyEndpoint = record.messageAttributes?.[ENDPOINT_ATTRIBUTE]?.stringValue;
    const result = await deliverWebhooks(envelope, deps, onlyEndpoint);
    if (result.delivered.length > 0) metrics.addMetric('WebhooksDelivered', MetricUnit.Count, result.delivered.length);
    if (result.failed.length === 0) {
      logger.info('webhooks delivered', { eventId: envelope.id, type: envelope.type, delivered: result.delivered });
      return result;
    }
    metrics.addMetric('WebhookDeliveryFailures', MetricUnit.Count, result.failed.length);
    const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const delay = retryDelaySeconds(attempt, config.retry);
    // The queue's own visibility timeout would retry in minutes; the backoff is set here.
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: config.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: delay }),
    );
    throw new WebhookDeliveryError(
      `event ${envelope.id} (attempt ${attempt}) not delivered to ${result.failed.map((f) => `${f.endpointId} (${f.reason})`).join(', ')}; next attempt in ${delay} s`,
    );
  };
}

export const handler = sqsRecordHandler(build);
