/**
 * An SQS queue and its dead-letter queue built from a QueueDefinition (infra/resources.ts),
 * encrypted and TLS-only, with the two alarms an operator needs: something was dead-lettered,
 * and the queue is falling behind.
 */
import { Duration } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueDefinition } from '../resources.ts';
import { acknowledgeDeadLetterQueue, addDeadLetterAlarms } from './dead-letters.ts';
import { notifyingAlarm } from './notifying-alarm.ts';

export interface QueueWithDeadLetterProps {
  readonly definition: QueueDefinition;
}

export interface QueueAlarmProps {
  /** Prefix of the alarm names, e.g. `billflow-prod-`. */
  readonly namePrefix: string;
  /** Where alarm and OK notifications go. */
  readonly action: IAlarmAction;
  /** Alarm when the oldest message has waited longer than this. */
  readonly maxMessageAge: Duration;
  /**
   * What to do about dead-lettered messages once their cause is fixed.
   * @default 'then run "billflow dlq redrive".'
   */
  readonly deadLetterRemedy?: string;
  /**
   * What a backlog on this queue means for the business, in the oldest-message alarm.
   * @default - none
   */
  readonly backlogImpact?: string;
}

/**
 * SQS-managed SSE rather than KMS: the producers are upstream systems in other roles or
 * accounts, and SSE-SQS needs no key policy or kms:GenerateDataKey grant for them, nor a
 * KMS request (cost, throttling quota) per batch at event volume. The data is encrypted at
 * rest either way.
 */
const ENCRYPTION = QueueEncryption.SQS_MANAGED;

export interface QueueAlarms {
  /** Something was dead-lettered. */
  readonly deadLetters: Alarm;
  /** The oldest dead-lettered message has waited half the DLQ's retention. */
  readonly deadLettersExpiring: Alarm;
  /** The oldest message in the queue waited longer than `maxMessageAge`. */
  readonly oldestMessage: Alarm;
}

export class QueueWithDeadLetter extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  /** `definition.id`, e.g. `events`. */
  public readonly name: string;
  /** `definition.deadLetter.id`, e.g. `events-dlq`. */
  public readonly deadLetterName: string;
  /** Set by addAlarms. */
  public alarms: QueueAlarms | undefined;
  /** What the queue is built from (infra/resources.ts), e.g. its env var. */
  public readonly definition: QueueDefinition;

  public constructor(scope: Construct, id: string, props: QueueWithDeadLetterProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;
    this.name = definition.id;
    this.deadLetterName = definition.deadLetter.id;
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: ENCRYPTION,
      enforceSSL: true,
      retentionPeriod: Duration.days(definition.deadLetter.retentionDays),
    });
    acknowledgeDeadLetterQueue(this.deadLetterQueue, `the ${definition.id} queue (after ${definition.maxReceiveCount} receives)`);
    this.queue = new Queue(this, 'Queue', {
      encryption: ENCRYPTION,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(definition.retentionDays),
      maxMessageSizeBytes: definition.maxMessageSizeBytes,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
  }

  public addAlarms(props: QueueAlarmProps): QueueAlarms {
    // Any dead-lettered message is a transient failure that outlived every retry: nothing
    // is billed for it until someone redrives it (`billflow dlq redrive`).
    const { notEmpty, expiring } = addDeadLetterAlarms(this, {
      queue: this.deadLetterQueue,
      name: this.definition.deadLetter.id,
      retention: Duration.days(this.definition.deadLetter.retentionDays),
      namePrefix: props.namePrefix,
      action: props.action,
      description: `Messages in ${this.definition.deadLetter.id}: inspect them, fix the cause, ${props.deadLetterRemedy ?? 'then run "billflow dlq redrive".'}`,
    });
    const oldestMessage = notifyingAlarm(this, 'OldestMessageAlarm', {
      alarmName: `${props.namePrefix}${this.definition.id}-oldest-message-age`,
      alarmDescription: [
        `The oldest message in ${this.definition.id} waited over ${props.maxMessageAge.toMinutes()} minutes: its consumer is failing (see its errors and throttles alarms and its log group) or cannot keep up.`,
        props.backlogImpact,
        `The backlog drains by itself once the consumer recovers; a message that fails ${this.definition.maxReceiveCount} times goes to ${this.definition.deadLetter.id}.`,
      ]
        .filter((part) => part !== undefined)
        .join(' '),
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: props.maxMessageAge.toSeconds(),
      action: props.action,
    });
    this.alarms = { deadLetters: notEmpty, deadLettersExpiring: expiring, oldestMessage };
    return this.alarms;
  }
}
