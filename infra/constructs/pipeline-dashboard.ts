/**
 * The operators' CloudWatch dashboard: an alarm overview, then one row per pipeline stage
 * (ingest, invoice run, render, send, payments, dunning), each laid out the same way so a
 * stage can be read at a glance:
 *
 *   ## Stage title: what flows through it
 *   [ Throughput ] [ Errors & throttles ] [ Dead-letter queues ] [ Oldest message age ]
 *   [ business figure ] [ business figure ] ...
 *
 * Metrics are 5-minute sums (counts) or maxima (queue depth and age); money widgets sum by
 * the hour over the last 31 days, since invoices are finalized once a month.
 */
import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  AlarmStatusWidgetSortBy,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IMetric,
  type IWidget,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Period of every operational graph. */
export const DASHBOARD_PERIOD = Duration.minutes(5);
const FULL_WIDTH = 24;
const GRAPH_HEIGHT = 6;
const OPERATIONAL_WIDGETS = 4;

export interface QueueView {
  /** Name on the graph, e.g. `events-dlq`. */
  readonly label: string;
  readonly queue: IQueue;
  /** Its oldest-message alarm, drawn as a line at the threshold. */
  readonly alarm?: Alarm;
}

export interface FunctionView {
  /** Name on the graph, e.g. `ingest`. */
  readonly label: string;
  readonly fn: IFunction;
}

export interface FigureWidget {
  readonly title: string;
  readonly metrics: readonly IMetric[];
  /** Unit of the left axis, e.g. `minor units`. */
  readonly unit?: string;
  /** Alarm thresholds to draw. */
  readonly annotations?: readonly HorizontalAnnotation[];
  /**
   * Start of the time range, ISO 8601 duration before now (`-P31D`), instead of the dashboard's.
   * @default - the dashboard's time range
   */
  readonly start?: string;
  /** Right-axis metrics (another unit than the left), e.g. a duration beside counts. */
  readonly right?: readonly IMetric[];
  /**
   * `graph`: a time series; `totals`: one number per metric, summed over the whole time range
   * (for identities that hold over a billing period, not per 5 minutes).
   * @default 'graph'
   */
  readonly kind?: 'graph' | 'totals';
}

export interface StageRow {
  readonly title: string;
  /** One line: what flows through the stage. Markdown. */
  readonly description: string;
  /** Messages received and invocations: how much work the stage does. */
  readonly throughput: readonly IMetric[];
  /** Functions whose Errors and Throttles are graphed. */
  readonly functions: readonly FunctionView[];
  /** Other failure signals for the errors graph (API 5xx, retried messages). */
  readonly otherFailures?: readonly IMetric[];
  readonly deadLetterQueues: readonly QueueView[];
  /** Queues whose oldest-message age is graphed; a stage without a queue gives `instead`. */
  readonly queues: readonly QueueView[];
  /** The fourth operational widget of a stage without a queue. */
  readonly instead?: FigureWidget;
  /** Business figures, on their own line below the operational widgets. */
  readonly figures: readonly FigureWidget[];
}

export interface PipelineDashboardProps {
  readonly dashboardName: string;
  /** Markdown for the header: stage name, where the runbook is. */
  readonly header: string;
}

export class PipelineDashboard extends Construct {
  public readonly dashboard: Dashboard;

  public constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(new TextWidget({ markdown: props.header, width: FULL_WIDTH, height: 2 }));
  }

  /** Every alarm's state, most recently changed first, with free space for `beside`. */
  public addAlarmOverview(alarms: readonly Alarm[], beside: FigureWidget): void {
    const besideWidth = 6;
    this.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: `Alarms (${alarms.length}): see docs/operations.md for each`,
        alarms: [...alarms],
        sortBy: AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        width: FULL_WIDTH - besideWidth,
        height: 8,
      }),
      graph(beside, besideWidth, 8),
    );
  }

  public addStage(row: StageRow): void {
    if (row.queues.length === 0 && row.instead === undefined) {
      throw new Error(`${this.node.path}: stage ${row.title} has no queue: give the widget to show instead`);
    }
    const width = FULL_WIDTH / OPERATIONAL_WIDGETS;
    const failures: IMetric[] = row.functions.flatMap(({ label, fn }) => [
      fn.metricErrors({ label: `${label} errors`, period: DASHBOARD_PERIOD, statistic: 'Sum' }),
      fn.metricThrottles({ label: `${label} throttles`, period: DASHBOARD_PERIOD, statistic: 'Sum' }),
    ]);
    const operational: IWidget[] = [
      graph({ title: `${row.title}: throughput`, metrics: row.throughput, unit: 'count / 5 min' }, width),
      graph(
        { title: `${row.title}: errors & throttles`, metrics: [...failures, ...(row.otherFailures ?? [])], unit: 'count / 5 min' },
        width,
      ),
      graph(
        {
          title: `${row.title}: dead-letter queues`,
          metrics: row.deadLetterQueues.map(({ label, queue }) =>
            queue.metricApproximateNumberOfMessagesVisible({ label, period: DASHBOARD_PERIOD, statistic: 'Maximum' }),
          ),
          unit: 'messages',
        },
        width,
      ),
      row.queues.length > 0
        ? graph(
            {
              title: `${row.title}: age of oldest message`,
              metrics: row.queues.map(({ label, queue }) =>
                queue.metricApproximateAgeOfOldestMessage({ label, period: DASHBOARD_PERIOD, statistic: 'Maximum' }),
              ),
              unit: 'seconds',
              annotations: row.queues.flatMap(({ alarm }) => (alarm === undefined ? [] : [alarm.toAnnotation()])),
            },
            width,
          )
        : graph(row.instead as FigureWidget, width),
    ];
    const figureWidth = Math.floor(FULL_WIDTH / Math.max(1, row.figures.length));
    this.dashboard.addWidgets(new TextWidget({ markdown: `## ${row.title}\n${row.description}`, width: FULL_WIDTH, height: 2 }));
    this.dashboard.addWidgets(...operational);
    if (row.figures.length > 0) this.dashboard.addWidgets(...row.figures.map((figure) => graph(figure, figureWidth)));
  }
}

function graph(figure: FigureWidget, width: number, height = GRAPH_HEIGHT): IWidget {
  if (figure.kind === 'totals') {
    return new SingleValueWidget({
      title: figure.title,
      metrics: [...figure.metrics],
      setPeriodToTimeRange: true,
      fullPrecision: true,
      ...(figure.start === undefined ? {} : { start: figure.start }),
      width,
      height,
    });
  }
  return new GraphWidget({
    title: figure.title,
    left: [...figure.metrics],
    ...(figure.right === undefined ? {} : { right: [...figure.right] }),
    leftYAxis: { min: 0, showUnits: false, ...(figure.unit === undefined ? {} : { label: figure.unit }) },
    ...(figure.annotations === undefined || figure.annotations.length === 0 ? {} : { leftAnnotations: [...figure.annotations] }),
    ...(figure.start === undefined ? {} : { start: figure.start }),
    width,
    height,
  });
}
