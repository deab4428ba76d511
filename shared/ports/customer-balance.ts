/**
 * The customer balance as stored (issue 16): per customer and currency, its movements (each id
 * written once) and the amount they add up to, which never goes below zero, however many writers
 * race. What a movement is and how much it may take is decided in domain/balance/ledger.ts.
 */
import type { BalanceAccount, BalanceMovement } from '#domain/balance/ledger.ts';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';

export interface RecordedMovement {
  /** The movement written by this call; undefined when `decide` found nothing to record. */
  readonly movement: BalanceMovement | undefined;
  /** The account's ledger after it, oldest first. */
  readonly ledger: readonly BalanceMovement[];
}

export interface CustomerBalances {
  /**
   * Reads the account's ledger (strongly consistent), lets `decide` compute the movement to record
   * on it (undefined: none), and writes it with the balance in one transaction: only if no movement
   * has its id and the balance stays at zero or above. If another writer got there first,
   * `decide` is called again on what is stored now, so it may read anything else it depends on
   * (an invoice's current overpayment) inside. `pendingFacts`, given the movement and the ledger
   * after it, are the facts it makes: written to the outbound outbox in the same transaction
   * (ports/outbound-outbox.ts), for a step that no retry would publish them again from.
   */
  record(
    account: BalanceAccount,
    decide: (ledger: readonly BalanceMovement[]) => Promise<BalanceMovement | undefined> | BalanceMovement | undefined,
    pendingFacts?: (movement: BalanceMovement, ledgerAfter: readonly BalanceMovement[]) => readonly OutboundFact[],
  ): Promise<RecordedMovement>;
  /** The customer's movements, in one currency or all, oldest first. */
  movements(customerId: string, currency?: string): Promise<BalanceMovement[]>;
}
