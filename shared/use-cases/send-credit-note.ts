/**
 * Emails a rendered credit note to the customer: send-invoice's step for a send request of
 * document `credit_note`. Exactly one email per credit note whatever is retried; `resend`
 * (`billflow credit-notes resend`) sends another on purpose. The same claim as invoices:
 *
 * 1. Claim the email (rendered -> sending) in a conditional update; a second delivery of the
 *    message finds it claimed or sent and sends nothing. A claim older than `claimTimeoutMs`
 *    belongs to a sender that crashed and is taken over.
 * 2. Send the stored PDF (and the stored XML, for XRechnung CII customers), byte for byte, with
 *    the words in the language of the invoice it corrects (the PDF's language).
 * 3. Record the email (`sent`) and link its message id to the number, so a bounce finds it.
 *    A permanent refusal is recorded as `failed`; a transient error releases the claim and is retried.
 */
import type { DeliveredCreditNote } from '#domain/credit-notes/delivery.ts';
import { creditNoteEmail } from '#domain/credit-notes/email-content.ts';
import { emailClaimable, holdsEmailClaim, withEmail, withEmailClaim, withEmailReleased } from '#domain/delivery/document-delivery.ts';
import { CreditNoteNotFoundError } from '#domain/errors.ts';
import type { CreditNoteDeliveries } from '#ports/credit-note-store.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { InvoiceEmailLinks, IssuedInvoices } from '#ports/invoice-repository.ts';
import { PermanentSendError, type Mailer } from '#ports/mailer.ts';
import { sendWithInvoicePdf } from './send-with-invoice-pdf.ts';

export interface SendCreditNoteDependencies {
  readonly creditNotes: CreditNoteDeliveries;
  /** The links from SES message ids to numbers that record-mail-event reads (credit note numbers never look like invoice numbers). */
  readonly emailLinks: Pick<InvoiceEmailLinks, 'linkEmail'>;
  /** The corrected invoice, for its language: the email is written in the language of the credit note's PDF. */
  readonly invoices: Pick<IssuedInvoices, 'findByNumber'>;
  readonly documents: DocumentStore;
  readonly mailer: Mailer;
  readonly now: () => number;
  readonly claimTimeoutMs: number;
}

export type CreditNoteSendOutcome =
  | { readonly action: 'sent' | 'resent'; readonly delivered: DeliveredCreditNote; readonly messageId: string }
  | { readonly action: 'skipped'; readonly reason: string }
  | { readonly action: 'failed'; readonly delivered: DeliveredCreditNote; readonly reason: string };

export async function sendCreditNote(
  number: string,
  kind: 'invoice' | 'resend',
  deps: SendCreditNoteDependencies,
): Promise<CreditNoteSendOutcome> {
  const claimedAt = new Date(deps.now()).toISOString();
  let delivered: DeliveredCreditNote;
  if (kind === 'invoice') {
    const staleBefore = deps.now() - deps.claimTimeoutMs;
    const claim = await deps.creditNotes.updateDelivery(number, ({ delivery }) =>
      emailClaimable(delivery, staleBefore) ? withEmailClaim(delivery, claimedAt) : undefined,
    );
    if (!claim.changed) {
      // A retry after the email was recorded but not linked: link what was sent (idempotent).
      for (const email of claim.delivered.delivery.emails) await deps.emailLinks.linkEmail(email.messageId, number);
      return { action: 'skipped', reason: `credit note delivery is ${claim.delivered.delivery.deliveryStatus}` };
    }
    delivered = claim.delivered;
  } else {
    const found = await deps.creditNotes.findDelivered(number);
    if (found === undefined) throw new CreditNoteNotFoundError(`no credit note ${number}: see billflow credit-notes list`);
    if (found.delivery.document === null) return { action: 'skipped', reason: 'its document is not rendered yet' };
    delivered = found;
  }

  const corrected = await deps.invoices.findByNumber(delivered.creditNote.invoiceNumber);
  const content = creditNoteEmail(delivered.creditNote, kind, corrected?.language);
  let messageId: string;
  try {
    messageId = await sendWithInvoicePdf(content, { number, ...delivered.delivery }, deps, true);
  } catch (error) {
    const permanent = error instanceof PermanentSendError;
    if (kind === 'invoice') {
      const failure = { permanent, detail: (error as Error).message, at: new Date(deps.now()).toISOString() };
      const { delivered: released } = await deps.creditNotes.updateDelivery(number, ({ delivery }) =>
        holdsEmailClaim(delivery, claimedAt) ? withEmailReleased(delivery, failure) : undefined,
      );
      if (permanent) return { action: 'failed', delivered: released, reason: (error as Error).message };
    }
    throw error;
  }

  const sentAt = new Date(deps.now()).toISOString();
  const { delivered: recorded } = await deps.creditNotes.updateDelivery(number, ({ delivery }) =>
    withEmail(delivery, { messageId, sentAt, kind, to: content.to }),
  );
  await deps.emailLinks.linkEmail(messageId, number);
  return { action: kind === 'invoice' ? 'sent' : 'resent', delivered: recorded, messageId };
}
