/**
 * A credit note from the operator's command to the customer's inbox on the local services
 * (issue 16): `billflow invoices credit` issues it and hands it to render-invoice, whose real
 * handler module renders the PDF (Factur-X type 381 inside) once to
 * credit-notes/{prefix}/{YYYY}/{number}.pdf and hands it to send-invoice, which emails it once
 * with the PDF attached; retried messages repeat nothing, a bounce is recorded on the credit
 * note, `credit-notes pdf` and `credit-notes resend` work on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { queues, tables } from '#infra/resources.ts';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import type { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { describeFindings, validateEInvoice } from '#adapters/einvoice-validation/validate-einvoice.ts';
import { formatAmount } from '#adapters/pdf/format.ts';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { checkFacturXPdf } from '#test-support/einvoice/check-facturx-pdf.mjs';
import { startCliPipeline, type CliPipeline } from '#test-support/cli-pipeline.ts';
import { drainDelivery, emailsTo, prepareDelivery } from '#test-support/delivery-harness.ts';
import { waitForDrained } from '#test-support/ingest-harness.ts';
import { proCustomer } from '#test-support/invoicing-catalog.ts';
import { runScheduledInvoiceRun } from '#test-support/local-functions.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';

const tag = randomUUID().slice(0, 8);
const EMAIL = `cus_cn.${tag}@customer.example`;
let pipeline: CliPipeline;
let invoices: DynamoDbInvoiceRepository;
let creditNotes: DynamoDbCreditNoteStore;
let invoice: Invoice;

async function json<T>(...args: string[]): Promise<T> {
  const result = await pipeline.billflow(...args, '--json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function creditNoteEmails() {
  return (await emailsTo(pipeline.stack, EMAIL)).filter((email) => email.subject.startsWith('Credit note'));
}

beforeAll(async () => {
  ensurePoppler();
  pipeline = await startCliPipeline('credit-note-delivery');
  ({ invoices } = await prepareDelivery(pipeline.stack, [proCustomer('cus_cn', { email: EMAIL })]));
  creditNotes = new DynamoDbCreditNoteStore(pipeline.stack.clients.dynamodb, pipeline.stack.env[tables.billing.envVar]!);
  await runScheduledInvoiceRun('2026-11-01T02:00:00Z');
  await drainDelivery(pipeline.stack);
  const [closed] = await invoices.list({ customerId: 'cus_cn', billingPeriod: '2026-10' });
  if (closed?.number == null) throw new Error('the October invoice of cus_cn was not finalized');
  invoice = closed;
}, 300_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('credit note delivery', () => {
  it('renders the PDF once, emails it once with the PDF attached, whatever is delivered twice; the embedded CII is a valid 381', async () => {
    // Prepare: the invoice was emailed (so it can only be credited, not voided).
    expect(invoice).toMatchObject({ status: 'finalized', deliveryStatus: 'sent' });
    const line = invoice.lines.findIndex((candidate) => candidate.netAmount >= 1250) + 1;

    // Act: a partial credit by the operator's command, then both delivery messages again.
    const issued = await json<{ creditNote: { number: string; total: number } }>(
      'invoices',
      'credit',
      invoice.number!,
      '--reason',
      'Service outage on 12 October',
      '--line',
      String(line),
      '--amount',
      '12.50',
      '--as-of',
      '2026-11-05T10:00:00Z',
    );
    const number = issued.creditNote.number;
    await drainDelivery(pipeline.stack);
    // Delivered on the command's own hand-over, before anything is delivered twice.
    const first = (await creditNotes.findDelivered(number))!.delivery;
    const { sqs } = pipeline.stack.clients;
    for (const queue of [queues.invoiceDocuments, queues.invoiceEmails]) {
      const body = JSON.stringify({ number, document: 'credit_note' });
      await sqs.send(new SendMessageCommand({ QueueUrl: pipeline.stack.env[queue.envVar]!, MessageBody: body }));
    }
    await drainDelivery(pipeline.stack);

    // Assess: stored once, at its key, with its SHA-256.
    expect(number).toBe('ACME-CN-2026-000001');
    const delivered = (await creditNotes.findDelivered(number))!;
    expect(delivered.delivery).toMatchObject({ deliveryStatus: 'sent', document: { key: `credit-notes/ACME/2026/${number}.pdf` } });
    expect(delivered.delivery.emails).toHaveLength(1);
    expect(first).toMatchObject({ deliveryStatus: 'sent', document: delivered.delivery.document, emails: delivered.delivery.emails });
    const stored = await new S3DocumentStore(pipeline.stack.clients.s3, pipeline.stack.invoicesBucket).get(
      delivered.delivery.document!.key,
    );
    expect(createHash('sha256').update(stored).digest('hex')).toBe(delivered.delivery.document!.sha256);

    // Exactly one email to the customer, the stored PDF attached byte for byte.
    const emails = await creditNoteEmails();
    expect(emails).toHaveLength(1);
    expect(emails[0]!.subject).toBe(`Credit note ${number} for invoice ${invoice.number} from Acme Cloud GmbH`);
    expect(emails[0]!.body.text).toContain(`corrects invoice ${invoice.number}`);
    expect(emails[0]!.attachments.map((attachment) => attachment.filename)).toEqual([`${number}.pdf`]);
    expect(Buffer.from(emails[0]!.attachments[0]!.content, 'base64').equals(stored)).toBe(true);

    // The PDF says what it is; the Factur-X inside is a credit note for the invoice, and valid.
    const text = pdfToText(stored).replace(/\s+/g, ' ');
    expect(text).toContain('Credit note');
    expect(text).toContain(number);
    expect(text).toContain(`Corrects invoice ${invoice.number}`);
    expect(text).toContain(formatAmount(issued.creditNote.total, 'EUR'));
    const check = await checkFacturXPdf(stored);
    expect(check.errors).toEqual([]);
    expect(check.xml).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(check.xml).toContain(`<ram:IssuerAssignedID>${invoice.number}</ram:IssuerAssignedID>`);
    const report = await validateEInvoice(check.xml ?? '');
    expect(report.errors, describeFindings(report.errors)).toEqual([]);
  }, 180_000);

  it('writes the stored PDF with credit-notes pdf, resends on purpose, and records a bounce on the credit note', async () => {
    // Act
    const file = join(pipeline.workDir, 'credit-note.pdf');
    const written = await json<{ key: string; sha256: string; bytes: number }>('credit-notes', 'pdf', 'ACME-CN-2026-000001', '--out', file);
    const resent = await json<{ action: string }>('credit-notes', 'resend', 'ACME-CN-2026-000001');
    const unknown = await pipeline.billflow('credit-notes', 'pdf', 'ACME-CN-2026-999999', '--out', file);
    const { emails } = (await creditNotes.findDelivered('ACME-CN-2026-000001'))!.delivery;
    const mailEvents = pipeline.stack.env[queues.invoiceMailEvents.envVar]!;
    const bounce = {
      eventType: 'Bounce',
      mail: { messageId: emails[0]!.messageId },
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: EMAIL, diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
    };
    const notification = JSON.stringify({ Type: 'Notification', MessageId: randomUUID(), Message: JSON.stringify(bounce) });
    await pipeline.stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: mailEvents, MessageBody: notification }));
    await waitForDrained(pipeline.stack.clients.sqs, mailEvents, 30_000);

    const shown = await json<{ number: string; deliveryStatus: string; document: { key: string } }>(
      'credit-notes',
      'show',
      'ACME-CN-2026-000001',
    );

    // Assess
    const delivered = (await creditNotes.findDelivered('ACME-CN-2026-000001'))!;
    expect(shown).toMatchObject({
      number: 'ACME-CN-2026-000001',
      deliveryStatus: 'bounced',
      document: { key: delivered.delivery.document!.key },
    });
    expect(written).toMatchObject({ key: delivered.delivery.document!.key, sha256: delivered.delivery.document!.sha256 });
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(written.sha256);
    expect(resent.action).toBe('resent');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no credit note ACME-CN-2026-999999');
    expect(await creditNoteEmails()).toHaveLength(2);
    expect(delivered.delivery.emails.map((email) => email.kind)).toEqual(['invoice', 'resend']);
    expect(delivered.delivery).toMatchObject({ deliveryStatus: 'bounced', deliveryProblem: { kind: 'bounce' } });
    expect(delivered.delivery.deliveryProblem!.detail).toContain('550 5.1.1');
    // The invoice's own delivery is untouched by its credit note's bounce.
    expect((await invoices.findByNumber(invoice.number!))!.deliveryStatus).toBe('sent');
  }, 120_000);
});
