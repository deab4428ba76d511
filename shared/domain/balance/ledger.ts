/**
 * The customer balance: a ledger per customer and currency of money billflow owes the customer
 * and has not paid out, and of its use (issue 16). Movements are signed minor units, + into the
 * balance and - out of it, each with an id that is its idempotency key, so a retried step
 * records it once:
 *
 * - `credit_note` (+): the part of a credit note settled to the balance that exceeded what its
 *   invoice still had due (id `credit_note:{number}`);
 * - `overpayment` (+ or -): an invoice's payments beyond what it asks, brought up to date when
 *   its payments change; a later refund of the payment takes it back out, as far as the balance
 *   still holds it (id `overpayment:{invoice}:{n}`, the invoice's n-th change: a retry computes
 *   the same id, and two writers racing from the same ledger collide on it instead of both
 *   adding);
 * - `applied_to_invoice` (-): the balance used on a new invoice's amount due, EN 16931 BT-113
 *   prepaid amount (id `applied:{invoice}`, once per invoice);
 * - `refund` (-): the balance paid back to the customer outside billflow.
 *
 * The balance never goes negative: a movement that would take out more than is available is
 * refused (InsufficientBalanceError names what is available), and the functions that compute
 * movements only ever take what is there.
 */
import type { CreditNote } from '../credit-notes/types.ts';
import { BalanceRefundError, InsufficientBalanceError } from '../errors.ts';
import { currencyExponent } from '../catalog/currencies.ts';
import { decimal, formatMinor, toMinorUnits, type Decimal } from '../money.ts';

export const balanceMovementKinds = ['credit_note', 'overpayment', 'applied_to_invoice', 'refund'] as const;
export type BalanceMovementKind = (typeof balanceMovementKinds)[number];

export interface BalanceMovement {
  readonly id: string;
  readonly customerId: string;
  readonly currency: string;
  readonly kind: BalanceMovementKind;
  /** Signed minor units: + into the balance, - out of it. */
  readonly amount: number;
  /** ISO 8601 instant. */
  readonly at: string;
  /** The credit note or invoice number it comes from, or the refund's reference. */
  readonly reference: string;
}

export interface BalanceAccount {
  readonly customerId: string;
  readonly currency: string;
}

/** The customer's available balance in the currency (movements of other accounts are ignored). */
export function availableBalance(movements: readonly BalanceMovement[], account: BalanceAccount): number {
  return movementsOf(movements, account).reduce((total, movement) => total + movement.amount, 0);
}

/**
 * The ledger with the movement added, or unchanged when a movement with its id is already in it
 * (the same id with other figures is a bug, never silently ignored; the instant may differ). Refuses a sign that does
 * not fit the kind and anything that would take the balance below zero.
 */
export function recordMovement(
  ledger: readonly BalanceMovement[],
  movement: BalanceMovement,
): { ledger: BalanceMovement[]; added: boolean } {
  const existing = ledger.find((candidate) => candidate.id === movement.id);
  if (existing !== undefined) {
    // A retry may carry another instant; the figures must be the same.
    const same = (['customerId', 'currency', 'kind', 'amount', 'reference'] as const).every((field) => existing[field] === movement[field]);
    if (!same) {
      throw new Error(
        `balance movement ${movement.id} is already recorded with other figures (${existing.amount} ${existing.currency}, not ${movement.amount} ${movement.currency})`,
      );
    }
    return { ledger: [...ledger], added: false };
  }
  assertSign(movement);
  const available = availableBalance(ledger, movement);
  if (available + movement.amount < 0) throw new InsufficientBalanceError(movement, available, -movement.amount);
  return { ledger: [...ledger, movement], added: true };
}

/**
 * The movement a credit note makes: settled to the balance, the part its invoice's amount due
 * did not absorb; settled by refund (paid back outside billflow) or absorbed in full, none.
 */
export function creditNoteMovement(note: CreditNote, at: string): BalanceMovement | undefined {
  const amount = note.total - note.appliedToInvoice;
  if (note.settlement !== 'balance' || amount === 0) return undefined;
  return {
    id: `credit_note:${note.number}`,
    customerId: note.customerId,
    currency: note.currency,
    kind: 'credit_note',
    amount,
    at,
    reference: note.number,
  };
}

export interface OverpaymentUpdate {
  readonly movement: BalanceMovement | undefined;
  /**
   * An overpayment taken back (its payment refunded) that the balance no longer holds, because
   * it was applied or refunded meanwhile: the customer owes it. Later calls take it from the
   * balance as soon as there is some.
   */
  readonly uncovered: number;
}

/** Brings the balance's record of an invoice's overpayment (settleWithCredits) up to its current figure. */
export function overpaymentMovement(
  ledger: readonly BalanceMovement[],
  account: BalanceAccount,
  invoiceNumber: string,
  overpayment: number,
  at: string,
): OverpaymentUpdate {
  if (!Number.isSafeInteger(overpayment) || overpayment < 0)
    throw new Error(`an overpayment is a whole number of minor units, 0 or more, got ${overpayment}`);
  const earlier = movementsOf(ledger, account).filter(
    (movement) => movement.kind === 'overpayment' && movement.reference === invoiceNumber,
  );
  const recorded = earlier.reduce((total, movement) => total + movement.amount, 0);
  const wanted = overpayment - recorded;
  const amount = wanted >= 0 ? wanted : -Math.min(-wanted, availableBalance(ledger, account));
  const movement: BalanceMovement | undefined =
    amount === 0
      ? undefined
      : { id: `overpayment:${invoiceNumber}:${earlier.length + 1}`, ...account, kind: 'overpayment', amount, at, reference: invoiceNumber };
  return { movement, uncovered: amount - wanted };
}

export interface BalanceApplication {
  /** EN 16931 BT-113 prepaid amount: the balance used on this invoice. */
  readonly balanceApplied: number;
  /** The invoice's amount due after it. */
  readonly amountDue: number;
  /** What stays in the balance for later invoices. */
  readonly carriedForward: number;
  /** The movement to record; undefined when nothing is applied or it was recorded already. */
  readonly movement: BalanceMovement | undefined;
}

/**
 * Applies the available balance to a new invoice's amount due, never below zero; the rest is
 * carried forward. Once per invoice: called again (a retried run), it returns what was applied
 * the first time and records nothing.
 */
export function applyBalance(
  ledger: readonly BalanceMovement[],
  account: BalanceAccount,
  invoiceNumber: string,
  amountDue: number,
  at: string,
): BalanceApplication {
  if (!Number.isSafeInteger(amountDue) || amountDue < 0)
    throw new Error(`an amount due is a whole number of minor units, 0 or more, got ${amountDue}`);
  const id = `applied:${invoiceNumber}`;
  const earlier = movementsOf(ledger, account).find((movement) => movement.id === id);
  if (earlier !== undefined) {
    const applied = -earlier.amount;
    return {
      balanceApplied: applied,
      amountDue: Math.max(0, amountDue - applied),
      carriedForward: availableBalance(ledger, account),
      movement: undefined,
    };
  }
  const available = availableBalance(ledger, account);
  const balanceApplied = Math.min(available, amountDue);
  return {
    balanceApplied,
    amountDue: amountDue - balanceApplied,
    carriedForward: available - balanceApplied,
    movement:
      balanceApplied === 0
        ? undefined
        : { id, ...account, kind: 'applied_to_invoice', amount: -balanceApplied, at, reference: invoiceNumber },
  };
}

/** Paying (part of) the balance back to the customer; refused beyond what is available. */
export function refundMovement(
  ledger: readonly BalanceMovement[],
  account: BalanceAccount,
  reference: string,
  amount: number,
  at: string,
): BalanceMovement {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new Error(`a balance refund is a whole number of minor units above 0, got ${amount}`);
  const refundable = refundableAt(ledger, account, at);
  if (amount > refundable) {
    // The balance now, to tell a refund dated too early from one asking more than there is.
    const available = availableBalance(ledger, account);
    throw new InsufficientBalanceError(account, refundable, amount, refundable < available ? { at, balance: available } : undefined);
  }
  return { id: refundId(reference), ...account, kind: 'refund', amount: -amount, at, reference };
}

/** The refund recorded in the account under this reference (as requestedRefund trims it), if any. */
export function recordedRefund(
  ledger: readonly BalanceMovement[],
  account: BalanceAccount,
  reference: string,
): BalanceMovement | undefined {
  const id = refundId(reference.trim());
  return movementsOf(ledger, account).find((movement) => movement.id === id);
}

function refundId(reference: string): string {
  return `refund:${reference}`;
}

/**
 * The most a refund dated `at` can take out of the account: what the balance held at that
 * instant, less what movements dated after it took out since. In date order the balance must
 * never go below zero, so money is not paid back before the credit note that made it owed, nor
 * twice over when a later invoice already used it. A refund dated after every movement (the
 * usual case: recorded when paid) can take the whole balance.
 */
export function refundableAt(ledger: readonly BalanceMovement[], account: BalanceAccount, at: string): number {
  const inDateOrder = movementsOf(ledger, account).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  let running = 0;
  let lowest: number | undefined;
  for (const movement of inDateOrder) {
    // The balance at `at` is the running balance before the first movement dated after it.
    if (movement.at > at) lowest ??= running;
    running += movement.amount;
    if (lowest !== undefined) lowest = Math.min(lowest, running);
  }
  return Math.max(0, lowest ?? running);
}

/** What a customer's balance holds per currency, currencies in alphabetical order: those of its movements, or only `currency` (0 when it has none there). */
export function availableByCurrency(
  customerId: string,
  movements: readonly BalanceMovement[],
  currency?: string,
): { currency: string; available: number }[] {
  const currencies = currency === undefined ? [...new Set(movements.map((movement) => movement.currency))].sort() : [currency];
  return currencies.map((code) => ({ currency: code, available: availableBalance(movements, { customerId, currency: code }) }));
}

/** What an operator asks to pay back: the amount as decimal text in the currency ("11.90"), and their reference for the payout. */
export interface BalanceRefundRequest {
  readonly amount: string;
  /** The bank transfer's or payout's reference: the refund's idempotency key within the account. */
  readonly reference: string;
}

/** Longest reference accepted: a bank transfer's remittance information is 140 characters (SEPA). */
const MAX_REFERENCE_LENGTH = 140;

/**
 * The refund a request asks for, decided on the account's ledger; undefined when a refund with
 * this reference is already recorded for the same amount (a retried command records nothing
 * twice). Refused, saying what to fix: an amount that is not a positive amount with at most the
 * currency's decimals (money is never rounded silently), a reference already used for another
 * amount, and more than the balance holds (InsufficientBalanceError names what is available).
 */
export function requestedRefund(
  ledger: readonly BalanceMovement[],
  account: BalanceAccount,
  request: BalanceRefundRequest,
  at: string,
): BalanceMovement | undefined {
  const reference = request.reference.trim();
  if (reference === '' || reference.length > MAX_REFERENCE_LENGTH || /\p{Cc}/u.test(reference))
    throw new BalanceRefundError(
      'reference',
      `a refund reference is 1 to ${MAX_REFERENCE_LENGTH} characters without control characters (the payout's reference, e.g. SEPA-2026-0042), got ${JSON.stringify(request.reference)}`,
    );
  const amount = refundAmount(request.amount, account.currency);
  const earlier = recordedRefund(ledger, account, reference);
  if (earlier !== undefined) {
    if (-earlier.amount === amount) return undefined;
    const money = (minor: number) => `${formatMinor(minor, account.currency)} ${account.currency}`;
    throw new BalanceRefundError(
      'reference',
      `reference ${reference} was already used for a refund of ${money(-earlier.amount)} on ${earlier.at.slice(0, 10)}, not ${money(amount)}: give this refund its own reference`,
    );
  }
  return refundMovement(ledger, account, reference, amount, at);
}

/** The amount text as minor units of the currency, exactly; refused when it is not a positive amount with at most the currency's decimals. */
function refundAmount(text: string, currency: string): number {
  // Plain decimal text only: decimal.js would also read "1e3" and "0x10", which no one writes for money.
  if (!/^-?\d+(\.\d+)?$/.test(text.trim()))
    throw new BalanceRefundError('amount', `refund amount "${text}" is not a number: give it in ${currency}, e.g. 12.50`);
  const amount: Decimal = decimal(text.trim());
  if (!amount.isPositive() || amount.isZero())
    throw new BalanceRefundError('amount', `refund amount "${text}" must be above 0 (the money paid back to the customer)`);
  const exponent = currencyExponent(currency);
  if (amount.decimalPlaces() > exponent)
    throw new BalanceRefundError(
      'amount',
      `refund amount "${text}" has more decimals than ${currency} has (${exponent}): give it in ${currency}, e.g. ${formatMinor(toMinorUnits(amount, currency), currency)}`,
    );
  return toMinorUnits(amount, currency);
}

function movementsOf(movements: readonly BalanceMovement[], account: BalanceAccount): BalanceMovement[] {
  return movements.filter((movement) => movement.customerId === account.customerId && movement.currency === account.currency);
}

function assertSign(movement: BalanceMovement): void {
  const { kind, amount } = movement;
  const fits =
    Number.isSafeInteger(amount) && amount !== 0 && (kind === 'overpayment' || (kind === 'credit_note' ? amount > 0 : amount < 0));
  if (!fits)
    throw new Error(
      `balance movement ${movement.id}: a ${kind} movement cannot be ${amount} minor units (${kind === 'credit_note' ? 'credit notes add' : kind === 'overpayment' ? 'a change is never 0' : 'it takes out'})`,
    );
}
