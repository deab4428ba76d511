/**
 * Money owed to a customer, put in its balance as a credit note settled to it would: for tests
 * that need a balance to read, refund or apply without issuing the credit note first.
 */
import type { BalanceMovement } from '#domain/balance/ledger.ts';
import type { CustomerBalances } from '#ports/customer-balance.ts';

/** Records a `credit_note` movement of `amount` minor units for `creditNote` (once: a second call adds nothing). */
export async function owedToCustomer(
  balances: Pick<CustomerBalances, 'record'>,
  owed: { customerId: string; currency: string; amount: number; creditNote: string; at: string },
): Promise<BalanceMovement> {
  const movement: BalanceMovement = {
    id: `credit_note:${owed.creditNote}`,
    customerId: owed.customerId,
    currency: owed.currency,
    kind: 'credit_note',
    amount: owed.amount,
    at: owed.at,
    reference: owed.creditNote,
  };
  await balances.record(owed, (ledger) => (ledger.some((recorded) => recorded.id === movement.id) ? undefined : movement));
  return movement;
}
