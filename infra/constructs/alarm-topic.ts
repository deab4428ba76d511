/**
 * The SNS topic operators' alarms go to: KMS-encrypted, TLS-only, with an optional email
 * subscription that exists only when an address is given, and a dead-letter queue for
 * notifications SNS could not email.
 */
import { ArnFormat, Aws, CfnCondition, Fn, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeDeadLetterQueue, addDeadLetterAlarms, DEAD_LETTER_RETENTION, type DeadLetterAlarms } from './dead-letters.ts';

export interface AlarmTopicProps {
  /** Email address to notify; may be a parameter token. Empty: no subscription. */
  readonly email: string;
  /** Names of the alarms allowed to publish start with this (confused-deputy guard). */
  readonly alarmNamePrefix: string;
  readonly keyRemovalPolicy: RemovalPolicy;
}

export class AlarmTopic extends Construct {
  public readonly topic: Topic;
  public readonly action: SnsAction;
  /** Notifications the email subscription could not deliver (SNS gives up after 50 tries in 6 hours). */
  public readonly deadLetterQueue: Queue;
  public readonly deadLetterName = 'alarm-email-dlq';
  public readonly deadLetterAlarms: DeadLetterAlarms;

  public constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    // A customer managed key, because CloudWatch cannot publish to a topic encrypted with
    // the AWS managed aws/sns key: that key's policy cannot grant the CloudWatch principal.
    const key = new Key(this, 'Key', {
      description: 'Encrypts billflow alarm notifications',
      enableKeyRotation: true,
      removalPolicy: props.keyRemovalPolicy,
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'billflow alarms',
      masterKey: key,
      enforceSSL: true,
    });

    // Only this stack's alarms, in this account and region, may use the key and publish.
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const conditions = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: {
        'aws:SourceArn': Stack.of(this).formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: `${props.alarmNamePrefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy "*" means this key
        conditions,
      }),
    );
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions,
      }),
    );

    // An L1 subscription, because only CloudFormation knows whether the parameter is empty.
    const hasEmail = new CfnCondition(this, 'HasEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(props.email, '')),
    });
    // SSE-SQS: SNS needs no key grant to write to it (only this topic may, by the queue policy).
    this.deadLetterQueue = new Queue(this, 'EmailDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    this.deadLetterQueue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.topic.topicArn } },
      }),
    );
    acknowledgeDeadLetterQueue(this.deadLetterQueue, 'the alarm email subscription (SNS redrive policy)', { unrecognized: true });
    const subscription = new CfnSubscription(this, 'EmailSubscription', {
      topicArn: this.topic.topicArn,
      protocol: 'email',
      endpoint: props.email,
      redrivePolicy: { deadLetterTargetArn: this.deadLetterQueue.queueArn },
    });
    subscription.cfnOptions.condition = hasEmail;

    this.action = new SnsAction(this.topic);
    // Notifies through this same topic: if the address itself is broken, this alarm's email is
    // lost too, but its state shows on the dashboard and in the CloudWatch console.
    this.deadLetterAlarms = addDeadLetterAlarms(this, {
      queue: this.deadLetterQueue,
      name: this.deadLetterName,
      retention: DEAD_LETTER_RETENTION,
      namePrefix: props.alarmNamePrefix,
      action: this.action,
      description:
        'SNS could not email alarm notifications to the AlarmEmail address after its retries (the mailbox refuses them, or the address is wrong): alarms may have fired unnoticed. Look at the alarm states in the CloudWatch console or the dashboard, read the undelivered notifications in this queue, fix the address (redeploy with --parameters AlarmEmail=... and confirm the new subscription), then purge the queue.',
    });
  }
}
