/**
 * A fresh set of billflow resources (tables, queues, bucket) on the shared local services,
 * with a random name prefix so test files never see each other's data.
 */
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { provisionLocalResources, type ProvisionedResources } from '#infra/local/provision.ts';
import { localCredentials } from '#infra/local/credentials.ts';
import { createAwsClients, type AwsClients } from '#adapters/aws/clients.ts';
import type { LocalEndpoints } from '#infra/local/services.ts';

export const TEST_REGION = 'eu-central-1';

export interface TestStack extends ProvisionedResources {
  readonly endpoints: LocalEndpoints;
  readonly clients: AwsClients;
}

export async function createTestStack(options: { visibilityTimeoutSeconds?: number } = {}): Promise<TestStack> {
  const endpoints = inject('localEndpoints');
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const resources = await provisionLocalResources({
    endpoints,
    region: TEST_REGION,
    prefix,
    ...(options.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }),
  });
  const clients = createAwsClients({ region: TEST_REGION, endpoints, credentials: localCredentials });
  return { ...resources, endpoints, clients };
}
