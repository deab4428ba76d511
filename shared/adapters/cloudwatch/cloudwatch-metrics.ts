/** BusinessMetrics on CloudWatch PutMetricData, in the namespace the functions' EMF metrics use. */
import { PutMetricDataCommand, StandardUnit, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { BusinessMetrics } from '#ports/business-metrics.ts';

export const METRICS_NAMESPACE = 'Billflow';

export class CloudWatchBusinessMetrics implements BusinessMetrics {
  constructor(private readonly client: CloudWatchClient) {}

  async count(name: string, value: number, dimensions: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.client.send(
      new PutMetricDataCommand({
        Namespace: METRICS_NAMESPACE,
        MetricData: [
          {
            MetricName: name,
            Value: value,
            Unit: StandardUnit.Count,
            // The same `service` dimension Powertools adds, so the dashboard finds both sources.
            Dimensions: Object.entries({ service: 'billflow', ...dimensions }).map(([Name, Value]) => ({ Name, Value })),
          },
        ],
      }),
    );
  }
}
