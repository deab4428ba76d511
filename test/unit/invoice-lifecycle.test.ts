/**
 * The invoice lifecycle: each transition happens from its states only, whatever else the
 * invoice holds, and throws InvoiceStateError from every other; what it changes is exactly
 * what the stages stored before the lifecycle had a home.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvoiceDeliveredError, InvoiceStateError } from '#domain/errors.ts';
import type { DeliveryStatus, Invoice, InvoiceStatus, PaymentStatus } from '#domain/invoice/invoice.ts';
import {
  canClaimInvoiceEmail,
  canRecordDocument,
  canReleaseInvoiceEmail,
  claimInvoiceEmail,
  closeNotIssued,
  creditFinalized,
  DELIVERY_STATUSES,
  finalizeDraft,
  recordDocument,
  recordEmail,
  recordMailProblem,
  releaseInvoiceEmail,
  takesPayments,
  voidFinalized,
  wasDelivered,
} from '#domain/invoice/lifecycle.ts';
import { invoiceSequence, numberIn } from '#domain/invoice/numbering.ts';
import { aDraftInvoice, anInvoice } from '#test-support/invoice-factory.ts';

const STATUSES: readonly InvoiceStatus[] = ['draft', 'finalized', 'void', 'not_issued'];
const PAYMENT_STATUSES: readonly PaymentStatus[] = ['unpaid', 'partially_paid', 'paid', 'overpaid', 'refunded', 'disputed', 'credited'];
const CLAIMED_AT = '2026-12-02T10:00:00.000Z';
const CLAIM_MS = Date.parse(CLAIMED_AT);
const DOCUMENT = {
  bucket: 'invoices',
  key: 'invoices/ACME/2026/ACME-2026-000001.pdf',
  sha256: 'ab',
  bytes: 1,
  renderedAt: '2026-12-01T03:00:00.000Z',
};

/** Any invoice state: status, delivery, payment, a claim of any age, with or without a document. */
const anyState = fc
  .record({
    status: fc.constantFrom(...STATUSES),
    deliveryStatus: fc.constantFrom(...DELIVERY_STATUSES),
    paymentStatus: fc.constantFrom(...PAYMENT_STATUSES),
    claimAgeMs: fc.option(fc.integer({ min: -600_000, max: 3_600_000 }), { nil: undefined }),
    rendered: fc.boolean(),
  })
  .map(({ status, deliveryStatus, paymentStatus, claimAgeMs, rendered }): Invoice => {
    const numbered = status === 'finalized' || status === 'void';
    return {
      ...anInvoice({ status, deliveryStatus, paymentStatus, document: rendered ? DOCUMENT : null }),
      number: numbered ? 'ACME-2026-000001' : null,
      paymentReference: numbered ? 'ACME-2026-000001' : null,
      ...(claimAgeMs === undefined ? {} : { sendingSince: new Date(CLAIM_MS - claimAgeMs).toISOString() }),
    };
  });

/** Runs `transition`; true when it went through, false when it refused with InvoiceStateError (anything else fails the test). */
function allowed(transition: () => Invoice): boolean {
  try {
    transition();
    return true;
  } catch (error) {
    if (error instanceof InvoiceStateError) return false;
    throw error;
  }
}

describe('the invoice lifecycle', () => {
  it('finalizes and closes without an invoice only drafts, voids only finalized invoices not yet delivered, credits only finalized ones', () => {
    const settled = { paymentStatus: 'unpaid' as const, amountDue: 1, creditedAmount: 1, overpayment: 0 };
    const credit = { number: 'ACME-CN-2026-000001', total: 1, appliedToInvoice: 1 };
    fc.assert(
      fc.property(anyState, (invoice) => {
        expect(allowed(() => finalizeDraft(invoice, 'ACME-2026-000007'))).toBe(invoice.status === 'draft');
        expect(allowed(() => closeNotIssued(invoice, 'the total for the period is zero'))).toBe(invoice.status === 'draft');
        const notDelivered = !['sending', 'sent', 'bounced'].includes(invoice.deliveryStatus) && invoice.emails.length === 0;
        expect(allowed(() => voidFinalized(invoice, 'duplicate', CLAIMED_AT))).toBe(invoice.status === 'finalized' && notDelivered);
        expect(allowed(() => creditFinalized(invoice, credit, settled, CLAIMED_AT))).toBe(invoice.status === 'finalized');
        expect(allowed(() => (takesPayments(invoice), invoice))).toBe(invoice.number !== null);
      }),
    );
  });

  it('claims the invoice email of a finalized invoice that is rendered, or sending under a claim older than the timeout', () => {
    fc.assert(
      fc.property(anyState, fc.integer({ min: 0, max: 1_800_000 }), (invoice, timeoutMs) => {
        const staleBefore = CLAIM_MS - timeoutMs;
        const stale = invoice.deliveryStatus === 'sending' && Date.parse(invoice.sendingSince ?? '') < staleBefore;
        const expected = invoice.status === 'finalized' && (invoice.deliveryStatus === 'rendered' || stale);
        expect(canClaimInvoiceEmail(invoice, staleBefore)).toBe(expected);
        expect(allowed(() => claimInvoiceEmail(invoice, CLAIMED_AT, staleBefore))).toBe(expected);
      }),
    );
  });

  it('releases the email only under the claim it was sent with, and records a document only once', () => {
    fc.assert(
      fc.property(anyState, fc.boolean(), (invoice, permanent) => {
        const claimedAt = invoice.sendingSince ?? CLAIMED_AT;
        const failure = { permanent, detail: 'refused', at: CLAIMED_AT };
        const ours = invoice.deliveryStatus === 'sending' && invoice.sendingSince === claimedAt;
        expect(canReleaseInvoiceEmail(invoice, claimedAt)).toBe(ours);
        expect(allowed(() => releaseInvoiceEmail(invoice, claimedAt, failure))).toBe(ours);
        expect(allowed(() => releaseInvoiceEmail(invoice, 'another claim', failure))).toBe(false);
        expect(canRecordDocument(invoice)).toBe(invoice.document === null);
        expect(allowed(() => recordDocument(invoice, DOCUMENT))).toBe(invoice.document === null);
      }),
    );
  });

  it('records an email sent and a bounce from any delivery state (the email is out; the bounce happened)', () => {
    fc.assert(
      fc.property(anyState, fc.constantFrom('invoice' as const, 'resend' as const), fc.boolean(), (invoice, kind, permanent) => {
        const email = { messageId: 'msg-1', sentAt: CLAIMED_AT, kind, to: 'ap@globex.example' };
        const sent = recordEmail(invoice, email);
        expect(sent.emails).toEqual([...invoice.emails, email]);
        expect(sent.deliveryStatus).toBe(kind === 'invoice' ? 'sent' : invoice.deliveryStatus);
        const problem = { kind: 'bounce' as const, detail: 'Permanent bounce', at: CLAIMED_AT };
        const bounced = recordMailProblem(invoice, problem, permanent);
        expect(bounced.deliveryStatus).toBe(permanent ? 'bounced' : invoice.deliveryStatus);
        expect(bounced.deliveryProblem).toEqual(problem);
      }),
    );
  });

  it('refuses to void a delivered invoice and names the credit note command instead', () => {
    const base = finalizeDraft(aDraftInvoice(), 'ACME-2027-000012');
    const email = { messageId: 'm-1', sentAt: CLAIMED_AT, kind: 'invoice' as const, to: 'billing@example.com' };
    for (const delivered of [
      { ...base, deliveryStatus: 'sent' as const, emails: [email] },
      { ...base, deliveryStatus: 'sending' as const, sendingSince: CLAIMED_AT },
      { ...base, deliveryStatus: 'bounced' as const, emails: [email] },
      // A resend recorded while the status says otherwise still means the customer has it.
      { ...base, deliveryStatus: 'rendered' as const, emails: [{ ...email, kind: 'resend' as const }] },
    ]) {
      expect(wasDelivered(delivered)).toBe(true);
      const refusal = (() => {
        try {
          voidFinalized(delivered, 'wrong customer', CLAIMED_AT);
        } catch (error) {
          return error;
        }
        throw new Error('voided a delivered invoice');
      })();
      expect(refusal).toBeInstanceOf(InvoiceDeliveredError);
      expect(refusal).toBeInstanceOf(InvoiceStateError);
      expect((refusal as Error).message).toContain('billflow invoices credit ACME-2027-000012');
    }
    for (const deliveryStatus of ['pending', 'rendered', 'failed'] as const) {
      const undelivered = { ...base, deliveryStatus };
      expect(wasDelivered(undelivered)).toBe(false);
      expect(voidFinalized(undelivered, 'wrong customer', CLAIMED_AT).status).toBe('void');
    }
  });

  it('keeps a credited invoice finalized and adds the credit note to its credits with the payment state given', () => {
    const finalized = finalizeDraft(aDraftInvoice(), 'ACME-2027-000012');
    const first = { number: 'ACME-CN-2027-000001', total: 500, appliedToInvoice: 500 };
    const second = { number: 'ACME-CN-2027-000002', total: 300, appliedToInvoice: 200 };
    const once = creditFinalized(
      finalized,
      first,
      { paymentStatus: 'unpaid', amountDue: finalized.total - 500, creditedAmount: 500, overpayment: 0 },
      CLAIMED_AT,
    );
    const twice = creditFinalized(once, second, { paymentStatus: 'paid', amountDue: 0, creditedAmount: 800, overpayment: 40 }, CLAIMED_AT);
    expect(once).toEqual({
      ...finalized,
      credits: [first],
      creditedAmount: 500,
      amountDue: finalized.total - 500,
      paymentStatus: 'unpaid',
      customerCredit: 0,
      updatedAt: CLAIMED_AT,
    });
    expect(twice).toMatchObject({
      status: 'finalized',
      credits: [first, second],
      creditedAmount: 800,
      amountDue: 0,
      paymentStatus: 'paid',
      customerCredit: 40,
    });
    const voided = { ...finalized, status: 'void' as const };
    expect(() =>
      creditFinalized(voided, first, { paymentStatus: 'unpaid', amountDue: 0, creditedAmount: 500, overpayment: 0 }, CLAIMED_AT),
    ).toThrow('invoice ACME-2027-000012 is void; only a finalized invoice can be credited');
  });

  it('moves the statuses as the stages did: numbered at finalization, unnumbered when not issued, dated when voided', () => {
    const draft = aDraftInvoice();
    const sequence = invoiceSequence('ACME', '2027-01-01');

    const finalized = finalizeDraft(draft, numberIn(sequence, 12));
    const notIssued = closeNotIssued(draft, 'the total for the period is zero');
    const voided = voidFinalized(finalized, 'issued to the wrong legal entity', CLAIMED_AT);

    expect(finalized).toEqual({ ...draft, status: 'finalized', number: 'ACME-2027-000012', paymentReference: 'ACME-2027-000012' });
    expect(notIssued).toEqual({
      ...draft,
      status: 'not_issued',
      number: null,
      paymentReference: null,
      notIssuedReason: 'the total for the period is zero',
    });
    expect(voided).toEqual({
      ...finalized,
      status: 'void',
      voidReason: 'issued to the wrong legal entity',
      voidedAt: CLAIMED_AT,
      updatedAt: CLAIMED_AT,
    });
    expect(() => voidFinalized(voided, 'twice', CLAIMED_AT)).toThrow(
      'invoice ACME-2027-000012 is void; only a finalized invoice can be voided',
    );
  });

  it('walks a delivery through render, claim, a transient failure, a retry and the sent email', () => {
    const issued: Invoice = { ...anInvoice({ status: 'finalized', deliveryStatus: 'pending', document: null }), emails: [] };
    const statuses: DeliveryStatus[] = [];

    const rendered = recordDocument(issued, DOCUMENT);
    const claimed = claimInvoiceEmail(rendered, CLAIMED_AT, CLAIM_MS - 300_000);
    const released = releaseInvoiceEmail(claimed, CLAIMED_AT, { permanent: false, detail: 'throttled', at: CLAIMED_AT });
    const reclaimed = claimInvoiceEmail(released, '2026-12-02T10:01:00.000Z', CLAIM_MS - 300_000);
    const sent = recordEmail(reclaimed, {
      messageId: 'msg-1',
      sentAt: '2026-12-02T10:01:01.000Z',
      kind: 'invoice',
      to: 'ap@globex.example',
    });
    for (const step of [issued, rendered, claimed, released, reclaimed, sent]) statuses.push(step.deliveryStatus);

    expect(statuses).toEqual(['pending', 'rendered', 'sending', 'rendered', 'sending', 'sent']);
    expect(released.deliveryProblem).toEqual({ kind: 'send_failure', detail: 'throttled', at: CLAIMED_AT });
    expect(sent.sendingSince).toBeUndefined();
    expect(() => claimInvoiceEmail(sent, CLAIMED_AT, CLAIM_MS)).toThrow(InvoiceStateError);
  });
});
