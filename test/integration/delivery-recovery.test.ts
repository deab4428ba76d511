/**
 * Stuck deliveries recovered, on the local services through the real handler modules: a
 * sender that died between its claim and the send (its message gone, as with the local
 * emulator at a crash), and an email request lost before anyone claimed it. The invoice
 * run's sweep finds them in the open-deliveries index once their step is older than the claim
 * timeout, hands them to render-invoice again, and each invoice ends with exactly one email.
 * A credit note whose render request was lost (the operator's `invoices credit` stopped between
 * issuing it and handing it on) is found and delivered the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { SqsHandler } from '#infra/local/queue-poller.ts';
import type { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { noBusinessMetrics } from '#ports/business-metrics.ts';
import type { InvoiceNumberMessage } from '#messages/invoice-number.ts';
import { issueCreditNote } from '#use-cases/issue-credit-note.ts';
import { queues, tables } from '#infra/resources.ts';
import { sendBodies } from '#adapters/sqs/send-bodies.ts';
import { DELIVERY_CLAIM_TIMEOUT_MS, recoverStuckDeliveries } from '#use-cases/recover-deliveries.ts';
import { proCustomer } from '#test-support/invoicing-catalog.ts';
import { createTestStack, type TestStack } from '#test-support/local-stack.ts';
import { runScheduledInvoiceRun, startTestWorkers } from '#test-support/local-functions.ts';
import { drainDelivery, emailsTo, prepareDelivery } from '#test-support/delivery-harness.ts';

const tag = randomUUID().slice(0, 8);
let stack: TestStack;
let workers: { stop(): Promise<void> };
let invoices: DynamoDbInvoiceRepository;
let creditNotes: DynamoDbCreditNoteStore;
let realSend: SqsHandler;
/** Until the crash is over, send-invoice "dies": it claims (cus_claimed) or drops (cus_dropped) each message. */
let crashing = true;

beforeAll(async () => {
  stack = await createTestStack({ visibilityTimeoutSeconds: 3 });
  const customers = ['cus_claimed', 'cus_dropped'].map((id) => proCustomer(id, { email: `${id}.${tag}@customer.example` }));
  ({ invoices, realSend } = await prepareDelivery(stack, customers));
  creditNotes = new DynamoDbCreditNoteStore(stack.clients.dynamodb, stack.env[tables.billing.envVar]!);
  workers = await startTestWorkers(stack, 'recovery-test', {
    handlers: {
      sendInvoice: async (event, context) => {
        if (!crashing) return realSend(event, context);
        for (const record of event.Records) {
          const { number } = JSON.parse(record.body) as { number: string };
          const invoice = (await invoices.findByNumber(number))!;
          // A claim made 6 minutes ago by a sender that then died before sending.
          const claimedAt = new Date(Date.now() - DELIVERY_CLAIM_TIMEOUT_MS - 60_000).toISOString();
          if (invoice.customerId === 'cus_claimed') {
            await invoices.update(number, (current) => ({ ...current, deliveryStatus: 'sending', sendingSince: claimedAt }));
          }
        }
        // Returning without failures deletes the messages: they are lost, as in the crash.
        return { batchItemFailures: [] };
      },
    },
  });
});

afterAll(async () => {
  await workers?.stop();
});

describe('stuck deliveries', () => {
  it('are picked up by the next invoice run once older than the claim timeout, with one email per invoice', async () => {
    // Prepare: close October; both invoices are rendered, then their sending is lost.
    const first = await runScheduledInvoiceRun('2026-11-01T02:00:00Z');
    expect(first.deliveries.requeued).toEqual([]);
    await drainDelivery(stack);
    const stuck = await invoices.list({ billingPeriod: '2026-10' });
    const claimed = stuck.find((invoice) => invoice.customerId === 'cus_claimed')!;
    const dropped = stuck.find((invoice) => invoice.customerId === 'cus_dropped')!;
    expect(claimed).toMatchObject({ status: 'finalized', deliveryStatus: 'sending', emails: [] });
    expect(dropped).toMatchObject({ status: 'finalized', deliveryStatus: 'rendered', emails: [] });

    // Assess the index: the stale claim is stuck now; the dropped request only once its step is as old.
    const now = new Date().toISOString();
    expect(await invoices.listStuckDeliveries(new Date(Date.now() - DELIVERY_CLAIM_TIMEOUT_MS).toISOString())).toEqual([claimed.number]);
    expect((await invoices.listStuckDeliveries(now)).sort()).toEqual([claimed.number, dropped.number].sort());

    // Act: the next hourly run (real clock) recovers the stale claim.
    crashing = false;
    const second = await runScheduledInvoiceRun('2026-11-01T03:00:00Z');
    expect(second.deliveries).toMatchObject({ requeued: [claimed.number], failed: [] });
    await drainDelivery(stack);
    // A run 6 minutes later (clock injected into the sweep) recovers the dropped request too.
    const later = await sweepAt(Date.now() + DELIVERY_CLAIM_TIMEOUT_MS + 60_000);
    expect(later.requeued).toEqual([dropped.number]);
    await drainDelivery(stack);

    // Assess: one email each, recorded; nothing left open, so a further run requeues nothing.
    for (const invoice of [claimed, dropped]) {
      const after = (await invoices.findByNumber(invoice.number!))!;
      expect(after).toMatchObject({ deliveryStatus: 'sent' });
      expect(after.emails.map((email) => email.kind)).toEqual(['invoice']);
      expect(await emailsTo(stack, invoice.buyer.email)).toHaveLength(1);
    }
    expect(await invoices.listStuckDeliveries(new Date(Date.now() + 3_600_000).toISOString())).toEqual([]);
    const third = await runScheduledInvoiceRun('2026-11-01T04:00:00Z');
    expect(third.deliveries.requeued).toEqual([]);
  });

  it('include a credit note whose render request was lost: found after the claim timeout, delivered once', async () => {
    // Prepare: the operator credits cus_dropped's October invoice, dated in the past (--as-of),
    // and the command stops before it hands the note to render-invoice.
    const invoice = (await invoices.list({ billingPeriod: '2026-10' })).find((stored) => stored.customerId === 'cus_dropped')!;
    const { creditNote } = await issueCreditNote(
      invoice.number!,
      { reason: 'service outage', settlement: 'balance', credit: [{ line: 1, amount: '5.00' }] },
      {
        creditNotes,
        metrics: noBusinessMetrics,
        now: () => Date.parse('2026-11-03T09:00:00Z'),
        outbound: { publish: async () => undefined },
      },
    );

    // Act: a sweep now leaves it alone (its step began a moment ago, whatever its date); one
    // after the claim timeout hands it on, as a credit note.
    const early = await sweepAt(Date.now());
    const late = await sweepAt(Date.now() + DELIVERY_CLAIM_TIMEOUT_MS + 60_000);
    await drainDelivery(stack);

    // Assess: rendered and emailed once; nothing open any more.
    expect(early.requeued).toEqual([]);
    expect(late.requeued).toEqual([creditNote.number]);
    expect((await creditNotes.findDelivered(creditNote.number))!.delivery).toMatchObject({ deliveryStatus: 'sent' });
    expect((await creditNotes.findDelivered(creditNote.number))!.delivery.emails).toHaveLength(1);
    expect(await creditNotes.listStuckDeliveries(new Date(Date.now() + 3_600_000).toISOString())).toEqual([]);
    expect((await sweepAt(Date.now() + 3_600_000)).requeued).toEqual([]);
  });
});

/** The invoice run's delivery sweep with its clock at `now` (epoch ms), on this stack's queue. */
function sweepAt(now: number) {
  return recoverStuckDeliveries({
    invoices,
    creditNotes,
    requestDocuments: async (requests: readonly InvoiceNumberMessage[]) => ({
      failed: (
        await sendBodies(
          stack.clients.sqs,
          stack.env[queues.invoiceDocuments.envVar]!,
          requests.map((request) => JSON.stringify(request)),
        )
      ).failed.map((f) => requests[f.index]!.number),
    }),
    now: () => now,
  });
}
