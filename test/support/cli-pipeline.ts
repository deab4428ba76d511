/**
 * A local pipeline for CLI tests: the local services, workers running the real Lambda handler
 * modules (as `npm start` wires them), and an outputs file the `billflow` bin reads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localFunctionEnvironment, localOutputs } from '#infra/local/function-environment.ts';
import { createTestStack, TEST_REGION, type TestStack } from './local-stack.ts';
import { runBillflow, type CliResult } from './billflow-cli.ts';
import { startTestWorkers } from './local-functions.ts';

export interface CliPipeline {
  readonly stack: TestStack;
  readonly workDir: string;
  billflow(...args: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

export async function startCliPipeline(prefix: string): Promise<CliPipeline> {
  const stack = await createTestStack();
  Object.assign(process.env, localFunctionEnvironment(stack, stack.endpoints, TEST_REGION, { verbose: false }));
  const workers = await startTestWorkers(stack, prefix);
  const workDir = mkdtempSync(join(tmpdir(), `billflow-${prefix}-`));
  const outputsFile = join(workDir, 'outputs.json');
  writeFileSync(outputsFile, JSON.stringify(localOutputs(stack, stack.endpoints, TEST_REGION, 'http://127.0.0.1:0/')));
  return { stack, workDir, billflow: (...args) => runBillflow(outputsFile, args), stop: () => workers.stop() };
}
