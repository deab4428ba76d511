/** Fresh local services and resources for one benchmark run (in memory, free ports). */
import { provisionLocalResources, type ProvisionedResources } from '#infra/local/provision.ts';
import { startLocalServices, type LocalServices } from '#infra/local/services.ts';
import { createAwsClients, type AwsClients } from '#adapters/aws/clients.ts';
import { localCredentials } from '#infra/local/credentials.ts';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const BENCH_REGION = 'eu-central-1';

export interface BenchServices {
  readonly services: LocalServices;
  readonly clients: AwsClients;
}

export interface BenchStack extends BenchServices {
  readonly resources: ProvisionedResources;
}

export async function startBenchServices(): Promise<BenchServices> {
  const services = await startLocalServices({ ports: { dynamodb: 0, sqs: 0, ses: 0 }, region: BENCH_REGION });
  const clients = createAwsClients({ region: BENCH_REGION, endpoints: services.endpoints, credentials: localCredentials });
  return { services, clients };
}

/** A fresh set of tables, queues and buckets for one scenario. */
export async function provisionBench(base: BenchServices, prefix: string): Promise<BenchStack> {
  // A long visibility timeout: nothing in a benchmark run should be delivered twice.
  const resources = await provisionLocalResources({
    endpoints: base.services.endpoints,
    region: BENCH_REGION,
    prefix,
    visibilityTimeoutSeconds: 300,
  });
  return { ...base, resources };
}

/** The naive design's events table the benchmarks compare with: one item per event, keyed pk and sk. */
export async function createNaiveTable(endpoint: string, tableName: string): Promise<void> {
  const raw = new DynamoDBClient({ endpoint, region: BENCH_REGION, credentials: localCredentials });
  try {
    await raw.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } finally {
    raw.destroy();
  }
}
