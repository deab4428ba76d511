/**
 * Fine-grained assertions on the synthesized BillflowStack, and cdk-nag with zero open
 * findings. Each stage is synthesized once (bundling runs esbuild on the real handler) and
 * shared by every test.
 */
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureFlags } from '../../infra/feature-flags.ts';
import { consumers, pipelineSettings, queues, tables } from '../../infra/resources.ts';
import { BillflowStack } from '../../infra/stack.ts';
import { parseStage, type Stage } from '../../infra/stage.ts';
import { outputsSchema } from '../../shared/outputs.ts';

interface Built {
  readonly stack: BillflowStack;
  readonly template: Template;
}

interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
}

const EVENTS_TABLE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const BILLING_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const SSL_ONLY = Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });

function build(stage: Stage): Built {
  // Same context as `cdk synth -c stage=...`: the feature-flag defaults of infra/app.ts plus the stage.
  const app = new App({ context: { ...featureFlags, stage } });
  const stack = new BillflowStack(app, `billflow-${stage}`, { stage: parseStage(app.node.tryGetContext('stage')) });
  return { stack, template: Template.fromStack(stack) };
}

/** The logical id of an L2 construct's CloudFormation resource. */
function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(element).getLogicalId(element);
}

function asArray<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? value : [value as T];
}

function ingestStatements({ stack, template }: Built): PolicyStatement[] {
  const role = stack.ingestFunction.role;
  if (role === undefined) throw new Error('ingest function has no role');
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: logicalId(role) }]) },
  });
  return Object.values(policies).flatMap((policy): PolicyStatement[] => policy.Properties.PolicyDocument.Statement);
}

const built = {} as Record<Stage, Built>;

beforeAll(() => {
  built.dev = build('dev');
  built.prod = build('prod');
});

describe('stage', () => {
  it('defaults to dev, accepts prod and rejects anything else with a usage message', () => {
    expect(parseStage(undefined)).toBe('dev');
    expect(parseStage('prod')).toBe('prod');
    expect(() => parseStage('staging')).toThrow(/Unknown stage "staging": pass -c stage=dev or -c stage=prod/);
  });
});

describe('events queue', () => {
  it('redrives to the DLQ after queues.events.maxReceiveCount receives, with the defined timeouts', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: queues.events.visibilityTimeoutSeconds,
      MessageRetentionPeriod: queues.events.retentionDays * 86_400,
      MaximumMessageSize: queues.events.maxMessageSizeBytes,
      RedrivePolicy: {
        maxReceiveCount: queues.events.maxReceiveCount,
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.eventsQueue.deadLetterQueue), 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: queues.events.deadLetter.retentionDays * 86_400,
      RedrivePolicy: Match.absent(),
    });
  });

  it('encrypts both queues and denies requests without TLS', () => {
    const { stack, template } = built.dev;
    for (const queue of [stack.eventsQueue.queue, stack.eventsQueue.deadLetterQueue]) {
      const id = logicalId(queue);
      expect(template.toJSON().Resources[id].Properties).toMatchObject({ SqsManagedSseEnabled: true });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([SSL_ONLY]) },
      });
    }
  });

  it('alarms when anything reaches the DLQ, and when the oldest event waits a quarter of the grace period', () => {
    const { stack, template } = built.dev;
    const topic = { Ref: logicalId(stack.alarms.topic) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.eventsQueue.deadLetterQueue), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topic],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.eventsQueue.queue), 'QueueName'] } }],
      Threshold: (Number(pipelineSettings.GRACE_PERIOD_HOURS) * 3600) / 4,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topic],
    });
  });
});

describe('alarm topic', () => {
  it('is KMS-encrypted (rotating key), TLS-only, and only CloudWatch alarms of this stack may publish', () => {
    const { stack, template } = built.dev;
    const topicId = logicalId(stack.alarms.topic);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          SSL_ONLY,
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
  });

  it('subscribes the AlarmEmail parameter only when it is not empty', () => {
    const { template } = built.dev;
    template.hasParameter('AlarmEmail', { Type: 'String', Default: '' });
    const subscriptions = template.findResources('AWS::SNS::Subscription', {
      Properties: { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
    });
    const [subscription] = Object.values(subscriptions);
    expect(Object.keys(subscriptions)).toHaveLength(1);
    template.hasCondition(subscription?.Condition, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }] });
  });
});

describe('ingest function', () => {
  it('runs Node 22 on arm64 with active tracing and the consumer sizing', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: consumers.ingest.memorySize,
      Timeout: consumers.ingest.timeoutSeconds,
      LoggingConfig: { LogGroup: { Ref: logicalId(stack.ingestFunction.functionLogGroup) } },
    });
  });

  it('gets exactly the table names, pipeline settings and Powertools settings as environment', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectEquals({
          [tables.events.envVar]: { Ref: logicalId(stack.eventsTable) },
          [tables.billing.envVar]: { Ref: logicalId(stack.billingTable) },
          ...pipelineSettings,
          POWERTOOLS_SERVICE_NAME: 'billflow',
          POWERTOOLS_METRICS_NAMESPACE: 'Billflow',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      },
    });
  });

  it('consumes the events queue with partial batch responses and the consumers.ingest batching', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.ingestFunction) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.eventsQueue.queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: consumers.ingest.batchSize,
      MaximumBatchingWindowInSeconds: consumers.ingest.maxBatchingWindowSeconds,
    });
  });

  it('may only write to the events table and read the billing table, with exactly the listed actions', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectEquals({
            Effect: 'Allow',
            Action: EVENTS_TABLE_ACTIONS,
            Resource: [{ 'Fn::GetAtt': [logicalId(stack.eventsTable), 'Arn'] }],
          }),
          Match.objectEquals({
            Effect: 'Allow',
            Action: BILLING_TABLE_ACTIONS,
            Resource: [{ 'Fn::GetAtt': [logicalId(stack.billingTable), 'Arn'] }],
          }),
        ]),
      },
    });
    const statements = ingestStatements(built.dev);
    const dynamoActions = statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('dynamodb:'));
    expect([...dynamoActions].sort()).toEqual([...EVENTS_TABLE_ACTIONS, ...BILLING_TABLE_ACTIONS].sort());
  });

  it('has no wildcard action, no Scan, and Resource "*" only for X-Ray', () => {
    const statements = ingestStatements(built.dev);
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(actions).not.toContain('dynamodb:Scan');
    const onAnyResource = statements.filter((s) => asArray(s.Resource).includes('*')).flatMap((s) => asArray(s.Action));
    expect(onAnyResource.every((action) => action.startsWith('xray:'))).toBe(true);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('keeps logs one month in dev and one year in prod', () => {
    built.dev.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    built.prod.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });
});

describe('tables', () => {
  it.each(Object.values(tables))('$id: on-demand, pk/sk strings, TTL as defined, PITR and SSE', (table) => {
    built.dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: table.partitionKey, AttributeType: 'S' },
        { AttributeName: table.sortKey, AttributeType: 'S' },
      ]),
      TimeToLiveSpecification:
        'timeToLiveAttribute' in table ? { AttributeName: table.timeToLiveAttribute, Enabled: true } : Match.absent(),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('are deletion-protected and retained in prod', () => {
    const retained = built.prod.template.findResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    });
    const { eventsTable, billingTable } = built.prod.stack;
    expect(Object.keys(retained).sort()).toEqual([logicalId(eventsTable), logicalId(billingTable)].sort());
  });

  it('are deleted with a dev stack', () => {
    const deleted = built.dev.template.findResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtectionEnabled: false },
    });
    expect(Object.keys(deleted)).toHaveLength(Object.keys(tables).length);
  });
});

describe('invoices bucket', () => {
  it('is private, encrypted, versioned, TLS-only, retained, and logs access to the logs bucket', () => {
    const { stack, template } = built.dev;
    const invoicesId = logicalId(stack.invoicesBucket);
    const logsId = logicalId(stack.accessLogsBucket);
    const privateEncrypted = {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    };
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        ...privateEncrypted,
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'invoices/' },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: Match.anyValue() } })]),
        },
      }),
    });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ ...privateEncrypted, LoggingConfiguration: Match.absent() }),
    });
    for (const id of [invoicesId, logsId]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: { Statement: Match.arrayWith([SSL_ONLY]) },
      });
    }
  });
});

describe('outputs', () => {
  it('carries the CONTRACTS.md section 6 names', () => {
    const { stack, template } = built.dev;
    template.hasOutput('region', { Value: { Ref: 'AWS::Region' } });
    template.hasOutput('eventsQueueUrl', { Value: { Ref: logicalId(stack.eventsQueue.queue) } });
    template.hasOutput('eventsDlqUrl', { Value: { Ref: logicalId(stack.eventsQueue.deadLetterQueue) } });
    template.hasOutput('invoicesBucket', { Value: { Ref: logicalId(stack.invoicesBucket) } });
  });

  it('also carries every output the CLI requires (shared/outputs.ts), so a deployed stack works as --outputs', () => {
    const { stack, template } = built.dev;
    template.hasOutput('eventsTable', { Value: { Ref: logicalId(stack.eventsTable) } });
    template.hasOutput('billingTable', { Value: { Ref: logicalId(stack.billingTable) } });
    template.hasOutput('eventWriteShards', { Value: pipelineSettings.EVENT_WRITE_SHARDS });
    template.hasOutput('gracePeriodHours', { Value: pipelineSettings.GRACE_PERIOD_HOURS });
    const required = Object.entries(outputsSchema.shape)
      .filter(([, schema]) => !schema.safeParse(undefined).success)
      .map(([name]) => name);
    expect(required.filter((name) => Object.keys(template.findOutputs(name)).length === 0)).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'] as const)('%s: no unacknowledged error or warning', (stage) => {
    const { stack } = built[stage];
    const { violations } = new AwsSolutionsChecks().validateScope(stack);
    const findings = (severity: string) =>
      violations
        .filter((violation) => violation.severity === severity)
        .map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings('error')).toEqual([]);
    expect(findings('warning')).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('acknowledges only the three expected findings, each on its own resource and with a reason', () => {
    const { stack } = built.dev;
    const acknowledged = stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) =>
            Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
              id: id.replace(/^annotation::/i, ''),
              path: construct.node.path,
              reason,
            })),
          ),
      );
    expect(acknowledged.map(({ id, path }) => `${id} @ ${path}`).sort()).toEqual(
      [
        'AwsSolutions-IAM5[Resource::*] @ billflow-dev/IngestFunctionRole/DefaultPolicy',
        'AwsSolutions-L1 @ billflow-dev/IngestFunction',
        'AwsSolutions-S1 @ billflow-dev/AccessLogsBucket',
      ].sort(),
    );
    for (const { reason } of acknowledged) expect(reason).toEqual(expect.stringMatching(/^.{40,}$/));
  });

  it('leaves no CDK warning or error annotation on either stage', () => {
    for (const { stack } of Object.values(built)) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    }
  });
});
