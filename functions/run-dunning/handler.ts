/**
 * Lambda entry point of the daily dunning run, invoked by EventBridge Scheduler with
 * `{ "asOf": "<scheduled time>" }`: emails the overdue reminders due that day, once each.
 */
import { lambdaHandler } from '../commons/lambda-handler.ts';
import { outboxOutboundOf } from '../commons/outbound-events.ts';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import { parseScheduledRun } from '#formats/scheduler-events.ts';
import { readDunningConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { runDunning, type DunningSummary } from '#use-cases/run-dunning.ts';

/** A claim older than this belongs to a run that died mid-send (the function times out at 15 min). */
const CLAIM_TIMEOUT_MS = 20 * 60_000;

function build() {
  const config = readDunningConfig();
  const { dynamodb, s3, ses, sqs } = createAwsClients();
  for (const client of [dynamodb, s3, ses]) tracer.captureAWSv3Client(client);
  const deps = {
    invoices: new DynamoDbInvoiceRepository(dynamodb, config.billingTable),
    catalog: new DynamoDbCatalogRepository(dynamodb, config.billingTable),
    documents: new S3DocumentStore(s3, config.invoicesBucket),
    mailer: new SesMailer(ses, config.sesConfigurationSet),
    now: Date.now,
    claimTimeoutMs: CLAIM_TIMEOUT_MS,
    onReminderSent: () => metrics.addMetric('RemindersSent', MetricUnit.Count, 1),
    // Recorded with each reminder in the outbound outbox; what is published is cleared from it.
    outbound: outboxOutboundOf(sqs, dynamodb, config.billingTable).outbound,
  };
  return async (event: unknown): Promise<DunningSummary> => {
    const { asOf } = parseScheduledRun(event, Date.now);
    const summary = await runDunning(asOf, deps);
    logger.info('dunning run', {
      asOf: summary.asOf,
      candidates: summary.candidates,
      sent: summary.sent.length,
      skipped: summary.skipped,
      failed: summary.failed.length,
    });
    const pending = summary.sent.filter((sent) => sent.outboundError !== undefined);
    if (pending.length > 0)
      logger.warn('invoice.overdue not published now: left in the outbound outbox for the hourly sweep', {
        invoices: pending.map((sent) => sent.number),
        reason: pending[0]!.outboundError,
      });
    return summary;
  };
}

export const handler = lambdaHandler<unknown, DunningSummary>(build);
