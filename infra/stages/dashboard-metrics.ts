/**
 * The metrics the stages' dashboard rows are made of, each over the dashboard's period (five
 * minutes), labelled the same way in every row.
 */
import { Duration } from 'aws-cdk-lib';
import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { BillingFunction } from '../constructs/billing-function.ts';
import { businessMetric, businessSearch } from '../constructs/business-metric.ts';
import type { FunctionSchedule } from '../constructs/function-schedule.ts';
import { DASHBOARD_PERIOD, type FigureWidget, type QueueView } from '../constructs/pipeline-dashboard.ts';
import type { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter.ts';

const period = DASHBOARD_PERIOD;

/** A business metric's sum, e.g. `EventsReceived`. */
export const count = (metricName: string, label?: string): Metric =>
  businessMetric(metricName, period, label === undefined ? {} : { label });

export const received = (queue: QueueWithDeadLetter): Metric =>
  queue.queue.metricNumberOfMessagesReceived({ label: `${queue.name} messages received`, period, statistic: 'Sum' });

export const invocations = (name: string, fn: BillingFunction): Metric =>
  fn.metricInvocations({ label: `${name} invocations`, period, statistic: 'Sum' });

/** A queue's oldest message, with its alarm's threshold. */
export const waiting = (queue: QueueWithDeadLetter): QueueView => ({
  label: queue.name,
  queue: queue.queue,
  alarm: queue.alarms?.oldestMessage,
});

export const deadLetters = (queue: QueueWithDeadLetter): QueueView => ({ label: queue.deadLetterName, queue: queue.deadLetterQueue });

/** Scheduled runs that did not complete. */
export const failedRuns = (schedule: FunctionSchedule): QueueView => ({ label: schedule.deadLetterName, queue: schedule.deadLetterQueue });

/** Money is invoiced once a month: hourly sums over the last 31 days show every run. */
export const money = (title: string, metricName: string, dimension: string): FigureWidget => ({
  title,
  metrics: [businessSearch(metricName, dimension, Duration.hours(1))],
  unit: 'minor units / hour',
  start: '-P31D',
});
