/**
 * The EPC QR code ("GiroCode") payload: EPC069-12 version 002, SEPA Credit Transfer. Every
 * banking app in the euro area scans it and pre-fills the transfer, so a customer no longer
 * copies an IBAN by hand.
 *
 * The payload is lines separated by LF, in this order: service tag `BCD`, version `002`,
 * character set `1` (UTF-8), identification `SCT`, BIC (optional in version 002), beneficiary
 * name (at most 70 characters), IBAN, amount (`EUR` and at most two decimals, 0.01 to
 * 999999999.99), purpose code (empty), structured remittance (empty: the invoice number is not an
 * ISO 11649 creditor reference), unstructured remittance (at most 140 characters): the invoice
 * number. Trailing empty fields are left out; the whole payload is at most 331 bytes.
 */
import type { Invoice } from '../invoice/invoice.ts';
import { formatMinor } from '../money.ts';

export const EPC_MAX_BYTES = 331;
export const EPC_MAX_NAME = 70;
export const EPC_MAX_REMITTANCE = 140;
/** The largest amount the code can carry, in euro cents (999,999,999.99). */
export const EPC_MAX_AMOUNT = 99_999_999_999;

export interface EpcCreditTransfer {
  readonly name: string;
  readonly iban: string;
  /** Optional in version 002: banks in the EEA find the bank from the IBAN. */
  readonly bic?: string;
  /** Euro cents, 1 to EPC_MAX_AMOUNT. */
  readonly amount: number;
  readonly remittance: string;
}

/**
 * The transfer an issued EUR invoice asks for: its amount due to the issuer's account, quoting its
 * number. Null where a code would not be a valid payment request: a draft (not a request for
 * payment), nothing due, another currency (SCT is euro only), or more than the code can carry.
 */
export function invoiceCreditTransfer(invoice: Invoice): EpcCreditTransfer | null {
  if (invoice.status !== 'finalized' || invoice.number === null) return null;
  if (invoice.currency !== 'EUR' || invoice.amountDue <= 0 || invoice.amountDue > EPC_MAX_AMOUNT) return null;
  return {
    name: invoice.seller.name,
    iban: invoice.paymentMeans.iban,
    bic: invoice.paymentMeans.bic,
    amount: invoice.amountDue,
    remittance: invoice.paymentReference ?? invoice.number,
  };
}

/**
 * The payload text. A name longer than the spec's 70 characters is cut there (banks show the
 * account holder they have on file, so the name only confirms it); should multi-byte characters
 * still take the payload past 331 bytes, the name is cut further. A remittance longer than 140
 * characters or an amount out of range is an error: cutting either would change the payment.
 */
export function epcPaymentCode(transfer: EpcCreditTransfer): string {
  if (!Number.isInteger(transfer.amount) || transfer.amount < 1 || transfer.amount > EPC_MAX_AMOUNT) {
    throw new RangeError(`An EPC QR code carries 0.01 to 999999999.99 EUR, not ${transfer.amount} cents`);
  }
  const remittance = singleLine(transfer.remittance);
  if ([...remittance].length > EPC_MAX_REMITTANCE) {
    throw new RangeError(`An EPC QR code's remittance information is at most ${EPC_MAX_REMITTANCE} characters: ${remittance}`);
  }
  const iban = transfer.iban.replace(/\s+/g, '').toUpperCase();
  const fields = (name: string): string =>
    [
      'BCD',
      '002',
      '1',
      'SCT',
      transfer.bic?.replace(/\s+/g, '').toUpperCase() ?? '',
      name,
      iban,
      `EUR${formatMinor(transfer.amount, 'EUR')}`,
      '',
      '',
      remittance,
    ].join('\n');
  let name = [...singleLine(transfer.name)].slice(0, EPC_MAX_NAME);
  while (utf8Bytes(fields(name.join(''))) > EPC_MAX_BYTES && name.length > 1) name = name.slice(0, -1);
  const payload = fields(name.join(''));
  if (utf8Bytes(payload) > EPC_MAX_BYTES) throw new RangeError(`The EPC QR payload exceeds ${EPC_MAX_BYTES} bytes`);
  return payload;
}

/** A line break inside a field would shift every field after it. */
function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const UTF8 = new TextEncoder();

function utf8Bytes(text: string): number {
  return UTF8.encode(text).length;
}
