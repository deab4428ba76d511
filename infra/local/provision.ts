/**
 * Creates billflow's tables, queues and buckets on the local services from the same
 * definitions the CDK stack uses (infra/resources.ts). Idempotent: existing resources are kept.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { buckets, queues, tables, type GlobalIndexDefinition, type TableDefinition } from '../resources.ts';
import type { LocalEndpoints } from './services.ts';
import { localCredentials } from './credentials.ts';

export interface ProvisionedResources {
  /** Env var name -> physical name or URL, for functions, pollers and the CLI. */
  readonly env: Readonly<Record<string, string>>;
  readonly eventsQueueUrl: string;
  readonly eventsDlqUrl: string;
  readonly invoicesBucket: string;
}

export interface ProvisionOptions {
  readonly endpoints: LocalEndpoints;
  readonly region: string;
  /** Prefix of every physical name, e.g. `billflow-local`; tests use a random one each. */
  readonly prefix: string;
  /** Overrides the queue visibility timeout (tests shorten it to see redrives in seconds). */
  readonly visibilityTimeoutSeconds?: number;
}

const DAY_SECONDS = 86_400;

export async function provisionLocalResources(options: ProvisionOptions): Promise<ProvisionedResources> {
  const { endpoints, region, prefix } = options;
  const credentials = localCredentials;
  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials });
  const sqs = new SQSClient({ endpoint: endpoints.sqs, region, credentials });
  const s3 = new S3Client({ endpoint: endpoints.s3, region, credentials, forcePathStyle: true });
  const env: Record<string, string> = {};
  try {
    for (const table of Object.values(tables)) {
      const name = `${prefix}-${table.id}`;
      try {
        await dynamodb.send(
          new CreateTableCommand({
            TableName: name,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: attributeDefinitions(table),
            KeySchema: [
              { AttributeName: table.partitionKey, KeyType: 'HASH' },
              { AttributeName: table.sortKey, KeyType: 'RANGE' },
            ],
            ...(indexesOf(table).length > 0 ? { GlobalSecondaryIndexes: indexesOf(table).map(indexSpecification) } : {}),
          }),
        );
        if ('timeToLiveAttribute' in table) {
          await dynamodb.send(
            new UpdateTimeToLiveCommand({
              TableName: name,
              TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
            }),
          );
        }
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await addMissingIndexes(dynamodb, name, table);
      env[table.envVar] = name;
    }

    const queueUrls: Record<string, string> = {};
    for (const queue of Object.values(queues)) {
      const dlq = await sqs.send(
        new CreateQueueCommand({
          QueueName: `${prefix}-${queue.deadLetter.id}`,
          Attributes: { MessageRetentionPeriod: String(queue.deadLetter.retentionDays * DAY_SECONDS) },
        }),
      );
      const dlqArn = await queueArn(sqs, dlq.QueueUrl!);
      const main = await sqs.send(
        new CreateQueueCommand({
          QueueName: `${prefix}-${queue.id}`,
          Attributes: {
            VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds),
            MessageRetentionPeriod: String(queue.retentionDays * DAY_SECONDS),
            MaximumMessageSize: String(queue.maxMessageSizeBytes),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.maxReceiveCount }),
          },
        }),
      );
      env[queue.envVar] = main.QueueUrl!;
      env[queue.deadLetter.envVar] = dlq.QueueUrl!;
      queueUrls[queue.id] = main.QueueUrl!;
      queueUrls[queue.deadLetter.id] = dlq.QueueUrl!;
    }

    for (const bucket of Object.values(buckets)) {
      const name = `${prefix}-${bucket.id}`;
      try {
        await s3.send(new CreateBucketCommand({ Bucket: name }));
      } catch (error) {
        const code = (error as { name?: string }).name;
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
      }
      env[bucket.envVar] = name;
    }

    return {
      env,
      eventsQueueUrl: queueUrls[queues.events.id]!,
      eventsDlqUrl: queueUrls[queues.events.deadLetter.id]!,
      invoicesBucket: env[buckets.invoices.envVar]!,
    };
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    s3.destroy();
  }
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`queue ${queueUrl} has no ARN`);
  return arn;
}

function indexesOf(table: TableDefinition): readonly GlobalIndexDefinition[] {
  return table.globalIndexes ?? [];
}

function attributeDefinitions(table: TableDefinition) {
  const names = new Set([table.partitionKey, table.sortKey, ...indexesOf(table).flatMap((index) => [index.partitionKey, index.sortKey])]);
  return [...names].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const }));
}

function indexSpecification(index: GlobalIndexDefinition) {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'KEYS_ONLY' as const },
  };
}

/**
 * A table created by an earlier version (data under .billflow/ survives restarts) gets the
 * indexes added since, as `cdk deploy` would add them; waits until they can be queried.
 */
async function addMissingIndexes(dynamodb: DynamoDBClient, name: string, table: TableDefinition): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    const existing = Table?.GlobalSecondaryIndexes ?? [];
    const active = existing.every((index) => index.IndexStatus === undefined || index.IndexStatus === 'ACTIVE');
    const missing = indexesOf(table).find((index) => !existing.some((found) => found.IndexName === index.name));
    // One index at a time, each once the previous is active, as DynamoDB requires.
    if (missing !== undefined && active) {
      await dynamodb.send(
        new UpdateTableCommand({
          TableName: name,
          AttributeDefinitions: attributeDefinitions(table),
          GlobalSecondaryIndexUpdates: [{ Create: indexSpecification(missing) }],
        }),
      );
      continue;
    }
    if (missing === undefined && active) return;
    if (attempt > 600) throw new Error(`index of table ${name} did not become active`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
