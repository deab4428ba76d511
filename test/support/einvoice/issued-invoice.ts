/**
 * A finalized invoice record straight from the domain (computeInvoice -> draftInvoice ->
 * issue -> number), the way the invoice run builds it, for e-invoice tests that want real
 * lines, VAT and totals rather than a hand-made record.
 */
import { computeInvoice, dueDate, type InvoiceInput } from '#domain/invoice/assemble.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { draftInvoice, issue } from '#domain/invoice/invoice-record.ts';
import { formatInvoiceNumber } from '#domain/invoice/numbering.ts';
import { periodBounds } from '#domain/period.ts';

export function issuedInvoice(input: InvoiceInput, sequence = 1): Invoice {
  const { end } = periodBounds(input.period);
  const issueDate = new Date(end).toISOString().slice(0, 10);
  const draft = draftInvoice({
    computation: computeInvoice(input),
    issuer: input.issuer,
    customer: input.customer,
    billingPeriod: input.period,
    eventCount: 1,
    duplicateDeliveries: 0,
    readThrough: end,
    lateWindows: [],
    now: end + 3_600_000,
  });
  const issued = issue(draft, issueDate, dueDate(issueDate, input.customer.paymentTermsDays), end + 3_600_000);
  const number = formatInvoiceNumber(input.issuer.invoicePrefix, new Date(end).getUTCFullYear(), sequence);
  // As the repository does when it allocates the number (invoice-repository.ts).
  return { ...issued, number, paymentReference: number, status: 'finalized' };
}
