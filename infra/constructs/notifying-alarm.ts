/**
 * The team's alarm: breaches when the metric exceeds the threshold in one period (or reaches
 * it, with GREATER_THAN_OR_EQUAL_TO_THRESHOLD), notifies the
 * alarm topic when it breaches and when it recovers. Missing data is not breaching: SQS and
 * Lambda publish nothing for idle queues and functions, which means nothing is wrong.
 */
import type { Construct } from 'constructs';
import { Alarm, ComparisonOperator, type IAlarmAction, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';

export interface NotifyingAlarmProps {
  readonly alarmName: string;
  readonly alarmDescription: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly action: IAlarmAction;
  /**
   * How the metric is compared with the threshold.
   * @default ComparisonOperator.GREATER_THAN_THRESHOLD
   */
  readonly comparisonOperator?: ComparisonOperator.GREATER_THAN_THRESHOLD | ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
}

export function notifyingAlarm(scope: Construct, id: string, props: NotifyingAlarmProps): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: props.alarmDescription,
    metric: props.metric,
    threshold: props.threshold,
    comparisonOperator: props.comparisonOperator ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(props.action);
  alarm.addOkAction(props.action);
  return alarm;
}
