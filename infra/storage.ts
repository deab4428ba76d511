/**
 * The stack's stateful storage, shared by the stages: the DynamoDB tables of infra/resources.ts
 * (with their indexes) and the invoices bucket with its access-log bucket.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type BucketProps } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { buckets, type TableDefinition } from './resources.ts';
import type { StageSettings } from './stage.ts';
import { pascalCase } from './stages/stage-context.ts';

/** Invoices are written once; an older version only exists after a mistaken overwrite. */
const NONCURRENT_INVOICE_RETENTION = Duration.days(90);
/** Access logs are written once too; a deleted or overwritten one is kept this long. */
const NONCURRENT_ACCESS_LOG_RETENTION = Duration.days(30);

export function createTable(scope: Construct, definition: TableDefinition, settings: StageSettings): Table {
  const table = new Table(scope, `${pascalCase(definition.id)}Table`, {
    partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
    sortKey: { name: definition.sortKey, type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: definition.timeToLiveAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // AWS managed key (aws/dynamodb): every use is in CloudTrail and nothing needs a key
    // policy or kms: grants. A customer managed key would add cost and a policy to maintain
    // and only pays off for cross-account access or crypto-shredding, neither needed here.
    encryption: TableEncryption.AWS_MANAGED,
    deletionProtection: settings.deletionProtection,
    removalPolicy: settings.dataRemovalPolicy,
  });
  for (const index of definition.globalIndexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      sortKey: { name: index.sortKey, type: AttributeType.STRING },
      // Sparse, so only the items carrying the key attributes are copied; keys only, for the
      // reason given with TableDefinition.globalIndexes in infra/resources.ts.
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }
  return table;
}

export function createBuckets(scope: Construct, settings: StageSettings): { invoices: Bucket; accessLogs: Bucket } {
  // Both buckets are kept when the stack is deleted, in every stage: invoices are legal
  // records and the access logs are their audit trail; an empty leftover bucket costs nothing.
  const secure: BucketProps = {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    // S3-managed keys: the access-log target cannot use SSE-KMS, and invoice documents
    // need no separate key policy while only this account's functions read them.
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
  };
  const accessLogs = new Bucket(scope, 'AccessLogsBucket', {
    ...secure,
    // Versioned like the invoices: a log object overwritten or deleted by mistake can be
    // restored within the noncurrent retention. Logs are written once, so it costs ~nothing.
    versioned: true,
    lifecycleRules: [
      {
        id: 'expire-access-logs',
        expiration: Duration.days(settings.accessLogRetentionDays),
        noncurrentVersionExpiration: NONCURRENT_ACCESS_LOG_RETENTION,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  Validations.of(accessLogs).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This is the server access log target of the invoices bucket; logging it too would need yet another log bucket (or log into itself, which loops). Only the S3 logging service writes to it.',
  });
  const invoices = new Bucket(scope, `${pascalCase(buckets.invoices.id)}Bucket`, {
    ...secure,
    versioned: true,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: `${buckets.invoices.id}/`,
    lifecycleRules: [
      {
        id: 'expire-noncurrent-versions',
        noncurrentVersionExpiration: NONCURRENT_INVOICE_RETENTION,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  return { invoices, accessLogs };
}
