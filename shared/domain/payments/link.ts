/**
 * A payment's link to an invoice, and its one change of state: the first link stands (matched
 * from the payment's own data, or unmatched with the reason); an operator may then match an
 * unmatched payment to an invoice. The payment store writes links under conditions that keep
 * two writers from both deciding on the same link; the decisions are here.
 */
import { PaymentNotUnmatchedError } from '../errors.ts';

export interface PaymentLink {
  readonly paymentId: string;
  readonly status: 'matched' | 'unmatched';
  /** The invoice the payment is applied to (matched), or null. */
  readonly invoiceNumber: string | null;
  /** What the payer named (Stripe metadata.invoice_number), whatever became of it. */
  readonly namedInvoice: string | null;
  readonly currency: string;
  /** Why the payment is unmatched; null when matched. */
  readonly reason: string | null;
  readonly linkedAt: string;
  /** `provider`: matched from the payment's own data; `operator`: by `billflow payments match`. */
  readonly linkedBy: 'provider' | 'operator';
}

/**
 * The operator's match of `paymentId` to invoice `invoiceNumber`, decided on its link as stored:
 * `changed` false when it is matched to that invoice already (safe to repeat). Throws
 * PaymentNotUnmatchedError for an unknown payment or one matched to another invoice.
 */
export function matchByOperator(
  link: PaymentLink | undefined,
  paymentId: string,
  invoiceNumber: string,
  at: string,
): { link: PaymentLink; changed: boolean } {
  if (link === undefined) throw new PaymentNotUnmatchedError(`no payment ${paymentId} is known`);
  if (link.status === 'matched') {
    if (link.invoiceNumber === invoiceNumber) return { link, changed: false };
    throw new PaymentNotUnmatchedError(`payment ${paymentId} is already matched to invoice ${link.invoiceNumber}`);
  }
  return { link: { ...link, status: 'matched', invoiceNumber, reason: null, linkedAt: at, linkedBy: 'operator' }, changed: true };
}
