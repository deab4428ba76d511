/**
 * Lambda entry point of close-billing-period: one invoice job (customer + period) per SQS
 * message, processed with Powertools BatchProcessor so a failing customer is retried alone.
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { DynamoDbCatalogRepository } from '../../shared/adapters/dynamodb/catalog-repository.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb/event-store.ts';
import { DynamoDbInvoiceRepository } from '../../shared/adapters/dynamodb/invoice-repository.ts';
import { readInvoicingConfig } from '../../shared/config.ts';
import { sendBodies } from '../../shared/adapters/sqs/send-bodies.ts';
import { logger, metrics, tracer } from '../../shared/observability.ts';
import { createCloseBillingPeriodHandler } from './close-handler.ts';

function build() {
  const config = readInvoicingConfig();
  const { dynamodb, sqs } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  tracer.captureAWSv3Client(sqs);
  return createCloseBillingPeriodHandler({
    events: new DynamoDbEventStore({
      client: dynamodb,
      tableName: config.eventsTable,
      shardCount: config.eventWriteShards,
      retentionDays: config.eventRetentionDays,
    }),
    invoices: new DynamoDbInvoiceRepository(dynamodb, config.billingTable),
    catalog: new DynamoDbCatalogRepository(dynamodb, config.billingTable),
    now: Date.now,
    gracePeriodMs: config.gracePeriodMs,
    settleMs: config.settleMs,
    requestDocument: async (number) => {
      const { failed } = await sendBodies(sqs, config.invoiceDocumentsQueueUrl, [JSON.stringify({ number })]);
      if (failed.length > 0) throw new Error(`could not hand invoice ${number} to rendering: ${failed[0]!.error}`);
    },
  });
}

let closeJob: ReturnType<typeof build> | undefined;
const processor = new BatchProcessor(EventType.SQS);

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event, context: Context) => {
    closeJob ??= build();
    return processPartialResponse(event, closeJob, processor, { context });
  });
