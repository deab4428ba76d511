/**
 * Fine-grained assertions on the synthesized BillflowStack, resource by resource: each
 * function's exact grants, environment and event source, the queues, tables, bucket, API and
 * outputs. Each stage is synthesized once (bundling runs esbuild on the real handlers) and
 * shared by every test. Cross-cutting checks live beside it: security.test.ts (least
 * privilege across the template, encryption, removal policies, cdk-nag) and
 * observability.test.ts (alarms, dashboard, tracing, log retention).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buckets, consumers, httpRoutes, pipelineSettings, queues, RENDER_V8_OPTIONS, schedules, tables } from '#infra/resources.ts';
import type { BillingFunction } from '#infra/constructs/billing-function.ts';
import type { QueueWithDeadLetter } from '#infra/constructs/queue-with-dead-letter.ts';
import type { BillflowStack } from '#infra/stack.ts';
import { parseStage, type Stage } from '#infra/stage.ts';
import { outputsSchema } from '#shared/outputs.ts';
import { arnOf, asArray, build, type Built, logicalId, type PolicyStatement } from './support/synth.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const EVENTS_TABLE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
const BILLING_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const SSL_ONLY = Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });

/** Every statement of the identity policies attached to `role`. */
function roleStatements(template: Template, role: IRole | undefined): PolicyStatement[] {
  if (role === undefined) throw new Error('expected a role');
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: logicalId(role) }]) },
  });
  return Object.values(policies).flatMap((policy): PolicyStatement[] => policy.Properties.PolicyDocument.Statement);
}

function ingestStatements({ stack, template }: Built): PolicyStatement[] {
  return roleStatements(template, stack.ingest.ingestFunction.role);
}

/**
 * What a role may do, as action -> resources, from all its Allow statements: comparing this
 * with toEqual proves there is no other action and no other resource.
 */
function grantsOf(template: Template, role: IRole | undefined): Record<string, unknown[]> {
  const grants: Record<string, unknown[]> = {};
  for (const statement of roleStatements(template, role)) {
    expect(statement.Effect).toBe('Allow');
    for (const action of asArray(statement.Action)) {
      (grants[action] ??= []).push(...asArray(statement.Resource));
    }
  }
  return grants;
}

/** The grants every BillingFunction has: X-Ray (the only Resource "*") and its own log group. */
function functionBaseGrants(fn: BillingFunction): Record<string, unknown[]> {
  return {
    'xray:PutTraceSegments': ['*'],
    'xray:PutTelemetryRecords': ['*'],
    'logs:CreateLogStream': [arnOf(fn.functionLogGroup)],
    'logs:PutLogEvents': [arnOf(fn.functionLogGroup)],
  };
}

const POWERTOOLS_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'billflow',
  POWERTOOLS_METRICS_NAMESPACE: 'Billflow',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
};
/** What a function that publishes outbound events gets: the bus and the source, and PutEvents on that bus only. */
const publishesEnvironment = (stack: BillflowStack) => ({
  EVENT_BUS_NAME: { Ref: logicalId(stack.outbound.eventBus) },
  OUTBOUND_SOURCE: 'billflow/billflow-dev',
});
const publishesGrants = (stack: BillflowStack) => ({ 'events:PutEvents': [arnOf(stack.outbound.eventBus)] });

const SQS_CONSUMER_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

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
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.ingest.eventsQueue.deadLetterQueue), 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: queues.events.deadLetter.retentionDays * 86_400,
      RedrivePolicy: Match.absent(),
    });
  });

  it('encrypts both queues and denies requests without TLS', () => {
    const { stack, template } = built.dev;
    expectEncryptedAndTlsOnly(template, [stack.ingest.eventsQueue.queue, stack.ingest.eventsQueue.deadLetterQueue]);
  });

  it('alarms when anything reaches the DLQ, and when the oldest event waits a quarter of the grace period', () => {
    const { stack, template } = built.dev;
    const topic = { Ref: logicalId(stack.alarms.topic) };
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateNumberOfMessagesVisible', logicalId(stack.ingest.eventsQueue.deadLetterQueue), 0, topic),
    );
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateAgeOfOldestMessage', logicalId(stack.ingest.eventsQueue.queue), 900, topic),
    );
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
      MemorySize: consumers.ingestEvents.memorySize,
      Timeout: consumers.ingestEvents.timeoutSeconds,
      LoggingConfig: { LogGroup: { Ref: logicalId(stack.ingest.ingestFunction.functionLogGroup) } },
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
          ...publishesEnvironment(stack),
          POWERTOOLS_SERVICE_NAME: 'billflow',
          POWERTOOLS_METRICS_NAMESPACE: 'Billflow',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      },
    });
  });

  it('consumes the events queue with partial batch responses and the consumers.ingestEvents batching', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.ingest.ingestFunction) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.ingest.eventsQueue.queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: consumers.ingestEvents.batchSize,
      MaximumBatchingWindowInSeconds: consumers.ingestEvents.maxBatchingWindowSeconds,
    });
  });

  it('may only write to the events table and read the billing table (not its indexes), with exactly the listed actions', () => {
    const { stack, template } = built.dev;
    const fn = stack.ingest.ingestFunction;
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      ...Object.fromEntries(EVENTS_TABLE_ACTIONS.map((action) => [action, [arnOf(stack.eventsTable)]])),
      ...Object.fromEntries(BILLING_TABLE_ACTIONS.map((action) => [action, [arnOf(stack.billingTable)]])),
      ...Object.fromEntries(SQS_CONSUMER_ACTIONS.map((action) => [action, [arnOf(stack.ingest.eventsQueue.queue)]])),
      ...publishesGrants(stack),
    });
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

describe('invoice-jobs queue', () => {
  it('redrives to its DLQ after queues.invoiceJobs.maxReceiveCount receives, with the defined timeouts', () => {
    const { stack, template } = built.dev;
    const { queue, deadLetterQueue } = stack.invoiceRun.invoiceJobsQueue;
    expect(template.toJSON().Resources[logicalId(queue)].Properties).toMatchObject({
      VisibilityTimeout: queues.invoiceJobs.visibilityTimeoutSeconds,
      MessageRetentionPeriod: queues.invoiceJobs.retentionDays * 86_400,
      MaximumMessageSize: queues.invoiceJobs.maxMessageSizeBytes,
      RedrivePolicy: { maxReceiveCount: queues.invoiceJobs.maxReceiveCount, deadLetterTargetArn: arnOf(deadLetterQueue) },
    });
    expect(template.toJSON().Resources[logicalId(deadLetterQueue)].Properties).toMatchObject({
      MessageRetentionPeriod: queues.invoiceJobs.deadLetter.retentionDays * 86_400,
    });
    expect(template.toJSON().Resources[logicalId(deadLetterQueue)].Properties.RedrivePolicy).toBeUndefined();
    // AWS advises a visibility timeout of at least 6x the consumer's timeout.
    expect(queues.invoiceJobs.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * consumers.closeBillingPeriod.timeoutSeconds);
  });

  it('encrypts both queues and denies requests without TLS', () => {
    const { stack, template } = built.dev;
    expectEncryptedAndTlsOnly(template, [stack.invoiceRun.invoiceJobsQueue.queue, stack.invoiceRun.invoiceJobsQueue.deadLetterQueue]);
  });

  it('alarms when a job is dead-lettered, and when the oldest job waits half an hour', () => {
    const { stack, template } = built.dev;
    const topic = { Ref: logicalId(stack.alarms.topic) };
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateNumberOfMessagesVisible', logicalId(stack.invoiceRun.invoiceJobsQueue.deadLetterQueue), 0, topic, {
        // `billflow dlq redrive` only knows the events DLQ.
        AlarmDescription: Match.stringLikeRegexp('billflow invoices run'),
      }),
    );
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateAgeOfOldestMessage', logicalId(stack.invoiceRun.invoiceJobsQueue.queue), 30 * 60, topic),
    );
  });
});

describe('close-billing-period function', () => {
  it('runs Node 22 on arm64 with tracing, the consumer sizing and exactly the invoicing environment', () => {
    const { stack, template } = built.dev;
    expectInvoicingFunction(
      template,
      stack,
      stack.invoiceRun.closeBillingPeriodFunction,
      consumers.closeBillingPeriod,
      publishesEnvironment(stack),
    );
  });

  it('consumes the invoice-jobs queue with partial batch responses and the consumers.closeBillingPeriod batching', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.invoiceRun.closeBillingPeriodFunction) },
      EventSourceArn: arnOf(stack.invoiceRun.invoiceJobsQueue.queue),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: consumers.closeBillingPeriod.batchSize,
      // maxBatchingWindowSeconds 0: no window, so the property is left out.
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
    expect(consumers.closeBillingPeriod.maxBatchingWindowSeconds).toBe(0);
  });

  it('may only Query the events table, read and write items of the billing table, and consume the jobs queue', () => {
    const { stack, template } = built.dev;
    const fn = stack.invoiceRun.closeBillingPeriodFunction;
    const events = [arnOf(stack.eventsTable)];
    const billing = [arnOf(stack.billingTable)];
    const jobs = [arnOf(stack.invoiceRun.invoiceJobsQueue.queue)];
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      // The events table, and the billing table itself (a customer's invoices), no index.
      'dynamodb:Query': [...events, ...billing],
      'dynamodb:GetItem': billing,
      'dynamodb:BatchGetItem': billing,
      'dynamodb:PutItem': billing,
      'dynamodb:UpdateItem': billing,
      ...Object.fromEntries(SQS_CONSUMER_ACTIONS.map((action) => [action, jobs])),
      // requestDocument, to the documents queue only.
      'sqs:SendMessage': [arnOf(stack.delivery.invoiceDocumentsQueue.queue)],
      ...publishesGrants(stack),
    });
  });
});

describe('start-invoice-run function', () => {
  it('runs with the schedules.startInvoiceRun sizing and exactly the invoicing environment', () => {
    const { stack, template } = built.dev;
    expectInvoicingFunction(template, stack, stack.invoiceRun.invoiceRunFunction, schedules.startInvoiceRun, publishesEnvironment(stack));
  });

  it('may read the catalog version, keep its run log, Scan the billing table, Query it (the outbox) and the open-drafts and open-deliveries indexes only, send jobs and stuck deliveries, publish to the bus and dead-letter failed runs; nothing on the events table', () => {
    const { stack, template } = built.dev;
    const fn = stack.invoiceRun.invoiceRunFunction;
    const billing = [arnOf(stack.billingTable)];
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      'dynamodb:BatchGetItem': billing,
      'dynamodb:GetItem': billing,
      'dynamodb:PutItem': billing,
      'dynamodb:Scan': billing,
      // The outbound outbox swept: its facts cleared once published.
      'dynamodb:DeleteItem': billing,
      // The outbox's partition; listOpenDrafts and listStuckDeliveries: the indexes by name, not index/*.
      'dynamodb:Query': [
        ...billing,
        { 'Fn::Join': ['', [arnOf(stack.billingTable), '/index/open-drafts']] },
        { 'Fn::Join': ['', [arnOf(stack.billingTable), '/index/open-deliveries']] },
      ],
      // The jobs, stuck deliveries to render-invoice again, and the function's DeadLetterConfig:
      // runs that failed every Lambda attempt.
      'sqs:SendMessage': [
        arnOf(stack.invoiceRun.invoiceJobsQueue.queue),
        arnOf(stack.delivery.invoiceDocumentsQueue.queue),
        arnOf(stack.invoiceRun.invoiceRunSchedule.deadLetterQueue),
      ],
      ...publishesGrants(stack),
    });
  });

  it("sends runs that failed every attempt to the schedule's dead-letter queue (Scheduler invokes it asynchronously)", () => {
    const { stack, template } = built.dev;
    expect(template.toJSON().Resources[logicalId(stack.invoiceRun.invoiceRunFunction)].Properties.DeadLetterConfig).toEqual({
      TargetArn: arnOf(stack.invoiceRun.invoiceRunSchedule.deadLetterQueue),
    });
  });
});

describe('start-invoice-run schedule', () => {
  it('invokes invoice-run hourly with the scheduled time as asOf, a retry policy and a dead-letter queue', () => {
    const { stack, template } = built.dev;
    const schedule = stack.invoiceRun.invoiceRunSchedule;
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: schedules.startInvoiceRun.expression,
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      GroupName: template.toJSON().Resources[logicalId(stack.scheduleGroup)].Properties.Name,
      Target: {
        Arn: arnOf(stack.invoiceRun.invoiceRunFunction),
        RoleArn: arnOf(schedule.role),
        Input: Match.serializedJson({ asOf: '<aws.scheduler.scheduled-time>' }),
        DeadLetterConfig: { Arn: arnOf(schedule.deadLetterQueue) },
        RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(schedules.startInvoiceRun.expression).toBe('rate(1 hour)');
  });

  it('has a role that only schedules of its group may assume and that may only invoke invoice-run and dead-letter', () => {
    const { stack, template } = built.dev;
    const schedule = stack.invoiceRun.invoiceRunSchedule;
    const trust = template.toJSON().Resources[logicalId(schedule.role)].Properties.AssumeRolePolicyDocument;
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': arnOf(stack.scheduleGroup) },
        },
      },
    ]);
    // The unqualified function ARN only: no `{arn}:*` (versions and aliases) as grantInvoke adds.
    expect(grantsOf(template, schedule.role)).toEqual({
      'lambda:InvokeFunction': [arnOf(stack.invoiceRun.invoiceRunFunction)],
      'sqs:SendMessage': [arnOf(schedule.deadLetterQueue)],
    });
  });

  it('encrypts its dead-letter queue, denies requests without TLS and alarms when anything reaches it', () => {
    const { stack, template } = built.dev;
    const id = logicalId(stack.invoiceRun.invoiceRunSchedule.deadLetterQueue);
    expect(template.toJSON().Resources[id].Properties).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id }],
      PolicyDocument: { Statement: Match.arrayWith([SSL_ONLY]) },
    });
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateNumberOfMessagesVisible', id, 0, { Ref: logicalId(stack.alarms.topic) }),
    );
  });
});

/** `{ Fn::Join: ['', [bucket ARN, '/invoices/*']] }`: the invoice documents, not the whole bucket. */
function invoiceObjects(stack: BillflowStack): unknown {
  return { 'Fn::Join': ['', [arnOf(stack.invoicesBucket), '/invoices/*']] };
}

/** The credit note documents: `credit-notes/*` of the same bucket. */
function creditNoteObjects(stack: BillflowStack): unknown {
  return { 'Fn::Join': ['', [arnOf(stack.invoicesBucket), '/credit-notes/*']] };
}

describe.each([
  ['invoice-documents', 'invoiceDocumentsQueue', queues.invoiceDocuments, consumers.renderInvoice],
  ['invoice-emails', 'invoiceEmailsQueue', queues.invoiceEmails, consumers.sendInvoice],
] as const)('%s queue', (_name, property, definition, consumer) => {
  const queueOf = (stack: BillflowStack): QueueWithDeadLetter => stack.delivery[property];

  it('redrives to its DLQ after maxReceiveCount receives, with the defined timeouts', () => {
    const { stack, template } = built.dev;
    const { queue, deadLetterQueue } = queueOf(stack);
    const resources = template.toJSON().Resources;
    expect(resources[logicalId(queue)].Properties).toMatchObject({
      VisibilityTimeout: definition.visibilityTimeoutSeconds,
      MessageRetentionPeriod: definition.retentionDays * 86_400,
      MaximumMessageSize: definition.maxMessageSizeBytes,
      RedrivePolicy: { maxReceiveCount: definition.maxReceiveCount, deadLetterTargetArn: arnOf(deadLetterQueue) },
    });
    expect(resources[logicalId(deadLetterQueue)].Properties).toMatchObject({
      MessageRetentionPeriod: definition.deadLetter.retentionDays * 86_400,
    });
    expect(resources[logicalId(deadLetterQueue)].Properties.RedrivePolicy).toBeUndefined();
    expect(definition.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * consumer.timeoutSeconds);
  });

  it('encrypts both queues and denies requests without TLS', () => {
    const { stack, template } = built.dev;
    expectEncryptedAndTlsOnly(template, [queueOf(stack).queue, queueOf(stack).deadLetterQueue]);
  });

  it('alarms when a request is dead-lettered (saying redelivery is safe and how), and after 15 minutes of waiting', () => {
    const { stack, template } = built.dev;
    const topic = { Ref: logicalId(stack.alarms.topic) };
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateNumberOfMessagesVisible', logicalId(queueOf(stack).deadLetterQueue), 0, topic, {
        AlarmDescription: Match.stringLikeRegexp('redelivery is safe.*idempotent on the invoice number.*aws sqs start-message-move-task'),
      }),
    );
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateAgeOfOldestMessage', logicalId(queueOf(stack).queue), 15 * 60, topic),
    );
  });
});

describe.each([
  ['render-invoice', 'renderInvoiceFunction', 'invoiceDocumentsQueue', consumers.renderInvoice],
  ['send-invoice', 'sendInvoiceFunction', 'invoiceEmailsQueue', consumers.sendInvoice],
] as const)('%s function', (_name, property, queueProperty, consumer) => {
  it('runs Node 22 on arm64 with tracing and the consumer sizing', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: consumer.memorySize,
      Timeout: consumer.timeoutSeconds,
      LoggingConfig: { LogGroup: { Ref: logicalId(stack.delivery[property].functionLogGroup) } },
    });
  });

  it('consumes its queue with partial batch responses and the consumer batching', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.delivery[property]) },
      EventSourceArn: arnOf(stack.delivery[queueProperty].queue),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: consumer.batchSize,
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
    expect(consumer.maxBatchingWindowSeconds).toBe(0);
  });
});

describe('render-invoice function', () => {
  it('gets exactly the environment readDeliveryConfig reads, and the Powertools settings', () => {
    const { stack, template } = built.dev;
    const fn = template.toJSON().Resources[logicalId(stack.delivery.renderInvoiceFunction)];
    expect(fn.Properties.Environment.Variables).toEqual({
      [tables.billing.envVar]: { Ref: logicalId(stack.billingTable) },
      [buckets.invoices.envVar]: { Ref: logicalId(stack.invoicesBucket) },
      [queues.invoiceEmails.envVar]: { Ref: logicalId(stack.delivery.invoiceEmailsQueue.queue) },
      ...POWERTOOLS_ENVIRONMENT,
      NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=64',
    });
  });

  it('runs with the V8 options the document benchmark measures with (npm run bench)', () => {
    const bench = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.bench;
    expect(bench).toContain(`NODE_OPTIONS=${RENDER_V8_OPTIONS} `);
  });

  it('may read and put billing items, read and write invoice and credit note documents only, request emails and consume its queue', () => {
    const { stack, template } = built.dev;
    const fn = stack.delivery.renderInvoiceFunction;
    const billing = [arnOf(stack.billingTable)];
    const documents = [arnOf(stack.delivery.invoiceDocumentsQueue.queue)];
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      'dynamodb:GetItem': billing,
      'dynamodb:PutItem': billing,
      // HeadObject (authorized by s3:GetObject), GetObject and PutObject under invoices/ and credit-notes/ only.
      's3:GetObject': [invoiceObjects(stack), creditNoteObjects(stack)],
      's3:PutObject': [invoiceObjects(stack), creditNoteObjects(stack)],
      // So that HeadObject of a missing document answers 404, not 403.
      's3:ListBucket': [arnOf(stack.invoicesBucket)],
      'sqs:SendMessage': [arnOf(stack.delivery.invoiceEmailsQueue.queue)],
      ...Object.fromEntries(SQS_CONSUMER_ACTIONS.map((action) => [action, documents])),
    });
  });

  it('ships the DejaVu and IPAex Gothic fonts and pdfkit standard fonts in its asset, and the bundle resolves them there', () => {
    const { stack, template } = built.dev;
    const code = template.toJSON().Resources[logicalId(stack.delivery.renderInvoiceFunction)].Properties.Code;
    const asset = join((stack.node.root as App).outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
    for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']) {
      expect(existsSync(join(asset, 'node_modules/dejavu-fonts-ttf/ttf', file))).toBe(true);
    }
    for (const file of ['ipaexg.ttf', 'LICENSE']) expect(existsSync(join(asset, 'node_modules/billflow-font-ipaexg', file))).toBe(true);
    // Importing the bundle reads and parses both fonts (module scope of shared/adapters/pdf/fonts.ts);
    // the default font pdfkit's constructor loads is a `#standard-fonts/...` require.
    const script = `
      await import(${JSON.stringify(join(asset, 'index.mjs'))});
      const { createRequire } = await import('node:module');
      const require = createRequire(${JSON.stringify(join(asset, 'index.mjs'))});
      console.log(JSON.stringify({
        regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
        bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
        cjk: require.resolve('billflow-font-ipaexg/ipaexg.ttf'),
        helvetica: require.resolve('#standard-fonts/Helvetica'),
        helveticaName: require('#standard-fonts/Helvetica').name,
      }));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: asset, encoding: 'utf8' });
    const resolved = JSON.parse(output.trim().split('\n').at(-1)!);
    expect(resolved.regular.startsWith(`${asset}/`)).toBe(true);
    expect(resolved.bold.startsWith(`${asset}/`)).toBe(true);
    expect(resolved.cjk.startsWith(`${asset}/`)).toBe(true);
    expect(resolved.helvetica.startsWith(`${asset}/`)).toBe(true);
    expect(resolved.helveticaName).toBe('Helvetica');
  });
});

describe('send-invoice function', () => {
  it('gets exactly the environment readDeliveryConfig reads, with the configuration set name', () => {
    const { stack, template } = built.dev;
    const fn = template.toJSON().Resources[logicalId(stack.delivery.sendInvoiceFunction)];
    expect(fn.Properties.Environment.Variables).toEqual({
      [tables.billing.envVar]: { Ref: logicalId(stack.billingTable) },
      [buckets.invoices.envVar]: { Ref: logicalId(stack.invoicesBucket) },
      [queues.invoiceEmails.envVar]: { Ref: logicalId(stack.delivery.invoiceEmailsQueue.queue) },
      SES_CONFIGURATION_SET: { Ref: logicalId(stack.delivery.mailEvents.configurationSet) },
      ...publishesEnvironment(stack),
      // The hosted invoice page's base URL (issue 20), linked from each email.
      INVOICE_PAGE_BASE_URL: { 'Fn::GetAtt': [logicalId(stack.payments.webhookApi.api), 'ApiEndpoint'] },
      ...POWERTOOLS_ENVIRONMENT,
    });
  });

  it('may read and put billing items, read invoice documents only, send as the SenderIdentity with the configuration set, and consume its queue', () => {
    const { stack, template } = built.dev;
    const fn = stack.delivery.sendInvoiceFunction;
    const billing = [arnOf(stack.billingTable)];
    const emails = [arnOf(stack.delivery.invoiceEmailsQueue.queue)];
    const sesArn = (resource: string, name: unknown) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/`, name],
      ],
    });
    const ses = [
      sesArn('identity', { Ref: 'SenderIdentity' }),
      sesArn('configuration-set', { Ref: logicalId(stack.delivery.mailEvents.configurationSet) }),
    ];
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      'dynamodb:GetItem': billing,
      'dynamodb:PutItem': billing,
      // The stored PDF to attach: invoices and credit notes.
      's3:GetObject': [invoiceObjects(stack), creditNoteObjects(stack)],
      'ses:SendEmail': ses,
      'ses:SendRawEmail': ses,
      ...Object.fromEntries(SQS_CONSUMER_ACTIONS.map((action) => [action, emails])),
      ...publishesGrants(stack),
    });
  });

  it('takes the sender identity as a parameter that cannot be a wildcard', () => {
    const { template } = built.dev;
    const parameter = template.toJSON().Parameters.SenderIdentity;
    expect(parameter).toMatchObject({ Type: 'String' });
    const pattern = new RegExp(parameter.AllowedPattern);
    expect(['acme.example', 'billing@acme.example', 'mail.acme.example'].every((value) => pattern.test(value))).toBe(true);
    expect(['*', '*.example', 'acme', '', 'billing@*'].some((value) => pattern.test(value))).toBe(false);
  });
});

describe('mail events', () => {
  it('publishes bounces, complaints, rejects and delivery delays of the configuration set to the mail events topic', () => {
    const { stack, template } = built.dev;
    const { configurationSet, topic } = stack.delivery.mailEvents;
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: logicalId(configurationSet) },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'reject', 'deliveryDelay'],
        SnsDestination: { TopicARN: { Ref: logicalId(topic) } },
      },
    });
  });

  it('encrypts the topic with a rotating key SES of this configuration set may use, TLS-only', () => {
    const { stack, template } = built.dev;
    const { configurationSet, key, topic } = stack.delivery.mailEvents;
    const sourceArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':configuration-set/',
          { Ref: logicalId(configurationSet) },
        ],
      ],
    };
    expect(template.toJSON().Resources[logicalId(topic)].Properties).toMatchObject({ KmsMasterKeyId: arnOf(key) });
    const keyProperties = template.toJSON().Resources[logicalId(key)].Properties;
    expect(keyProperties.EnableKeyRotation).toBe(true);
    expect(keyProperties.KeyPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'ses.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': sourceArn } },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalId(topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          SSL_ONLY,
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' }, 'AWS:SourceArn': sourceArn } },
          }),
        ]),
      },
    });
  });

  it('delivers them raw to the encrypted, TLS-only invoice-mail-events queue with a DLQ, ', () => {
    const { stack, template } = built.dev;
    const { events, topic } = stack.delivery.mailEvents;
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: logicalId(topic) },
      Protocol: 'sqs',
      Endpoint: arnOf(events.queue),
      RawMessageDelivery: true,
    });
    const resources = template.toJSON().Resources;
    const definition = queues.invoiceMailEvents;
    expect(resources[logicalId(events.queue)].Properties).toMatchObject({
      VisibilityTimeout: definition.visibilityTimeoutSeconds,
      MessageRetentionPeriod: definition.retentionDays * 86_400,
      RedrivePolicy: { maxReceiveCount: definition.maxReceiveCount, deadLetterTargetArn: arnOf(events.deadLetterQueue) },
    });
    expect(resources[logicalId(events.deadLetterQueue)].Properties).toMatchObject({
      MessageRetentionPeriod: definition.deadLetter.retentionDays * 86_400,
    });
    expectEncryptedAndTlsOnly(template, [events.queue, events.deadLetterQueue]);
    // Only this topic may send to the queue.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(events.queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: logicalId(topic) } } },
          }),
        ]),
      },
    });
  });

  it('feeds them to record-mail-event, which may only read and write billing items besides consuming the queue', () => {
    const { stack, template } = built.dev;
    const fn = stack.delivery.recordMailEventFunction;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(fn) },
      EventSourceArn: arnOf(stack.delivery.mailEvents.events.queue),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: consumers.recordMailEvent.batchSize,
    });
    const billing = [arnOf(stack.billingTable)];
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      'dynamodb:GetItem': billing,
      'dynamodb:PutItem': billing,
      ...Object.fromEntries(SQS_CONSUMER_ACTIONS.map((action) => [action, [arnOf(stack.delivery.mailEvents.events.queue)]])),
      ...publishesGrants(stack),
    });
  });

  it('alarms when a mail event has waited an hour (record-mail-event is failing on it)', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateAgeOfOldestMessage', logicalId(stack.delivery.mailEvents.events.queue), 3600, {
        Ref: logicalId(stack.alarms.topic),
      }),
    );
  });
});

describe('payment-events queue', () => {
  it('redrives to its DLQ after queues.paymentEvents.maxReceiveCount receives, with the defined timeouts', () => {
    const { stack, template } = built.dev;
    const { queue, deadLetterQueue } = stack.payments.paymentEventsQueue;
    const definition = queues.paymentEvents;
    const resources = template.toJSON().Resources;
    expect(resources[logicalId(queue)].Properties).toMatchObject({
      VisibilityTimeout: definition.visibilityTimeoutSeconds,
      MessageRetentionPeriod: definition.retentionDays * 86_400,
      MaximumMessageSize: definition.maxMessageSizeBytes,
      RedrivePolicy: { maxReceiveCount: definition.maxReceiveCount, deadLetterTargetArn: arnOf(deadLetterQueue) },
    });
    expect(resources[logicalId(deadLetterQueue)].Properties).toMatchObject({
      MessageRetentionPeriod: definition.deadLetter.retentionDays * 86_400,
    });
    expect(resources[logicalId(deadLetterQueue)].Properties.RedrivePolicy).toBeUndefined();
    expect(definition.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * consumers.applyPaymentEvent.timeoutSeconds);
  });

  it('encrypts both queues and denies requests without TLS', () => {
    const { stack, template } = built.dev;
    expectEncryptedAndTlsOnly(template, [stack.payments.paymentEventsQueue.queue, stack.payments.paymentEventsQueue.deadLetterQueue]);
  });

  it('alarms when an event is dead-lettered (saying redelivery is safe and how), and when one waits 15 minutes', () => {
    const { stack, template } = built.dev;
    const topic = { Ref: logicalId(stack.alarms.topic) };
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateNumberOfMessagesVisible', logicalId(stack.payments.paymentEventsQueue.deadLetterQueue), 0, topic, {
        AlarmName: 'billflow-dev-payment-events-dlq-not-empty',
        AlarmDescription: Match.stringLikeRegexp('aws sqs start-message-move-task.*redelivery is safe.*applied once'),
      }),
    );
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateAgeOfOldestMessage', logicalId(stack.payments.paymentEventsQueue.queue), 15 * 60, topic, {
        AlarmName: 'billflow-dev-payment-events-oldest-message-age',
      }),
    );
  });
});

describe('apply-payment-event function', () => {
  it('runs Node 22 on arm64 with tracing, the consumers.applyPaymentEvent sizing and only the billing table name', () => {
    const { stack, template } = built.dev;
    const fn = stack.payments.applyPaymentEventFunction;
    expect(template.toJSON().Resources[logicalId(fn)].Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: consumers.applyPaymentEvent.memorySize,
      Timeout: consumers.applyPaymentEvent.timeoutSeconds,
      LoggingConfig: { LogGroup: { Ref: logicalId(fn.functionLogGroup) } },
    });
    expect(template.toJSON().Resources[logicalId(fn)].Properties.Environment.Variables).toEqual({
      [tables.billing.envVar]: { Ref: logicalId(stack.billingTable) },
      ...publishesEnvironment(stack),
      ...POWERTOOLS_ENVIRONMENT,
    });
  });

  it('consumes the payment-events queue with partial batch responses and the consumers.applyPaymentEvent batching', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.payments.applyPaymentEventFunction) },
      EventSourceArn: arnOf(stack.payments.paymentEventsQueue.queue),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: consumers.applyPaymentEvent.batchSize,
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
    expect(consumers.applyPaymentEvent.maxBatchingWindowSeconds).toBe(0);
  });

  it('may get, put, update and query billing items (no Scan, no Delete, no index) and consume its queue', () => {
    const { stack, template } = built.dev;
    const fn = stack.payments.applyPaymentEventFunction;
    const billing = [arnOf(stack.billingTable)];
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      // Webhook event, payment link, invoice number pointer and invoice.
      'dynamodb:GetItem': billing,
      // Payment events, links (TransactWriteItems Puts) and the invoice update.
      'dynamodb:PutItem': billing,
      // markProcessed.
      'dynamodb:UpdateItem': billing,
      // eventsOf.
      'dynamodb:Query': billing,
      ...Object.fromEntries(SQS_CONSUMER_ACTIONS.map((action) => [action, [arnOf(stack.payments.paymentEventsQueue.queue)]])),
      ...publishesGrants(stack),
    });
  });
});

describe('stripe webhook secret', () => {
  it('is a Secrets Manager secret created with a generated placeholder: no value in the template', () => {
    const { stack, template } = built.dev;
    const secret = template.toJSON().Resources[logicalId(stack.payments.stripeWebhookSecret)];
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties.SecretString).toBeUndefined();
    // No punctuation, so the placeholder parses as one secret (no comma) that matches no signature.
    expect(secret.Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 32 });
    // Descriptions name the format ("whsec_old,whsec_new"); a real secret is whsec_ and 32+ characters.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/whsec_[A-Za-z0-9]{8,}/);
  });

  it('is kept when a prod stack is deleted, and deleted with a dev stack', () => {
    expect(built.prod.template.toJSON().Resources[logicalId(built.prod.stack.payments.stripeWebhookSecret)]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(built.dev.template.toJSON().Resources[logicalId(built.dev.stack.payments.stripeWebhookSecret)]).toMatchObject({
      DeletionPolicy: 'Delete',
    });
  });

  it('reaches functions as its ARN only: no function environment holds a secret value or resolves one', () => {
    for (const { stack, template } of Object.values(built)) {
      const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
      expect(functions.length).toBeGreaterThan(0);
      const referencing: string[] = [];
      for (const [id, fn] of functions) {
        const variables: Record<string, unknown> = fn.Properties.Environment?.Variables ?? {};
        // Locally the value itself is passed in STRIPE_WEBHOOK_SECRET; in AWS never.
        expect(Object.keys(variables)).not.toContain('STRIPE_WEBHOOK_SECRET');
        const text = JSON.stringify(variables);
        expect(text).not.toMatch(/whsec_|SecretString|resolve:secretsmanager/);
        for (const [name, value] of Object.entries(variables)) {
          if (JSON.stringify(value).includes(logicalId(stack.payments.stripeWebhookSecret))) {
            expect(name).toBe('STRIPE_WEBHOOK_SECRET_ARN');
            expect(value).toEqual({ Ref: logicalId(stack.payments.stripeWebhookSecret) }); // Ref of a secret is its ARN
            referencing.push(id);
          }
        }
      }
      expect(referencing).toEqual([logicalId(stack.payments.stripeWebhookFunction)]);
    }
  });

  it('may be read by receive-stripe-webhook only (secretsmanager:GetSecretValue on this secret)', () => {
    const { stack, template } = built.dev;
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy): PolicyStatement[] => policy.Properties.PolicyDocument.Statement,
    );
    const secretStatements = statements.filter((s) => asArray(s.Action).some((action) => action.startsWith('secretsmanager:')));
    expect(secretStatements).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: logicalId(stack.payments.stripeWebhookSecret) } },
    ]);
    expect(grantsOf(template, stack.payments.stripeWebhookFunction.role)['secretsmanager:GetSecretValue']).toEqual([
      { Ref: logicalId(stack.payments.stripeWebhookSecret) },
    ]);
  });
});

describe('receive-stripe-webhook function', () => {
  it('runs Node 22 on arm64 with tracing, the httpRoutes.receiveStripeWebhook sizing and exactly the webhook environment', () => {
    const { stack, template } = built.dev;
    const fn = stack.payments.stripeWebhookFunction;
    const properties = template.toJSON().Resources[logicalId(fn)].Properties;
    expect(properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: httpRoutes.receiveStripeWebhook.memorySize,
      Timeout: httpRoutes.receiveStripeWebhook.timeoutSeconds,
      LoggingConfig: { LogGroup: { Ref: logicalId(fn.functionLogGroup) } },
    });
    // What readWebhookConfig (shared/config.ts) reads in AWS.
    expect(properties.Environment.Variables).toEqual({
      [tables.billing.envVar]: { Ref: logicalId(stack.billingTable) },
      [queues.paymentEvents.envVar]: { Ref: logicalId(stack.payments.paymentEventsQueue.queue) },
      STRIPE_WEBHOOK_SECRET_ARN: { Ref: logicalId(stack.payments.stripeWebhookSecret) },
      ...POWERTOOLS_ENVIRONMENT,
    });
    // Stripe waits 10 s for an answer.
    expect(httpRoutes.receiveStripeWebhook.timeoutSeconds).toBeLessThanOrEqual(10);
  });

  it('may only UpdateItem on the billing table, send to the payment-events queue and read the webhook secret', () => {
    const { stack, template } = built.dev;
    const fn = stack.payments.stripeWebhookFunction;
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      // WebhookEventStore.record: one UpdateItem, first delivery or duplicate.
      'dynamodb:UpdateItem': [arnOf(stack.billingTable)],
      'sqs:SendMessage': [arnOf(stack.payments.paymentEventsQueue.queue)],
      'secretsmanager:GetSecretValue': [{ Ref: logicalId(stack.payments.stripeWebhookSecret) }],
    });
  });
});

describe('webhook API', () => {
  it('is an HTTP API routing POST /webhooks/stripe to receive-stripe-webhook with payload format 2.0', () => {
    const { stack, template } = built.dev;
    const apiId = logicalId(stack.payments.webhookApi.api);
    expect(template.toJSON().Resources[apiId].Properties).toMatchObject({ ProtocolType: 'HTTP', Name: 'billflow-dev-webhooks' });
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', Object.keys(httpRoutes).length);
    template.resourceCountIs('AWS::Lambda::Url', 0);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: { ApiId: { Ref: apiId }, IntegrationUri: arnOf(stack.payments.stripeWebhookFunction) },
    });
    const [integrationId, integration] = Object.entries(integrations)[0] ?? [];
    expect(Object.keys(integrations)).toHaveLength(1);
    expect(integration?.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: { Ref: apiId },
      RouteKey: `${httpRoutes.receiveStripeWebhook.method} ${httpRoutes.receiveStripeWebhook.path}`,
      // Authenticated by its Stripe signature, in the function.
      AuthorizationType: 'NONE',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
    });
    expect(`${httpRoutes.receiveStripeWebhook.method} ${httpRoutes.receiveStripeWebhook.path}`).toBe('POST /webhooks/stripe');
  });

  it('lets API Gateway invoke receive-stripe-webhook through this route only', () => {
    const { stack, template } = built.dev;
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: arnOf(stack.payments.stripeWebhookFunction) },
      }),
    );
    expect(permissions.map((permission) => permission.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: arnOf(stack.payments.stripeWebhookFunction),
        Principal: 'apigateway.amazonaws.com',
        SourceArn: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':execute-api:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':',
              { Ref: logicalId(stack.payments.webhookApi.api) },
              '/*/*/webhooks/stripe',
            ],
          ],
        },
      },
    ]);
  });

  it('deploys one auto-deployed $default stage, throttled to 100 requests per second with bursts of 200', () => {
    const { stack, template } = built.dev;
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    expect(template.toJSON().Resources[logicalId(stack.payments.webhookApi.stage)].Properties).toMatchObject({
      ApiId: { Ref: logicalId(stack.payments.webhookApi.api) },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  it('logs every request as JSON (ids, status, sizes; no headers or bodies) to its own log group', () => {
    const { stack, template } = built.dev;
    const { AccessLogSettings } = template.toJSON().Resources[logicalId(stack.payments.webhookApi.stage)].Properties;
    expect(AccessLogSettings.DestinationArn).toEqual(arnOf(stack.payments.webhookApi.accessLogGroup));
    expect(JSON.parse(AccessLogSettings.Format)).toEqual({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
      routeKey: '$context.routeKey',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      integrationErrorMessage: '$context.integrationErrorMessage',
    });
    expect(AccessLogSettings.Format).not.toMatch(/body|header|authorizer/i);
    // The access log group is no function's log group.
    const functionLogGroups = [
      stack.ingest.ingestFunction,
      stack.invoiceRun.closeBillingPeriodFunction,
      stack.invoiceRun.invoiceRunFunction,
      stack.delivery.renderInvoiceFunction,
      stack.delivery.sendInvoiceFunction,
      stack.delivery.recordMailEventFunction,
      stack.payments.applyPaymentEventFunction,
      stack.payments.stripeWebhookFunction,
      stack.dunning.dunningRunFunction,
    ].map((fn) => logicalId(fn.functionLogGroup));
    expect(functionLogGroups).not.toContain(logicalId(stack.payments.webhookApi.accessLogGroup));
  });

  it('keeps access logs one month in dev (deleted with the stack) and one year in prod (retained)', () => {
    expect(built.dev.template.toJSON().Resources[logicalId(built.dev.stack.payments.webhookApi.accessLogGroup)]).toMatchObject({
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Delete',
    });
    expect(built.prod.template.toJSON().Resources[logicalId(built.prod.stack.payments.webhookApi.accessLogGroup)]).toMatchObject({
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('run-dunning function', () => {
  it('runs Node 22 on arm64 with tracing, the schedules.runDunning sizing and exactly the environment readDunningConfig reads', () => {
    const { stack, template } = built.dev;
    const fn = stack.dunning.dunningRunFunction;
    const properties = template.toJSON().Resources[logicalId(fn)].Properties;
    expect(properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: schedules.runDunning.memorySize,
      Timeout: schedules.runDunning.timeoutSeconds,
      LoggingConfig: { LogGroup: { Ref: logicalId(fn.functionLogGroup) } },
    });
    expect(properties.Environment.Variables).toEqual({
      [tables.billing.envVar]: { Ref: logicalId(stack.billingTable) },
      [buckets.invoices.envVar]: { Ref: logicalId(stack.invoicesBucket) },
      SES_CONFIGURATION_SET: { Ref: logicalId(stack.delivery.mailEvents.configurationSet) },
      ...publishesEnvironment(stack),
      ...POWERTOOLS_ENVIRONMENT,
    });
  });

  it('may get, batch-get and put billing items, Query the open-receivables index only, read invoice documents and send as the SenderIdentity', () => {
    const { stack, template } = built.dev;
    const fn = stack.dunning.dunningRunFunction;
    const billing = [arnOf(stack.billingTable)];
    const sesArn = (resource: string, name: unknown) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/`, name],
      ],
    });
    const ses = [
      sesArn('identity', { Ref: 'SenderIdentity' }),
      sesArn('configuration-set', { Ref: logicalId(stack.delivery.mailEvents.configurationSet) }),
    ];
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      // Catalog head, invoice number pointer and invoice.
      'dynamodb:GetItem': billing,
      // The invoices behind the keys the open-receivables index returns.
      'dynamodb:BatchGetItem': billing,
      // Reminder claim and record (conditional puts of the invoice), the EMAIL# link.
      'dynamodb:PutItem': billing,
      // The recorded invoice.overdue cleared from the outbound outbox once published.
      'dynamodb:DeleteItem': billing,
      // listOpenReceivables: the index by name, not the table, not index/*.
      'dynamodb:Query': [{ 'Fn::Join': ['', [arnOf(stack.billingTable), '/index/open-receivables']] }],
      's3:GetObject': [invoiceObjects(stack)],
      'ses:SendEmail': ses,
      'ses:SendRawEmail': ses,
      // DeadLetterConfig: runs that failed every Lambda attempt, to the schedule's DLQ.
      'sqs:SendMessage': [arnOf(stack.dunning.dunningRunSchedule.deadLetterQueue)],
      ...publishesGrants(stack),
    });
    expect(template.toJSON().Resources[logicalId(fn)].Properties.DeadLetterConfig).toEqual({
      TargetArn: arnOf(stack.dunning.dunningRunSchedule.deadLetterQueue),
    });
  });
});

describe('run-dunning schedule', () => {
  it('invokes run-dunning daily at 06:00 UTC with the scheduled time as asOf, a retry policy and a dead-letter queue', () => {
    const { stack, template } = built.dev;
    const schedule = stack.dunning.dunningRunSchedule;
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: schedules.runDunning.expression,
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      GroupName: template.toJSON().Resources[logicalId(stack.scheduleGroup)].Properties.Name,
      Target: {
        Arn: arnOf(stack.dunning.dunningRunFunction),
        RoleArn: arnOf(schedule.role),
        Input: Match.serializedJson({ asOf: '<aws.scheduler.scheduled-time>' }),
        DeadLetterConfig: { Arn: arnOf(schedule.deadLetterQueue) },
        RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: 6 * 3600 },
      },
    });
    expect(schedules.runDunning.expression).toBe('cron(0 6 * * ? *)');
  });

  it('has a role that may only invoke run-dunning and dead-letter, and alarms when an invocation is dead-lettered', () => {
    const { stack, template } = built.dev;
    const schedule = stack.dunning.dunningRunSchedule;
    expect(grantsOf(template, schedule.role)).toEqual({
      'lambda:InvokeFunction': [arnOf(stack.dunning.dunningRunFunction)],
      'sqs:SendMessage': [arnOf(schedule.deadLetterQueue)],
    });
    expect(template.toJSON().Resources[logicalId(schedule.deadLetterQueue)].Properties).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm(
        'ApproximateNumberOfMessagesVisible',
        logicalId(schedule.deadLetterQueue),
        0,
        { Ref: logicalId(stack.alarms.topic) },
        {
          AlarmName: 'billflow-dev-run-dunning-schedule-dlq-not-empty',
        },
      ),
    );
  });
});

describe('payment alarms', () => {
  /** A Powertools metric: namespace Billflow and the `service` dimension Powertools adds to every metric. */
  const businessAlarm = (metricName: string, threshold: number) => ({
    Namespace: 'Billflow',
    MetricName: metricName,
    Dimensions: [{ Name: 'service', Value: 'billflow' }],
    Statistic: 'Sum',
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });

  it('alarms on any unmatched payment within 5 minutes, saying how to list and match it', () => {
    const { stack, template } = built.dev;
    const topic = { Ref: logicalId(stack.alarms.topic) };
    expect(template.toJSON().Resources[logicalId(stack.payments.unmatchedPaymentsAlarm)].Properties).toMatchObject({
      ...businessAlarm('UnmatchedPayments', 1),
      AlarmName: 'billflow-dev-unmatched-payments',
      AlarmDescription: expect.stringMatching(/billflow payments unmatched.*billflow payments match PAYMENT_ID NUMBER/),
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it('alarms on any failed invoice job within 5 minutes, saying where the customer and reason are and how to run it again', () => {
    const { stack, template } = built.dev;
    const topic = { Ref: logicalId(stack.alarms.topic) };
    expect(template.toJSON().Resources[logicalId(stack.invoiceRun.invoiceJobsFailedAlarm)].Properties).toMatchObject({
      ...businessAlarm('InvoiceJobsFailed', 1),
      AlarmName: 'billflow-dev-invoice-jobs-failed',
      AlarmDescription: expect.stringMatching(/"invoice job failed".*billflow invoices run --period YYYY-MM/),
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it('alarms on 20 webhook signature failures within 5 minutes (a wrong secret or probing), not on the odd one', () => {
    const { stack, template } = built.dev;
    const topic = { Ref: logicalId(stack.alarms.topic) };
    expect(template.toJSON().Resources[logicalId(stack.payments.webhookSignatureFailuresAlarm)].Properties).toMatchObject({
      ...businessAlarm('WebhookSignatureFailures', 20),
      AlarmName: 'billflow-dev-webhook-signature-failures',
      AlarmDescription: expect.stringMatching(/secret.*probing/),
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it('watches metrics the functions emit: the names in their handlers, with the Powertools service name of the stack', () => {
    const sources = {
      UnmatchedPayments: readFileSync(join(REPO_ROOT, consumers.applyPaymentEvent.entry), 'utf8'),
      InvoiceJobsFailed: readFileSync(join(REPO_ROOT, 'functions/close-billing-period/close-handler.ts'), 'utf8'),
      // The webhook's refusals are counted where they are mapped to HTTP answers.
      WebhookSignatureFailures: readFileSync(join(REPO_ROOT, 'functions/commons/http-errors.ts'), 'utf8'),
    };
    for (const [metric, source] of Object.entries(sources)) expect(source).toContain(`'${metric}'`);
    expect(POWERTOOLS_ENVIRONMENT).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'billflow', POWERTOOLS_METRICS_NAMESPACE: 'Billflow' });
  });
});

describe('IAM across the stack', () => {
  it('grants no wildcard action anywhere, and Resource "*" only to X-Ray', () => {
    for (const { template } of Object.values(built)) {
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (policy): PolicyStatement[] => policy.Properties.PolicyDocument.Statement,
      );
      const actions = statements.flatMap((s) => asArray(s.Action));
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
      const onAnyResource = statements.filter((s) => asArray(s.Resource).includes('*')).flatMap((s) => asArray(s.Action));
      expect(onAnyResource.length).toBeGreaterThan(0);
      expect(onAnyResource.filter((action) => !action.startsWith('xray:'))).toEqual([]);
    }
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

  it('billing: has the sparse indexes of tables.billing.globalIndexes (open receivables, open drafts, open deliveries and the API listings, keys only); events has none', () => {
    const { stack, template } = built.dev;
    const resources = template.toJSON().Resources;
    const billing = resources[logicalId(stack.billingTable)].Properties;
    expect(tables.billing.globalIndexes.map((index) => index.name)).toEqual([
      'open-receivables',
      'open-drafts',
      'open-deliveries',
      'listings',
    ]);
    expect(billing.GlobalSecondaryIndexes).toEqual(
      tables.billing.globalIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
    );
    expect(billing.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'receivable', AttributeType: 'S' },
        { AttributeName: 'receivableDue', AttributeType: 'S' },
        { AttributeName: 'openDraft', AttributeType: 'S' },
        { AttributeName: 'draftPeriod', AttributeType: 'S' },
        { AttributeName: 'openDelivery', AttributeType: 'S' },
        { AttributeName: 'deliveryStep', AttributeType: 'S' },
        { AttributeName: 'listing', AttributeType: 'S' },
        { AttributeName: 'listingOrder', AttributeType: 'S' },
      ]),
    );
    expect(resources[logicalId(stack.eventsTable)].Properties.GlobalSecondaryIndexes).toBeUndefined();
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
    template.hasOutput('eventsQueueUrl', { Value: { Ref: logicalId(stack.ingest.eventsQueue.queue) } });
    template.hasOutput('eventsDlqUrl', { Value: { Ref: logicalId(stack.ingest.eventsQueue.deadLetterQueue) } });
    template.hasOutput('invoicesBucket', { Value: { Ref: logicalId(stack.invoicesBucket) } });
    // The endpoint itself (https://{id}.execute-api.{region}.amazonaws.com): no stage path, no trailing slash.
    template.hasOutput('apiUrl', { Value: { 'Fn::GetAtt': [logicalId(stack.payments.webhookApi.api), 'ApiEndpoint'] } });
  });

  it('carries the webhook secret ARN (where the operator puts the value) and the payment-events queue URL', () => {
    const { stack, template } = built.dev;
    template.hasOutput('stripeWebhookSecretArn', {
      Value: { Ref: logicalId(stack.payments.stripeWebhookSecret) },
      Description: Match.stringLikeRegexp('aws secretsmanager put-secret-value'),
    });
    template.hasOutput('paymentEventsQueueUrl', { Value: { Ref: logicalId(stack.payments.paymentEventsQueue.queue) } });
    // Every output name is one outputs.json knows (shared/outputs.ts), except the secret's ARN
    // and the dashboard's URL, which only operators use.
    const known = new Set([...Object.keys(outputsSchema.shape), 'stripeWebhookSecretArn', 'dashboardUrl']);
    expect(Object.keys(template.toJSON().Outputs).filter((name) => !known.has(name))).toEqual([]);
  });

  it('also carries every output the CLI requires (shared/outputs.ts), so a deployed stack works as --outputs', () => {
    const { stack, template } = built.dev;
    template.hasOutput('eventsTable', { Value: { Ref: logicalId(stack.eventsTable) } });
    template.hasOutput('billingTable', { Value: { Ref: logicalId(stack.billingTable) } });
    template.hasOutput('eventWriteShards', { Value: pipelineSettings.EVENT_WRITE_SHARDS });
    template.hasOutput('invoiceJobsQueueUrl', { Value: { Ref: logicalId(stack.invoiceRun.invoiceJobsQueue.queue) } });
    template.hasOutput('invoiceJobsDlqUrl', { Value: { Ref: logicalId(stack.invoiceRun.invoiceJobsQueue.deadLetterQueue) } });
    template.hasOutput('finalizationSettleSeconds', { Value: pipelineSettings.FINALIZATION_SETTLE_SECONDS });
    // Not required by the CLI: the delivery queues, for operators.
    template.hasOutput('invoiceDocumentsQueueUrl', { Value: { Ref: logicalId(stack.delivery.invoiceDocumentsQueue.queue) } });
    template.hasOutput('invoiceEmailsQueueUrl', { Value: { Ref: logicalId(stack.delivery.invoiceEmailsQueue.queue) } });
    const required = Object.entries(outputsSchema.shape)
      .filter(([, schema]) => !schema.safeParse(undefined).success)
      .map(([name]) => name);
    expect(required.filter((name) => Object.keys(template.findOutputs(name)).length === 0)).toEqual([]);
  });
});

describe('synthesis', () => {
  it('leaves no CDK warning or error annotation on either stage', () => {
    for (const { stack } of Object.values(built)) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    }
  });
});

describe('outbound events', () => {
  it('is a custom bus named like the stack, in the outputs as eventBusName', () => {
    const { stack, template } = built.dev;
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'billflow-dev-events' });
    expect(template.toJSON().Outputs.eventBusName.Value).toEqual({ Ref: logicalId(stack.outbound.eventBus) });
  });

  it('lets exactly the eight publishing functions PutEvents, on this bus only', () => {
    const { stack, template } = built.dev;
    const publishers = [
      stack.ingest.ingestFunction,
      stack.invoiceRun.closeBillingPeriodFunction,
      stack.delivery.sendInvoiceFunction,
      stack.delivery.recordMailEventFunction,
      stack.payments.applyPaymentEventFunction,
      stack.dunning.dunningRunFunction,
      // The outbox sweep, and subscription changes through the API.
      stack.invoiceRun.invoiceRunFunction,
      stack.httpApi.serveApiFunction,
    ];
    const allFunctions = [
      ...publishers,
      stack.httpApi.authorizerFunction,
      stack.httpApi.invoicePageFunction,
      stack.delivery.renderInvoiceFunction,
      stack.payments.stripeWebhookFunction,
      stack.outbound.deliverWebhooksFunction,
    ];
    for (const fn of allFunctions) {
      const grants = grantsOf(template, fn.role);
      expect(grants['events:PutEvents'], fn.node.id).toEqual(publishers.includes(fn) ? [arnOf(stack.outbound.eventBus)] : undefined);
    }
  });

  it('routes every event of this stack to the webhook-deliveries queue as the CloudEvent itself, failures to its DLQ', () => {
    const { stack, template } = built.dev;
    const { queue, deadLetterQueue } = stack.outbound.webhookDeliveriesQueue;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(stack.outbound.eventBus) },
      EventPattern: { source: ['billflow/billflow-dev'] },
      Targets: [Match.objectLike({ Arn: arnOf(queue), InputPath: '$.detail', DeadLetterConfig: { Arn: arnOf(deadLetterQueue) } })],
    });
    // EventBridge may send to the queue (and its DLQ) for this rule only (CDK's target grant also reads the queue's attributes).
    const targets = [
      [queue, ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']],
      [deadLetterQueue, 'sqs:SendMessage'],
    ] as const;
    for (const [target, actions] of targets) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(target) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: actions,
              Condition: { ArnEquals: { 'aws:SourceArn': arnOf(stack.outbound.webhookRule) } },
            }),
          ]),
        },
      });
    }
  });

  it('keeps a failing delivery for 16 receives (over 3 days of backoff) before its DLQ, encrypted and TLS-only', () => {
    const { stack, template } = built.dev;
    const { queue, deadLetterQueue } = stack.outbound.webhookDeliveriesQueue;
    expect(template.toJSON().Resources[logicalId(queue)].Properties).toMatchObject({
      VisibilityTimeout: queues.webhookDeliveries.visibilityTimeoutSeconds,
      MessageRetentionPeriod: queues.webhookDeliveries.retentionDays * 86_400,
      RedrivePolicy: { maxReceiveCount: 16, deadLetterTargetArn: arnOf(deadLetterQueue) },
    });
    expectEncryptedAndTlsOnly(template, [queue, deadLetterQueue]);
  });

  it('alarms on a dead-lettered delivery (saying how to replay it) and on 5 failed attempts in 5 minutes', () => {
    const { stack, template } = built.dev;
    const topic = { Ref: logicalId(stack.alarms.topic) };
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      sqsAlarm('ApproximateNumberOfMessagesVisible', logicalId(stack.outbound.webhookDeliveriesQueue.deadLetterQueue), 0, topic, {
        AlarmDescription: Match.stringLikeRegexp('billflow webhooks replay'),
      }),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'billflow-dev-webhook-delivery-failures',
      MetricName: 'WebhookDeliveryFailures',
      Threshold: 5,
      AlarmActions: [topic],
    });
  });

  it('runs deliver-webhooks with the public-https policy, reading endpoints and recording attempts only, consuming its queue', () => {
    const { stack, template } = built.dev;
    const fn = stack.outbound.deliverWebhooksFunction;
    const queue = stack.outbound.webhookDeliveriesQueue.queue;
    expect(template.toJSON().Resources[logicalId(fn)].Properties.Environment.Variables).toEqual({
      [tables.billing.envVar]: { Ref: logicalId(stack.billingTable) },
      [queues.webhookDeliveries.envVar]: { Ref: logicalId(queue) },
      WEBHOOK_URL_POLICY: 'public-https',
      ...POWERTOOLS_ENVIRONMENT,
    });
    const billing = [arnOf(stack.billingTable)];
    expect(grantsOf(template, fn.role)).toEqual({
      ...functionBaseGrants(fn),
      'dynamodb:GetItem': billing,
      'dynamodb:PutItem': billing,
      'dynamodb:Query': billing,
      // ChangeMessageVisibility is how the backoff is set.
      ...Object.fromEntries(SQS_CONSUMER_ACTIONS.map((action) => [action, [arnOf(queue)]])),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(fn) },
      EventSourceArn: arnOf(queue),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: consumers.deliverWebhooks.batchSize,
    });
  });
});

/** Node 22, arm64, X-Ray, the given sizing, and exactly the environment readInvoicingConfig reads. */
function expectInvoicingFunction(
  template: Template,
  stack: BillflowStack,
  fn: BillflowStack['invoiceRun']['invoiceRunFunction'],
  sizing: { memorySize: number; timeoutSeconds: number },
  extraEnvironment: Record<string, unknown> = {},
): void {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    TracingConfig: { Mode: 'Active' },
    MemorySize: sizing.memorySize,
    Timeout: sizing.timeoutSeconds,
    LoggingConfig: { LogGroup: { Ref: logicalId(fn.functionLogGroup) } },
    Environment: {
      Variables: Match.objectEquals({
        [tables.events.envVar]: { Ref: logicalId(stack.eventsTable) },
        [tables.billing.envVar]: { Ref: logicalId(stack.billingTable) },
        [queues.invoiceJobs.envVar]: { Ref: logicalId(stack.invoiceRun.invoiceJobsQueue.queue) },
        [queues.invoiceDocuments.envVar]: { Ref: logicalId(stack.delivery.invoiceDocumentsQueue.queue) },
        ...pipelineSettings,
        ...extraEnvironment,
        ...POWERTOOLS_ENVIRONMENT,
      }),
    },
  });
}

/** SQS-managed SSE, and a queue policy denying requests without TLS. */
function expectEncryptedAndTlsOnly(template: Template, queuesToCheck: readonly IConstruct[]): void {
  for (const queue of queuesToCheck) {
    const id = logicalId(queue);
    expect(template.toJSON().Resources[id].Properties).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id }],
      PolicyDocument: { Statement: Match.arrayWith([SSL_ONLY]) },
    });
  }
}

/** The properties of an alarm on an SQS metric of one queue, notifying `action` above `threshold`. */
function sqsAlarm(metric: string, queueLogicalId: string, threshold: number, action: unknown, extra: Record<string, unknown> = {}) {
  return {
    Namespace: 'AWS/SQS',
    MetricName: metric,
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueLogicalId, 'QueueName'] } }],
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: [action],
    ...extra,
  };
}
