/**
 * Security review of the synthesized template, for both stages, written as checks that hold
 * across the whole template so that a new resource or grant is reviewed by them too:
 *
 * - least privilege: no Allow statement anywhere (identity or resource policy) has a wildcard
 *   action or Resource "*" unless it is in ALLOWED_WILDCARDS with its reason; every function
 *   has a role of its own whose grants name this stack's resources (each function's exact
 *   grants are compared action by action in stack.test.ts);
 * - data: buckets private, encrypted, TLS-only, versioned, with lifecycle rules; queues and
 *   topics encrypted and TLS-only; tables with point-in-time recovery, deletion protection in
 *   prod; removal policies per stage (prod retains);
 * - secrets: no function environment variable holds a secret, only a secret's ARN;
 * - cdk-nag AwsSolutions and Serverless: no finding that is not acknowledged with a reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement as IamStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BillingFunction } from '#infra/constructs/billing-function.ts';
import type { BillflowStack } from '#infra/stack.ts';
import type { Stage } from '#infra/stage.ts';
import {
  allStatements,
  asArray,
  build,
  type Built,
  type LocatedStatement,
  logicalId,
  POLICY_RESOURCE_TYPES,
  STAGES,
} from './support/synth.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** Every Lambda function of the stack, by its stage construct and property. */
const FUNCTIONS: readonly ((stack: BillflowStack) => BillingFunction)[] = [
  (stack) => stack.ingest.ingestFunction,
  (stack) => stack.invoiceRun.closeBillingPeriodFunction,
  (stack) => stack.invoiceRun.invoiceRunFunction,
  (stack) => stack.delivery.renderInvoiceFunction,
  (stack) => stack.delivery.sendInvoiceFunction,
  (stack) => stack.delivery.recordMailEventFunction,
  (stack) => stack.payments.applyPaymentEventFunction,
  (stack) => stack.payments.stripeWebhookFunction,
  (stack) => stack.dunning.dunningRunFunction,
  (stack) => stack.httpApi.serveApiFunction,
  (stack) => stack.httpApi.authorizerFunction,
  (stack) => stack.outbound.deliverWebhooksFunction,
  (stack) => stack.httpApi.invoicePageFunction,
];

interface AllowedWildcard {
  /** Resource type holding the statement. */
  readonly resourceType: string;
  /** `-` for identity policies, `account` for the account root, `service:{name}` for a service principal. */
  readonly principal: string;
  /** The statement's actions, exactly. */
  readonly actions: readonly string[];
  readonly reason: string;
}

/**
 * The only Allow statements with a wildcard action or Resource "*" the template may hold.
 * Anything else (say `dynamodb:*`, or `s3:GetObject` on "*") fails the check below.
 */
const ALLOWED_WILDCARDS: readonly AllowedWildcard[] = [
  {
    resourceType: 'AWS::IAM::Policy',
    principal: '-',
    actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions: active tracing needs Resource "*".',
  },
  {
    resourceType: 'AWS::KMS::Key',
    principal: 'account',
    actions: ['kms:*'],
    reason:
      'The default key policy: the account (through IAM policies) administers its keys. Without it a key can become unmanageable; in a key policy Resource "*" means this key.',
  },
  {
    resourceType: 'AWS::KMS::Key',
    principal: 'service:cloudwatch.amazonaws.com',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    reason:
      'What AWS documents for a service publishing to an SSE-KMS topic (the alarm topic); Resource "*" in a key policy means this key, and the statement is limited to alarms of this stack by aws:SourceAccount and aws:SourceArn.',
  },
  {
    resourceType: 'AWS::KMS::Key',
    principal: 'service:ses.amazonaws.com',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    reason:
      'What AWS documents for a service publishing to an SSE-KMS topic (the mail events topic); Resource "*" in a key policy means this key, and the statement is limited to this configuration set by aws:SourceAccount and aws:SourceArn.',
  },
];

interface WildcardFinding {
  readonly where: string;
  readonly key: string;
}

function principalOf(statement: LocatedStatement['statement']): string {
  const principal = statement.Principal as { AWS?: unknown; Service?: unknown } | undefined;
  if (principal === undefined) return '-';
  if (principal.Service !== undefined)
    return asArray(principal.Service as string | string[])
      .map((s) => `service:${s}`)
      .join(',');
  if (JSON.stringify(principal.AWS).includes(':root')) return 'account';
  return JSON.stringify(principal);
}

function keyOf(resourceType: string, principal: string, actions: readonly string[]): string {
  return `${resourceType} | ${principal} | ${[...actions].sort().join(',')}`;
}

/**
 * Allow statements with a wildcard action (`*`, `service:*`, `service:Get*`), Resource "*",
 * NotAction or NotResource, keyed so they can be compared with ALLOWED_WILDCARDS.
 */
function wildcardFindings(template: Template): WildcardFinding[] {
  return allStatements(template)
    .filter(({ statement }) => statement.Effect === 'Allow')
    .filter(
      ({ statement }) =>
        statement.NotAction !== undefined ||
        statement.NotResource !== undefined ||
        asArray(statement.Action).some((action) => action.includes('*')) ||
        asArray(statement.Resource).includes('*'),
    )
    .map(({ resourceId, resourceType, statement }) => ({
      where: `${resourceId} (${resourceType})`,
      key:
        statement.NotAction !== undefined || statement.NotResource !== undefined
          ? `${resourceType} | NotAction/NotResource`
          : keyOf(resourceType, principalOf(statement), asArray(statement.Action)),
    }));
}

function unallowed(findings: readonly WildcardFinding[]): string[] {
  const allowed = new Set(ALLOWED_WILDCARDS.map((entry) => keyOf(entry.resourceType, entry.principal, entry.actions)));
  return findings.filter(({ key }) => !allowed.has(key)).map(({ where, key }) => `${key} @ ${where}`);
}

/** Logical ids a value references (Ref, Fn::GetAtt), recursively. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return [record.Ref];
  if (Array.isArray(record['Fn::GetAtt'])) return [String(record['Fn::GetAtt'][0])];
  return Object.values(record).flatMap(referencedIds);
}

const built = {} as Record<Stage, Built>;

beforeAll(() => {
  for (const stage of STAGES) built[stage] = build(stage, { bundle: false });
});

describe('least privilege', () => {
  it('reads every resource type of the template that holds a policy document', () => {
    for (const stage of STAGES) {
      const types = new Set(Object.values(built[stage].template.toJSON().Resources).map((r) => (r as { Type: string }).Type));
      const policyHolders = [...types].filter((type) => /Policy$|::Role$|::Key$/.test(type));
      expect(policyHolders.filter((type) => !POLICY_RESOURCE_TYPES.includes(type))).toEqual([]);
    }
  });

  it.each(STAGES)('%s: no Allow statement has a wildcard action or Resource "*" that is not in the allow-list', (stage) => {
    const findings = wildcardFindings(built[stage].template);
    expect(unallowed(findings)).toEqual([]);
    // The X-Ray grant of every function is the only "*" on an identity policy.
    const xray = findings.filter(({ key }) => key.startsWith('AWS::IAM::Policy'));
    expect(xray).toHaveLength(FUNCTIONS.length);
  });

  it('allows each wildcard for a stated reason, and every entry of the allow-list is still needed', () => {
    const used = new Set(STAGES.flatMap((stage) => wildcardFindings(built[stage].template).map(({ key }) => key)));
    for (const entry of ALLOWED_WILDCARDS) {
      expect(entry.reason).toMatch(/^.{60,}$/);
      expect(used.has(keyOf(entry.resourceType, entry.principal, entry.actions))).toBe(true);
    }
  });

  // The check above must catch a grant nobody meant to give. These add one to a function of a
  // freshly built stack and expect the check to report it.
  it.each([
    [
      'a service wildcard action',
      new IamStatement({ actions: ['dynamodb:*'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/x'] }),
    ],
    ['a partial wildcard action', new IamStatement({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::bucket/key'] })],
    ['Resource "*" on a named action', new IamStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })],
    ['action "*"', new IamStatement({ actions: ['*'], resources: ['*'] })],
  ])('fails when a function is granted %s', (_name, statement) => {
    const { template } = build('dev', { bundle: false, change: (stack) => stack.ingest.ingestFunction.addToRolePolicy(statement) });
    expect(unallowed(wildcardFindings(template))).toEqual([
      expect.stringMatching(/^AWS::IAM::Policy \| - \| .* @ IngestEventsFunctionRoleDefaultPolicy/),
    ]);
  });

  it('gives every function a role of its own, and nothing else runs code in the stack', () => {
    for (const stage of STAGES) {
      const { stack, template } = built[stage];
      const functions = template.findResources('AWS::Lambda::Function');
      expect(Object.keys(functions).sort()).toEqual(FUNCTIONS.map((functionOf) => logicalId(functionOf(stack))).sort());
      const roles = Object.values(functions).map((fn) => JSON.stringify(fn.Properties.Role));
      expect(new Set(roles).size).toBe(FUNCTIONS.length);
      // Each identity policy is attached to one role only, so no grant is shared.
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
        expect(policy.Properties.Roles).toHaveLength(1);
        expect(policy.Properties.Users).toBeUndefined();
        expect(policy.Properties.Groups).toBeUndefined();
      }
      // No managed policies: AWSLambdaBasicExecutionRole would allow writing to every log group.
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
        expect(role.Properties.Policies).toBeUndefined();
      }
    }
  });

  it("grants each function access to this stack's own resources only (or the SenderIdentity), X-Ray aside", () => {
    for (const stage of STAGES) {
      const { stack, template } = built[stage];
      const json = template.toJSON();
      const known = new Set([...Object.keys(json.Resources), 'SenderIdentity']);
      for (const functionOf of FUNCTIONS) {
        const roleId = logicalId(functionOf(stack).role!);
        const statements = allStatements(template).filter(
          ({ resourceType, resourceId }) =>
            resourceType === 'AWS::IAM::Policy' &&
            JSON.stringify(json.Resources[resourceId].Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
        );
        expect(statements.length).toBeGreaterThan(0);
        for (const { statement } of statements) {
          expect(statement.Effect).toBe('Allow');
          expect(statement.Condition).toBeUndefined();
          for (const resource of asArray(statement.Resource)) {
            if (resource === '*') {
              expect(asArray(statement.Action).every((action) => action.startsWith('xray:'))).toBe(true);
              continue;
            }
            const ids = referencedIds(resource);
            expect(ids.length, `${roleId}: ${JSON.stringify(resource)}`).toBeGreaterThan(0);
            expect(ids.filter((id) => !id.startsWith('AWS::') && !known.has(id))).toEqual([]);
          }
        }
      }
    }
  });
});

describe('data at rest and in transit', () => {
  const sslOnly = Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });

  it.each(STAGES)('%s: every bucket is private, encrypted, TLS-only, versioned and has lifecycle rules', (stage) => {
    const { template } = built[stage];
    const bucketsInTemplate = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(bucketsInTemplate)).toHaveLength(2);
    for (const [id, bucket] of Object.entries(bucketsInTemplate)) {
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: expect.any(String) } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
      });
      const rules = bucket.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
      expect(rules.length).toBeGreaterThan(0);
      // Versioned: old versions must expire too, or every overwrite is kept forever.
      expect(rules.some((rule) => rule.NoncurrentVersionExpiration !== undefined)).toBe(true);
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: { Statement: Match.arrayWith([sslOnly]) },
      });
    }
  });

  it.each(STAGES)('%s: every queue is encrypted and TLS-only', (stage) => {
    const { template } = built[stage];
    const queuesInTemplate = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queuesInTemplate).length).toBeGreaterThanOrEqual(14);
    for (const [id, queue] of Object.entries(queuesInTemplate)) {
      expect(queue.Properties.SqsManagedSseEnabled === true || queue.Properties.KmsMasterKeyId !== undefined, id).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: Match.arrayWith([{ Ref: id }]),
        PolicyDocument: { Statement: Match.arrayWith([sslOnly]) },
      });
    }
  });

  it.each(STAGES)('%s: every topic is KMS-encrypted with a rotating key and TLS-only', (stage) => {
    const { template } = built[stage];
    for (const [id, topic] of Object.entries(template.findResources('AWS::SNS::Topic'))) {
      const [keyId] = topic.Properties.KmsMasterKeyId['Fn::GetAtt'] as [string];
      expect(template.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([sslOnly]) },
      });
    }
  });

  it('keeps point-in-time recovery and encryption on every table, with deletion protection in prod only', () => {
    for (const stage of STAGES) {
      const tablesInTemplate = Object.values(built[stage].template.findResources('AWS::DynamoDB::Table'));
      expect(tablesInTemplate).toHaveLength(2);
      for (const table of tablesInTemplate) {
        expect(table.Properties).toMatchObject({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          DeletionProtectionEnabled: stage === 'prod',
        });
      }
    }
  });
});

describe('removal policies per stage', () => {
  /** Resources holding data or records: what `cdk destroy` (or a replacement) would lose. */
  const STATEFUL = ['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret'];

  it('prod retains every table, bucket, key, log group and secret, and protects the stack from deletion', () => {
    const { stack, template } = built.prod;
    for (const type of STATEFUL) {
      const resources = Object.entries(template.findResources(type));
      expect(resources.length, type).toBeGreaterThan(0);
      for (const [id, resource] of resources) {
        expect([id, resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual([id, 'Retain', 'Retain']);
      }
    }
    expect(stack.terminationProtection).toBe(true);
  });

  it('dev deletes its tables, keys, log groups and secret with the stack, but keeps the buckets (invoices are legal records)', () => {
    const { stack, template } = built.dev;
    for (const type of STATEFUL) {
      const expected = type === 'AWS::S3::Bucket' ? 'Retain' : 'Delete';
      for (const [id, resource] of Object.entries(template.findResources(type))) {
        expect([id, resource.DeletionPolicy]).toEqual([id, expected]);
      }
    }
    expect(stack.terminationProtection).toBe(false);
  });
});

describe('secrets', () => {
  /** Values that look like a credential rather than a name, URL or setting. */
  const SECRET_LOOKING = [/whsec_/, /\bsk_(live|test)_/, /-----BEGIN/, /\bAKIA[0-9A-Z]{16}\b/, /^[A-Za-z0-9+/=_-]{32,}$/];

  it.each(STAGES)('%s: no function environment variable holds a secret; a secret reaches a function as its ARN only', (stage) => {
    const { template } = built[stage];
    const secrets = new Set(Object.keys(template.findResources('AWS::SecretsManager::Secret')));
    expect(secrets.size).toBe(1);
    for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      for (const [name, value] of Object.entries((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>)) {
        const where = `${id} ${name}`;
        expect(JSON.stringify(value), where).not.toContain('{{resolve:');
        if (typeof value === 'string') {
          for (const pattern of SECRET_LOOKING) expect(value, where).not.toMatch(pattern);
        }
        const namesASecret = /SECRET|PASSWORD|TOKEN|CREDENTIAL|API_?KEY|PRIVATE/i.test(name);
        const refersToSecret = referencedIds(value).some((ref) => secrets.has(ref));
        if (namesASecret || refersToSecret) {
          // Ref of a Secrets Manager secret is its ARN; the function reads the value at run time.
          expect([where, name.endsWith('_ARN'), value]).toEqual([where, true, { Ref: expect.any(String) }]);
          expect(secrets.has((value as { Ref: string }).Ref)).toBe(true);
        }
      }
    }
    // The secret is created with a generated placeholder: no value anywhere in the template.
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString).toBeDefined();
    }
  });
});

describe('cdk-nag', () => {
  const packs: readonly (readonly [string, () => NagPack])[] = [
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ];

  it.each(STAGES.flatMap((stage) => packs.map(([name, pack]) => [stage, name, pack] as const)))(
    '%s: no unacknowledged %s finding',
    (stage, _name, pack) => {
      const { violations } = pack().validateScope(built[stage].stack);
      expect(
        violations.map((v) => `${v.ruleName} (${v.severity}) at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
      ).toEqual([]);
    },
  );

  it('runs both packs on every synth (infra/app.ts)', () => {
    const app = readFileSync(join(REPO_ROOT, 'infra/app.ts'), 'utf8');
    expect(app).toMatch(/addPlugins\([^;]*new AwsSolutionsChecks\(app[^;]*new ServerlessChecks\(app/s);
  });

  it('acknowledges only the expected findings, each on its own construct and with a reason', () => {
    const { stack } = built.dev;
    const acknowledged = stack.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
            id: id.replace(/^annotation::/i, ''),
            path: construct.node.path.replace(/^billflow-dev\//, ''),
            reason,
          })),
        ),
    );
    const invoices = logicalId(stack.invoicesBucket);
    const fns = [
      'IngestEvents',
      'CloseBillingPeriod',
      'StartInvoiceRun',
      'RenderInvoice',
      'SendInvoice',
      'RecordMailEvent',
      'ApplyPaymentEvent',
      'ReceiveStripeWebhook',
      'RunDunning',
      'ServeApi',
      'AuthorizeApiKey',
      'DeliverWebhooks',
      'ShowInvoicePage',
    ];
    const consumersOfQueues = {
      IngestEvents: 'EventsQueue',
      CloseBillingPeriod: 'InvoiceJobsQueue',
      RenderInvoice: 'InvoiceDocumentsQueue',
      SendInvoice: 'InvoiceEmailsQueue',
      RecordMailEvent: 'MailEventsQueue',
      ApplyPaymentEvent: 'PaymentEventsQueue',
      DeliverWebhooks: 'WebhookDeliveriesQueue',
    };
    const queueDlqs = [
      'EventsQueue',
      'InvoiceJobsQueue',
      'InvoiceDocumentsQueue',
      'InvoiceEmailsQueue',
      'MailEvents/Queue',
      'PaymentEventsQueue',
      'WebhookDeliveriesQueue',
    ];
    expect(acknowledged.map(({ id, path }) => `${id} @ ${path}`).sort()).toEqual(
      [
        // Every function: Node 22 is the team runtime; X-Ray needs Resource "*".
        ...fns.flatMap((fn) => [
          `AwsSolutions-L1 @ ${fn}Function`,
          `Serverless-LambdaLatestVersion @ ${fn}Function`,
          `AwsSolutions-IAM5[Resource::*] @ ${fn}FunctionRole/DefaultPolicy`,
        ]),
        // Document keys are per invoice: a key prefix, not the whole bucket.
        ...['RenderInvoice', 'SendInvoice', 'RunDunning', 'ServeApi', 'ShowInvoicePage'].map(
          (fn) => `AwsSolutions-IAM5[Resource::<${invoices}.Arn>/invoices/*] @ ${fn}FunctionRole/DefaultPolicy`,
        ),
        ...['RenderInvoice', 'SendInvoice', 'ServeApi'].map(
          (fn) => `AwsSolutions-IAM5[Resource::<${invoices}.Arn>/credit-notes/*] @ ${fn}FunctionRole/DefaultPolicy`,
        ),
        // Queue consumers are invoked synchronously by their event source mapping; SQS mappings
        // take no on-failure destination (the queue's redrive policy is the DLQ).
        ...Object.keys(consumersOfQueues).flatMap((fn) => {
          const mapping = stack.node.findChild(`${fn}Function`).node.children.find((c) => c.node.id.startsWith('SqsEventSource:'));
          return [
            `Serverless-LambdaDLQ @ ${fn}Function`,
            `Serverless-LambdaEventSourceMappingDestination @ ${mapping?.node.path.replace(/^billflow-dev\//, '')}`,
          ];
        }),
        // The webhook function is invoked synchronously by the HTTP API.
        'Serverless-LambdaDLQ @ ReceiveStripeWebhookFunction',
        // So are the HTTP API's function (once per route) and its authorizer; the public OpenAPI route has no authorizer.
        'Serverless-LambdaDLQ @ ServeApiFunction',
        'Serverless-LambdaDLQ @ ServeApiFunction',
        'AwsSolutions-APIG4 @ WebhookApi/Api/GET--v1--openapi.json',
        'Serverless-LambdaDLQ @ AuthorizeApiKeyFunction',
        // The hosted invoice page (once per route): its token is its credential, so no authorizer.
        'Serverless-LambdaDLQ @ ShowInvoicePageFunction',
        'Serverless-LambdaDLQ @ ShowInvoicePageFunction',
        'AwsSolutions-APIG4 @ WebhookApi/Api/GET--i--{token}',
        'AwsSolutions-APIG4 @ WebhookApi/Api/GET--i--{token}--{document}',
        // Dead-letter queues have no dead-letter queue of their own.
        ...queueDlqs.map((queue) => `Serverless-SQSRedrivePolicy @ ${queue}/DeadLetterQueue`),
        ...[
          'StartInvoiceRunSchedule/DeadLetterQueue',
          'RunDunningSchedule/DeadLetterQueue',
          'Alarms/EmailDeadLetterQueue',
          'MailEvents/SubscriptionDeadLetterQueue',
        ].flatMap((queue) => [`Serverless-SQSRedrivePolicy @ ${queue}`, `AwsSolutions-SQS3 @ ${queue}`]),
        'AwsSolutions-S1 @ AccessLogsBucket',
        'AwsSolutions-SMG4 @ StripeWebhookSecret',
        'AwsSolutions-APIG4 @ WebhookApi/Api/POST--webhooks--stripe',
      ].sort(),
    );
    for (const { reason } of acknowledged) expect(reason).toEqual(expect.stringMatching(/^.{40,}$/));
  });
});
