/** `billflow stats`: the accounting identity received = accepted + duplicates + rejected. */
import type { Command } from 'commander';
import { accountEvents } from '#use-cases/account-events.ts';
import { createContext } from '../context.ts';
import { emit, table } from '../output.ts';
import { parsePeriod, type GlobalOptions } from '../options.ts';

export function registerStatsCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('stats')
    .description('events received, accepted, duplicate and rejected, per customer and period')
    .option('--period <YYYY-MM>', 'only this billing period')
    .option('--customer <id>', 'only this customer')
    .action(async (options: { period?: string; customer?: string }) => {
      const context = createContext(globals().outputs);
      const period = parsePeriod(options.period);
      const statement = await accountEvents(context.events, context.rejected, {
        ...(period === undefined ? {} : { period }),
        ...(options.customer === undefined ? {} : { customerId: options.customer }),
      });
      emit(
        globals(),
        statement,
        () =>
          `${table(
            ['PERIOD', 'CUSTOMER', 'RECEIVED', 'ACCEPTED', 'DUPLICATES', 'REJECTED'],
            [
              ...statement.rows.map((row) => [
                row.period,
                row.customerId ?? '(none)',
                row.received,
                row.accepted,
                row.duplicates,
                row.rejected,
              ]),
              [period ?? 'all', 'total', statement.received, statement.accepted, statement.duplicates, statement.rejected],
            ],
          )}`,
      );
    });
}
