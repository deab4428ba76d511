/**
 * Recovers invoice deliveries whose next step was lost: a finalized invoice still `pending`
 * (never rendered) or `rendered` (never claimed for sending) longer than the claim timeout,
 * or `sending` under a claim older than it (a sender that crashed between claim and send).
 * Locally the queued step is lost with the emulator at a restart; in AWS a message can end in a
 * dead-letter queue. Run by the hourly invoice run and by `billflow invoices redeliver`.
 *
 * Credit notes are delivered by the same two functions under the same rules, and recovered alike.
 *
 * 1. List the stuck invoices and credit notes from the sparse keys-only `open-deliveries` index,
 *    by the time of their last delivery step (no table scan: a run with nothing stuck reads nothing).
 * 2. Hand each to render-invoice again: it renders a `pending` one (or keeps the stored PDF)
 *    and passes `rendered` and `sending` ones on to send-invoice, whose conditional claim still
 *    allows one email per document (a live claim is left alone; a stale one is taken over).
 */
import type { StuckCreditNoteDeliveries } from '#ports/credit-note-store.ts';
import type { StuckDeliveries } from '#ports/invoice-repository.ts';
import type { InvoiceNumberMessage } from '#messages/invoice-number.ts';

/**
 * How long a delivery step may take before it counts as lost: send-invoice's claim timeout.
 * Above send-invoice's Lambda timeout, so a sender still running is never overtaken.
 */
export const DELIVERY_CLAIM_TIMEOUT_MS = 5 * 60_000;

export interface RecoverDeliveriesDependencies {
  readonly invoices: StuckDeliveries;
  readonly creditNotes: StuckCreditNoteDeliveries;
  /** Sends each request to the invoice-documents queue; returns the numbers that could not be sent. */
  readonly requestDocuments: (requests: readonly InvoiceNumberMessage[]) => Promise<{ failed: readonly string[] }>;
  readonly now: () => number;
  readonly claimTimeoutMs?: number;
}

export interface DeliveriesRecovered {
  /** Invoices and credit notes whose last delivery step is older than `olderThan`, handed to render-invoice again. */
  readonly requeued: readonly string[];
  readonly failed: readonly string[];
  readonly olderThan: string;
}

export async function recoverStuckDeliveries(deps: RecoverDeliveriesDependencies): Promise<DeliveriesRecovered> {
  const olderThan = new Date(deps.now() - (deps.claimTimeoutMs ?? DELIVERY_CLAIM_TIMEOUT_MS)).toISOString();
  const requests: InvoiceNumberMessage[] = [
    ...(await deps.invoices.listStuckDeliveries(olderThan)).map((number) => ({ number })),
    ...(await deps.creditNotes.listStuckDeliveries(olderThan)).map((number) => ({ number, document: 'credit_note' as const })),
  ];
  if (requests.length === 0) return { requeued: [], failed: [], olderThan };
  const { failed } = await deps.requestDocuments(requests);
  return { requeued: requests.map(({ number }) => number).filter((number) => !failed.includes(number)), failed, olderThan };
}
