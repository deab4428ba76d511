/**
 * The per-payment view of an invoice's payment ledger: what each payment received, what was
 * refunded and what disputes withdrew. `settle` (ledger.ts) adds these rows up into the
 * invoice's payment state, and `billflow payments list` prints them.
 *
 * Events arrive late, twice and out of order (CONTRACTS.md section 5), so every figure here is
 * a function of the SET of events: maxima, sums over distinct keys, and a deterministic winner
 * where events disagree. No figure depends on the order the ledger happens to be in.
 */
import type { DisputeClosed, DisputeOpened, PaymentEvent } from './payment-event.ts';

export type DisputeStatus = 'open' | 'won' | 'lost';

export interface DisputeSummary {
  readonly disputeId: string;
  readonly status: DisputeStatus;
  readonly amount: number;
}

export interface PaymentSummary {
  readonly paymentId: string;
  readonly currency: string;
  /** The largest amount a payment_succeeded event reported; 0 until one arrives. */
  readonly received: number;
  /** Refunded over the payment's charges, never more than received. */
  readonly refunded: number;
  /** Disputed amounts that are open or lost (a won dispute gives its amount back). */
  readonly withdrawnByDisputes: number;
  /**
   * What lost disputes took back for good (a chargeback), never more than received. Absent
   * while no dispute of the payment is lost, so payments without one read as before (issue 16).
   */
  readonly reversedByDisputes?: number;
  /** received - refunded - withdrawn, never below zero: what counts towards the invoice. */
  readonly net: number;
  readonly failedAttempts: number;
  readonly disputes: readonly DisputeSummary[];
  /** occurredAt (provider time, not arrival) of the payment's earliest and latest event. */
  readonly firstSeenAt: string;
  readonly lastEventAt: string;
}

/**
 * The canonical ledger order: occurredAt, then eventId. Event ids are unique in a ledger, so
 * this is a total order and the stored ledger is the same whatever the arrival order. Instants
 * are compared as times, not strings, because `...00Z` and `...00.000Z` are the same instant.
 */
export function compareLedgerOrder(a: PaymentEvent, b: PaymentEvent): number {
  const byTime = occurredAtMillis(a) - occurredAtMillis(b);
  if (byTime !== 0) return byTime;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/**
 * Rejects an event the aggregation cannot handle: amounts must be whole, non-negative minor
 * units and occurredAt a parseable instant (or the canonical order would not be total).
 */
export function assertValidPaymentEvent(event: PaymentEvent): void {
  const amount = event.kind === 'refund_updated' ? event.amountRefunded : event.amount;
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new Error(
      `payment event ${event.eventId} (${event.kind}): amount must be a whole, non-negative number of minor units, got ${amount}`,
    );
  }
  occurredAtMillis(event);
}

/**
 * Every payment in the ledger reduced to its figures, in the order of each payment's first
 * event. Throws if the ledger mixes currencies: the caller routes a payment in another currency
 * to the unmatched payments, so a mixed ledger is a programming error, never summed.
 */
export function summarizePayments(ledger: readonly PaymentEvent[]): PaymentSummary[] {
  const currencies = [...new Set(ledger.map((event) => event.currency))];
  if (currencies.length > 1) {
    throw new Error(
      `payment ledger mixes currencies (${currencies.join(', ')}); events in another currency belong to the unmatched payments`,
    );
  }
  ledger.forEach(assertValidPaymentEvent);
  const byPayment = new Map<string, PaymentEvent[]>();
  const seen = new Set<string>();
  for (const event of [...ledger].sort(compareLedgerOrder)) {
    // The set of events, not the list: a duplicate delivery must not count a failure twice.
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    const events = byPayment.get(event.paymentId) ?? [];
    events.push(event);
    byPayment.set(event.paymentId, events);
  }
  return [...byPayment].map(([paymentId, events]) => summarizePayment(paymentId, events));
}

/** One payment's events, distinct and in canonical order (so "the last" is well defined). */
function summarizePayment(paymentId: string, events: readonly PaymentEvent[]): PaymentSummary {
  let received = 0;
  let failedAttempts = 0;
  const refundedByCharge = new Map<string, number>();
  const disputeEvents = new Map<string, { opened?: DisputeOpened; closed?: DisputeClosed }>();
  for (const event of events) {
    switch (event.kind) {
      case 'payment_succeeded':
        received = Math.max(received, event.amount);
        break;
      case 'payment_failed':
        failedAttempts += 1;
        break;
      case 'refund_updated':
        // Cumulative per charge: the largest figure is the latest, whenever it arrives.
        refundedByCharge.set(event.chargeId, Math.max(refundedByCharge.get(event.chargeId) ?? 0, event.amountRefunded));
        break;
      case 'dispute_opened':
      case 'dispute_closed': {
        const entry = disputeEvents.get(event.disputeId) ?? {};
        // Canonical order makes the last one the latest occurredAt, then the greatest eventId.
        if (event.kind === 'dispute_opened') entry.opened = event;
        else entry.closed = event;
        disputeEvents.set(event.disputeId, entry);
        break;
      }
    }
  }
  const disputes = [...disputeEvents].map(([disputeId, { opened, closed }]) => disputeSummary(disputeId, opened, closed));
  const refundedTotal = sum([...refundedByCharge.values()]);
  const withdrawnByDisputes = sum(disputes.filter((dispute) => dispute.status !== 'won').map((dispute) => dispute.amount));
  const lost = disputes.filter((dispute) => dispute.status === 'lost');
  return {
    paymentId,
    currency: events[0]!.currency,
    received,
    // A refund seen before its payment refunds nothing yet; the invoice never shows more
    // refunded than was received.
    refunded: Math.min(refundedTotal, received),
    withdrawnByDisputes,
    // Like a refund seen before its payment, a dispute lost before the payment is seen reverses nothing yet.
    ...(lost.length > 0 ? { reversedByDisputes: Math.min(sum(lost.map((dispute) => dispute.amount)), received) } : {}),
    net: Math.max(0, received - refundedTotal - withdrawnByDisputes),
    failedAttempts,
    disputes,
    firstSeenAt: events[0]!.occurredAt,
    lastEventAt: events[events.length - 1]!.occurredAt,
  };
}

/** Closed beats opened whatever the order: a dispute is not reopened by a late `created`. */
function disputeSummary(disputeId: string, opened: DisputeOpened | undefined, closed: DisputeClosed | undefined): DisputeSummary {
  if (closed !== undefined) return { disputeId, status: closed.outcome, amount: closed.amount };
  return { disputeId, status: 'open', amount: opened!.amount };
}

function occurredAtMillis(event: PaymentEvent): number {
  const millis = Date.parse(event.occurredAt);
  if (Number.isNaN(millis))
    throw new Error(`payment event ${event.eventId}: occurredAt is not an instant: ${JSON.stringify(event.occurredAt)}`);
  return millis;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
