/**
 * Invoice run: hourly, invoice-run enqueues one job per customer period on the invoice-jobs
 * queue (and recovers stuck deliveries); close-billing-period drafts each invoice, finalizes it
 * after the grace period and requests its document.
 */
import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { businessAlarms } from '../alarms.ts';
import type { BillingFunction } from '../constructs/billing-function.ts';
import { businessSearch } from '../constructs/business-metric.ts';
import type { FunctionSchedule } from '../constructs/function-schedule.ts';
import { DASHBOARD_PERIOD, type StageRow } from '../constructs/pipeline-dashboard.ts';
import type { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter.ts';
import { consumers, pipelineSettings, queues, schedules, tables } from '../resources.ts';
import { count, deadLetters, failedRuns, invocations, money, received, waiting } from './dashboard-metrics.ts';
import type { DeliveryStage } from './delivery.ts';
import { alarmedQueue, businessAlarm, functionFrom, scheduledRun, type PipelineStage, type StageContext } from './stage-context.ts';

/**
 * An invoice run that Scheduler could not deliver within an hour is superseded by the next
 * hourly run, which does the same work (the run is idempotent); until then Scheduler retries.
 */
const INVOICE_RUN_MAX_EVENT_AGE = Duration.hours(1);
const INVOICE_RUN_RETRY_ATTEMPTS = 10;

export class InvoiceRunStage implements PipelineStage {
  public readonly invoiceJobsQueue: QueueWithDeadLetter;
  public readonly closeBillingPeriodFunction: BillingFunction;
  public readonly invoiceRunFunction: BillingFunction;
  public readonly invoiceRunSchedule: FunctionSchedule;
  /** Any customer whose invoice job failed: close-billing-period's errors alarm does not see it (partial batch responses). */
  public readonly invoiceJobsFailedAlarm: Alarm;
  public readonly dashboardRows: readonly StageRow[];

  public constructor(context: StageContext, props: { readonly delivery: DeliveryStage; readonly scheduleGroup: IScheduleGroup }) {
    const { delivery } = props;
    this.invoiceJobsQueue = alarmedQueue(context, 'InvoiceJobsQueue', 'invoiceJobs');

    // Both invoicing functions read their configuration with readInvoicingConfig
    // (shared/config.ts), which requires both table names, the jobs queue URL and the
    // documents queue URL.
    const close = consumers.closeBillingPeriod;
    this.closeBillingPeriodFunction = functionFrom(context, close, {
      description: 'Drafts or finalizes one customer invoice per job from the invoice-jobs queue',
      environment: pipelineSettings,
    })
      // Query only: EventStore.readShard (the period's chunks, and late chunks of earlier
      // periods, per write shard) and EventStore.latePeriods (the customer's late markers).
      .bindTable(context.eventsTable, tables.events.envVar, 'dynamodb:Query')
      .bindTable(
        context.billingTable,
        tables.billing.envVar,
        // InvoiceRepository.get (the period's and the previous period's invoice, re-reads after
        // a lost race), CatalogRepository.readHead, and finalize's read of the number sequence.
        'dynamodb:GetItem',
        // CatalogRepository.findCustomers (the job's customer).
        'dynamodb:BatchGetItem',
        // InvoiceRepository.listCustomerFrom: the customer's invoices from the oldest period
        // with late events on, for the cuts that start its late window (its own partition).
        'dynamodb:Query',
        // saveDraft and closeDraft (conditional puts), and the two Puts in finalize's
        // TransactWriteItems (numbered invoice, number claim): a transaction is authorized
        // per contained action, so TransactWriteItems needs no permission of its own.
        'dynamodb:PutItem',
        // The Update of the number sequence in finalize's TransactWriteItems, and
        // InvoiceJobFailures.record (a failed job, for `billflow invoices run`).
        'dynamodb:UpdateItem',
      )
      // The event source's grant: receive, delete and change visibility on the jobs queue only.
      .consumeQueue(this.invoiceJobsQueue.queue, close);
    // requestDocument: one { number } per finalized invoice, to render-invoice.
    delivery.requestsDocuments(this.closeBillingPeriodFunction);
    // The URL only, because readInvoicingConfig requires it: this function never sends jobs.
    this.closeBillingPeriodFunction.addEnvironment(queues.invoiceJobs.envVar, this.invoiceJobsQueue.queue.queueUrl);

    const run = schedules.startInvoiceRun;
    this.invoiceRunFunction = functionFrom(context, run, {
      description: 'Hourly invoice run: enqueues one close-billing-period job per customer and open draft',
      environment: pipelineSettings,
    })
      .bindTable(
        context.billingTable,
        tables.billing.envVar,
        // CatalogRepository.version: the head's and the customers' versions, in one request.
        'dynamodb:BatchGetItem',
        // InvoiceRunLog: whether every customer of the period was enqueued at this version.
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        // CatalogRepository.listCustomers, a filtered scan: only at the first run after a
        // period ends, or when the catalog changed during the day after.
        'dynamodb:Scan',
        // flushOutbox: the outbound facts left in the outbox (one partition), cleared once published.
        'dynamodb:Query',
        'dynamodb:DeleteItem',
      )
      // InvoiceRepository.listOpenDrafts: the drafts still to close, from the sparse index.
      .queriesIndex(context.billingTable, 'open-drafts')
      // sendBodies: SendMessageBatch of the jobs, authorized by sqs:SendMessage.
      .sendsTo(this.invoiceJobsQueue.queue, queues.invoiceJobs.envVar);
    // recoverStuckDeliveries: deliveries stuck past the claim timeout, to render-invoice again.
    delivery.recoversStuckDeliveries(this.invoiceRunFunction);
    // The name only, because readInvoicingConfig requires it: the run never touches events,
    // so it gets no permission on the events table.
    this.invoiceRunFunction.addEnvironment(tables.events.envVar, context.eventsTable.tableName);

    // The run is "as of" the scheduled time, also when a retry delivers it later.
    this.invoiceRunSchedule = scheduledRun(context, 'StartInvoiceRunSchedule', 'startInvoiceRun', {
      fn: this.invoiceRunFunction,
      description: 'billflow invoice run: drafts for ended periods, finalization after the grace period',
      group: props.scheduleGroup,
      retryAttempts: INVOICE_RUN_RETRY_ATTEMPTS,
      maxEventAge: INVOICE_RUN_MAX_EVENT_AGE,
    });
    this.invoiceJobsFailedAlarm = businessAlarm(context, businessAlarms.invoiceJobsFailed);

    this.dashboardRows = [this.row()];
  }

  private row(): StageRow {
    const { startInvoiceRun: run } = schedules;
    const close = consumers.closeBillingPeriod;
    return {
      title: 'Invoice run',
      description: `Hourly, ${run.functionId} enqueues one job per customer period on the ${queues.invoiceJobs.id} queue; ${close.functionId} drafts each invoice and finalizes it after the grace period.`,
      throughput: [
        invocations(run.functionId, this.invoiceRunFunction),
        count('InvoiceJobsEnqueued', 'jobs enqueued'),
        received(this.invoiceJobsQueue),
        invocations(close.functionId, this.closeBillingPeriodFunction),
      ],
      functions: [
        { label: run.functionId, fn: this.invoiceRunFunction },
        { label: close.functionId, fn: this.closeBillingPeriodFunction },
      ],
      deadLetterQueues: [deadLetters(this.invoiceJobsQueue), failedRuns(this.invoiceRunSchedule)],
      queues: [waiting(this.invoiceJobsQueue)],
      figures: [
        {
          title: 'Invoices',
          metrics: [
            count('InvoicesDrafted', 'drafted'),
            count('InvoicesFinalized', 'finalized'),
            count('InvoicesNotIssuedZeroTotal', 'not issued (zero total)'),
            // Published by `billflow invoices void`, by currency.
            businessSearch('InvoicesVoided', 'currency', DASHBOARD_PERIOD, 'voided '),
            // Published by `billflow invoices credit`, by currency.
            businessSearch('CreditNotesIssued', 'currency', DASHBOARD_PERIOD, 'credit notes '),
          ],
          unit: 'invoices / 5 min',
        },
        {
          title: 'Failed invoice jobs',
          metrics: [count('InvoiceJobsFailed', 'failed jobs')],
          annotations: [this.invoiceJobsFailedAlarm.toAnnotation()],
          unit: 'jobs / 5 min',
        },
        {
          title: 'Events billed as periods close',
          metrics: [count('EventsAccepted', 'accepted'), count('EventsDuplicate', 'duplicate deliveries')],
          unit: 'events / 5 min',
        },
        money('Amount invoiced by currency (last 31 days)', 'AmountInvoiced', 'currency'),
        money('Amount credited by currency (last 31 days)', 'AmountCredited', 'currency'),
      ],
    };
  }
}
