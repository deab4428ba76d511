/**
 * From finalization to the customer's inbox on the local services, through the real handler
 * modules (close-billing-period -> render-invoice -> send-invoice) behind the local pollers:
 * the PDF at its key in S3, exactly one email per invoice in the SES emulator's store with the
 * stored PDF attached byte for byte, whatever fails or is delivered twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { queues } from '#infra/resources.ts';
import type { SqsHandler } from '#infra/local/queue-poller.ts';
import type { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import { sendInvoice } from '#use-cases/send-invoice.ts';
import { frenchProCustomer, proCustomer } from '#test-support/invoicing-catalog.ts';
import { createTestStack, type TestStack } from '#test-support/local-stack.ts';
import { runScheduledInvoiceRun, startTestWorkers } from '#test-support/local-functions.ts';
import { drainDelivery, emailsTo, prepareDelivery } from '#test-support/delivery-harness.ts';
import { waitForDrained } from '#test-support/ingest-harness.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';
import { formatAmount, formatDate } from '#adapters/pdf/format.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const tag = randomUUID().slice(0, 8);
let stack: TestStack;
let workers: { stop(): Promise<void> };
let invoices: DynamoDbInvoiceRepository;
let realSend: SqsHandler;
let sendInvocations = 0;

beforeAll(async () => {
  ensurePoppler();
  stack = await createTestStack({ visibilityTimeoutSeconds: 3 });
  const customers = [
    proCustomer('cus_de', { email: `cus_de.${tag}@customer.example` }),
    frenchProCustomer('cus_fr', { email: `cus_fr.${tag}@customer.example` }),
  ];
  ({ invoices, realSend } = await prepareDelivery(stack, customers));
  workers = await startTestWorkers(stack, 'delivery-test', {
    handlers: {
      // The first send invocation dies before sending (a crash between rendering and sending);
      // the second sends and then dies (its message comes back: a redelivery of a sent email).
      sendInvoice: async (event, context) => {
        sendInvocations += 1;
        if (sendInvocations === 1) throw new Error('injected: crash before sending');
        const response = await realSend(event, context);
        if (sendInvocations === 2) throw new Error('injected: crash after sending');
        return response;
      },
    },
    // The injected crashes are expected; anything else is shown.
    onError: (functionId, error) => {
      if (!String(error).includes('injected')) console.error(functionId, error);
    },
  });
});

afterAll(async () => {
  await workers?.stop();
});

describe('invoice delivery', () => {
  it('stores each finalized invoice once as a PDF and emails it exactly once, through crashes and redeliveries', async () => {
    // Act: close October for both customers, as the hourly run would on 1 November at 02:00.
    // Act: close October through the scheduled start-invoice-run handler, as EventBridge Scheduler
    // invokes it on 1 November at 02:00.
    const started = await runScheduledInvoiceRun('2026-11-01T02:00:00Z');
    expect(started).toMatchObject({ period: '2026-10', jobs: 2, failed: 0 });
    await drainDelivery(stack);
    // A duplicate hand-over of an already sent invoice changes nothing either.
    await stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.env[queues.invoiceEmails.envVar]!,
        MessageBody: JSON.stringify({ number: 'ACME-2026-000001' }),
      }),
    );
    await drainDelivery(stack);

    // Assess
    const closed = await invoices.list({ billingPeriod: '2026-10' });
    expect(closed).toHaveLength(2);
    expect(sendInvocations).toBeGreaterThanOrEqual(3);
    for (const invoice of closed) {
      expect(invoice).toMatchObject({ status: 'finalized', deliveryStatus: 'sent' });
      expect(invoice.emails).toHaveLength(1);
      const key = `invoices/ACME/2026/${invoice.number}.pdf`;
      expect(invoice.document).toMatchObject({ key, bucket: stack.invoicesBucket });
      const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.invoicesBucket, Key: key }));
      const stored = Buffer.from(await object.Body!.transformToByteArray());
      expect(stored.length).toBe(invoice.document!.bytes);

      const emails = await emailsTo(stack, invoice.buyer.email);
      expect(emails).toHaveLength(1);
      const [email] = emails;
      expect(email!.subject).toBe(`Invoice ${invoice.number} from Acme Cloud GmbH`);
      expect(email!.from).toContain('billing@acme.example');
      expect(email!.body.text).toContain(`due by ${invoice.dueDate}`);
      expect(email!.body.html).toContain('Amount due');
      expect(email!.attachments).toHaveLength(1);
      expect(email!.attachments[0]!.filename).toBe(`${invoice.number}.pdf`);
      expect(Buffer.from(email!.attachments[0]!.content, 'base64').equals(stored)).toBe(true);

      const text = pdfToText(stored);
      expect(text).toContain(invoice.number!);
      expect(text).toContain(formatAmount(invoice.total, invoice.currency));
      expect(text).toContain(formatDate(invoice.dueDate!));
      expect(text).toContain('DE123456789');
      expect(text).toContain(invoice.buyer.vatId!);
    }
    const reverseCharged = closed.find((invoice) => invoice.customerId === 'cus_fr')!;
    expect(
      pdfToText(await new S3DocumentStore(stack.clients.s3, stack.invoicesBucket).get(reverseCharged.document!.key)).replace(/\s+/g, ' '),
    ).toContain('Reverse charge - VAT to be accounted for by the recipient');
  });

  it('records a permanent bounce as bounced and a complaint as a delivery problem, from SES events via SNS', async () => {
    // Prepare: SES configuration-set events as SNS delivers them to the mail events queue.
    const byCustomer = Object.fromEntries(
      (await invoices.list({ billingPeriod: '2026-10' })).map((invoice) => [invoice.customerId, invoice]),
    );
    const notification = (event: object) =>
      JSON.stringify({ Type: 'Notification', MessageId: randomUUID(), Message: JSON.stringify(event) });
    const bounce = {
      eventType: 'Bounce',
      mail: { messageId: byCustomer.cus_de!.emails[0]!.messageId, timestamp: '2026-11-01T02:01:00Z' },
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: byCustomer.cus_de!.buyer.email, diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      },
    };
    const complaint = {
      eventType: 'Complaint',
      mail: { messageId: byCustomer.cus_fr!.emails[0]!.messageId },
      complaint: { complaintFeedbackType: 'abuse' },
    };
    const delivered = { eventType: 'Delivery', mail: { messageId: byCustomer.cus_fr!.emails[0]!.messageId } };

    // Act
    const mailEvents = stack.env[queues.invoiceMailEvents.envVar]!;
    for (const event of [bounce, complaint, delivered]) {
      await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: mailEvents, MessageBody: notification(event) }));
    }
    await waitForDrained(stack.clients.sqs, mailEvents, 30_000);

    // Assess
    const bounced = await invoices.findByNumber(byCustomer.cus_de!.number!);
    expect(bounced).toMatchObject({ deliveryStatus: 'bounced', deliveryProblem: { kind: 'bounce' } });
    expect(bounced!.deliveryProblem!.detail).toContain('550 5.1.1 user unknown');
    const complained = await invoices.findByNumber(byCustomer.cus_fr!.number!);
    expect(complained).toMatchObject({ deliveryStatus: 'sent', deliveryProblem: { kind: 'complaint', detail: 'complaint (abuse)' } });
  });

  it('resends on purpose: a second email, recorded as a resend', async () => {
    // Prepare
    const [invoice] = await invoices.list({ customerId: 'cus_de' });

    // Act
    const outcome = await sendInvoice(invoice!.number!, 'resend', {
      outbound: noOutboundEvents,
      invoices,
      documents: new S3DocumentStore(stack.clients.s3, stack.invoicesBucket),
      mailer: new SesMailer(stack.clients.ses),
      now: Date.now,
      claimTimeoutMs: 60_000,
    });

    // Assess
    expect(outcome.action).toBe('resent');
    expect(await emailsTo(stack, invoice!.buyer.email)).toHaveLength(2);
    const after = await invoices.findByNumber(invoice!.number!);
    expect(after!.emails.map((email) => email.kind)).toEqual(['invoice', 'resend']);
    expect(after!.deliveryStatus).toBe('bounced');
  });
});
