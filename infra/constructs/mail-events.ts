/**
 * The SES configuration set invoice emails are sent with, and where its delivery problems
 * go: an SES event destination publishing bounces, complaints, rejects and delivery delays
 * to a KMS-encrypted, TLS-only SNS topic, delivered to an SQS queue with a dead-letter queue;
 * events SNS could not deliver to that queue go to a dead-letter queue of the subscription.
 */
import { ArnFormat, Aws, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { EmailSendingEvent } from 'aws-cdk-lib/aws-ses';
import { ConfigurationSet, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueDefinition } from '../resources.ts';
import { acknowledgeDeadLetterQueue, addDeadLetterAlarms, DEAD_LETTER_RETENTION, type DeadLetterAlarms } from './dead-letters.ts';
import { QueueWithDeadLetter } from './queue-with-dead-letter.ts';

export interface MailEventsProps {
  /** The queue the events are delivered to. */
  readonly queue: QueueDefinition;
  /** The SES events published, e.g. BOUNCE and COMPLAINT. */
  readonly events: readonly [EmailSendingEvent, ...EmailSendingEvent[]];
  readonly keyRemovalPolicy: RemovalPolicy;
}

export class MailEvents extends Construct {
  public readonly configurationSet: ConfigurationSet;
  public readonly key: Key;
  public readonly topic: Topic;
  public readonly events: QueueWithDeadLetter;
  /**
   * SES events SNS could not deliver to the events queue (a client error such as a changed queue
   * policy is not retried; server errors are retried for 23 days first).
   */
  public readonly subscriptionDeadLetterQueue: Queue;
  public readonly subscriptionDeadLetterName: string;
  /** Set by addAlarms. */
  public subscriptionDeadLetterAlarms: DeadLetterAlarms | undefined;

  public constructor(scope: Construct, id: string, props: MailEventsProps) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      // Addresses that bounced or complained are not mailed again (the account-level list).
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    // A customer managed key, because SES cannot publish to a topic encrypted with the AWS
    // managed aws/sns key: that key's policy cannot grant the SES principal.
    this.key = new Key(this, 'Key', {
      description: 'Encrypts billflow SES delivery events',
      enableKeyRotation: true,
      removalPolicy: props.keyRemovalPolicy,
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'billflow mail events',
      masterKey: this.key,
      enforceSSL: true,
    });
    // Only this configuration set, in this account and region, may use the key. The topic
    // policy (ses.amazonaws.com may publish, same conditions) is added by the event destination.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy "*" means this key
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: this.configurationSet.configurationSetName,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    const destination = this.configurationSet.addEventDestination('Topic', {
      destination: EventDestination.snsTopic(this.topic),
      events: [...props.events],
    });
    // SES may publish only once the topic policy allowing it exists.
    const topicPolicy = this.topic.node.tryFindChild('Policy');
    if (topicPolicy !== undefined) destination.node.addDependency(topicPolicy);

    this.events = new QueueWithDeadLetter(this, 'Queue', { definition: props.queue });
    this.subscriptionDeadLetterName = `${props.queue.id}-subscription-dlq`;
    this.subscriptionDeadLetterQueue = new Queue(this, 'SubscriptionDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    acknowledgeDeadLetterQueue(this.subscriptionDeadLetterQueue, `the ${props.queue.id} queue's SNS subscription (SNS redrive policy)`, {
      unrecognized: true,
    });
    // Raw delivery: the message body is SES's event JSON itself, not an SNS envelope.
    // SSE-SQS needs no key grant for SNS; the subscription adds the queue policies that let
    // only this topic send (aws:SourceArn), to the queue and to its dead-letter queue.
    this.topic.addSubscription(
      new SqsSubscription(this.events.queue, { rawMessageDelivery: true, deadLetterQueue: this.subscriptionDeadLetterQueue }),
    );
  }

  /** Alarms on the subscription's dead-letter queue (the events queue has its own, addAlarms of `events`). */
  public addAlarms(props: { readonly namePrefix: string; readonly action: IAlarmAction }): DeadLetterAlarms {
    this.subscriptionDeadLetterAlarms = addDeadLetterAlarms(this, {
      id: 'SubscriptionDeadLettersAlarm',
      queue: this.subscriptionDeadLetterQueue,
      name: this.subscriptionDeadLetterName,
      retention: DEAD_LETTER_RETENTION,
      namePrefix: props.namePrefix,
      action: props.action,
      description: `SNS could not deliver SES delivery events (bounces, complaints) of invoice emails to the ${this.events.name} queue, usually because its queue policy no longer lets the mail events topic send (changed by hand): redeploy the stack to restore it. Then re-send each message's body to the ${this.events.name} queue (aws sqs receive-message, aws sqs send-message, aws sqs delete-message; SQS message move tasks do not take a queue fed by SNS) - recording an event twice is harmless.`,
    });
    return this.subscriptionDeadLetterAlarms;
  }
}
