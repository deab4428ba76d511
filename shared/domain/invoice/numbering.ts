/**
 * Invoice numbers: `{invoicePrefix}-{YYYY}-{NNNNNN}`, sequential and gap-free per prefix and
 * year (CONTRACTS.md section 3). The sequence number is allocated at finalization, in the
 * same transaction that finalizes the invoice, so a number is never lost or used twice.
 */
export function formatInvoiceNumber(prefix: string, year: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new Error(`invoice sequence must be a positive whole number, got ${sequence}`);
  return `${prefix}-${String(year).padStart(4, '0')}-${String(sequence).padStart(6, '0')}`;
}

const NUMBER = /^([A-Z0-9]{1,10})-(\d{4})-(\d{6,})$/;

export function parseInvoiceNumber(number: string): { prefix: string; year: number; sequence: number } | undefined {
  const match = NUMBER.exec(number);
  if (match === null) return undefined;
  return { prefix: match[1]!, year: Number(match[2]), sequence: Number(match[3]) };
}
