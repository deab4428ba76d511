/**
 * Lambda entry point of the HTTP API under /v1 (API Gateway HTTP API, payload 2.0; locally the
 * server in infra/local/http-api.ts hands it the same events). Builds the adapters once per
 * container; ./api.ts does the rest.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { CachedCatalog } from '#adapters/cached-catalog.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/event-store.ts';
import { DynamoDbIdempotencyStore } from '#adapters/dynamodb/idempotency-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbRequestThrottle } from '#adapters/dynamodb/request-throttle.ts';
import { readApiConfig } from '#shared/config.ts';
import { tracer } from '#shared/observability.ts';
import { lambdaHandler } from '../commons/lambda-handler.ts';
import { outboxOutboundOf } from '../commons/outbound-events.ts';
import { createApi } from './api.ts';
import { DynamoDbCustomerBalances } from '#adapters/dynamodb/customer-balance-store.ts';

/** The API on the configured resources; `now` is the clock (tests move it instead of waiting out a Retry-After). */
export function buildApi(now: () => number = Date.now) {
  const config = readApiConfig();
  const { dynamodb, sqs, s3 } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  tracer.captureAWSv3Client(sqs);
  tracer.captureAWSv3Client(s3);
  const catalog = new DynamoDbCatalogRepository(dynamodb, config.billingTable);
  const cached = new CachedCatalog(catalog);
  return createApi({
    catalog,
    ingestRules: () => cached.ingestRules(),
    knownCustomers: (ids) => cached.knownCustomers(ids),
    invoices: new DynamoDbInvoiceRepository(dynamodb, config.billingTable),
    creditNotes: new DynamoDbCreditNoteStore(dynamodb, config.billingTable),
    balances: new DynamoDbCustomerBalances(dynamodb, config.billingTable),
    events: new DynamoDbEventStore({
      client: dynamodb,
      tableName: config.eventsTable,
      shardCount: config.eventWriteShards,
      retentionDays: config.eventRetentionDays,
    }),
    enqueueEvents: async (body) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: config.eventsQueueUrl, MessageBody: body }));
    },
    presignDocument: (key, expiresIn) => getSignedUrl(s3, new GetObjectCommand({ Bucket: config.invoicesBucket, Key: key }), { expiresIn }),
    idempotency: new DynamoDbIdempotencyStore(dynamodb, config.billingTable),
    throttle: new DynamoDbRequestThrottle(dynamodb, config.billingTable),
    outbound: outboxOutboundOf(sqs, dynamodb, config.billingTable).outbound,
    now,
  });
}

export const handler = lambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(() => buildApi());
