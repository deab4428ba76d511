/** `billflow usage CUSTOMER [--period]`: the open period priced as if it closed now. */
import type { Command } from 'commander';
import { billingPeriodOf } from '../../shared/domain/period.ts';
import { formatMinor } from '../../shared/domain/money.ts';
import { previewUsage } from '../../shared/use-cases/preview-usage.ts';
import { createContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, table } from '../output.ts';
import { parsePeriod, type GlobalOptions } from '../options.ts';

export function registerUsageCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('usage')
    .description('current usage of a customer and what it would cost if the period closed now')
    .argument('<customer>', 'customer id')
    .option('--period <YYYY-MM>', 'billing period (default: the current one)')
    .action(async (customerId: string, options: { period?: string }) => {
      const context = createContext(globals().outputs);
      const now = Date.now();
      let preview;
      try {
        preview = await previewUsage(customerId, parsePeriod(options.period) ?? billingPeriodOf(now), {
          events: context.events,
          catalog: context.catalog,
          now,
        });
      } catch (error) {
        if ((error as Error).name === 'CatalogIncompleteError') throw new UsageError((error as Error).message);
        throw error;
      }
      const { invoice } = preview;
      const money = (minor: number) => `${formatMinor(minor, invoice.currency)} ${invoice.currency}`;
      emit(globals(), preview, () =>
        [
          `${customerId}, ${preview.period}, as of ${preview.asOf} (${preview.eventCount} events)`,
          '',
          table(
            ['DESCRIPTION', 'QUANTITY', 'UNIT PRICE', 'NET'],
            invoice.lines.map((line) => [line.description, line.quantity, line.unitPrice, money(line.netAmount)]),
          ),
          '',
          `net ${money(invoice.netTotal)}  VAT ${money(invoice.taxTotal)}  total ${money(invoice.total)}`,
        ].join('\n'),
      );
    });
}
