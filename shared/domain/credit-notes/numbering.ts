/**
 * Credit note numbers: `{invoicePrefix}-CN-{YYYY}-{NNNNNN}`, gap-free per prefix and year
 * (CONTRACTS.md section 7), a sequence of their own beside the invoices'. The year is the
 * credit note's issue year, not the corrected invoice's: a December invoice credited in
 * January gets a number of the new year, as its date says.
 *
 * The sequence is the invoice numbering's under the series `{invoicePrefix}-CN`: an invoice
 * prefix is [A-Z0-9]{1,10} with no hyphen, so that series never collides with an invoice prefix,
 * and storage can allocate it exactly as it allocates invoice numbers (SEQUENCE#{series}#{year}).
 */
import { formatInvoiceNumber } from '../invoice/numbering.ts';

const PREFIX = /^[A-Z0-9]{1,10}$/;
const NUMBER = /^([A-Z0-9]{1,10})-CN-(\d{4})-(\d{6,})$/;

export interface CreditNoteSequence {
  /** `{invoicePrefix}-CN`: the sequence's name, used where an invoice sequence uses its prefix. */
  readonly series: string;
  readonly year: number;
}

/** The sequence a credit note issued on `issueDate` (YYYY-MM-DD) draws its number from. */
export function creditNoteSequence(invoicePrefix: string, issueDate: string): CreditNoteSequence {
  if (!PREFIX.test(invoicePrefix)) throw new Error(`invoice prefix must be 1 to 10 capital letters or digits, got "${invoicePrefix}"`);
  const year = Number(issueDate.slice(0, 4));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(issueDate)) throw new Error(`credit note issue date "${issueDate}" is not a date: use YYYY-MM-DD`);
  return { series: `${invoicePrefix}-CN`, year };
}

export function formatCreditNoteNumber(sequence: CreditNoteSequence, next: number): string {
  if (!Number.isInteger(next) || next < 1) throw new Error(`credit note sequence must be a positive whole number, got ${next}`);
  return formatInvoiceNumber(sequence.series, sequence.year, next);
}

export function parseCreditNoteNumber(number: string): { invoicePrefix: string; year: number; sequence: number } | undefined {
  const match = NUMBER.exec(number);
  if (match === null) return undefined;
  return { invoicePrefix: match[1]!, year: Number(match[2]), sequence: Number(match[3]) };
}
