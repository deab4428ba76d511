/**
 * The delivery of one issued document (an invoice, a credit note): its PDF recorded once, then
 * exactly one email, claimed before it is sent. The states and their rules are the same for
 * every document; what may be delivered at all (a finalized invoice, any credit note) is the
 * document's own lifecycle's (invoice/lifecycle.ts, credit-notes/delivery.ts).
 *
 *   deliveryStatus   pending -> rendered -> sending -> sent
 *                                  ^----------/ \-> failed  (released: transient / permanent refusal)
 *                    any -> bounced                          (a permanent bounce of an email sent for it)
 */
import type { DeliveryStatus, InvoiceDocument, SentEmail } from '../invoice/invoice.ts';

export interface DocumentDelivery {
  readonly deliveryStatus: DeliveryStatus;
  readonly document: InvoiceDocument | null;
  readonly emails: readonly SentEmail[];
  /** While `sending`: when the sender claimed the email (a stale claim is taken over). */
  readonly sendingSince?: string;
  /** Last delivery problem: a bounce, a complaint or a send failure, with when. */
  readonly deliveryProblem: { readonly kind: 'bounce' | 'complaint' | 'send_failure'; readonly detail: string; readonly at: string } | null;
  readonly updatedAt: string;
}

/** Not done yet (`pending`, `rendered`, `sending`): the invoice run's sweep looks for these (recover-deliveries). */
export function deliveryUnderway(delivery: DocumentDelivery): boolean {
  return delivery.deliveryStatus === 'pending' || delivery.deliveryStatus === 'rendered' || delivery.deliveryStatus === 'sending';
}

/** When the current delivery step began: the email claim while `sending`, otherwise the last change. */
export function lastDeliveryStep(delivery: DocumentDelivery): string {
  return delivery.deliveryStatus === 'sending' && delivery.sendingSince !== undefined ? delivery.sendingSince : delivery.updatedAt;
}

/** pending -> rendered; a document already further along keeps its status (only the document is recorded). */
export function withDocument<T extends DocumentDelivery>(item: T, document: InvoiceDocument): T {
  const deliveryStatus = item.deliveryStatus === 'pending' ? 'rendered' : item.deliveryStatus;
  return { ...item, document, deliveryStatus, updatedAt: document.renderedAt };
}

/** Rendered, or `sending` under a claim older than `staleBefore` (epoch ms: its sender crashed). */
export function emailClaimable(item: DocumentDelivery, staleBefore: number): boolean {
  const stale = item.deliveryStatus === 'sending' && Date.parse(item.sendingSince ?? '') < staleBefore;
  return item.deliveryStatus === 'rendered' || stale;
}

export function withEmailClaim<T extends DocumentDelivery>(item: T, claimedAt: string): T {
  return { ...item, deliveryStatus: 'sending', sendingSince: claimedAt, updatedAt: claimedAt };
}

/** Only the sender holding the claim made at `claimedAt` releases it (a taken-over claim is someone else's). */
export function holdsEmailClaim(item: DocumentDelivery, claimedAt: string): boolean {
  return item.deliveryStatus === 'sending' && item.sendingSince === claimedAt;
}

/** After a failed send: a permanent refusal ends in `failed`; a transient one frees the email for the retry (`rendered`). */
export function withEmailReleased<T extends DocumentDelivery>(item: T, failure: { permanent: boolean; detail: string; at: string }): T {
  return {
    ...item,
    deliveryStatus: failure.permanent ? 'failed' : 'rendered',
    sendingSince: undefined,
    deliveryProblem: { kind: 'send_failure', detail: failure.detail, at: failure.at },
    updatedAt: failure.at,
  };
}

/** An email sent for the document; the first (`invoice`) email makes it `sent`, a resend changes no status. */
export function withEmail<T extends DocumentDelivery>(item: T, email: SentEmail): T {
  return {
    ...item,
    emails: [...item.emails, email],
    ...(email.kind === 'invoice' ? { deliveryStatus: 'sent' as const, sendingSince: undefined } : {}),
    updatedAt: email.sentAt,
  };
}

/** A bounce or complaint of an email sent for it; a permanent bounce makes it `bounced`. */
export function withMailProblem<T extends DocumentDelivery>(
  item: T,
  problem: { kind: 'bounce' | 'complaint'; detail: string; at: string },
  permanent: boolean,
): T {
  return { ...item, ...(permanent ? { deliveryStatus: 'bounced' as const } : {}), deliveryProblem: problem, updatedAt: problem.at };
}
