/** Dunning: daily, run-dunning (EventBridge Scheduler) emails the overdue reminders due that day, once each. */
import { Duration } from 'aws-cdk-lib';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { BillingFunction } from '../constructs/billing-function.ts';
import type { FunctionSchedule } from '../constructs/function-schedule.ts';
import { DASHBOARD_PERIOD, type StageRow } from '../constructs/pipeline-dashboard.ts';
import { buckets, schedules, tables } from '../resources.ts';
import { count, failedRuns, invocations } from './dashboard-metrics.ts';
import { INVOICE_DOCUMENT_KEYS, type DeliveryStage } from './delivery.ts';
import { functionFrom, scheduledRun, type PipelineStage, type StageContext } from './stage-context.ts';

/**
 * A dunning run Scheduler could not deliver is retried for six hours: reminders a few hours
 * late are harmless, and the next day's run sends whatever is still due (every stage is
 * decided from the invoice as stored, so nothing is sent twice).
 */
const DUNNING_RUN_MAX_EVENT_AGE = Duration.hours(6);
const DUNNING_RUN_RETRY_ATTEMPTS = 10;

export class DunningStage implements PipelineStage {
  public readonly dunningRunFunction: BillingFunction;
  public readonly dunningRunSchedule: FunctionSchedule;
  public readonly dashboardRows: readonly StageRow[];

  public constructor(context: StageContext, props: { readonly delivery: DeliveryStage; readonly scheduleGroup: IScheduleGroup }) {
    const dunning = schedules.runDunning;
    this.dunningRunFunction = functionFrom(context, dunning, {
      description: 'Daily dunning run: emails the overdue reminders due that day, once each',
    })
      .bindTable(
        context.billingTable,
        tables.billing.envVar,
        // CatalogRepository.readHead (reminder days), InvoiceRepository.update's reads.
        'dynamodb:GetItem',
        // listOpenReceivables: the invoices whose keys the keys-only index returned.
        'dynamodb:BatchGetItem',
        // InvoiceRepository.update's conditional put (claim, sent, skipped) and linkEmail
        // (the reminder's message id, so its bounces are recorded like the invoice email's).
        'dynamodb:PutItem',
        // The reminder's invoice.overdue cleared from the outbound outbox once published.
        'dynamodb:DeleteItem',
      )
      // listOpenReceivables: the due invoices' keys, from the sparse index. No Query on the
      // table and no Scan: the run reads nothing else in bulk.
      .queriesIndex(context.billingTable, 'open-receivables')
      // S3DocumentStore.get: the invoice PDF attached to the reminder.
      .bindBucket(context.invoicesBucket, buckets.invoices.envVar, INVOICE_DOCUMENT_KEYS, 's3:GetObject');
    // Like send-invoice: as the issuer, with the configuration set that reports bounces.
    props.delivery.sendsMailAsIssuer(this.dunningRunFunction);

    // "Days overdue" are judged as of the scheduled time, also when a retry delivers it later.
    this.dunningRunSchedule = scheduledRun(context, 'RunDunningSchedule', 'runDunning', {
      fn: this.dunningRunFunction,
      description: 'billflow dunning run: overdue reminders for unpaid invoices',
      group: props.scheduleGroup,
      retryAttempts: DUNNING_RUN_RETRY_ATTEMPTS,
      maxEventAge: DUNNING_RUN_MAX_EVENT_AGE,
    });

    this.dashboardRows = [
      {
        title: 'Dunning',
        description: `Daily, ${dunning.functionId} (EventBridge Scheduler) emails the overdue reminders due that day, once each.`,
        throughput: [invocations(dunning.functionId, this.dunningRunFunction)],
        functions: [{ label: dunning.functionId, fn: this.dunningRunFunction }],
        deadLetterQueues: [failedRuns(this.dunningRunSchedule)],
        queues: [],
        instead: {
          title: 'Dunning: run duration',
          metrics: [
            this.dunningRunFunction.metricDuration({
              label: `${dunning.functionId} duration (max)`,
              period: DASHBOARD_PERIOD,
              statistic: 'Maximum',
            }),
          ],
          annotations: [{ value: dunning.timeoutSeconds * 1000, label: 'timeout' }],
          unit: 'ms',
        },
        figures: [{ title: 'Reminders sent', metrics: [count('RemindersSent', 'reminders sent')], unit: 'emails / 5 min' }],
      },
    ];
  }
}
