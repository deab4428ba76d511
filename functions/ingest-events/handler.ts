/**
 * Lambda entry point of the ingest function: SQS (events queue) -> stored event chunks.
 * Dependencies are built once per container, on first use, from validated configuration.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { CachedCatalog } from '#adapters/cached-catalog.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/event-store.ts';
import { DynamoDbRejectedEventStore } from '#adapters/dynamodb/rejected-event-store.ts';
import { readIngestConfig } from '#shared/config.ts';
import { logger, metrics, tracer } from '#shared/observability.ts';
import { createIngestHandler } from './ingest-handler.ts';
import { outboundEventsOf } from '../commons/outbound-events.ts';

/** Chunks hold at most this much raw JSON: compressed, far below DynamoDB's 400 KB item limit. */
const MAX_CHUNK_BYTES = 256 * 1024;

function buildIngest() {
  const config = readIngestConfig();
  const { dynamodb, sqs } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  const catalog = new CachedCatalog(new DynamoDbCatalogRepository(dynamodb, config.billingTable));
  return createIngestHandler({
    events: new DynamoDbEventStore({
      client: dynamodb,
      tableName: config.eventsTable,
      shardCount: config.eventWriteShards,
      retentionDays: config.eventRetentionDays,
    }),
    rejected: new DynamoDbRejectedEventStore({
      client: dynamodb,
      tableName: config.eventsTable,
      shardCount: config.eventWriteShards,
      retentionDays: config.eventRetentionDays,
    }),
    catalogRules: () => catalog.ingestRules(),
    knownCustomers: (ids) => catalog.knownCustomers(ids),
    customerSubscriptions: (ids) => catalog.customerSubscriptions(ids),
    now: Date.now,
    maxChunkBytes: MAX_CHUNK_BYTES,
    outbound: outboundEventsOf(sqs),
  });
}

let ingest: ReturnType<typeof createIngestHandler> | undefined;

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(async (event) => {
    ingest ??= buildIngest();
    return ingest(event);
  });
