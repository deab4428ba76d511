/**
 * `npm start` as a user runs it: infra/local/start.ts in a child process, with its state in a
 * throwaway BILLFLOW_HOME and every port chosen free (0). Resolves once it prints `ready`, with
 * the outputs.json it wrote; stop() sends SIGINT (Ctrl-C) and waits for it to exit, and for
 * DynamoDB Local (a Java grandchild) to be gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Outputs } from '#shared/outputs.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

export interface PipelineProcess {
  readonly home: string;
  readonly outputsFile: string;
  readonly outputs: Outputs;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves when the output contains `text`; rejects at the deadline or if the process exits. */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
  /** Ctrl-C; resolves with the output once the process has exited (killed after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ code: number | null; output: string }>;
  /** Kills whatever is left of its process group (cleanup after a crash; nothing after a clean stop). */
  killGroup(): void;
  /** The process id of `npm start`'s process (the tsx wrapper that runs infra/local/start.ts). */
  readonly pid: number;
  /** Resolves with its exit code once it has exited. */
  exited(): Promise<number | null>;
}

export async function startPipeline(
  options: {
    args?: readonly string[];
    readyTimeoutMs?: number;
    /** State of an earlier start, to start again on; default: a new one. */
    home?: string;
    /** Added to its environment: fixed ports to start again where a crashed run was, test/support/faketime.ts's clock. */
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<PipelineProcess> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'billflow-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BILLFLOW_HOME: home,
    BILLFLOW_DYNAMODB_PORT: '0',
    BILLFLOW_SQS_PORT: '0',
    BILLFLOW_SES_PORT: '0',
    BILLFLOW_API_PORT: '0',
    ...options.env,
  };
  // As on a fresh machine: npm start generates the webhook secret and writes it to outputs.json.
  delete env.STRIPE_WEBHOOK_SECRET;
  delete env.BILLFLOW_OUTPUTS;
  // Its own process group, so a start that hangs can be killed with every child it started.
  const child: ChildProcess = spawn(resolve(repoRoot, 'node_modules/.bin/tsx'), ['infra/local/start.ts', ...(options.args ?? [])], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => {
      exitCode = code;
      for (const listener of listeners) listener();
      resolveExit(code);
    }),
  );

  const waitForOutput = (text: string, timeoutMs: number) =>
    new Promise<void>((resolveWait, reject) => {
      const check = () => {
        if (output.includes(text)) done(() => resolveWait());
        else if (exitCode !== undefined)
          done(() => reject(new Error(`npm start exited (${exitCode}) before printing "${text}":\n${output}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`npm start did not print "${text}" within ${timeoutMs} ms:\n${output}`))),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });

  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  try {
    await waitForOutput('\nready\n', options.readyTimeoutMs ?? 120_000);
  } catch (error) {
    kill();
    throw error;
  }
  const outputsFile = join(home, 'outputs.json');
  const outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as Outputs;

  return {
    home,
    outputsFile,
    outputs,
    output: () => output,
    waitForOutput,
    async stop(timeoutMs = 30_000) {
      if (exitCode === undefined) child.kill('SIGINT');
      const timer = setTimeout(kill, timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return { code, output };
    },
    killGroup: kill,
    pid: child.pid!,
    exited: () => exited,
  };
}
