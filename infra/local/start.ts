/**
 * `npm start`: the whole pipeline on this machine. Starts the local AWS services (data under
 * .billflow/), creates the resources from infra/resources.ts, runs every function's handler
 * behind a poller like Lambda's event source mapping, writes .billflow/outputs.json and
 * prints `ready`. Ctrl-C stops everything cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localFunctionEnvironment, localOutputs } from './function-environment.ts';
import { localCredentials } from './credentials.ts';
import { provisionLocalResources } from './provision.ts';
import { portsFromEnv, startLocalServices, type LocalServices } from './services.ts';
import { startLocalWorkers } from './workers.ts';
import { startLocalSchedules } from './scheduler.ts';
import { startLocalHttpApi } from './http-api.ts';
import type { Outputs } from '#shared/outputs.ts';

const REGION = process.env.AWS_REGION ?? 'eu-central-1';
const PREFIX = 'billflow-local';
const stateDir = resolve(process.env.BILLFLOW_HOME ?? '.billflow');
const verbose = process.argv.includes('--verbose');

async function main(): Promise<void> {
  mkdirSync(stateDir, { recursive: true });
  const services = await startLocalServices({
    dataDir: resolve(stateDir, 'dynamodb'),
    s3Dir: resolve(stateDir, 's3'),
    ports: portsFromEnv(process.env, { dynamodb: 8000, sqs: 4566, ses: 8005 }),
    region: REGION,
    notice: (line) => console.log(line),
  });
  let workers: { stop(): Promise<void> } | undefined;
  let demo: ChildProcess | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping workers and local services...`);
    demo?.kill('SIGINT');
    await workers?.stop();
    await services.stop();
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  stopWithParent(() => void shutdown('parent process gone'));

  try {
    await runPipeline(services, (running) => (workers = running));
  } catch (error) {
    // Leave no emulator (DynamoDB Local is a Java child process) running behind a failed start.
    await workers?.stop();
    await services.stop();
    throw error;
  }
  if (process.argv.includes('--demo')) {
    // The pipeline keeps running after the demo, or after it failed, until Ctrl-C.
    // The demo is a CLI program (`billflow demo`), run as a child as a user would run it: the
    // local stack only starts it, and infra/ imports nothing from cli/.
    demo = spawn(
      process.execPath,
      [resolve(import.meta.dirname, '../../cli/billflow.mjs'), 'demo', '--outputs', resolve(stateDir, 'outputs.json')],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const code = await new Promise<number | null>((exited) => demo?.once('exit', exited));
    if (code !== 0 && !stopping) console.error(`demo failed: billflow demo exited with ${code ?? 'a signal'}`);
  }
}

async function runPipeline(services: LocalServices, started: (workers: { stop(): Promise<void> }) => void): Promise<void> {
  const resources = await provisionLocalResources({ endpoints: services.endpoints, region: REGION, prefix: PREFIX });

  // The handlers read the same variables they get in Lambda; only the endpoints differ.
  const secretConfigured = (process.env.STRIPE_WEBHOOK_SECRET ?? '').trim() !== '';
  const stripeWebhookSecret = localWebhookSecret();
  Object.assign(process.env, localFunctionEnvironment(resources, services.endpoints, REGION, { verbose, stripeWebhookSecret }));

  const api = await startLocalHttpApi({
    port: portFromEnv('BILLFLOW_API_PORT', 4010),
    region: REGION,
    prefix: PREFIX,
    onError: (functionId, error) => console.error(`[${functionId}]`, error),
  });
  // send-invoice links each email to the hosted invoice page, `{apiUrl}/i/{token}` (issue 20).
  process.env.INVOICE_PAGE_BASE_URL = api.url;
  started({ stop: () => api.stop() });

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
      await api.stop();
      await workers.stop();
    },
  });

  const outputs: Outputs = localOutputs(resources, services.endpoints, REGION, services.mailViewerUrl, {
    url: api.url,
    ...(secretConfigured ? {} : { stripeWebhookSecret }),
  });
  writeFileSync(resolve(stateDir, 'outputs.json'), `${JSON.stringify(outputs, null, 2)}\n`);
  console.log(`billflow local pipeline (region ${REGION}, state in ${stateDir})`);
  console.log(`  events queue  ${outputs.eventsQueueUrl}`);
  console.log(`  mail viewer   ${outputs.mailViewerUrl}`);
  console.log(`  webhooks      ${api.url}/webhooks/stripe`);
  console.log(`  outputs       ${resolve(stateDir, 'outputs.json')}`);
  for (const line of restartNotice(stateDir)) console.log(line);
  console.log('ready');
}

/** What a restart of `npm start` keeps and what it loses, said at every start. */
function restartNotice(dir: string): string[] {
  return [
    `  kept across restarts, under ${dir}: the DynamoDB tables (events, catalog, invoices, payments), the invoice PDFs (s3/), the webhook secret`,
    '  lost at a restart: messages still queued (events not yet stored: send them again, duplicates are billed once;',
    '    deliveries: the next `invoices run` or `invoices redeliver` picks them up once 5 minutes old)',
    "    and the mail viewer's emails (each invoice keeps the record of its own)",
  ];
}

/**
 * STRIPE_WEBHOOK_SECRET (one secret, or two separated by a comma) if set; else the secret
 * generated by an earlier start (kept in outputs.json, so a configured sender keeps working
 * across restarts), else a new one (CONTRACTS.md section 5).
 */
function localWebhookSecret(): string {
  const configured = process.env.STRIPE_WEBHOOK_SECRET;
  if (configured !== undefined && configured.trim() !== '') return configured;
  const outputsFile = resolve(stateDir, 'outputs.json');
  if (existsSync(outputsFile)) {
    try {
      const previous = (JSON.parse(readFileSync(outputsFile, 'utf8')) as { stripeWebhookSecret?: unknown }).stripeWebhookSecret;
      if (typeof previous === 'string' && previous.startsWith('whsec_')) return previous;
    } catch {
      // An unreadable outputs file is rewritten below with a fresh secret.
    }
  }
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/**
 * `npm start` runs this file under tsx, whose wrapper process is this one's parent: if the
 * wrapper (or npm) is killed with SIGKILL, no signal reaches this process, which would keep
 * every service running as an orphan. Once the parent is gone (this process is re-parented),
 * stop as on Ctrl-C.
 */
function stopWithParent(stop: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      stop();
    }
  }, 1000);
  timer.unref();
}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name}=${raw} is not a TCP port: set it to a whole number from 0 to 65535`);
  return port;
}

main().catch((error: unknown) => {
  console.error(`billflow could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
