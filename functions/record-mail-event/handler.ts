/**
 * Lambda entry point of record-mail-event: SES configuration-set events (through SNS and the
 * invoice-mail-events queue) recorded on the invoices and credit notes they concern.
 */
import type { SQSRecord } from 'aws-lambda';
import { sqsRecordHandler } from '../commons/sqs-record-handler.ts';
import { outboundEventsOf } from '../commons/outbound-events.ts';

import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { readBillingTableConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { parseMailNotification } from '#formats/mail-notifications.ts';
import { recordMailEvent } from '#use-cases/record-mail-event.ts';

function build() {
  const config = readBillingTableConfig();
  const { dynamodb, sqs } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  const deps = {
    invoices: new DynamoDbInvoiceRepository(dynamodb, config.billingTable),
    creditNotes: new DynamoDbCreditNoteStore(dynamodb, config.billingTable),
    now: Date.now,
    outbound: outboundEventsOf(sqs),
  };
  return async (record: SQSRecord) => {
    const outcome = await recordMailEvent(parseMailNotification(record.body), deps);
    if (outcome.action === 'bounced') metrics.addMetric('InvoiceEmailBounces', MetricUnit.Count, 1);
    if (outcome.action === 'problem_recorded') metrics.addMetric('InvoiceEmailProblems', MetricUnit.Count, 1);
    logger.info('mail event', { ...outcome });
    return outcome;
  };
}

export const handler = sqsRecordHandler(build);
