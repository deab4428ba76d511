/**
 * A business metric the functions emit through Powertools Metrics (shared/observability.ts):
 * namespace Billflow, and the `service` dimension Powertools adds to every metric. CloudWatch
 * matches a metric by all its dimensions, so an alarm that left `service` out would watch a
 * metric nobody emits and never fire.
 */
import type { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, SERVICE_NAME } from './billing-function.ts';

/** The sum of `metricName` over `period`, e.g. `UnmatchedPayments` per 5 minutes. */
export function businessMetric(metricName: string, period: Duration): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: 'Sum',
    period,
  });
}
