/**
 * Lambda entry point of the invoice run, invoked hourly by EventBridge Scheduler with
 * `{ "asOf": "<scheduled time>" }`: enqueues the close-billing-period jobs (see startInvoiceRun),
 * then hands stuck deliveries to render-invoice again (see recoverStuckDeliveries), and
 * publishes the outbound facts left in the outbox by a publish that failed (see flushOutbox).
 */
import { lambdaHandler } from '../commons/lambda-handler.ts';
import { outboxOutboundOf } from '../commons/outbound-events.ts';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbInvoiceRunLog } from '#adapters/dynamodb/invoice-run-log.ts';
import { parseScheduledInvoiceRun } from '#formats/scheduler-events.ts';
import { sendMessages } from '#adapters/sqs/send-messages.ts';
import { invoiceJobMessage } from '#messages/invoice-job.ts';
import type { InvoiceNumberMessage } from '#messages/invoice-number.ts';
import { renderRequestMessage } from '#messages/render-request.ts';
import { readInvoicingConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { startInvoiceRun, type InvoiceRunStarted } from '#use-cases/start-invoice-run.ts';
import { recoverStuckDeliveries, type DeliveriesRecovered } from '#use-cases/recover-deliveries.ts';
import { flushOutbox } from '#use-cases/publish-recorded.ts';

function build() {
  const config = readInvoicingConfig();
  const { dynamodb, sqs } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  tracer.captureAWSv3Client(sqs);
  const catalog = new DynamoDbCatalogRepository(dynamodb, config.billingTable);
  const invoices = new DynamoDbInvoiceRepository(dynamodb, config.billingTable);
  const runs = new DynamoDbInvoiceRunLog(dynamodb, config.billingTable);
  const { outbox, events } = outboxOutboundOf(sqs, dynamodb, config.billingTable);
  const creditNotes = new DynamoDbCreditNoteStore(dynamodb, config.billingTable);
  const requestDocuments = async (requests: readonly InvoiceNumberMessage[]) => {
    const result = await sendMessages(sqs, config.invoiceDocumentsQueueUrl, renderRequestMessage, requests);
    return { failed: result.failed.map((failure) => failure.value.number) };
  };
  return async (event: unknown): Promise<InvoiceRunStarted & { deliveries: DeliveriesRecovered }> => {
    const input = parseScheduledInvoiceRun(event, Date.now);
    const started = await startInvoiceRun(
      input.asOf,
      {
        catalog,
        invoices,
        runs,
        enqueue: async (jobs) => {
          const result = await sendMessages(sqs, config.invoiceJobsQueueUrl, invoiceJobMessage, jobs);
          return { failed: result.failed.length };
        },
      },
      input.period === undefined ? {} : { period: input.period },
    );
    metrics.addMetric('InvoiceJobsEnqueued', MetricUnit.Count, started.jobs - started.failed);
    logger.info('invoice run started', { ...started });
    // Wall-clock time, not asOf: a claim's age is real time whatever period the run closes.
    const deliveries = await recoverStuckDeliveries({ invoices, creditNotes, requestDocuments, now: Date.now });
    if (deliveries.requeued.length > 0) metrics.addMetric('InvoiceDeliveriesRecovered', MetricUnit.Count, deliveries.requeued.length);
    if (deliveries.requeued.length + deliveries.failed.length > 0)
      logger.warn('stuck invoice deliveries handed to render-invoice again', { ...deliveries });
    // The sweep: a fact the bus refuses stays in the outbox, the run fails (alarmed) and the next one tries again.
    const { published } = await flushOutbox({ outbox, outbound: events });
    if (published > 0) logger.warn('outbound facts left in the outbox published', { published });
    // Jobs and deliveries that could not be enqueued are not lost: the next hourly run enqueues them again.
    if (started.failed > 0) throw new Error(`${started.failed} of ${started.jobs} invoice jobs could not be enqueued`);
    if (deliveries.failed.length > 0)
      throw new Error(`${deliveries.failed.length} stuck deliveries could not be requeued: ${deliveries.failed.join(', ')}`);
    return { ...started, deliveries };
  };
}

export const handler = lambdaHandler<unknown, InvoiceRunStarted & { deliveries: DeliveriesRecovered }>(build);
