/** `billflow api reindex`: customers, invoices and credit notes stored before the HTTP API's `listings` index get their entry in it. */
import type { Command } from 'commander';
import { backfillListings } from '#adapters/dynamodb/listings-backfill.ts';
import { createContext } from '../context.ts';
import { emit } from '../output.ts';
import type { GlobalOptions } from '../options.ts';

export function registerApiListingsCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('api')
    .description('the HTTP API (/v1)')
    .command('reindex')
    .description(
      'list in GET /v1/customers, /v1/invoices and /v1/credit-notes the customers, invoices and credit notes stored before their index existed (once after upgrading; safe to repeat)',
    )
    .action(async () => {
      const context = createContext(globals().outputs);
      const added = await backfillListings(context.clients.dynamodb, context.outputs.billingTable);
      emit(
        globals(),
        added,
        () =>
          `indexed ${added.customers} customer(s), ${added.invoices} invoice(s) and ${added.creditNotes} credit note(s) that were not listed yet`,
      );
    });
}
