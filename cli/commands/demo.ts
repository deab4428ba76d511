/**
 * `billflow demo`: one month of billing for the demo's six customers, end to end through the
 * local pipeline (cli/demo/run-demo.ts). `npm start -- --demo` runs it once the pipeline is
 * ready; run by hand it does the same against a pipeline already started.
 */
import type { Command } from 'commander';
import { loadOutputs } from '../context.ts';
import { runDemo } from '../demo/run-demo.ts';
import { UsageError } from '../errors.ts';
import type { GlobalOptions } from '../options.ts';

const DEFAULT_OUTPUTS = '.billflow/outputs.json';

export function registerDemoCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('demo')
    .description('bill one demo month end to end on the local pipeline (what `npm start -- --demo` runs)')
    .action(async () => {
      const outputsFile = globals().outputs ?? DEFAULT_OUTPUTS;
      const outputs = loadOutputs(outputsFile);
      // The demo closes its customers' month as of a simulated date and posts signed webhooks:
      // fine on a pipeline of one's own, never on a deployed stack that bills real customers.
      if (outputs.endpoints === undefined)
        throw new UsageError(`${outputsFile} names a deployed stack: the demo runs on the local pipeline only (npm start)`);
      await runDemo({ outputsFile, webhookSecret: outputs.stripeWebhookSecret ?? process.env.STRIPE_WEBHOOK_SECRET });
    });
}
