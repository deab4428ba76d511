/**
 * Recovers invoice deliveries whose next step was lost: a finalized invoice still `pending`
 * (never rendered) or `rendered` (never claimed for sending) longer than the claim timeout,
 * or `sending` under a claim older than it (a sender that crashed between claim and send).
 * Locally the queued step is lost with the emulator at a restart; in AWS a message can end in a
 * dead-letter queue. Run by the hourly invoice run and by `billflow invoices redeliver`.
 *
 * 1. List the stuck invoices from the sparse keys-only `open-deliveries` index, by the time of
 *    their last delivery step (no table scan: a run with nothing stuck reads nothing).
 * 2. Hand each to render-invoice again: it renders a `pending` one (or keeps the stored PDF)
 *    and passes `rendered` and `sending` ones on to send-invoice, whose conditional claim still
 *    allows one `invoice` email per invoice (a live claim is left alone; a stale one is taken over).
 */
import type { StuckDeliveries } from '#ports/invoice-repository.ts';

/**
 * How long a delivery step may take before it counts as lost: send-invoice's claim timeout.
 * Above send-invoice's Lambda timeout, so a sender still running is never overtaken.
 */
export const DELIVERY_CLAIM_TIMEOUT_MS = 5 * 60_000;

export interface RecoverDeliveriesDependencies {
  readonly invoices: StuckDeliveries;
  /** Sends { number } to the invoice-documents queue; returns the numbers that could not be sent. */
  readonly requestDocuments: (numbers: readonly string[]) => Promise<{ failed: readonly string[] }>;
  readonly now: () => number;
  readonly claimTimeoutMs?: number;
}

export interface DeliveriesRecovered {
  /** Invoices whose last delivery step is older than `olderThan`, handed to render-invoice again. */
  readonly requeued: readonly string[];
  readonly failed: readonly string[];
  readonly olderThan: string;
}

export async function recoverStuckDeliveries(deps: RecoverDeliveriesDependencies): Promise<DeliveriesRecovered> {
  const olderThan = new Date(deps.now() - (deps.claimTimeoutMs ?? DELIVERY_CLAIM_TIMEOUT_MS)).toISOString();
  const stuck = await deps.invoices.listStuckDeliveries(olderThan);
  if (stuck.length === 0) return { requeued: [], failed: [], olderThan };
  const { failed } = await deps.requestDocuments(stuck);
  return { requeued: stuck.filter((number) => !failed.includes(number)), failed, olderThan };
}
