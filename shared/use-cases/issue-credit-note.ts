/**
 * Issues a credit note for an issued invoice (issue 16): `billflow invoices credit`.
 *
 * 1. The store reads the invoice and its credit notes as stored.
 * 2. The domain decides the credit note (assembleCreditNote: what is left, VAT, the part the
 *    amount due absorbs) or refuses it with a CreditRequestError that names what is left.
 * 3. The number comes from `{invoicePrefix}-CN` and the issue year (credit-notes/numbering.ts);
 *    the invoice takes the credit (lifecycle.ts creditFinalized: payment state with credits).
 * 4. The store writes number, credit note, invoice and, settled to the balance, the part the
 *    amount due did not absorb (balance/ledger.ts creditNoteMovement) in one transaction, and decides again
 *    from step 1 if the invoice changed meanwhile.
 *    credit_note.issued goes into the outbound outbox in that transaction, and is published
 *    after it: a publish that fails is reported and left to the hourly sweep (same id).
 * 5. Counted (CreditNotesIssued, AmountCredited); a metric that cannot be published is reported,
 *    the credit note stands.
 */
import { creditNoteMovement } from '#domain/balance/ledger.ts';
import { assembleCreditNote } from '#domain/credit-notes/assemble.ts';
import { creditNoteSequence, formatCreditNoteNumber } from '#domain/credit-notes/numbering.ts';
import type { CreditRequest } from '#domain/credit-notes/types.ts';
import { creditFinalized } from '#domain/invoice/lifecycle.ts';
import { settleWithCredits } from '#domain/payments/credited-settlement.ts';
import type { BusinessMetrics } from '#ports/business-metrics.ts';
import type { CreditNoteStore, IssuedCreditNote } from '#ports/credit-note-store.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { creditNoteIssued } from '#domain/outbound/facts.ts';
import { publishRecorded } from './publish-recorded.ts';

export async function issueCreditNote(
  invoiceNumber: string,
  request: CreditRequest,
  deps: { creditNotes: Pick<CreditNoteStore, 'issue'>; metrics: BusinessMetrics; now: () => number; outbound: OutboundEvents },
): Promise<IssuedCreditNote & { metricError?: string; outboundError?: string }> {
  const at = new Date(deps.now()).toISOString();
  const issueDate = at.slice(0, 10);
  const issued = await deps.creditNotes.issue(invoiceNumber, (invoice, creditNotes) => {
    const draft = assembleCreditNote({ invoice, creditNotes, request, issueDate });
    // The invoice's seller id is its issuer's invoice prefix (invoice-record.ts).
    const sequence = creditNoteSequence(invoice.seller.id, issueDate);
    return {
      draft,
      sequence,
      numbered: (position) => ({ ...draft, number: formatCreditNoteNumber(sequence, position) }),
      invoiceAfter: (creditNote) => {
        const credit = { number: creditNote.number, total: creditNote.total, appliedToInvoice: creditNote.appliedToInvoice };
        const settled = settleWithCredits(
          invoice.total,
          invoice.payments,
          [...(invoice.credits ?? []), credit],
          invoice.balanceApplied ?? 0,
        );
        return creditFinalized(invoice, credit, settled, at);
      },
      balanceMovement: (creditNote) => creditNoteMovement(creditNote, at),
      pendingFacts: (creditNote, invoiceAfter) => [creditNoteIssued(creditNote, invoiceAfter)],
    };
  });
  const outboundError = await publishRecorded(deps.outbound, [creditNoteIssued(issued.creditNote, issued.invoice)]);
  const reported = outboundError === undefined ? issued : { ...issued, outboundError };
  try {
    const { currency, total } = issued.creditNote;
    await deps.metrics.count('CreditNotesIssued', 1, { currency });
    await deps.metrics.count('AmountCredited', total, { currency });
    return reported;
  } catch (error) {
    return { ...reported, metricError: (error as Error).message };
  }
}
