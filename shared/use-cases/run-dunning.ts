/**
 * The daily dunning run (CONTRACTS.md section 4): emails customers whose invoices are unpaid
 * past their due date, one reminder per configured stage (3, 10, 20 days by default), and
 * stops once paid. Retried, re-run or run twice at once, each reminder goes out once.
 *
 * 1. Read the reminder days from the catalog head (defaults when it has none).
 * 2. List the candidates: open receivables due on or before (the day of `asOf`) minus the
 *    smallest stage, i.e. `dueBefore` = that day + 1 (the repository's bound is exclusive).
 * 3. For each candidate, a few at a time:
 *    a. claim the reminder in a conditional update, deciding again on the invoice as stored
 *       (still chased, reminder due, document rendered): earlier stages never reminded are
 *       recorded `skipped`, the stage itself `sending`;
 *    b. send the reminder with the stored PDF attached;
 *    c. link the provider's message id to the invoice (so a bounce of a reminder is recorded
 *       like one of the invoice email), then record the reminder `sent` with it, and with it
 *       (same write) invoice.overdue in the outbound outbox; then publish that fact. A crash
 *       before the record publishes nothing (the reminder is retried once its claim is
 *       stale); after it, the fact is in the outbox and the hourly sweep publishes it with the
 *       same id if this publish did not happen or failed (reported as `outboundError`).
 * 4. Report what happened. If any send failed transiently, throw DunningRunError after all
 *    candidates were tried, so the scheduled run fails (alarmed) and is retried; reminders
 *    already recorded are not sent again.
 *
 * Failures: a transient send error releases the claim, so the retry sends it. A permanent
 * refusal (PermanentSendError: bad address, unverified sender) cannot be cured by retrying:
 * that stage is recorded `skipped`, the refusal kept as the invoice's delivery problem for an
 * operator, and the run does not fail for it; the next stage tries again (the address may be
 * fixed by then). If recording `sent` fails after the email went out, the claim is left in
 * place: the email is sent again only once the claim is stale (`claimTimeoutMs`), the same
 * at-least-once window as the invoice email.
 */
import { forEachConcurrently } from '#shared/for-each-concurrently.ts';
import type { CatalogHead } from '#domain/catalog/types.ts';
import { reminderEmail } from '#domain/dunning/reminder-email.ts';
import {
  isClaim,
  reminderDaysOf,
  reminderDue,
  utcDatePlusDays,
  withClaim,
  withReleased,
  withSent,
  type ReminderDue,
} from '#domain/dunning/reminder-policy.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { invoiceOverdue } from '#domain/outbound/facts.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import type { InvoiceEmailLinks, IssuedInvoices, OpenReceivables } from '#ports/invoice-repository.ts';
import { PermanentSendError, type Mailer } from '#ports/mailer.ts';
import { sendWithInvoicePdf } from './send-with-invoice-pdf.ts';
import { DunningRunError } from './errors.ts';
import { publishRecorded } from './publish-recorded.ts';

export interface DunningDependencies {
  readonly invoices: OpenReceivables & Pick<IssuedInvoices, 'update'> & Pick<InvoiceEmailLinks, 'linkEmail'>;
  readonly catalog: { readHead(): Promise<CatalogHead> };
  readonly documents: Pick<DocumentStore, 'get'>;
  readonly mailer: Mailer;
  readonly now: () => number;
  /** A `sending` claim older than this was left by a crashed run and is taken over. */
  readonly claimTimeoutMs: number;
  /** Reminders in flight at once; SES accounts start at a few emails per second. */
  readonly concurrency?: number;
  /** Called once a reminder is recorded (metrics, logs); must not throw. */
  readonly onReminderSent?: (invoice: Invoice, stage: number) => void;
  /** invoice.overdue, once the reminder is recorded sent with it in the outbound outbox (3c). */
  readonly outbound: OutboundEvents;
}

export interface DunningFailure {
  readonly number: string;
  readonly stage: number | null;
  readonly reason: string;
  /** Refused for good: recorded as skipped on the invoice, not retried, does not fail the run. */
  readonly permanent: boolean;
}

export interface DunningSummary {
  /** The instant the run judged "days overdue" by (ISO 8601). */
  readonly asOf: string;
  readonly reminderDays: readonly number[];
  /** Open receivables old enough for the first stage. */
  readonly candidates: number;
  /** `outboundError`: invoice.overdue was not published now; it waits in the outbound outbox for the sweep. */
  readonly sent: readonly {
    readonly number: string;
    readonly stage: number;
    readonly messageId: string;
    readonly outboundError?: string;
  }[];
  /** Candidates left alone: not due yet, no longer chased, claimed by another run, no PDF yet. */
  readonly skipped: number;
  readonly failed: readonly DunningFailure[];
}

type Outcome =
  | { readonly kind: 'sent'; readonly number: string; readonly stage: number; readonly messageId: string; readonly outboundError?: string }
  | { readonly kind: 'skipped' }
  | ({ readonly kind: 'failed' } & DunningFailure);

const DEFAULT_CONCURRENCY = 4;

export async function runDunning(asOf: number, deps: DunningDependencies): Promise<DunningSummary> {
  const reminderDays = reminderDaysOf(await deps.catalog.readHead());
  const firstStage = Math.min(...reminderDays);
  const candidates = Number.isFinite(firstStage) ? await deps.invoices.listOpenReceivables(utcDatePlusDays(asOf, 1 - firstStage)) : [];

  const outcomes: Outcome[] = [];
  await forEachConcurrently(candidates, deps.concurrency ?? DEFAULT_CONCURRENCY, async (candidate) => {
    outcomes.push(await remind(candidate, asOf, reminderDays, deps));
  });

  const byNumber = (a: { number: string }, b: { number: string }) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0);
  const summary: DunningSummary = {
    asOf: new Date(asOf).toISOString(),
    reminderDays,
    candidates: candidates.length,
    sent: outcomes
      .flatMap((outcome) =>
        outcome.kind === 'sent'
          ? [
              {
                number: outcome.number,
                stage: outcome.stage,
                messageId: outcome.messageId,
                ...(outcome.outboundError === undefined ? {} : { outboundError: outcome.outboundError }),
              },
            ]
          : [],
      )
      .sort(byNumber),
    skipped: outcomes.filter((outcome) => outcome.kind === 'skipped').length,
    failed: outcomes
      .flatMap((outcome) =>
        outcome.kind === 'failed'
          ? [{ number: outcome.number, stage: outcome.stage, reason: outcome.reason, permanent: outcome.permanent }]
          : [],
      )
      .sort(byNumber),
  };
  if (summary.failed.some((failure) => !failure.permanent)) throw new DunningRunError(summary);
  return summary;
}

/** One invoice's reminder, if due; never throws, so one invoice cannot stop the others. */
async function remind(candidate: Invoice, asOf: number, reminderDays: readonly number[], deps: DunningDependencies): Promise<Outcome> {
  const number = candidate.number;
  if (number === null) return { kind: 'skipped' };
  // Read from the index, possibly a little behind: only spares a write when clearly not due.
  if (candidate.document === null || reminderDue(candidate, asOf, reminderDays, deps.claimTimeoutMs, deps.now()) === undefined) {
    return { kind: 'skipped' };
  }

  // 3a. The decision that counts is the one made on the stored invoice, inside the update.
  const claimedAt = new Date(deps.now()).toISOString();
  let due: ReminderDue | undefined;
  let claimed: Invoice;
  try {
    const claim = await deps.invoices.update(number, (current) => {
      due = current.document === null ? undefined : reminderDue(current, asOf, reminderDays, deps.claimTimeoutMs, deps.now());
      if (due === undefined) return undefined;
      return { ...current, reminders: withClaim(current.reminders, due, claimedAt), updatedAt: claimedAt };
    });
    if (!claim.changed || due === undefined) return { kind: 'skipped' };
    claimed = claim.invoice;
  } catch (error) {
    return { kind: 'failed', number, stage: null, reason: `could not claim the reminder: ${messageOf(error)}`, permanent: false };
  }
  const { stage } = due;

  // 3b.
  let messageId: string;
  try {
    messageId = await sendWithInvoicePdf(reminderEmail(claimed, due.daysOverdue), claimed, deps);
  } catch (error) {
    return release(number, stage, claimedAt, error, deps);
  }

  // 3c. Linked first: once `sent` is recorded no run comes back to this reminder to link it.
  let recorded: Invoice;
  // The fact as the claim decided it: the same id (invoice, stage) whoever records or republishes it.
  const overdue = [invoiceOverdue(claimed, stage, due.daysOverdue, claimedAt)];
  try {
    await deps.invoices.linkEmail(messageId, number);
    const sentAt = new Date(deps.now()).toISOString();
    ({ invoice: recorded } = await deps.invoices.update(
      number,
      (current) => ({
        ...current,
        reminders: withSent(current.reminders, stage, claimedAt, { at: sentAt, messageId }),
        updatedAt: sentAt,
      }),
      () => overdue,
    ));
  } catch (error) {
    // The email is out: keep the claim, so it is not sent again before it goes stale.
    return { kind: 'failed', number, stage, reason: `sent as ${messageId} but not recorded: ${messageOf(error)}`, permanent: false };
  }
  deps.onReminderSent?.(recorded, stage);
  const outboundError = await publishRecorded(deps.outbound, overdue);
  return { kind: 'sent', number, stage, messageId, ...(outboundError === undefined ? {} : { outboundError }) };
}

/** After a failed send: a transient error frees the stage for the retry; a permanent one skips it. */
async function release(number: string, stage: number, claimedAt: string, error: unknown, deps: DunningDependencies): Promise<Outcome> {
  const permanent = error instanceof PermanentSendError;
  const reason = messageOf(error);
  const at = new Date(deps.now()).toISOString();
  try {
    await deps.invoices.update(number, (current) => {
      if (!current.reminders.some((reminder) => isClaim(reminder, stage, claimedAt))) return undefined;
      const reminders = withReleased(current.reminders, stage, claimedAt, permanent, at);
      if (!permanent) return { ...current, reminders, updatedAt: at };
      const deliveryProblem = { kind: 'send_failure' as const, detail: `overdue reminder (day ${stage}): ${reason}`, at };
      return { ...current, reminders, deliveryProblem, updatedAt: at };
    });
  } catch (releaseError) {
    // The claim stays until stale, then the next run takes it over.
    return { kind: 'failed', number, stage, reason: `${reason}; the claim was not released: ${messageOf(releaseError)}`, permanent: false };
  }
  return { kind: 'failed', number, stage, reason, permanent };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
