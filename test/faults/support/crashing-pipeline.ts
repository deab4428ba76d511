/**
 * The fault suite's pipeline: `npm start` as a child process (test/e2e/pipeline-process.ts) on
 * fixed free ports, so a start after a crash has to get the same ports back (the symptom an
 * orphaned DynamoDB Local used to cause), killed with SIGKILL where a crash would hit it, and
 * started again on the same state. Everything is observed through the public contracts: the
 * queues named in outputs.json and the `billflow` CLI.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { freePort } from '#infra/local/services.ts';
import { localCredentials } from '#infra/local/credentials.ts';
import { startPipeline, type PipelineProcess } from '../../e2e/pipeline-process.ts';
import { runBillflow, type CliResult } from '#test-support/billflow-cli.ts';

export interface CrashablePipeline {
  readonly home: string;
  readonly current: PipelineProcess;
  readonly sqs: SQSClient;
  /** `billflow ARGS --json`, expecting exit 0, parsed. */
  json<T>(...args: string[]): Promise<T>;
  billflow(...args: string[]): Promise<CliResult>;
  /**
   * SIGKILL to the Node process running the pipeline (no handler runs), as an out-of-memory
   * kill would; resolves once `npm start` has exited and no DynamoDB Local serves this state.
   */
  crash(): Promise<void>;
  /** `npm start` again on the same state and ports; its output must say `ready`. */
  restart(): Promise<PipelineProcess>;
  /** Ctrl-C, then whatever is left of the process group (cleanup). */
  stop(): Promise<void>;
}

export async function startCrashablePipeline(): Promise<CrashablePipeline> {
  const home = mkdtempSync(join(tmpdir(), 'billflow-faults-'));
  const env = {
    BILLFLOW_DYNAMODB_PORT: String(await freePort()),
    BILLFLOW_SQS_PORT: String(await freePort()),
    BILLFLOW_SES_PORT: String(await freePort()),
    BILLFLOW_API_PORT: String(await freePort()),
  };
  let current = await startPipeline({ home, env });
  const sqsFor = (pipeline: PipelineProcess) =>
    new SQSClient({ region: pipeline.outputs.region, endpoint: pipeline.outputs.endpoints!.sqs, credentials: localCredentials });
  let sqs = sqsFor(current);

  const billflow = (...args: string[]) => runBillflow(current.outputsFile, args);
  return {
    home,
    get current() {
      return current;
    },
    get sqs() {
      return sqs;
    },
    billflow,
    async json<T>(...args: string[]): Promise<T> {
      const result = await billflow(...args, '--json');
      if (result.code !== 0) throw new Error(`billflow ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    },
    async crash() {
      const pipelinePid = childrenOf(current.pid).find(({ args }) => args.includes('infra/local/start.ts'))?.pid;
      if (pipelinePid === undefined) throw new Error(`no pipeline process under npm start (pid ${current.pid})`);
      process.kill(pipelinePid, 'SIGKILL');
      await current.exited();
      await waitUntil(() => dynamoDbServing(home).length === 0, 15_000, `DynamoDB Local on ${home} to stop after the crash`);
    },
    async restart() {
      sqs.destroy();
      current = await startPipeline({ home, env });
      sqs = sqsFor(current);
      return current;
    },
    async stop() {
      sqs.destroy();
      await current.stop();
      current.killGroup();
    },
  };
}

/** The example catalog (docs/examples/catalog.yaml): customers cus_42 to cus_45. */
export const EXAMPLE_CATALOG = resolve(import.meta.dirname, '../../../docs/examples/catalog.yaml');

/**
 * A crashable pipeline for the test file, started before its tests with the example catalog
 * applied and stopped after them. Read it inside tests: `pipeline()`.
 */
export function crashablePipelineForFile(): () => CrashablePipeline {
  let pipeline: CrashablePipeline | undefined;
  beforeAll(async () => {
    pipeline = await startCrashablePipeline();
    await pipeline.json('catalog', 'apply', EXAMPLE_CATALOG);
  }, 180_000);
  afterAll(async () => {
    await pipeline?.stop();
  });
  return () => {
    if (pipeline === undefined) throw new Error('the pipeline did not start (see beforeAll)');
    return pipeline;
  };
}

function processes(): { pid: number; ppid: number; args: string }[] {
  return execFileSync('ps', ['-ww', '-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .flatMap((line) => {
      const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
      return match === null ? [] : [{ pid: Number(match[1]), ppid: Number(match[2]), args: match[3]! }];
    });
}

function childrenOf(pid: number) {
  return processes().filter((process) => process.ppid === pid);
}

function dynamoDbServing(home: string) {
  return processes().filter(({ args }) => args.includes('DynamoDBLocal.jar') && args.includes(`-dbPath ${join(home, 'dynamodb')}`));
}

/** Polls `condition` every 200 ms until it holds; fails at the deadline, naming what it waited for. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
