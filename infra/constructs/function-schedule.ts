/**
 * A Lambda function invoked on an EventBridge Scheduler schedule, with what an operator needs
 * around it: an execution role that may invoke that one function and nothing else, a retry
 * policy, an encrypted TLS-only dead-letter queue for invocations Scheduler could not deliver,
 * and an alarm on that queue.
 */
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { notifyingAlarm } from './notifying-alarm.ts';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  type IScheduleGroup,
  type IScheduleTarget,
  Schedule,
  ScheduleExpression,
  type ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { ScheduleTargetBase, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface FunctionScheduleProps {
  /** Name in alarm names and descriptions, e.g. `invoice-run`. */
  readonly name: string;
  readonly fn: IFunction;
  /** EventBridge Scheduler expression (`rate(1 hour)`, `cron(...)`), evaluated in UTC. */
  readonly expression: string;
  readonly description: string;
  /** The function's event; may hold context attributes such as ContextAttribute.scheduledTime. */
  readonly input: ScheduleTargetInput;
  /**
   * The schedule's group. The execution role trusts only schedules of this group
   * (aws:SourceArn), so no other schedule in the account can use it.
   */
  readonly group: IScheduleGroup;
  /** Delivery attempts after the first before the invocation goes to the dead-letter queue. */
  readonly retryAttempts: number;
  /** An invocation not delivered within this time goes to the dead-letter queue. */
  readonly maxEventAge: Duration;
  /**
   * How long undelivered invocations are kept.
   * @default Duration.days(14)
   */
  readonly deadLetterRetention?: Duration;
}

export interface ScheduleAlarmProps {
  /** Prefix of the alarm names, e.g. `billflow-prod-`. */
  readonly namePrefix: string;
  readonly action: IAlarmAction;
  /** What an operator should do when an invocation was not delivered. */
  readonly remedy: string;
}

export class FunctionSchedule extends Construct {
  public readonly schedule: Schedule;
  public readonly role: Role;
  public readonly deadLetterQueue: Queue;
  private readonly name: string;

  public constructor(scope: Construct, id: string, props: FunctionScheduleProps) {
    super(scope, id);
    this.name = props.name;
    // SSE-SQS like the pipeline's other queues: Scheduler writes to it with the execution role,
    // and no key policy is needed for that.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the dead-letter queue of the schedule's target (DeadLetterConfig); cdk-nag only recognizes queues named in another queue's redrive policy or a function's DLQ. A DLQ needs no DLQ of its own.",
    });

    this.role = new Role(this, 'Role', {
      description: `Lets EventBridge Scheduler invoke ${props.name}`,
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': props.group.scheduleGroupArn },
        },
      }),
    });

    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.expression(props.expression),
      description: props.description,
      scheduleGroup: props.group,
      target: new InvokeFunction(props.fn, {
        role: this.role,
        input: props.input,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: props.retryAttempts,
        maxEventAge: props.maxEventAge,
      }),
    });
  }

  /** Alarms as soon as one invocation could not be delivered after every retry. */
  public addAlarms(props: ScheduleAlarmProps): { readonly deadLetters: Alarm } {
    const deadLetters = notifyingAlarm(this, 'DeadLettersAlarm', {
      alarmName: `${props.namePrefix}${this.name}-schedule-dlq-not-empty`,
      alarmDescription: `EventBridge Scheduler could not invoke ${this.name} (see the message attributes for the error). ${props.remedy}`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      action: props.action,
    });
    return { deadLetters };
  }
}

/**
 * Like aws-scheduler-targets' LambdaInvoke, but the role may invoke only the unqualified
 * function ARN, which is what Scheduler calls. LambdaInvoke uses grantInvoke, which adds
 * `{arn}:*` (every version and alias) for no use here.
 */
class InvokeFunction extends ScheduleTargetBase implements IScheduleTarget {
  private readonly fn: IFunction;

  public constructor(fn: IFunction, props: ScheduleTargetBaseProps & { readonly role: IRole }) {
    super(props, fn.functionArn);
    this.fn = fn;
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }),
    );
  }
}
