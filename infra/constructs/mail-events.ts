/**
 * The SES configuration set invoice emails are sent with, and where its delivery problems
 * go: an SES event destination publishing bounces, complaints, rejects and delivery delays
 * to a KMS-encrypted, TLS-only SNS topic, delivered to an SQS queue with a dead-letter queue.
 */
import { ArnFormat, Aws, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { QueueDefinition } from '../resources.ts';
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
    // Raw delivery: the message body is SES's event JSON itself, not an SNS envelope.
    // SSE-SQS needs no key grant for SNS; the subscription adds the queue policy that lets
    // only this topic send (aws:SourceArn).
    this.topic.addSubscription(new SqsSubscription(this.events.queue, { rawMessageDelivery: true }));
  }
}
