/**
 * A business metric the functions emit through Powertools Metrics (shared/observability.ts):
 * namespace Billflow, and the `service` dimension Powertools adds to every metric. CloudWatch
 * matches a metric by all its dimensions, so an alarm that left `service` out would watch a
 * metric nobody emits and never fire.
 */
import type { Duration } from 'aws-cdk-lib';
import { Metric, SearchExpression } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, SERVICE_NAME } from './billing-function.ts';

export interface BusinessMetricOptions {
  /** @default the metric name */
  readonly label?: string;
  /**
   * `Sum` for counts; `p50`, `p99`, `Maximum` for values such as DocumentRenderTime.
   * @default 'Sum'
   */
  readonly statistic?: string;
}

/** The sum of `metricName` over `period`, e.g. `UnmatchedPayments` per 5 minutes. */
export function businessMetric(metricName: string, period: Duration, options: BusinessMetricOptions = {}): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: options.statistic ?? 'Sum',
    period,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}

/**
 * Every series of `metricName` emitted with one more dimension than `service` (e.g. `currency`
 * for AmountInvoiced), summed per `period`: a SEARCH expression, because a graph of a plain
 * metric needs the dimension's values up front and the currencies are whatever the catalog
 * holds. Each series is labelled `{labelPrefix}{dimension value}` (a dynamic label).
 */
export function businessSearch(metricName: string, dimension: string, period: Duration, labelPrefix = ''): SearchExpression {
  return new SearchExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},service} MetricName="${metricName}" service="${SERVICE_NAME}"', 'Sum', ${period.toSeconds()})`,
    label: `${labelPrefix}\${PROP('Dim.${dimension}')}`,
    period,
  });
}
