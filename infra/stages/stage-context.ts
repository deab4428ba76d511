/**
 * What every stage construct (infra/stages/*.ts) is built from: the stack and its shared
 * resources (tables, invoices bucket, alarm topic), and the helpers that turn the definitions
 * of infra/resources.ts and infra/alarms.ts into functions, queues and alarms.
 *
 * Stages build their resources in the stack's own scope, not under a construct of their own:
 * construct paths, and so the logical ids CloudFormation knows every resource by, stay those
 * of the stack before the split (a changed logical id would replace a queue or a table).
 */
import { Duration, type Stack } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { ContextAttribute, type IScheduleGroup, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import {
  BUSINESS_ALARM_PERIOD,
  functionAlarms,
  queueAlarms,
  scheduleAlarms,
  throttlesAlarmDescription,
  type BusinessAlarmDefinition,
} from '../alarms.ts';
import type { AlarmTopic } from '../constructs/alarm-topic.ts';
import { BillingFunction, type BillingFunctionProps } from '../constructs/billing-function.ts';
import { businessMetric } from '../constructs/business-metric.ts';
import { notifyingAlarm } from '../constructs/notifying-alarm.ts';
import { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter.ts';
import type { StageRow } from '../constructs/pipeline-dashboard.ts';
import { FunctionSchedule } from '../constructs/function-schedule.ts';
import { queues, schedules } from '../resources.ts';
import type { Stage, StageSettings } from '../stage.ts';

export interface StageContext {
  /** The scope every stage builds in (see above). */
  readonly stack: Stack;
  readonly stage: Stage;
  readonly settings: StageSettings;
  readonly alarms: AlarmTopic;
  readonly eventsTable: Table;
  readonly billingTable: Table;
  readonly invoicesBucket: Bucket;
}

/** A pipeline stage: what it adds to the operators' dashboard, one row per step it runs. */
export interface PipelineStage {
  readonly dashboardRows: readonly StageRow[];
}

/** Prefix of every alarm name, `billflow-{stage}-`: the alarm topic lets only these publish. */
export function alarmNamePrefix(context: StageContext): string {
  return `${context.stack.stackName}-`;
}

interface FunctionDefinition {
  readonly functionId: string;
  readonly entry: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
}

/**
 * A BillingFunction from its infra/resources.ts definition, with the stage's log settings, and
 * its errors and throttles alarms from infra/alarms.ts.
 */
export function functionFrom(
  context: StageContext,
  definition: FunctionDefinition & { readonly functionId: keyof typeof functionAlarms },
  props: Omit<BillingFunctionProps, 'entry' | 'memorySize' | 'timeout' | 'logRetention' | 'logRemovalPolicy'>,
): BillingFunction {
  const fn = new BillingFunction(context.stack, `${pascalCase(definition.functionId)}Function`, {
    entry: definition.entry,
    memorySize: definition.memorySize,
    timeout: Duration.seconds(definition.timeoutSeconds),
    logRetention: context.settings.logRetention,
    logRemovalPolicy: context.settings.dataRemovalPolicy,
    ...props,
  });
  const alarms = functionAlarms[definition.functionId];
  const prefix = `${alarmNamePrefix(context)}${definition.functionId}`;
  fn.addErrorsAlarm({ alarmName: `${prefix}-errors`, alarmDescription: alarms.errors, action: context.alarms.action });
  fn.addThrottlesAlarm({
    alarmName: `${prefix}-throttles`,
    alarmDescription: throttlesAlarmDescription(definition.functionId, alarms.throttled),
    action: context.alarms.action,
  });
  return fn;
}

/** The queue `queues[key]` with its dead-letter queue and the alarms of infra/alarms.ts. */
export function alarmedQueue(context: StageContext, id: string, key: keyof typeof queues): QueueWithDeadLetter {
  const queue = new QueueWithDeadLetter(context.stack, id, { definition: queues[key] });
  queue.addAlarms({ namePrefix: alarmNamePrefix(context), action: context.alarms.action, ...queueAlarms[key] });
  return queue;
}

export interface ScheduledRunProps {
  readonly fn: BillingFunction;
  readonly group: IScheduleGroup;
  readonly description: string;
  /** Delivery attempts after the first before the run goes to the schedule's dead-letter queue. */
  readonly retryAttempts: number;
  /** A run not delivered within this time goes to the dead-letter queue. */
  readonly maxEventAge: Duration;
}

/**
 * The schedule `schedules[key]` invoking `props.fn` with { asOf: the scheduled time }, so a run
 * a retry delivers late still works as of when it was due; alarmed as infra/alarms.ts says.
 */
export function scheduledRun(context: StageContext, id: string, key: keyof typeof schedules, props: ScheduledRunProps): FunctionSchedule {
  const definition = schedules[key];
  const schedule = new FunctionSchedule(context.stack, id, {
    name: definition.functionId,
    expression: definition.expression,
    input: ScheduleTargetInput.fromObject({ asOf: ContextAttribute.scheduledTime }),
    ...props,
  });
  schedule.addAlarms({ namePrefix: alarmNamePrefix(context), action: context.alarms.action, ...scheduleAlarms[key] });
  return schedule;
}

/** An alarm of infra/alarms.ts businessAlarms: the metric's 5-minute sum reached the threshold. */
export function businessAlarm(context: StageContext, definition: BusinessAlarmDefinition): Alarm {
  return notifyingAlarm(context.stack, definition.id, {
    alarmName: `${alarmNamePrefix(context)}${definition.name}`,
    alarmDescription: definition.description,
    metric: businessMetric(definition.metricName, BUSINESS_ALARM_PERIOD),
    threshold: definition.threshold,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    action: context.alarms.action,
  });
}

/** `events-dlq` -> `EventsDlq`, for readable logical ids. */
export function pascalCase(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
