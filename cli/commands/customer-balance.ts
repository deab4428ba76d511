/**
 * `billflow customers balance CUSTOMER [--currency C]` (issue 16): the customer balance's
 * movements (credit notes to the balance, overpayments, uses on invoices, refunds) and what is
 * available per currency, which the next invoice in that currency uses at finalization.
 * `billflow customers refund-balance CUSTOMER --amount A --currency C --reference R`: records
 * balance paid back outside billflow (use-cases/refund-customer-balance.ts).
 */
import type { Command } from 'commander';
import { availableByCurrency, type BalanceMovement } from '#domain/balance/ledger.ts';
import { isCurrencyCode } from '#domain/catalog/currencies.ts';
import { BalanceRefundError, InsufficientBalanceError } from '#domain/errors.ts';
import { formatMinor } from '#domain/money.ts';
import { UnknownBalanceCustomerError } from '#use-cases/errors.ts';
import { refundCustomerBalance } from '#use-cases/refund-customer-balance.ts';
import { createContext } from '../context.ts';
import { asUsageError, UsageError } from '../errors.ts';
import { emit, pendingFactWarning, table } from '../output.ts';
import { parseInstant, type GlobalOptions } from '../options.ts';

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
      const balances = availableByCurrency(customerId, movements, currency);
      emit(globals(), { customerId, balances, movements }, () => describeBalance(customerId, balances, movements));
    });

  customers
    .command('refund-balance')
    .description(
      'record customer balance paid back outside billflow (e.g. by bank transfer): it leaves the balance, and balance.refunded is published',
    )
    .argument('<customer>', 'customer id, as in the catalog')
    .requiredOption('--amount <a>', 'the amount paid back, in the currency (e.g. 11.90); at most what is available')
    .requiredOption('--currency <code>', 'the balance it comes from (ISO 4217, e.g. EUR)')
    .requiredOption(
      '--reference <text>',
      "the payout's reference (e.g. the transfer's); one refund per reference, so a retry records it once",
    )
    .option('--as-of <instant>', 'RFC 3339 instant it was paid back; default now')
    .action(async (customerId: string, options: { amount: string; currency: string; reference: string; asOf?: string }) => {
      const currency = options.currency.toUpperCase();
      if (!isCurrencyCode(currency))
        throw new UsageError(`--currency ${options.currency} is not an ISO 4217 currency code (e.g. EUR, USD, JPY)`);
      const at = parseInstant('--as-of', options.asOf, '2026-12-06T09:00:00Z');
      const context = createContext(globals().outputs);
      const account = { customerId, currency };
      try {
        const { refund, alreadyRecorded, available, outboundError } = await refundCustomerBalance(
          account,
          { amount: options.amount, reference: options.reference },
          {
            balances: context.balances,
            customerExists: async (id) => (await context.catalog.findCustomers([id])).has(id),
            now: () => at,
            outbound: context.outbound,
          },
        );
        const money = (minor: number) => `${formatMinor(minor, currency)} ${currency}`;
        emit(globals(), { refund, alreadyRecorded, available }, () =>
          alreadyRecorded
            ? `refund ${refund.reference} of ${money(-refund.amount)} was already recorded on ${refund.at.slice(0, 10)}; nothing changed, available ${money(available)}`
            : `refunded ${money(-refund.amount)} of ${customerId}'s balance (${refund.reference}); available ${money(available)}`,
        );
        if (outboundError !== undefined)
          process.stderr.write(pendingFactWarning(`the refund ${refund.reference} is recorded`, 'balance.refunded', outboundError));
      } catch (error) {
        if (error instanceof UnknownBalanceCustomerError) throw new UsageError(`${error.message}: check the id (billflow catalog show)`);
        asUsageError(error, [BalanceRefundError, InsufficientBalanceError]);
      }
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
