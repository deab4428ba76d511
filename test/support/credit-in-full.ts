/**
 * The operator's `billflow invoices credit NUMBER --all` on an invoice as it stands, as
 * shared/use-cases/issue-credit-note.ts decides it (without the store): the credit note from
 * the domain, and the invoice with the credit (its payment state settled with credit notes).
 */
import { assembleCreditNote } from '#domain/credit-notes/assemble.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { creditFinalized } from '#domain/invoice/lifecycle.ts';
import { settleWithCredits } from '#domain/payments/credited-settlement.ts';

export function creditInFull(invoice: Invoice, at: string, number = 'ACME-CN-2026-000001'): Invoice {
  const issueDate = at.slice(0, 10);
  const draft = assembleCreditNote({
    invoice,
    creditNotes: [],
    request: { reason: 'chargeback lost: written off', settlement: 'balance', credit: 'all' },
    issueDate,
  });
  const credit = { number, total: draft.total, appliedToInvoice: draft.appliedToInvoice };
  const settled = settleWithCredits(invoice.total, invoice.payments, [...(invoice.credits ?? []), credit]);
  return creditFinalized(invoice, credit, settled, at);
}
