/**
 * The functions of a test stack run locally: the queue-fed ones behind pollers (as `npm start`
 * runs them) and the scheduled invoice run invoked as EventBridge Scheduler would.
 */
import { startLocalWorkers, type LocalWorkersOptions } from '#infra/local/workers.ts';
import { localLambdaContext } from '#infra/local/lambda-context.ts';
import { schedules } from '#infra/resources.ts';
import { TEST_REGION, type TestStack } from './local-stack.ts';

export interface TestWorkersOptions {
  /** Replaces a function's handler (faults injected by the test). */
  readonly handlers?: LocalWorkersOptions['handlers'];
  /** Defaults to printing every error: a test that expects some filters them here. */
  readonly onError?: LocalWorkersOptions['onError'];
}

/** Every queue-fed function of the stack, two pollers each. */
export function startTestWorkers(stack: TestStack, prefix: string, options: TestWorkersOptions = {}): Promise<{ stop(): Promise<void> }> {
  return startLocalWorkers({
    sqs: stack.clients.sqs,
    region: TEST_REGION,
    resources: stack,
    prefix,
    concurrency: 2,
    handlers: options.handlers,
    onError: options.onError ?? ((functionId, error) => console.error(functionId, error)),
  });
}

/** The start-invoice-run handler module invoked as of `asOf`, with the Lambda context of its schedule. */
export async function runScheduledInvoiceRun(asOf: string) {
  const { handler } = await import('#functions/start-invoice-run/handler.ts');
  const { startInvoiceRun: schedule } = schedules;
  return handler({ asOf }, localLambdaContext({ ...schedule, functionName: schedule.functionId, region: TEST_REGION }));
}
