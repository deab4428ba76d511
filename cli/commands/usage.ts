/**
 * `billflow usage CUSTOMER [--period]`: a period's stored events priced now. For a period that
 * has ended but whose invoice is not finalized yet, that is what its invoice will bill.
 */
import type { Command } from 'commander';
import { billingPeriodOf } from '#domain/period.ts';
import { formatMinor } from '#domain/money.ts';
import { previewUsage } from '#use-cases/preview-usage.ts';
import { createContext } from '../context.ts';
import { asUsageError } from '../errors.ts';
import { CatalogIncompleteError } from '#use-cases/errors.ts';
import { NoSubscriptionError } from '#domain/errors.ts';
import { emit, table } from '../output.ts';
import { parsePeriod, type GlobalOptions } from '../options.ts';

export function registerUsageCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('usage')
    .description('usage of a customer and what it costs if the period is finalized now (an ended period not yet finalized included)')
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
        asUsageError(error, [CatalogIncompleteError, NoSubscriptionError]);
      }
      const { invoice } = preview;
      // Once the period's invoice is finalized, events stored since are billed on the next one.
      const closed = await context.invoices.get(customerId, preview.period);
      const finalized =
        closed !== undefined && closed.status !== 'draft'
          ? { number: closed.number, status: closed.status, readThrough: closed.readThrough }
          : undefined;
      const money = (minor: number) => `${formatMinor(minor, invoice.currency)} ${invoice.currency}`;
      emit(globals(), { ...preview, ...(finalized === undefined ? {} : { closedBy: finalized }) }, () =>
        [
          `${customerId}, ${preview.period}, as of ${preview.asOf} (${preview.eventCount} events)`,
          ...(finalized === undefined
            ? []
            : [
                `${preview.period} is closed (${finalized.number ?? finalized.status}); events stored after ${finalized.readThrough} are billed on the next invoice as late usage`,
              ]),
          '',
          preview.segments.length === 0
            ? 'no subscription active in this period'
            : table(
                ['PLAN', 'FROM', 'UNTIL (EXCLUDED)', 'SHARE OF PERIOD'],
                preview.segments.map((segment) => [
                  segment.plan,
                  segment.start,
                  segment.end,
                  `${segment.seconds}/${segment.periodSeconds} s`,
                ]),
              ),
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
