/**
 * `npm start`: the whole pipeline on this machine. Starts the local AWS services (data under
 * .billflow/), creates the resources from infra/resources.ts, runs every function's handler
 * behind a poller like Lambda's event source mapping, writes .billflow/outputs.json and
 * prints `ready`. Ctrl-C stops everything cleanly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { tables } from '../resources.ts';
import { localFunctionEnvironment, localOutputs } from './function-environment.ts';
import { localCredentials } from './credentials.ts';
import { provisionLocalResources } from './provision.ts';
import { portsFromEnv, startLocalServices, type LocalServices } from './services.ts';
import { startLocalWorkers } from './workers.ts';
import { startLocalSchedules } from './scheduler.ts';
import type { Outputs } from '../../shared/outputs.ts';

const REGION = process.env.AWS_REGION ?? 'eu-central-1';
const PREFIX = 'billflow-local';
const stateDir = resolve(process.env.BILLFLOW_HOME ?? '.billflow');
const verbose = process.argv.includes('--verbose');

async function main(): Promise<void> {
  mkdirSync(stateDir, { recursive: true });
  const services = await startLocalServices({
    dataDir: resolve(stateDir, 'dynamodb'),
    ports: portsFromEnv(process.env, { dynamodb: 8000, sqs: 4566, ses: 8005 }),
    region: REGION,
  });
  let workers: { stop(): Promise<void> } | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping workers and local services...`);
    await workers?.stop();
    await services.stop();
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await runPipeline(services, (running) => (workers = running));
  } catch (error) {
    // Leave no emulator (DynamoDB Local is a Java child process) running behind a failed start.
    await workers?.stop();
    await services.stop();
    throw error;
  }
}

async function runPipeline(services: LocalServices, started: (workers: { stop(): Promise<void> }) => void): Promise<void> {
  const resources = await provisionLocalResources({ endpoints: services.endpoints, region: REGION, prefix: PREFIX });

  // The handlers read the same variables they get in Lambda; only the endpoints differ.
  Object.assign(process.env, localFunctionEnvironment(resources, services.endpoints, REGION, { verbose }));

  const sqs = new SQSClient({ region: REGION, endpoint: services.endpoints.sqs, credentials: localCredentials });
  const workers = await startLocalWorkers({
    sqs,
    region: REGION,
    resources,
    prefix: PREFIX,
    concurrency: 2,
    onError: (functionId, error) => console.error(`[${functionId}]`, error),
  });
  const scheduled = await startLocalSchedules(REGION, (functionId, error) => console.error(`[${functionId}]`, error));
  started({
    async stop() {
      scheduled.stop();
      await workers.stop();
    },
  });

  const outputs: Outputs = localOutputs(resources, services.endpoints, REGION, services.mailViewerUrl, {
    events: tables.events.envVar,
    billing: tables.billing.envVar,
  });
  writeFileSync(resolve(stateDir, 'outputs.json'), `${JSON.stringify(outputs, null, 2)}\n`);
  console.log(`billflow local pipeline (region ${REGION}, state in ${stateDir})`);
  console.log(`  events queue  ${outputs.eventsQueueUrl}`);
  console.log(`  mail viewer   ${outputs.mailViewerUrl}`);
  console.log(`  outputs       ${resolve(stateDir, 'outputs.json')}`);
  console.log('ready');
}

main().catch((error: unknown) => {
  console.error(`billflow could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
