/**
 * Records customer balance paid back outside billflow: `billflow customers refund-balance`.
 * The balance is money billflow owes the customer (credit notes settled to it, overpayments);
 * it is used on their next invoices, and when it will not be (the customer leaves, or asks for
 * the money), the operator pays it out by bank transfer and records that here.
 *
 * 1. The store reads the account's ledger; the domain decides the refund on it
 *    (balance/ledger.ts requestedRefund): an exact positive amount, at most what is available,
 *    one refund per reference (a retry of the same refund records nothing, and says so). A
 *    customer with no balance that the catalog does not know either is refused as unknown.
 * 2. The store writes the movement, the balance and balance.refunded (into the outbound
 *    outbox) in one transaction, deciding again if another writer changed the account meanwhile.
 * 3. The fact is published after it: a publish that fails is reported, the refund stands and
 *    the hourly sweep publishes the fact with the same id.
 */
import {
  availableBalance,
  recordedRefund,
  requestedRefund,
  type BalanceAccount,
  type BalanceMovement,
  type BalanceRefundRequest,
} from '#domain/balance/ledger.ts';
import { InsufficientBalanceError } from '#domain/errors.ts';
import { balanceRefunded } from '#domain/outbound/facts.ts';
import type { CustomerBalances } from '#ports/customer-balance.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { UnknownBalanceCustomerError } from './errors.ts';
import { publishRecorded } from './publish-recorded.ts';

export interface BalanceRefundOutcome {
  /** The refund as recorded, by this call or by an earlier one with the same reference. */
  readonly refund: BalanceMovement;
  /** True when an earlier call had recorded it: nothing was written now. */
  readonly alreadyRecorded: boolean;
  /** What the balance holds now, minor units. */
  readonly available: number;
  /** Why its fact was not published (it waits in the outbox for the sweep); absent once published. */
  readonly outboundError?: string;
}

export async function refundCustomerBalance(
  account: BalanceAccount,
  request: BalanceRefundRequest,
  deps: {
    balances: Pick<CustomerBalances, 'record'>;
    /** Whether the catalog has the customer: asked only when a refund finds no balance at all. */
    customerExists: (customerId: string) => Promise<boolean>;
    now: () => number;
    outbound: OutboundEvents;
  },
): Promise<BalanceRefundOutcome> {
  const at = new Date(deps.now()).toISOString();
  const { movement, ledger } = await deps.balances
    .record(
      account,
      (current) => requestedRefund(current, account, request, at),
      (refund, after) => [balanceRefunded(refund, availableBalance(after, account))],
    )
    .catch(async (error: unknown) => {
      // No balance at all and no such customer: say the id is wrong rather than that its balance is empty.
      // The balance now, not what a backdated refund could take: a customer owed money is not unknown.
      if (error instanceof InsufficientBalanceError && error.balance === 0 && !(await deps.customerExists(account.customerId)))
        throw new UnknownBalanceCustomerError(account.customerId);
      throw error;
    });
  const available = availableBalance(ledger, account);
  if (movement === undefined) {
    // requestedRefund found this reference recorded with this amount: report that refund.
    const earlier = recordedRefund(ledger, account, request.reference);
    if (earlier === undefined) throw new Error(`no refund ${request.reference} in the ledger of ${account.customerId} ${account.currency}`);
    return { refund: earlier, alreadyRecorded: true, available };
  }
  const outboundError = await publishRecorded(deps.outbound, [balanceRefunded(movement, available)]);
  return { refund: movement, alreadyRecorded: false, available, ...(outboundError === undefined ? {} : { outboundError }) };
}
