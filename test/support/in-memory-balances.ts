/**
 * An in-memory customer balance with the DynamoDB adapter's contract (customer-balance-store.ts):
 * `decide` on the ledger as read, the write only if nobody wrote to the account meanwhile (else
 * decide again), each id once, never below zero. Yields between read and write so runs interleave.
 */
import { recordMovement, type BalanceAccount, type BalanceMovement } from '#domain/balance/ledger.ts';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import type { CustomerBalances, RecordedMovement } from '#ports/customer-balance.ts';

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

export class InMemoryCustomerBalances implements CustomerBalances {
  private ledger: BalanceMovement[] = [];
  private version = 0;

  constructor(movements: readonly BalanceMovement[] = []) {
    for (const movement of movements) this.ledger = recordMovement(this.ledger, movement).ledger;
  }

  /** The facts recorded with movements (the DynamoDB adapter's outbox writes), oldest first. */
  readonly recordedFacts: OutboundFact[] = [];

  async record(
    account: BalanceAccount,
    decide: Parameters<CustomerBalances['record']>[1],
    pendingFacts?: Parameters<CustomerBalances['record']>[2],
  ): Promise<RecordedMovement> {
    for (;;) {
      await yieldToOthers();
      const version = this.version;
      const read = this.of(account);
      const movement = await decide(read);
      if (movement === undefined) return { movement, ledger: read };
      await yieldToOthers();
      if (this.version !== version) continue;
      // recordMovement refuses a repeated id with other figures and anything below zero, as the table's conditions do.
      this.ledger = recordMovement(this.ledger, movement).ledger;
      this.version += 1;
      const after = this.of(account);
      this.recordedFacts.push(...(pendingFacts?.(movement, after) ?? []));
      return { movement, ledger: after };
    }
  }

  async movements(customerId: string, currency?: string): Promise<BalanceMovement[]> {
    return this.ledger.filter(
      (movement) => movement.customerId === customerId && (currency === undefined || movement.currency === currency),
    );
  }

  private of(account: BalanceAccount): BalanceMovement[] {
    return this.ledger.filter((movement) => movement.customerId === account.customerId && movement.currency === account.currency);
  }
}
