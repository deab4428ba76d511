/**
 * A customer with an XRechnung format (catalog `einvoice`) on the local services, through the
 * real handler modules: the invoice's XRechnung CII XML is stored once beside its PDF with its
 * SHA-256 on the invoice, the email carries the PDF and the XML, and `billflow invoices
 * validate` passes the stored XML through the XSD and the EN 16931 and XRechnung rules; for
 * Factur-X it validates the XML embedded in the stored PDF, so a tampered PDF fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { pdfLibAttachments } from '#adapters/pdf/embedded-files.ts';
import { formatMinor } from '#domain/money.ts';
import { tamperEmbeddedXml } from '#test-support/einvoice/tamper-facturx-pdf.ts';
import { startLocalWorkers } from '#infra/local/workers.ts';
import { localOutputs } from '#infra/local/function-environment.ts';
import type { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { exportEInvoice } from '#use-cases/export-einvoice.ts';
import { invoicingCatalog, issuer, proCustomer } from '#test-support/invoicing-catalog.ts';
import { createTestStack, TEST_REGION, type TestStack } from '#test-support/local-stack.ts';
import { drainDelivery, emailsTo, prepareDelivery } from '#test-support/delivery-harness.ts';
import { runScheduledInvoiceRun } from '#test-support/local-functions.ts';
import { runBillflow } from '#test-support/billflow-cli.ts';

const tag = randomUUID().slice(0, 8);
const LEITWEG_ID = '04011000-12345-34';
let stack: TestStack;
let workers: { stop(): Promise<void> };
let invoices: DynamoDbInvoiceRepository;
let outputsFile: string;

beforeAll(async () => {
  stack = await createTestStack({ visibilityTimeoutSeconds: 3 });
  const customers = [
    proCustomer('cus_city', { email: `city.${tag}@customer.example`, einvoice: { format: 'xrechnung-cii', buyerReference: LEITWEG_ID } }),
    proCustomer('cus_pdf', { email: `pdf.${tag}@customer.example` }),
  ];
  const catalog = {
    ...invoicingCatalog(customers),
    issuer: { ...issuer, einvoice: { contactName: 'Accounts receivable', contactPhone: '+49 30 1234567' } },
  };
  ({ invoices } = await prepareDelivery(stack, customers, catalog));
  workers = await startLocalWorkers({
    sqs: stack.clients.sqs,
    region: TEST_REGION,
    resources: stack,
    prefix: 'einvoice-delivery-test',
    concurrency: 2,
    onError: (functionId, error) => console.error(functionId, error),
  });
  outputsFile = join(mkdtempSync(join(tmpdir(), 'billflow-einvoice-')), 'outputs.json');
  writeFileSync(outputsFile, JSON.stringify(localOutputs(stack, stack.endpoints, TEST_REGION, 'http://127.0.0.1:0/')));
});

afterAll(async () => {
  await workers?.stop();
});

async function stored(key: string): Promise<Buffer> {
  const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.invoicesBucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** The document without its context (BT-23, BT-24): where Factur-X and XRechnung CII coincide. */
function en16931Content(xml: string): string {
  return xml.replace(/<rsm:ExchangedDocumentContext>[\s\S]*?<\/rsm:ExchangedDocumentContext>/, '');
}

describe('e-invoice delivery', () => {
  it('stores the XRechnung XML once beside the PDF, attaches both, and the stored XML validates', async () => {
    // Act: close October as the hourly run would on 1 November at 02:00.
    const started = await runScheduledInvoiceRun('2026-11-01T02:00:00Z');
    expect(started).toMatchObject({ period: '2026-10', jobs: 2, failed: 0 });
    await drainDelivery(stack);
    const closed = Object.fromEntries((await invoices.list({ billingPeriod: '2026-10' })).map((invoice) => [invoice.customerId, invoice]));
    const city = closed.cus_city!;
    const plain = closed.cus_pdf!;
    const validate = await runBillflow(outputsFile, ['invoices', 'validate', city.number!]);
    const validateJson = await runBillflow(outputsFile, ['invoices', 'validate', city.number!, '--json']);

    // Assess: the XML at its key, its SHA-256 recorded, written once.
    const key = `invoices/ACME/2026/${city.number}.xml`;
    expect(city).toMatchObject({ status: 'finalized', deliveryStatus: 'sent' });
    expect(city.einvoiceDocument).toEqual({
      bucket: stack.invoicesBucket,
      key,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      format: 'xrechnung-cii',
    });
    const xml = await stored(key);
    expect(createHash('sha256').update(xml).digest('hex')).toBe(city.einvoiceDocument!.sha256);
    expect(xml.toString('utf8')).toContain(`<ram:BuyerReference>${LEITWEG_ID}</ram:BuyerReference>`);
    // The same EN 16931 content as the Factur-X XML embedded in the PDF, byte for byte.
    const facturX = await exportEInvoice(city.number!, 'facturx', {}, { invoices });
    expect(en16931Content(xml.toString('utf8'))).toBe(en16931Content(facturX.xml));

    // The email: the PDF, then the XML, each byte for byte what is stored.
    const [email, ...others] = await emailsTo(stack, city.buyer.email);
    expect(others).toHaveLength(0);
    expect(email!.attachments.map(({ filename, contentType }) => ({ filename, contentType }))).toEqual([
      { filename: `${city.number}.pdf`, contentType: 'application/pdf' },
      { filename: `${city.number}.xml`, contentType: 'application/xml' },
    ]);
    expect(Buffer.from(email!.attachments[0]!.content, 'base64').equals(await stored(city.document!.key))).toBe(true);
    expect(Buffer.from(email!.attachments[1]!.content, 'base64').equals(xml)).toBe(true);

    // A PDF-only customer: no XML, one attachment, the record as before.
    expect(plain.einvoice).toBeUndefined();
    expect(plain.einvoiceDocument).toBeUndefined();
    expect((await emailsTo(stack, plain.buyer.email))[0]!.attachments.map((attachment) => attachment.filename)).toEqual([
      `${plain.number}.pdf`,
    ]);

    // billflow invoices validate: the stored XML, XSD + EN 16931 + XRechnung rules, no fatal finding.
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(`from s3://${stack.invoicesBucket}/${key}`);
    expect(validate.stdout).toContain('checked: XSD cii-d16b, EN16931-CII-validation, XRechnung-CII-validation');
    expect(validate.stdout).toContain('valid: no fatal finding');
    const report = JSON.parse(validateJson.stdout) as { ok: boolean; format: string; findings: { flag: string }[] };
    expect(report).toMatchObject({ ok: true, format: 'xrechnung-cii' });
    expect(report.findings.filter((finding) => finding.flag === 'fatal')).toEqual([]);
  });

  it('invoices validate exits 1 with the fired rule when a format misses its data, and refuses an unknown invoice', async () => {
    // Prepare
    const plain = (await invoices.list({ billingPeriod: '2026-10' })).find((invoice) => invoice.customerId === 'cus_pdf')!;

    // Act: XRechnung for a customer without a Leitweg-ID.
    const missing = await runBillflow(outputsFile, ['invoices', 'validate', plain.number!, '--format', 'xrechnung-ubl']);
    const facturX = await runBillflow(outputsFile, ['invoices', 'validate', plain.number!]);
    const unknown = await runBillflow(outputsFile, ['invoices', 'validate', 'ACME-2026-999999']);
    const badFormat = await runBillflow(outputsFile, ['invoices', 'validate', plain.number!, '--format', 'zugferd']);

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/\[fatal\] XRechnung-UBL-validation BR-DE-15 at /);
    expect(missing.stdout).toContain('INVALID');
    expect(facturX.code, facturX.stderr).toBe(0);
    expect(facturX.stdout).toContain(`facturx from s3://${stack.invoicesBucket}/${plain.document!.key}#factur-x.xml`);
    expect(facturX.stdout).toContain('valid: no fatal finding');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no invoice ACME-2026-999999');
    expect(badFormat.code).not.toBe(0);
    expect(badFormat.stderr).toContain('--format must be one of facturx, xrechnung-cii, xrechnung-ubl, peppol');
  });

  it('invoices validate checks the factur-x.xml embedded in the stored PDF, so a PDF whose embedded XML was tampered fails', async () => {
    // Prepare: the PDF the customer received, as stored; then the same PDF with its embedded
    // grand total changed, written over it in S3 (the store itself never overwrites).
    const plain = (await invoices.list({ billingPeriod: '2026-10' })).find((invoice) => invoice.customerId === 'cus_pdf')!;
    const key = plain.document!.key;
    const received = await stored(key);
    const embedded = (await pdfLibAttachments.read(received, 'factur-x.xml'))!.toString('utf8');
    const record = await exportEInvoice(plain.number!, 'facturx', {}, { invoices });
    const total = formatMinor(plain.total, plain.currency);
    const tampered = await tamperEmbeddedXml(received, (xml) =>
      xml.replace(`<ram:GrandTotalAmount>${total}</ram:GrandTotalAmount>`, `<ram:GrandTotalAmount>${total}1</ram:GrandTotalAmount>`),
    );
    const before = await runBillflow(outputsFile, ['invoices', 'validate', plain.number!, '--json']);

    // Act
    await stack.clients.s3.send(
      new PutObjectCommand({ Bucket: stack.invoicesBucket, Key: key, Body: tampered, ContentType: 'application/pdf' }),
    );
    const after = await runBillflow(outputsFile, ['invoices', 'validate', plain.number!]);

    // Assess: before, the embedded XML (byte for byte the record's) is what was validated, and valid.
    expect(embedded).toBe(record.xml);
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({
      ok: true,
      format: 'facturx',
      source: `s3://${stack.invoicesBucket}/${key}#factur-x.xml`,
    });
    // After: the tampered embedded XML is read (the record is unchanged) and fails the EN 16931 rules.
    expect(after.code).toBe(1);
    expect(after.stdout).toContain(`facturx from s3://${stack.invoicesBucket}/${key}#factur-x.xml`);
    expect(after.stdout).toMatch(/\[fatal\] EN16931-CII-validation BR-CO-15 at /);
    expect(after.stdout).toContain('INVALID');
  });
});
