/**
 * Lambda entry point of send-invoice: one rendered document per SQS message ({ number,
 * document? }), emailed once through SES with its PDF attached. A finalized invoice by default;
 * an issued credit note when the message says `document: credit_note`.
 */
import type { SQSRecord } from 'aws-lambda';
import { sqsRecordHandler } from '../commons/sqs-record-handler.ts';
import { outboundEventsOf } from '../commons/outbound-events.ts';

import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbInvoicePageTokenStore } from '#adapters/dynamodb/invoice-page-token-store.ts';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import { readDeliveryConfig, type DeliveryConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { deliveredDocument } from '#messages/invoice-number.ts';
import { sendRequestMessage } from '#messages/send-request.ts';
import { sendCreditNote } from '#use-cases/send-credit-note.ts';
import { sendInvoice } from '#use-cases/send-invoice.ts';
import { createInvoicePageLink } from '#use-cases/invoice-page-links.ts';
import { DELIVERY_CLAIM_TIMEOUT_MS } from '#use-cases/recover-deliveries.ts';

function build() {
  const config = readDeliveryConfig();
  const { dynamodb, s3, ses, sqs } = createAwsClients();
  for (const client of [dynamodb, s3, ses]) tracer.captureAWSv3Client(client);
  const invoices = new DynamoDbInvoiceRepository(dynamodb, config.billingTable);
  const deps = {
    invoices,
    documents: new S3DocumentStore(s3, config.invoicesBucket),
    mailer: new SesMailer(ses, config.sesConfigurationSet),
    now: Date.now,
    // A claim older than this belongs to a sender that died; the invoice run's sweep uses the same.
    claimTimeoutMs: DELIVERY_CLAIM_TIMEOUT_MS,
    outbound: outboundEventsOf(sqs),
    ...pageLinks(config, new DynamoDbInvoicePageTokenStore(dynamodb, config.billingTable)),
  };
  const creditNoteDeps = { ...deps, creditNotes: new DynamoDbCreditNoteStore(dynamodb, config.billingTable), emailLinks: invoices };
  return async (record: SQSRecord) => {
    const message = sendRequestMessage.parse(record.body);
    const { number } = message;
    if (deliveredDocument(message) === 'credit_note') {
      const outcome = await sendCreditNote(number, 'invoice', creditNoteDeps);
      if (outcome.action === 'sent') metrics.addMetric('CreditNoteEmailsSent', MetricUnit.Count, 1);
      if (outcome.action === 'failed') metrics.addMetric('CreditNoteEmailFailures', MetricUnit.Count, 1);
      logger.info('credit note email', { number, action: outcome.action });
      return outcome;
    }
    const outcome = await sendInvoice(number, 'invoice', deps);
    if (outcome.action === 'sent') metrics.addMetric('InvoiceEmailsSent', MetricUnit.Count, 1);
    if (outcome.action === 'failed') metrics.addMetric('InvoiceEmailFailures', MetricUnit.Count, 1);
    logger.info('invoice email', { number, action: outcome.action });
    return outcome;
  };
}

/** Invoice emails link to the hosted page when the HTTP API's URL is configured. */
function pageLinks(config: DeliveryConfig, pageTokens: DynamoDbInvoicePageTokenStore) {
  const baseUrl = config.invoicePageBaseUrl;
  if (baseUrl === undefined) return {};
  const deps = { pageTokens, now: Date.now, validDays: config.invoicePageLinkDays };
  return { pageLink: (number: string) => createInvoicePageLink(number, baseUrl, deps) };
}

export const handler = sqsRecordHandler(build);
