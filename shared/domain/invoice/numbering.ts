/**
 * Invoice numbers: `{invoicePrefix}-{YYYY}-{NNNNNN}`, sequential and gap-free per prefix and
 * year (CONTRACTS.md section 3). A number is given at finalization (lifecycle.ts finalizeDraft),
 * from the sequence of the issuer's prefix and the year of the issue date; the repository
 * allocates it in the same transaction that stores the finalized invoice, so a number is never
 * lost or used twice.
 */

/** One gap-free run of numbers. */
export interface InvoiceSequence {
  readonly prefix: string;
  readonly year: number;
}

/** The sequence an invoice issued on `issueDate` (YYYY-MM-DD) by the issuer with `prefix` takes its number from. */
export function invoiceSequence(prefix: string, issueDate: string): InvoiceSequence {
  return { prefix, year: Number(issueDate.slice(0, 4)) };
}

export function formatInvoiceNumber(prefix: string, year: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new Error(`invoice sequence must be a positive whole number, got ${sequence}`);
  return `${prefix}-${String(year).padStart(4, '0')}-${String(sequence).padStart(6, '0')}`;
}

/** The `position`th number (1-based) of `sequence`. */
export function numberIn(sequence: InvoiceSequence, position: number): string {
  return formatInvoiceNumber(sequence.prefix, sequence.year, position);
}

const NUMBER = /^([A-Z0-9]{1,10})-(\d{4})-(\d{6,})$/;

export function parseInvoiceNumber(number: string): { prefix: string; year: number; sequence: number } | undefined {
  const match = NUMBER.exec(number);
  if (match === null) return undefined;
  return { prefix: match[1]!, year: Number(match[2]), sequence: Number(match[3]) };
}
