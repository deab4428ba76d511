/**
 * Lambda entry point of POST /webhooks/stripe (API Gateway HTTP API, payload format 2.0; the
 * local HTTP server in infra/local/http-api.ts hands it the same event). The door (./door.ts)
 * verifies and reads the event, the use case stores and queues it, then it answers; applying
 * it happens in apply-payment-event.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaHandler } from '../commons/lambda-handler.ts';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbWebhookEventStore } from '#adapters/dynamodb/webhook-event-store.ts';
import { webhookSecrets } from '#adapters/stripe/webhook-secrets.ts';
import { readWebhookConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { paymentEventMessage } from '#messages/payment-event.ts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { jsonResponse, refusalMetric, refusalResponse } from '../commons/http-errors.ts';
import { receiveStripeWebhook } from './door.ts';

function build() {
  const config = readWebhookConfig();
  const { dynamodb, sqs } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  tracer.captureAWSv3Client(sqs);
  const deps = {
    secrets: webhookSecrets(config.webhookSecret, () => tracer.captureAWSv3Client(new SecretsManagerClient({}))),
    events: new DynamoDbWebhookEventStore(dynamodb, config.billingTable),
    enqueue: async (eventId: string) => {
      const body = paymentEventMessage.serialize({ eventId });
      await sqs.send(new SendMessageCommand({ QueueUrl: config.paymentEventsQueueUrl, MessageBody: body }));
    },
    now: Date.now,
  };
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const body = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const outcome = await receiveStripeWebhook({ body, signature: event.headers['stripe-signature'] }, deps);
    if (outcome.status !== 200) {
      metrics.addMetric(refusalMetric(outcome), MetricUnit.Count, 1);
      logger.warn('stripe webhook refused', { refusal: outcome.refusal });
      return refusalResponse(outcome);
    }
    metrics.addMetric(outcome.duplicate ? 'WebhookDuplicates' : 'WebhookEventsAccepted', MetricUnit.Count, 1);
    logger.info('stripe webhook accepted', { eventId: outcome.eventId, type: outcome.type, duplicate: outcome.duplicate });
    return jsonResponse(200, { received: true, duplicate: outcome.duplicate });
  };
}

export const handler = lambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(build);
