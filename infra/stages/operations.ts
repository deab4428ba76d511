/**
 * Operations: the operators' CloudWatch dashboard, named like the stack (docs/operations.md):
 * every alarm's state and undelivered alarm emails, then each stage's rows in pipeline order.
 * Built last, so it shows every alarm the stages created.
 */
import { Aws } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { DASHBOARD_PERIOD, PipelineDashboard } from '../constructs/pipeline-dashboard.ts';
import type { PipelineStage, StageContext } from './stage-context.ts';

export class OperationsStage {
  public readonly dashboard: PipelineDashboard;
  /** The dashboard in the CloudWatch console. */
  public readonly dashboardUrl: string;

  public constructor(context: StageContext, stages: readonly PipelineStage[]) {
    const { stack, alarms } = context;
    this.dashboard = new PipelineDashboard(stack, 'Dashboard', {
      dashboardName: stack.stackName,
      header: `# billflow (${context.stage})\nOne row per pipeline stage: throughput, errors and throttles, dead-letter queues and queue age, then the stage's business figures. What each alarm means and what to do: docs/operations.md.`,
    });
    this.dashboard.addAlarmOverview(
      stack.node.findAll().filter((construct): construct is Alarm => construct instanceof Alarm),
      {
        title: 'Alarm emails not delivered',
        metrics: [
          alarms.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            label: alarms.deadLetterName,
            period: DASHBOARD_PERIOD,
            statistic: 'Maximum',
          }),
        ],
        unit: 'messages',
      },
    );
    for (const row of stages.flatMap((stage) => stage.dashboardRows)) this.dashboard.addStage(row);
    const cloudWatch = `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}`;
    this.dashboardUrl = `${cloudWatch}#dashboards/dashboard/${stack.stackName}`;
  }
}
