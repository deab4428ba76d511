/**
 * Overdue reminders (dunning, CONTRACTS.md section 4): which invoice gets which reminder when.
 * Pure: the run (shared/use-cases/run-dunning.ts) asks these questions on the invoice as it is
 * stored, inside its conditional update, so two runs never both decide to send.
 *
 * A stage is one configured day (3, 10, 20 by default). An invoice gets at most one reminder
 * per run: the latest stage it has reached. Stages it passed without a reminder (first seen
 * 25 days overdue, or the run did not happen for a week) are recorded as skipped, never
 * caught up with a burst of emails.
 */
import type { CatalogHead } from '../catalog/types.ts';
import type { Invoice, Reminder } from '../invoice/invoice.ts';
import { isOpenReceivable } from '../invoice/lifecycle.ts';

export const DEFAULT_REMINDER_DAYS: readonly number[] = [3, 10, 20];

const DAY_MS = 86_400_000;

/** The catalog's reminder days, or the defaults when no catalog has set them. */
export function reminderDaysOf(head: CatalogHead): readonly number[] {
  return head.dunning?.reminderDays ?? DEFAULT_REMINDER_DAYS;
}

/**
 * Whole UTC days from the due date to `asOf` (epoch ms): 0 on the due date itself (payment is
 * still on time), 1 from the next midnight UTC; negative before the due date.
 */
export function daysOverdue(dueDate: string, asOf: number): number {
  const due = Date.parse(`${dueDate}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dueDate) || Number.isNaN(due)) throw new RangeError(`not a YYYY-MM-DD due date: "${dueDate}"`);
  return Math.floor((asOf - due) / DAY_MS);
}

/** The calendar day (YYYY-MM-DD, UTC) `days` after the one `instant` falls on. */
export function utcDatePlusDays(instant: number, days: number): string {
  const midnight = Math.floor(instant / DAY_MS) * DAY_MS;
  return new Date(midnight + days * DAY_MS).toISOString().slice(0, 10);
}

/** CONTRACTS.md section 3's `overdue`: finalized, money still due, past the due date. */
export function isOverdue(invoice: Invoice, asOf: number): boolean {
  return isOpenReceivable(invoice) && daysOverdue(invoice.dueDate!, asOf) >= 1;
}

/**
 * Whether dunning chases this invoice at all. A refund or a dispute (open, won or lost) means
 * someone is already talking to the customer about it: an automatic "please pay" would cut
 * across that, so those invoices are left to an operator.
 */
export function isChased(invoice: Invoice): boolean {
  // A dispute may be known by its closing alone (created delivered late, or never): either kind counts.
  const disputed = invoice.payments.some((event) => event.kind === 'dispute_opened' || event.kind === 'dispute_closed');
  return isOpenReceivable(invoice) && invoice.amountRefunded === 0 && !disputed;
}

export interface ReminderDue {
  /** The configured day this reminder is for. */
  readonly stage: number;
  readonly daysOverdue: number;
  /** Earlier stages never reminded, to be recorded as skipped with this reminder's claim. */
  readonly skipped: readonly number[];
}

/**
 * The reminder to send now, if any: the largest stage reached that has no reminder yet.
 * Nothing is due while another run's claim is live (claimed less than `claimTimeoutMs` before
 * `now`), nor once a reminder exists at a later stage (the schedule never goes back, even when
 * the configured days change). A stale claim was left by a crashed run: its stage is taken over.
 *
 * `now` is the clock claims are judged by; it differs from `asOf` when a run is made by hand
 * for another day.
 */
export function reminderDue(
  invoice: Invoice,
  asOf: number,
  reminderDays: readonly number[],
  claimTimeoutMs: number,
  now: number = asOf,
): ReminderDue | undefined {
  if (!isChased(invoice)) return undefined;
  const days = daysOverdue(invoice.dueDate!, asOf);
  const reached = [...new Set(reminderDays)].sort((a, b) => a - b).filter((day) => day <= days);
  const stage = reached.at(-1);
  if (stage === undefined) return undefined;
  const { reminders } = invoice;
  if (reminders.some((reminder) => isLiveClaim(reminder, claimTimeoutMs, now))) return undefined;
  if (reminders.some((reminder) => reminder.stage > stage || (reminder.stage === stage && reminder.status !== 'sending'))) return undefined;
  const settled = new Set(reminders.filter((reminder) => reminder.status !== 'sending').map((reminder) => reminder.stage));
  return { stage, daysOverdue: days, skipped: reached.filter((day) => day < stage && !settled.has(day)) };
}

/**
 * The reminders with `due` claimed at `at`: stale claims dropped (reminderDue has judged them
 * abandoned), skipped stages and the claim added, in stage order.
 */
export function withClaim(reminders: readonly Reminder[], due: ReminderDue, at: string): Reminder[] {
  const claim: Reminder = { stage: due.stage, status: 'sending', at, messageId: null };
  return [
    ...reminders.filter((reminder) => reminder.status !== 'sending'),
    ...due.skipped.map((stage): Reminder => ({ stage, status: 'skipped', at, messageId: null })),
    claim,
  ].sort((a, b) => a.stage - b.stage);
}

/** Whether `reminder` is the claim of `stage` made at `claimedAt` (a claim another run took over has another time). */
export function isClaim(reminder: Reminder, stage: number, claimedAt: string): boolean {
  return reminder.stage === stage && reminder.status === 'sending' && reminder.at === claimedAt;
}

/**
 * The reminders once the reminder claimed at `claimedAt` went out: the claim becomes the `sent`
 * record; if another run took the stage over meanwhile, its claim stays (both emails are kept).
 */
export function withSent(
  reminders: readonly Reminder[],
  stage: number,
  claimedAt: string,
  sent: { at: string; messageId: string },
): Reminder[] {
  const record: Reminder = { stage, status: 'sent', at: sent.at, messageId: sent.messageId };
  return [...reminders.filter((reminder) => !isClaim(reminder, stage, claimedAt)), record].sort((a, b) => a.stage - b.stage);
}

/**
 * The reminders after the send under the claim failed: a transient failure frees the stage for
 * the retry; a permanent refusal records it `skipped` (retrying cannot help), at `at`.
 */
export function withReleased(reminders: readonly Reminder[], stage: number, claimedAt: string, permanent: boolean, at: string): Reminder[] {
  const others = reminders.filter((reminder) => !isClaim(reminder, stage, claimedAt));
  if (!permanent) return others;
  const skipped: Reminder = { stage, status: 'skipped', at, messageId: null };
  return [...others, skipped].sort((a, b) => a.stage - b.stage);
}

function isLiveClaim(reminder: Reminder, claimTimeoutMs: number, now: number): boolean {
  return reminder.status === 'sending' && Date.parse(reminder.at) > now - claimTimeoutMs;
}
