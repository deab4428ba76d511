/**
 * What every dead-letter queue of billflow gets, wherever it is created (a queue's redrive
 * target, a schedule's or a function's DeadLetterConfig, an SNS subscription's RedrivePolicy):
 * two alarms, and the acknowledgement that a dead-letter queue has no dead-letter queue itself.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { notifyingAlarm } from './notifying-alarm.ts';

/** How long SQS keeps a dead-lettered message (the maximum), unless a definition says otherwise. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

export interface DeadLetterAlarmProps {
  readonly queue: IQueue;
  /** The queue's name in alarm names and descriptions, e.g. `events-dlq`. */
  readonly name: string;
  /** The queue's retention period: messages older than this are deleted by SQS. */
  readonly retention: Duration;
  /** Prefix of the alarm names, e.g. `billflow-prod-`. */
  readonly namePrefix: string;
  readonly action: IAlarmAction;
  /** The description of the not-empty alarm: what the messages are and what to do about them. */
  readonly description: string;
  /**
   * Construct id of the not-empty alarm; the expiring alarm's id is this with `Expiring` inserted.
   * @default 'DeadLettersAlarm'
   */
  readonly id?: string;
}

export interface DeadLetterAlarms {
  /** Something is in the queue (checked every minute). */
  readonly notEmpty: Alarm;
  /** The oldest message has waited half the retention period: it will be deleted unless redriven. */
  readonly expiring: Alarm;
}

/**
 * Alarms when anything is in the queue, and again when its oldest message has waited half the
 * queue's retention period. The first alarm stays in ALARM (and notifies once) while messages
 * wait; the second is the reminder before SQS deletes them. Half, not "retention minus a day":
 * a standard queue's messages expire by their original enqueue time, which the DLQ's age metric
 * does not show, so a message that had waited in its source queue expires sooner than it looks.
 */
export function addDeadLetterAlarms(scope: Construct, props: DeadLetterAlarmProps): DeadLetterAlarms {
  const id = props.id ?? 'DeadLettersAlarm';
  const notEmpty = notifyingAlarm(scope, id, {
    alarmName: `${props.namePrefix}${props.name}-not-empty`,
    alarmDescription: props.description,
    metric: props.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 0,
    action: props.action,
  });
  const halfRetention = Duration.seconds(props.retention.toSeconds() / 2);
  const expiring = notifyingAlarm(scope, id.replace(/Alarm$/, 'ExpiringAlarm'), {
    alarmName: `${props.namePrefix}${props.name}-messages-expiring`,
    alarmDescription: `The oldest message in ${props.name} has waited over ${halfRetention.toDays()} days: SQS deletes messages ${props.retention.toDays()} days after they were first sent, so it will be lost unless it is dealt with. See the ${props.name}-not-empty alarm for what the messages are and how to redrive them; to keep one for later, receive it and save its body and attributes.`,
    metric: props.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: halfRetention.toSeconds(),
    action: props.action,
  });
  return { notEmpty, expiring };
}

/**
 * Acknowledges cdk-nag's "queue has no redrive policy" (Serverless-SQSRedrivePolicy) on a
 * dead-letter queue, and, where cdk-nag does not recognize the queue as a dead-letter queue
 * (it only knows queues named in another queue's redrive policy), AwsSolutions-SQS3.
 */
export function acknowledgeDeadLetterQueue(queue: IConstruct, deadLetterOf: string, options: { unrecognized?: boolean } = {}): void {
  Validations.of(queue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: `This is the dead-letter queue of ${deadLetterOf}: the end of the retry chain. Its messages are kept for the maximum retention and alarmed (not empty, and expiring); a dead-letter queue of its own would only move them once more.`,
  });
  if (options.unrecognized === true) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is the dead-letter queue of ${deadLetterOf}; cdk-nag only recognizes queues named in another queue's redrive policy. A dead-letter queue needs no dead-letter queue of its own.`,
    });
  }
}
