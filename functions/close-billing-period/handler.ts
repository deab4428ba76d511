/**
 * Lambda entry point of close-billing-period: one invoice job (customer + period) per SQS
 * message, processed with Powertools BatchProcessor so a failing customer is retried alone.
 */
import { sqsRecordHandler } from '../commons/sqs-record-handler.ts';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/event-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbInvoiceJobFailures } from '#adapters/dynamodb/invoice-job-failure-store.ts';
import { readInvoicingConfig } from '#shared/config.ts';
import { sendMessage } from '#adapters/sqs/send-messages.ts';
import { renderRequestMessage } from '#messages/render-request.ts';
import { tracer } from '#shared/observability.ts';
import { createCloseBillingPeriodHandler } from './close-handler.ts';
import { outboundEventsOf } from '../commons/outbound-events.ts';

function build() {
  const config = readInvoicingConfig();
  const { dynamodb, sqs } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  tracer.captureAWSv3Client(sqs);
  return createCloseBillingPeriodHandler(
    {
      events: new DynamoDbEventStore({
        client: dynamodb,
        tableName: config.eventsTable,
        shardCount: config.eventWriteShards,
        retentionDays: config.eventRetentionDays,
      }),
      invoices: new DynamoDbInvoiceRepository(dynamodb, config.billingTable),
      catalog: new DynamoDbCatalogRepository(dynamodb, config.billingTable),
      now: Date.now,
      settleMs: config.settleMs,
      requestDocument: (number) =>
        sendMessage(sqs, config.invoiceDocumentsQueueUrl, renderRequestMessage, { number }, `invoice ${number} to rendering`),
      outbound: outboundEventsOf(sqs),
    },
    { jobFailures: new DynamoDbInvoiceJobFailures(dynamodb, config.billingTable), now: Date.now },
  );
}

export const handler = sqsRecordHandler(build);
