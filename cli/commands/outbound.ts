/**
 * `billflow outbound flush`: publishes now the outbound events left in the outbound outbox (a
 * command or a reminder whose publish failed), as the hourly invoice run does; same ids.
 */
import type { Command } from 'commander';
import { flushOutbox } from '#use-cases/publish-recorded.ts';
import { createContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit } from '../output.ts';
import type { GlobalOptions } from '../options.ts';

export function registerOutboundCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('outbound')
    .description('outbound events (the event bus, webhooks)')
    .command('flush')
    .description('publish the outbound events still waiting in the outbox now (the hourly invoice run does it too)')
    .action(async () => {
      const context = createContext(globals().outputs);
      if (context.outbox === undefined) {
        throw new UsageError(
          'the outputs name neither eventBusName nor webhookDeliveriesQueueUrl: use the outputs of a stack (or npm start) with outbound events',
        );
      }
      // context.outbound clears what it publishes too; clearing twice is harmless.
      const flushed = await flushOutbox({ outbox: context.outbox, outbound: context.outbound });
      emit(globals(), flushed, () => `published ${flushed.published} outbound event(s) from the outbox`);
    });
}
