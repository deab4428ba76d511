/**
 * Lambda entry point of render-invoice: one document per SQS message ({ number, document? }),
 * rendered with pdfkit, stored once in S3, then handed to send-invoice. A finalized invoice by
 * default; an issued credit note when the message says `document: credit_note` (the stage keeps
 * its name: one queue and one function render every document the customer receives).
 */
import type { SQSRecord } from 'aws-lambda';
import { sqsRecordHandler } from '../commons/sqs-record-handler.ts';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { renderCreditNotePdf } from '#adapters/pdf/credit-note-pdf.ts';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';
import { sendMessage } from '#adapters/sqs/send-messages.ts';
import { readDeliveryConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { deliveredDocument } from '#messages/invoice-number.ts';
import { renderRequestMessage } from '#messages/render-request.ts';
import { sendRequestMessage } from '#messages/send-request.ts';
import { renderCreditNote } from '#use-cases/render-credit-note.ts';
import { renderInvoice } from '#use-cases/render-invoice.ts';

function build() {
  const config = readDeliveryConfig();
  const { dynamodb, s3, sqs } = createAwsClients();
  for (const client of [dynamodb, s3, sqs]) tracer.captureAWSv3Client(client);
  const invoices = new DynamoDbInvoiceRepository(dynamodb, config.billingTable);
  const documents = new S3DocumentStore(s3, config.invoicesBucket);
  const deps = {
    invoices,
    documents,
    render: (invoice: Parameters<typeof renderInvoicePdf>[0]) => renderInvoicePdf(invoice),
    requestEmail: (number: string) =>
      sendMessage(sqs, config.invoiceEmailsQueueUrl, sendRequestMessage, { number }, `invoice ${number} to sending`),
    now: Date.now,
  };
  const creditNoteDeps = {
    creditNotes: new DynamoDbCreditNoteStore(dynamodb, config.billingTable),
    invoices,
    documents,
    render: renderCreditNotePdf,
    requestEmail: (number: string) =>
      sendMessage(
        sqs,
        config.invoiceEmailsQueueUrl,
        sendRequestMessage,
        { number, document: 'credit_note' },
        `credit note ${number} to sending`,
      ),
    now: Date.now,
  };
  return async (record: SQSRecord) => {
    const message = renderRequestMessage.parse(record.body);
    const { number } = message;
    const outcome =
      deliveredDocument(message) === 'credit_note' ? await renderCreditNote(number, creditNoteDeps) : await renderInvoice(number, deps);
    if (outcome.action === 'rendered') {
      metrics.addMetric('DocumentsRendered', MetricUnit.Count, 1);
      metrics.addMetric('DocumentRenderTime', MetricUnit.Milliseconds, outcome.renderMs);
    }
    logger.info(`${deliveredDocument(message)} document`, { number, action: outcome.action });
    return outcome;
  };
}

export const handler = sqsRecordHandler(build);
