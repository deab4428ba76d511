/**
 * `billflow invoices xml`: the use case (any format for one invoice, by number) with an
 * in-memory repository, the flags it takes turned into e-invoice data, and the CLI's refusals
 * of bad flags before it touches any service.
 */
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { einvoiceOptions } from '#cli/commands/einvoice.ts';
import { UsageError } from '#cli/errors.ts';
import { EInvoiceDataError } from '#domain/errors.ts';
import { einvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { exportEInvoice } from '#use-cases/export-einvoice.ts';
import { EInvoiceNotFoundError } from '#use-cases/errors.ts';
import { runBillflow } from '#test-support/billflow-cli.ts';
import { describeFindings, validateEInvoice } from '#adapters/einvoice-validation/validate-einvoice.ts';
import { InMemoryInvoices } from '#test-support/in-memory-invoices.ts';
import { aDraftInvoice, anInvoice } from '#test-support/invoice-factory.ts';

const invoices = new InMemoryInvoices([anInvoice()]);

describe('exportEInvoice', () => {
  it('writes XRechnung UBL with the data given as flags, and it passes the XRechnung rules', async () => {
    const options = einvoiceOptions({
      buyerReference: '04011000-12345-34',
      sellerContact: 'Accounts receivable',
      sellerPhone: '+49 30 1234567',
    });

    const document = await exportEInvoice('ACME-2026-000042', 'xrechnung-ubl', options, { invoices });

    expect(document.fileName).toBe('ACME-2026-000042.xrechnung-ubl.xml');
    const report = await validateEInvoice(document.xml);
    expect(report.steps).toContain('XRechnung-UBL-validation');
    expect(report.errors, describeFindings(report.errors)).toEqual([]);
  }, 60_000);

  it('Factur-X with no options is the XML embedded in the PDF', async () => {
    const document = await exportEInvoice('ACME-2026-000042', 'facturx', {}, { invoices });
    expect(document.xml).toBe(einvoiceDocument(anInvoice(), 'facturx').xml);
    expect(document.fileName).toBe('factur-x.xml');
  });

  it('an unknown number and a draft are refused with what to do', async () => {
    await expect(exportEInvoice('ACME-2026-999999', 'peppol', {}, { invoices })).rejects.toThrow(EInvoiceNotFoundError);
    await expect(exportEInvoice('ACME-2026-999999', 'peppol', {}, { invoices })).rejects.toThrow(/billflow invoices list/);
    const draft = aDraftInvoice();
    expect(() => einvoiceDocument(draft, 'peppol')).toThrow(EInvoiceDataError);
  });
});

describe('einvoiceOptions (the flags)', () => {
  it('reads SCHEME:ID electronic addresses and leaves out what was not given', () => {
    expect(einvoiceOptions({ sellerEndpoint: '0088:4035811991021', buyerEndpoint: 'EM:ap@globex.example' })).toEqual({
      sellerEndpoint: { scheme: '0088', id: '4035811991021' },
      buyerEndpoint: { scheme: 'EM', id: 'ap@globex.example' },
    });
    expect(einvoiceOptions({})).toEqual({});
  });

  it('refuses an address without a scheme, saying how to write it', () => {
    expect(() => einvoiceOptions({ buyerEndpoint: '4035811991021' })).toThrow(UsageError);
    expect(() => einvoiceOptions({ buyerEndpoint: '4035811991021' })).toThrow(/SCHEME:ID .* 0088:4035811991021/);
  });
});

describe('billflow invoices xml', () => {
  it('refuses an unknown format and a malformed address (exit 2) before reading any service, and writes nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'billflow-xml-')), 'invoice.xml');
    const noPipeline = join(tmpdir(), 'no-such-outputs.json');

    const format = await runBillflow(noPipeline, ['invoices', 'xml', 'ACME-2026-000042', '--out', out, '--format', 'zugferd']);
    const address = await runBillflow(noPipeline, ['invoices', 'xml', 'ACME-2026-000042', '--out', out, '--buyer-endpoint', 'nobody']);

    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be one of facturx, xrechnung-cii, xrechnung-ubl, peppol, not "zugferd"');
    expect(address.code).toBe(2);
    expect(address.stderr).toContain('--buyer-endpoint must be SCHEME:ID');
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
