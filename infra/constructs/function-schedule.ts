/**
 * A Lambda function invoked on an EventBridge Scheduler schedule, with what an operator needs
 * around it: an execution role that may invoke that one function and nothing else, a retry
 * policy, an encrypted TLS-only dead-letter queue for runs that did not complete (invocations
 * Scheduler could not deliver, and runs that failed every attempt Lambda made), and alarms on
 * that queue.
 */
import type { Duration } from 'aws-cdk-lib';
import { Aws } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
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
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeDeadLetterQueue, addDeadLetterAlarms, DEAD_LETTER_RETENTION, type DeadLetterAlarms } from './dead-letters.ts';

/**
 * A function Scheduler invokes: asynchronously, so Lambda retries a failed run itself (twice by
 * default) and then drops it, unless the function sends it to a dead-letter queue.
 */
export interface ScheduledFunction extends IFunction {
  /** Sends asynchronous invocations that failed every attempt to `queue` (the function's DeadLetterConfig). */
  sendFailedInvocationsTo(queue: IQueue): void;
}

export interface FunctionScheduleProps {
  /** Name in alarm names and descriptions, e.g. `start-invoice-run`. */
  readonly name: string;
  readonly fn: ScheduledFunction;
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
  /** What an operator should do about a run that did not complete. */
  readonly remedy: string;
}

export class FunctionSchedule extends Construct {
  public readonly schedule: Schedule;
  public readonly role: Role;
  /** Runs that did not complete: undeliverable invocations (Scheduler) and failed runs (Lambda). */
  public readonly deadLetterQueue: Queue;
  /** `{name}-schedule-dlq`, the queue's name in alarm names and on the dashboard. */
  public readonly deadLetterName: string;
  /** Set by addAlarms. */
  public alarms: DeadLetterAlarms | undefined;
  private readonly name: string;
  private readonly deadLetterRetention: Duration;

  public constructor(scope: Construct, id: string, props: FunctionScheduleProps) {
    super(scope, id);
    this.name = props.name;
    this.deadLetterName = `${props.name}-schedule-dlq`;
    this.deadLetterRetention = props.deadLetterRetention ?? DEAD_LETTER_RETENTION;
    // SSE-SQS like the pipeline's other queues: Scheduler writes to it with the execution role,
    // Lambda with the function's role, and neither needs a key policy for that.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: this.deadLetterRetention,
    });
    acknowledgeDeadLetterQueue(
      this.deadLetterQueue,
      `the ${props.name} schedule's target and of the ${props.name} function's asynchronous invocations`,
      {
        unrecognized: true,
      },
    );
    // Scheduler invokes the function asynchronously: its own retry policy (below) covers
    // delivering the invocation; a run that is delivered but fails is retried by Lambda and
    // then lands here too, so one queue holds every run that did not complete.
    props.fn.sendFailedInvocationsTo(this.deadLetterQueue);

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

  /**
   * Alarms as soon as one run did not complete (after every retry), and again when it has waited
   * half the queue's retention.
   */
  public addAlarms(props: ScheduleAlarmProps): DeadLetterAlarms {
    this.alarms = addDeadLetterAlarms(this, {
      queue: this.deadLetterQueue,
      name: this.deadLetterName,
      retention: this.deadLetterRetention,
      namePrefix: props.namePrefix,
      action: props.action,
      description: `A ${this.name} run did not complete: either EventBridge Scheduler could not invoke the function after its retries (message attributes ERROR_CODE, ERROR_MESSAGE), or the run failed on every attempt Lambda made (attributes ErrorCode, ErrorMessage, RequestID; see the ${this.name} log group). The body is the run's input, {"asOf": <scheduled time>}. ${props.remedy} Then delete the message.`,
    });
    return this.alarms;
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
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }));
  }
}
