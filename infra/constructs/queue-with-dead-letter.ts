/**
 * An SQS queue and its dead-letter queue built from a QueueDefinition (infra/resources.ts),
 * encrypted and TLS-only, with the two alarms an operator needs: something was dead-lettered,
 * and the queue is falling behind.
 */
import { Duration } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { notifyingAlarm } from './notifying-alarm.ts';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueDefinition } from '../resources.ts';

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
}

/**
 * SQS-managed SSE rather than KMS: the producers are upstream systems in other roles or
 * accounts, and SSE-SQS needs no key policy or kms:GenerateDataKey grant for them, nor a
 * KMS request (cost, throttling quota) per batch at event volume. The data is encrypted at
 * rest either way.
 */
const ENCRYPTION = QueueEncryption.SQS_MANAGED;

export class QueueWithDeadLetter extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  private readonly definition: QueueDefinition;

  public constructor(scope: Construct, id: string, props: QueueWithDeadLetterProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: ENCRYPTION,
      enforceSSL: true,
      retentionPeriod: Duration.days(definition.deadLetter.retentionDays),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: ENCRYPTION,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(definition.retentionDays),
      maxMessageSizeBytes: definition.maxMessageSizeBytes,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
  }

  public addAlarms(props: QueueAlarmProps): { readonly deadLetters: Alarm; readonly oldestMessage: Alarm } {
    const period = Duration.minutes(1);
    // Any dead-lettered message is a transient failure that outlived every retry: nothing
    // is billed for it until someone redrives it (`billflow dlq redrive`).
    const deadLetters = notifyingAlarm(this, 'DeadLettersAlarm', {
      alarmName: `${props.namePrefix}${this.definition.deadLetter.id}-not-empty`,
      alarmDescription: `Messages in ${this.definition.deadLetter.id}: inspect them, fix the cause, ${props.deadLetterRemedy ?? 'then run "billflow dlq redrive".'}`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      threshold: 0,
      action: props.action,
    });
    const oldestMessage = notifyingAlarm(this, 'OldestMessageAlarm', {
      alarmName: `${props.namePrefix}${this.definition.id}-oldest-message-age`,
      alarmDescription: `The oldest message in ${this.definition.id} waited over ${props.maxMessageAge.toMinutes()} minutes: the consumer is failing or cannot keep up.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      threshold: props.maxMessageAge.toSeconds(),
      action: props.action,
    });
    return { deadLetters, oldestMessage };
  }
}
