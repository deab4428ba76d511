/**
 * The credit note's delivery steps (render-credit-note, send-credit-note) with in-memory ports:
 * what is recorded, the one email a retry does not repeat, and what a failed send leaves.
 */
import { describe, expect, it } from 'vitest';
import { assembleCreditNote } from '#domain/credit-notes/assemble.ts';
import { pendingDelivery, type CreditNoteDelivery, type DeliveredCreditNote } from '#domain/credit-notes/delivery.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { CreditNoteDeliveries } from '#ports/credit-note-store.ts';
import type { DocumentStore } from '#ports/document-store.ts';
import { PermanentSendError, type Mailer, type OutgoingEmail } from '#ports/mailer.ts';
import { renderCreditNote } from '#use-cases/render-credit-note.ts';
import { sendCreditNote } from '#use-cases/send-credit-note.ts';
import { GERMAN_VAT, anInvoice } from '#test-support/invoice-factory.ts';

const NOW = Date.parse('2026-12-10T09:00:00Z');

class InMemoryDeliveries implements CreditNoteDeliveries {
  constructor(public stored: DeliveredCreditNote) {}
  findDelivered(number: string) {
    return Promise.resolve(number === this.stored.creditNote.number ? this.stored : undefined);
  }
  updateDelivery(number: string, change: (current: DeliveredCreditNote) => CreditNoteDelivery | undefined) {
    if (number !== this.stored.creditNote.number) throw new Error(`no credit note ${number}`);
    const next = change(this.stored);
    if (next === undefined) return Promise.resolve({ delivered: this.stored, changed: false });
    this.stored = { ...this.stored, delivery: next };
    return Promise.resolve({ delivered: this.stored, changed: true });
  }
}

function documents(): DocumentStore & { objects: Map<string, Buffer> } {
  const objects = new Map<string, Buffer>();
  return {
    bucket: 'invoices-bucket',
    objects,
    putOnce(key, body) {
      const created = !objects.has(key);
      if (created) objects.set(key, body);
      return Promise.resolve({ sha256: `sha-of-${objects.get(key)!.toString()}`, bytes: objects.get(key)!.length, created });
    },
    get: (key) => Promise.resolve(objects.get(key)!),
  };
}

function fixture(invoiceOverrides: Partial<Invoice> = {}) {
  const invoice = anInvoice({ tax: GERMAN_VAT, legends: [], ...invoiceOverrides });
  const draft = assembleCreditNote({
    invoice,
    creditNotes: [],
    request: { reason: 'goodwill', settlement: 'balance', credit: 'all' },
    issueDate: '2026-12-10',
  });
  const creditNote = { ...draft, number: 'ACME-CN-2026-000001' };
  const deliveries = new InMemoryDeliveries({ creditNote, delivery: pendingDelivery('2026-12-10T08:00:00.000Z') });
  const store = documents();
  const requested: string[] = [];
  const renderDeps = {
    creditNotes: deliveries,
    invoices: { findByNumber: (number: string) => Promise.resolve(number === invoice.number ? invoice : undefined) },
    documents: store,
    render: () => Promise.resolve(Buffer.from('%PDF credit note')),
    requestEmail: (number: string) => {
      requested.push(number);
      return Promise.resolve();
    },
    now: () => NOW,
  };
  return { invoice, creditNote, deliveries, store, requested, renderDeps };
}

/** What sendCreditNote is given for a fixture's credit note, emails not linked anywhere. */
function sendDeps(
  { deliveries, store, renderDeps }: Pick<ReturnType<typeof fixture>, 'deliveries' | 'store' | 'renderDeps'>,
  mail: Mailer,
) {
  const linkEmail = () => Promise.resolve();
  return {
    creditNotes: deliveries,
    emailLinks: { linkEmail },
    invoices: renderDeps.invoices,
    documents: store,
    mailer: mail,
    now: () => NOW,
    claimTimeoutMs: 300_000,
  };
}

function mailer(behaviour: (email: OutgoingEmail) => string): Mailer & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  return {
    sent,
    send: (email) => {
      const id = behaviour(email);
      sent.push(email);
      return Promise.resolve(id);
    },
  };
}

describe('render-credit-note', () => {
  it('stores the PDF once at credit-notes/{prefix}/{YYYY}/{number}.pdf, records it, asks for the email; a retry stores and records nothing more', async () => {
    const { deliveries, store, requested, renderDeps } = fixture();

    const first = await renderCreditNote('ACME-CN-2026-000001', renderDeps);
    const again = await renderCreditNote('ACME-CN-2026-000001', renderDeps);

    expect(first.action).toBe('rendered');
    expect(again.action).toBe('already_rendered');
    expect([...store.objects.keys()]).toEqual(['credit-notes/ACME/2026/ACME-CN-2026-000001.pdf']);
    expect(deliveries.stored.delivery).toMatchObject({
      deliveryStatus: 'rendered',
      document: {
        key: 'credit-notes/ACME/2026/ACME-CN-2026-000001.pdf',
        sha256: 'sha-of-%PDF credit note',
        renderedAt: '2026-12-10T09:00:00.000Z',
      },
    });
    // The email is asked for again while it is not sent (the claim decides there is one).
    expect(requested).toEqual(['ACME-CN-2026-000001', 'ACME-CN-2026-000001']);
  });

  it('writes the customer XML beside the PDF for an XML format: a UBL CreditNote for Peppol', async () => {
    const peppol = {
      format: 'peppol' as const,
      options: {
        buyerReference: 'PO-4711',
        sellerContact: { name: 'Accounts receivable', telephone: '+49 30 1234567' },
        sellerEndpoint: { scheme: '0088', id: '4035811991021' },
        buyerEndpoint: { scheme: '0088', id: '5790000435968' },
      },
    };
    const { deliveries, store, renderDeps } = fixture({ einvoice: peppol });

    await renderCreditNote('ACME-CN-2026-000001', renderDeps);

    const key = 'credit-notes/ACME/2026/ACME-CN-2026-000001.xml';
    expect(store.objects.get(key)!.toString()).toContain('<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>');
    expect(deliveries.stored.delivery.einvoiceDocument).toMatchObject({ key, format: 'peppol' });
  });
});

describe('send-credit-note', () => {
  it('sends one email with the stored PDF, subject naming the credit note and the invoice; a retry sends nothing', async () => {
    const { invoice, deliveries, store, renderDeps } = fixture();
    await renderCreditNote('ACME-CN-2026-000001', renderDeps);
    const mail = mailer(() => 'ses-1');
    const links: string[] = [];
    const deps = {
      creditNotes: deliveries,
      emailLinks: {
        linkEmail: (id: string, number: string) => {
          links.push(`${id}->${number}`);
          return Promise.resolve();
        },
      },
      invoices: renderDeps.invoices,
      documents: store,
      mailer: mail,
      now: () => NOW,
      claimTimeoutMs: 300_000,
    };

    const sent = await sendCreditNote('ACME-CN-2026-000001', 'invoice', deps);
    const retried = await sendCreditNote('ACME-CN-2026-000001', 'invoice', deps);

    expect(sent.action).toBe('sent');
    expect(retried.action).toBe('skipped');
    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]).toMatchObject({
      to: invoice.buyer.email,
      subject: `Credit note ACME-CN-2026-000001 for invoice ${invoice.number} from ${invoice.seller.name}`,
      attachment: { filename: 'ACME-CN-2026-000001.pdf', contentType: 'application/pdf' },
    });
    expect(mail.sent[0]!.attachment.content.toString()).toBe('%PDF credit note');
    expect(deliveries.stored.delivery).toMatchObject({ deliveryStatus: 'sent', emails: [{ messageId: 'ses-1', kind: 'invoice' }] });
    expect(links).toEqual(['ses-1->ACME-CN-2026-000001', 'ses-1->ACME-CN-2026-000001']);
  });

  it('releases the claim on a transient failure (retried) and records a permanent refusal as failed', async () => {
    const { deliveries, store, renderDeps } = fixture();
    await renderCreditNote('ACME-CN-2026-000001', renderDeps);
    let attempt = 0;
    const mail = mailer(() => {
      attempt += 1;
      if (attempt === 1) throw new Error('throttled');
      throw new PermanentSendError('address rejected');
    });
    const deps = sendDeps({ deliveries, store, renderDeps }, mail);

    await expect(sendCreditNote('ACME-CN-2026-000001', 'invoice', deps)).rejects.toThrow('throttled');
    const afterTransient = deliveries.stored.delivery;
    const permanent = await sendCreditNote('ACME-CN-2026-000001', 'invoice', deps);

    expect(afterTransient).toMatchObject({ deliveryStatus: 'rendered', deliveryProblem: { kind: 'send_failure', detail: 'throttled' } });
    expect(permanent.action).toBe('failed');
    expect(deliveries.stored.delivery).toMatchObject({ deliveryStatus: 'failed', deliveryProblem: { detail: 'address rejected' } });
  });

  it('writes the email in the language of the invoice it corrects, as its PDF is: a resend to a Spanish customer', async () => {
    const { deliveries, store, renderDeps } = fixture({ language: 'es' });
    await renderCreditNote('ACME-CN-2026-000001', renderDeps);
    const mail = mailer(() => 'ses-es');
    const deps = sendDeps({ deliveries, store, renderDeps }, mail);

    const resent = await sendCreditNote('ACME-CN-2026-000001', 'resend', deps);

    expect(resent.action).toBe('resent');
    expect(mail.sent[0]!.subject).toMatch(/^Factura rectificativa ACME-CN-2026-000001 de la factura ACME-2026-\d{6} de /);
    expect(mail.sent[0]!.text).toContain('Según lo solicitado, le enviamos de nuevo la factura rectificativa ACME-CN-2026-000001.');
  });
});
