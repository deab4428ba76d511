/**
 * Lambda entry point of render-invoice: one finalized invoice per SQS message ({ number }),
 * rendered with pdfkit, stored once in S3, then handed to send-invoice.
 */
import type { SQSRecord } from 'aws-lambda';
import { sqsRecordHandler } from '../commons/sqs-record-handler.ts';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';
import { sendMessage } from '#adapters/sqs/send-messages.ts';
import { readDeliveryConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { renderRequestMessage } from '#messages/render-request.ts';
import { sendRequestMessage } from '#messages/send-request.ts';
import { renderInvoice } from '#use-cases/render-invoice.ts';

function build() {
  const config = readDeliveryConfig();
  const { dynamodb, s3, sqs } = createAwsClients();
  for (const client of [dynamodb, s3, sqs]) tracer.captureAWSv3Client(client);
  const deps = {
    invoices: new DynamoDbInvoiceRepository(dynamodb, config.billingTable),
    documents: new S3DocumentStore(s3, config.invoicesBucket),
    render: (invoice: Parameters<typeof renderInvoicePdf>[0]) => renderInvoicePdf(invoice),
    requestEmail: (number: string) =>
      sendMessage(sqs, config.invoiceEmailsQueueUrl, sendRequestMessage, { number }, `invoice ${number} to sending`),
    now: Date.now,
  };
  return async (record: SQSRecord) => {
    const { number } = renderRequestMessage.parse(record.body);
    const outcome = await renderInvoice(number, deps);
    if (outcome.action === 'rendered') {
      metrics.addMetric('DocumentsRendered', MetricUnit.Count, 1);
      metrics.addMetric('DocumentRenderTime', MetricUnit.Milliseconds, outcome.renderMs);
    }
    logger.info('invoice document', { number, action: outcome.action });
    return outcome;
  };
}

export const handler = sqsRecordHandler(build);
