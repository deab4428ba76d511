/** `billflow dlq redrive`: moves dead-lettered event messages back to the events queue. */
import type { Command } from 'commander';
import { redriveMessages } from '#adapters/sqs/redrive.ts';
import { createContext } from '../context.ts';
import { emit } from '../output.ts';
import type { GlobalOptions } from '../options.ts';

export function registerDlqCommands(program: Command, globals: () => GlobalOptions): void {
  const dlq = program.command('dlq').description('dead-letter queues');
  dlq
    .command('redrive')
    .description('move every message in the events dead-letter queue back to the events queue')
    .action(async () => {
      const context = createContext(globals().outputs);
      const result = await redriveMessages(context.clients.sqs, context.outputs.eventsDlqUrl, context.outputs.eventsQueueUrl);
      emit(
        globals(),
        { queue: 'events', ...result },
        () => `moved ${result.moved} messages from the events dead-letter queue back to the events queue`,
      );
    });
}
