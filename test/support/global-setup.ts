/**
 * Starts DynamoDB Local, fauxqs and the SES emulator once for the test run, in memory,
 * on free ports, and stops them when the run ends. Test files reach them via inject().
 */
import type { TestProject } from 'vitest/node';
import { startLocalServices, type LocalEndpoints } from '#infra/local/services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    localEndpoints: LocalEndpoints;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startLocalServices({ ports: { dynamodb: 0, sqs: 0, ses: 0 }, region: 'eu-central-1' });
  project.provide('localEndpoints', services.endpoints);
  return () => services.stop();
}
