/**
 * The domain's errors: a billing rule refused what was asked. Each has its own class and `name`,
 * so callers tell them apart with `instanceof` (the CLI prints them as usage errors: a person
 * fixes them by asking for something else), never by comparing names or messages.
 */
import type { BalanceAccount } from './balance/ledger.ts';
import { formatMinor } from './money.ts';
import { namedError } from './named-error.ts';

/** An invoice lifecycle transition was asked of an invoice in a state it may not happen from (lifecycle.ts). */
export class InvoiceStateError extends namedError('InvoiceStateError') {}

/** An invoice whose email went out cannot be voided (VAT Directive Art. 219): it is corrected by a credit note. */
export class InvoiceDeliveredError extends InvoiceStateError {
  override readonly name = 'InvoiceDeliveredError';
  constructor(
    readonly invoiceNumber: string,
    deliveryStatus: string,
  ) {
    super(
      `invoice ${invoiceNumber} was delivered to the customer (delivery ${deliveryStatus}), so it can no longer be voided: ` +
        `correct it with a credit note, \`billflow invoices credit ${invoiceNumber} --reason TEXT --all\` (or --line N --quantity Q | --amount A)`,
    );
  }
}

/** No invoice has this number (reported by the repositories, which look invoices up). */
export class InvoiceNotFoundError extends namedError('InvoiceNotFoundError') {}

/** No credit note has this number. */
export class CreditNoteNotFoundError extends namedError('CreditNoteNotFoundError') {}

/** An operator's match was asked of a payment that is unknown or already matched to another invoice (payments/link.ts). */
export class PaymentNotUnmatchedError extends namedError('PaymentNotUnmatchedError') {}

/** The customer has no subscription to price in the period (invoice/assemble.ts). */
export class NoSubscriptionError extends namedError('NoSubscriptionError') {}

export class InsufficientBalanceError extends namedError('InsufficientBalanceError') {
  /** What the balance holds now: `available`, or more when a refund's date allows less. */
  readonly balance: number;

  constructor(
    readonly account: BalanceAccount,
    /** The most that can be taken out (as of `backdated.at` when given). */
    readonly available: number,
    asked: number,
    /** Set when a refund dated `at` can take less than the balance holds now (`balance`). */
    backdated?: { readonly at: string; readonly balance: number },
  ) {
    const money = (minor: number) => `${formatMinor(minor, account.currency)} ${account.currency}`;
    super(
      backdated === undefined
        ? `Customer ${account.customerId} has ${money(available)} of balance available; ${money(asked)} cannot be taken out of it: take at most ${money(available)}`
        : `Customer ${account.customerId} has ${money(backdated.balance)} of balance, but a refund dated ${backdated.at} can take at most ${money(available)} of it (what the balance held then, less what was taken out of it since); ${money(asked)} cannot be taken out of it: date the refund later or take at most ${money(available)}`,
    );
    this.balance = backdated?.balance ?? available;
  }
}

/** A balance refund that cannot be recorded as asked (an amount that is not an exact positive amount, a reference used for another refund); the message says what to fix. */
export class BalanceRefundError extends namedError('BalanceRefundError') {
  constructor(
    /** The part of the request to fix. */
    readonly field: 'amount' | 'reference',
    message: string,
  ) {
    super(message);
  }
}

/** An invoice that cannot be written as an e-invoice; the message says what to fix. */
export class EInvoiceDataError extends namedError('EInvoiceDataError') {}

/** A request that cannot be read or does not fit the invoice (unknown line, bad quantity, ...). */
export class CreditRequestError extends namedError('CreditRequestError') {}

/** The invoice is not one that can be credited (a draft, a void or not-issued invoice). */
export class InvoiceNotCreditableError extends CreditRequestError {
  override readonly name = 'InvoiceNotCreditableError';
}

/** A line credit asks for more than is left of the line. */
export class CreditExceedsLineError extends CreditRequestError {
  override readonly name = 'CreditExceedsLineError';
  constructor(
    readonly invoiceNumber: string,
    readonly line: number,
    readonly left: { readonly quantity: string; readonly netAmount: number; readonly currency: string },
    asked: string,
  ) {
    super(
      `Line ${line} of invoice ${invoiceNumber} has ${left.quantity} left to credit, worth ${formatMinor(left.netAmount, left.currency)} ${left.currency} net; ` +
        `${asked} is more: credit at most what is left`,
    );
  }
}

/** The lines asked for add up to more than is left of the invoice at their VAT rate. */
export class CreditExceedsInvoiceError extends CreditRequestError {
  override readonly name = 'CreditExceedsInvoiceError';
  constructor(
    readonly invoiceNumber: string,
    readonly left: { readonly netAmount: number; readonly total: number; readonly currency: string },
    readonly askedNet: number,
  ) {
    const money = (minor: number) => `${formatMinor(minor, left.currency)} ${left.currency}`;
    super(
      `Invoice ${invoiceNumber} has ${money(left.netAmount)} net (${money(left.total)} with VAT) left to credit, ` +
        `but this credit note asks for ${money(askedNet)} net: credit at most ${money(left.netAmount)} net`,
    );
  }
}

/** Earlier credit notes already took everything back. */
export class NothingLeftToCreditError extends CreditRequestError {
  override readonly name = 'NothingLeftToCreditError';
  constructor(readonly invoiceNumber: string) {
    super(`Invoice ${invoiceNumber} is credited in full already: there is nothing left to credit`);
  }
}
