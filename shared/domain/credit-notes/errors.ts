/**
 * Why a credit request is refused, each with what the user must change. Typed, so the CLI maps
 * them to usage errors by class (as it does the invoice's) and a concurrent writer can tell a
 * refusal from a conflict. Amounts in the messages are in currency units, as the user types them.
 */
import { formatMinor } from '../money.ts';

/** A request that cannot be read or does not fit the invoice (unknown line, bad quantity, ...). */
export class CreditRequestError extends Error {
  override readonly name: string = 'CreditRequestError';
}

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
