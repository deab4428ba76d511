/**
 * `billflow customers balance CUSTOMER [--currency C]` (issue 16): the customer balance's
 * movements (credit notes to the balance, overpayments, uses on invoices, refunds) and what is
 * available per currency, which the next invoice in that currency uses at finalization.
 */
import type { Command } from 'commander';
import { availableBalance, type BalanceMovement } from '#domain/balance/ledger.ts';
import { isCurrencyCode } from '#domain/catalog/currencies.ts';
import { formatMinor } from '#domain/money.ts';
import { createContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, table } from '../output.ts';
import type { GlobalOptions } from '../options.ts';

export function registerCustomerBalanceCommand(program: Command, globals: () => GlobalOptions): void {
  // The `customers` group is registered with the catalog commands (subscriptions.ts); the balance joins it.
  const customers = program.commands.find((command) => command.name() === 'customers') ?? program.command('customers');
  customers
    .command('balance')
    .description("the customer's balance: its movements and what is available per currency for the next invoice")
    .argument('<customer>', 'customer id, as in the catalog')
    .option('--currency <code>', 'only this currency (ISO 4217, e.g. EUR)')
    .action(async (customerId: string, options: { currency?: string }) => {
      const currency = options.currency?.toUpperCase();
      if (currency !== undefined && !isCurrencyCode(currency))
        throw new UsageError(`--currency ${options.currency} is not an ISO 4217 currency code (e.g. EUR, USD, JPY)`);
      const context = createContext(globals().outputs);
      const movements = await context.balances.movements(customerId, currency);
      if (movements.length === 0 && !(await context.catalog.findCustomers([customerId])).has(customerId))
        throw new UsageError(`no customer ${customerId} in the catalog and no balance for it: check the id (billflow catalog show)`);
      const currencies = currency === undefined ? [...new Set(movements.map((movement) => movement.currency))].sort() : [currency];
      const balances = currencies.map((code) => ({
        currency: code,
        available: availableBalance(movements, { customerId, currency: code }),
      }));
      emit(globals(), { customerId, balances, movements }, () => describeBalance(customerId, balances, movements));
    });
}

const KIND_LABEL: Record<BalanceMovement['kind'], string> = {
  credit_note: 'credit note',
  overpayment: 'overpayment',
  applied_to_invoice: 'applied to invoice',
  refund: 'refunded',
};

function describeBalance(
  customerId: string,
  balances: readonly { currency: string; available: number }[],
  movements: readonly BalanceMovement[],
): string {
  if (movements.length === 0) return `${customerId} has no balance${balances.length === 1 ? ` in ${balances[0]!.currency}` : ''}`;
  const money = (minor: number, currency: string) => `${formatMinor(minor, currency)} ${currency}`;
  return [
    table(
      ['date', 'kind', 'amount', 'reference'],
      movements.map((movement) => [
        movement.at.slice(0, 10),
        KIND_LABEL[movement.kind],
        money(movement.amount, movement.currency),
        movement.reference,
      ]),
    ),
    '',
    ...balances.map(({ currency, available }) => `available ${money(available, currency)}`),
  ].join('\n');
}
