/**
 * The billflow operator CLI. Works the same against the local pipeline (.billflow/outputs.json)
 * and a deployed stack (--outputs FILE). With --json every command prints exactly one JSON
 * document on stdout; errors go to stderr with a non-zero exit code.
 */
import { Command, CommanderError } from 'commander';
import { registerCatalogCommands } from './commands/catalog.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerEventCommands } from './commands/events.ts';
import { registerStatsCommand } from './commands/stats.ts';
import { registerInvoiceCommands } from './commands/invoices.ts';
import { registerCreditNoteCommands } from './commands/credit-notes.ts';
import { registerUsageCommand } from './commands/usage.ts';
import { registerPaymentCommands } from './commands/payments.ts';
import { registerCustomerCommands, registerSubscriptionCommands } from './commands/subscriptions.ts';
import { registerOutputsCommand } from './commands/outputs.ts';
import { registerCustomerBalanceCommand } from './commands/customer-balance.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerApiKeyCommands } from './commands/api-keys.ts';
import { registerApiListingsCommand } from './commands/api-listings.ts';
import { registerWebhookCommands } from './commands/webhooks.ts';
import { registerOutboundCommands } from './commands/outbound.ts';
import { UsageError } from './errors.ts';
import type { GlobalOptions } from './options.ts';

const program = new Command('billflow')
  .description('billflow: usage events in, invoices out')
  .option('--json', 'print exactly one JSON document on stdout')
  .option('--outputs <file>', 'outputs file of the pipeline to talk to (default .billflow/outputs.json)')
  .showHelpAfterError()
  .exitOverride();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();
registerCatalogCommands(program, globals);
registerEventCommands(program, globals);
registerDlqCommands(program, globals);
registerStatsCommand(program, globals);
registerInvoiceCommands(program, globals);
registerCreditNoteCommands(program, globals);
registerUsageCommand(program, globals);
registerPaymentCommands(program, globals);
registerCustomerCommands(program, globals);
registerCustomerBalanceCommand(program, globals);
registerSubscriptionCommands(program, globals);
registerOutputsCommand(program, globals);
registerDemoCommand(program, globals);
registerApiKeyCommands(program, globals);
registerApiListingsCommand(program, globals);
registerWebhookCommands(program, globals);
registerOutboundCommands(program, globals);
// Subcommands accept the global flags anywhere on the line (`billflow stats --json`).
for (const command of program.commands.flatMap((c) => [c, ...c.commands])) {
  command.option('--json', 'print exactly one JSON document on stdout');
  command.option('--outputs <file>', 'outputs file of the pipeline to talk to');
  command.hook('preAction', (_, action) => {
    const own = action.opts<GlobalOptions>();
    if (own.json) program.setOptionValue('json', true);
    if (own.outputs !== undefined) program.setOptionValue('outputs', own.outputs);
  });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof UsageError) {
    process.stderr.write(`billflow: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    const name = (error as { name?: string }).name ?? '';
    const hint = /ECONNREFUSED|fetch failed|UnknownEndpoint/.test(`${String(error)} ${name}`)
      ? ' (is the pipeline running? start it with `npm start`)'
      : '';
    process.stderr.write(`billflow: ${error instanceof Error ? error.message : String(error)}${hint}\n`);
    process.exitCode = 1;
  }
}
