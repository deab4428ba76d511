/**
 * Emails a rendered invoice to the customer: exactly one `invoice` email per invoice whatever
 * is retried or delivered twice; `resend` sends another on purpose.
 *
 * 1. Claim the email (deliveryStatus rendered -> sending) in a conditional update; a second
 *    delivery of the same message finds it claimed or sent and does nothing. A claim left by a
 *    crashed sender is taken over once older than `claimTimeoutMs`.
 * 2. Send the stored PDF (byte for byte what is archived) with the text and HTML bodies, and
 *    the stored e-invoice XML for customers who receive one.
 * 3. Record the email (message id, time): deliveryStatus `sent`. A permanent refusal is
 *    recorded as `failed`; a transient error releases the claim and is retried.
 */
import { invoiceEmail, type EmailContent } from '#domain/invoice/email-content.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import {
  canClaimInvoiceEmail,
  canReleaseInvoiceEmail,
  claimInvoiceEmail,
  recordEmail,
  releaseInvoiceEmail,
} from '#domain/invoice/lifecycle.ts';
import { deliveryOutcomeFacts } from '#domain/outbound/facts.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import type { InvoiceEmailLinks, IssuedInvoices } from '#ports/invoice-repository.ts';
import { PermanentSendError, type Mailer } from '#ports/mailer.ts';
import { sendWithInvoicePdf } from './send-with-invoice-pdf.ts';

export interface SendDependencies {
  readonly invoices: IssuedInvoices & InvoiceEmailLinks;
  readonly documents: DocumentStore;
  readonly mailer: Mailer;
  readonly now: () => number;
  readonly claimTimeoutMs: number;
  /** invoice.delivered or invoice.delivery_failed, once recorded (and again by a retry that finds it recorded). */
  readonly outbound: OutboundEvents;
  /**
   * A new link to the invoice's hosted page (issue 20), put in the email. Called once per email
   * actually attempted: a duplicate delivery of the message is skipped before it, so it creates
   * no second link; a retry after a transient failure makes a new one (the old may have gone out
   * in an email SES accepted before the error, so it stays valid).
   */
  readonly pageLink?: (number: string) => Promise<string>;
}

export type SendOutcome =
  | { readonly action: 'sent' | 'resent'; readonly invoice: Invoice; readonly messageId: string }
  | { readonly action: 'skipped'; readonly reason: string }
  | { readonly action: 'failed'; readonly invoice: Invoice; readonly reason: string };

export async function sendInvoice(number: string, kind: 'invoice' | 'resend', deps: SendDependencies): Promise<SendOutcome> {
  const claimedAt = new Date(deps.now()).toISOString();
  let invoice: Invoice;
  if (kind === 'invoice') {
    const claim = await deps.invoices.update(number, (current) => {
      const staleBefore = deps.now() - deps.claimTimeoutMs;
      return canClaimInvoiceEmail(current, staleBefore) ? claimInvoiceEmail(current, claimedAt, staleBefore) : undefined;
    });
    if (!claim.changed) {
      // A retry after the email was recorded but not linked: link what was sent (idempotent).
      for (const email of claim.invoice.emails) await deps.invoices.linkEmail(email.messageId, number);
      await deps.outbound.publish(deliveryOutcomeFacts(claim.invoice));
      return { action: 'skipped', reason: `invoice is ${claim.invoice.status}, delivery ${claim.invoice.deliveryStatus}` };
    }
    invoice = claim.invoice;
  } else {
    const found = await deps.invoices.findByNumber(number);
    if (found === undefined) throw new Error(`no invoice ${number}`);
    if (found.status !== 'finalized' && found.status !== 'void') return { action: 'skipped', reason: `invoice is ${found.status}` };
    if (found.document === null) return { action: 'skipped', reason: 'its document is not rendered yet' };
    invoice = found;
  }

  let content: EmailContent;
  let messageId: string;
  try {
    // Inside the try: a failure to store the link releases the claim like a failed send.
    content = invoiceEmail(invoice, kind, await deps.pageLink?.(number));
    messageId = await sendWithInvoicePdf(content, invoice, deps, true);
  } catch (error) {
    const permanent = error instanceof PermanentSendError;
    const at = new Date(deps.now()).toISOString();
    if (kind === 'invoice') {
      const failure = { permanent, detail: (error as Error).message, at };
      const { invoice: released } = await deps.invoices.update(number, (current) =>
        canReleaseInvoiceEmail(current, claimedAt) ? releaseInvoiceEmail(current, claimedAt, failure) : undefined,
      );
      if (permanent) {
        await deps.outbound.publish(deliveryOutcomeFacts(released));
        return { action: 'failed', invoice: released, reason: (error as Error).message };
      }
    }
    throw error;
  }

  const sentAt = new Date(deps.now()).toISOString();
  const { invoice: recorded } = await deps.invoices.update(number, (current) =>
    recordEmail(current, { messageId, sentAt, kind, to: content.to }),
  );
  // So that a bounce finds its invoice; if this fails, the retry below re-creates the links.
  await deps.invoices.linkEmail(messageId, number);
  if (kind === 'invoice') await deps.outbound.publish(deliveryOutcomeFacts(recorded));
  return { action: kind === 'invoice' ? 'sent' : 'resent', invoice: recorded, messageId };
}
