/**
 * The SNS topic operators' alarms go to: KMS-encrypted, TLS-only, with an optional email
 * subscription that exists only when an address is given.
 */
import { ArnFormat, Aws, CfnCondition, Fn, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

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
    const subscription = new CfnSubscription(this, 'EmailSubscription', {
      topicArn: this.topic.topicArn,
      protocol: 'email',
      endpoint: props.email,
    });
    subscription.cfnOptions.condition = hasEmail;

    this.action = new SnsAction(this.topic);
  }
}
