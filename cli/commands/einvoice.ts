/**
 * `billflow invoices xml NUMBER --out FILE [--format ...]`: an issued invoice as an e-invoice
 * XML document in any of the four formats (docs/invoicing.md, "E-invoices"). The XRechnung/Peppol
 * data (Leitweg-ID, seller contact, Peppol ids) comes from the catalog as the invoice recorded it;
 * the flags override it; the validators name whatever is missing (BR-DE-15 without a Leitweg-ID).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EINVOICE_FORMATS, isEInvoiceFormat } from '#domain/einvoice/format.ts';
import { type ElectronicAddress, type EInvoiceOptions } from '#domain/einvoice/model.ts';
import { EInvoiceDataError } from '#domain/errors.ts';
import { exportEInvoice } from '#use-cases/export-einvoice.ts';
import { einvoiceToValidate } from '#use-cases/einvoice-to-validate.ts';
import { describeFindings, validateEInvoice } from '#adapters/einvoice-validation/validate-einvoice.ts';
import { EInvoiceNotEmbeddedError, EInvoiceNotFoundError } from '#use-cases/errors.ts';
import { pdfLibAttachments } from '#adapters/pdf/embedded-files.ts';
import { PdfUnreadableError } from '#ports/pdf-attachments.ts';
import { createContext } from '../context.ts';
import { asUsageError, UsageError } from '../errors.ts';
import { emit } from '../output.ts';
import type { GlobalOptions } from '../options.ts';

interface XmlOptions {
  readonly out: string;
  readonly format: string;
  readonly buyerReference?: string;
  readonly sellerContact?: string;
  readonly sellerPhone?: string;
  readonly sellerEndpoint?: string;
  readonly buyerEndpoint?: string;
}

export function registerEInvoiceCommands(invoices: Command, globals: () => GlobalOptions): void {
  invoices
    .command('xml')
    .description('write an issued invoice as an e-invoice XML document (Factur-X CII, XRechnung CII or UBL, Peppol BIS 3 UBL)')
    .argument('<number>', 'invoice number')
    .requiredOption('--out <file>', 'where to write the XML')
    .option('--format <format>', `one of ${EINVOICE_FORMATS.join(', ')}`, 'facturx')
    .option('--buyer-reference <text>', 'BT-10 buyer reference; XRechnung: the Leitweg-ID, e.g. 04011000-12345-34')
    .option('--seller-contact <name>', 'BT-41 seller contact (XRechnung and Peppol for German sellers require it)')
    .option('--seller-phone <number>', 'BT-42 seller contact telephone (the same)')
    .option(
      '--seller-endpoint <scheme:id>',
      'BT-34 seller electronic address, e.g. 0088:4035811991021 (Peppol requires a Peppol id; default: the email)',
    )
    .option('--buyer-endpoint <scheme:id>', 'BT-49 buyer electronic address, the same way')
    .action(async (number: string, options: XmlOptions) => {
      const format = options.format;
      if (!isEInvoiceFormat(format)) throw new UsageError(`--format must be one of ${EINVOICE_FORMATS.join(', ')}, not "${format}"`);
      const einvoice = einvoiceOptions(options);
      const context = createContext(globals().outputs);
      const document = await exportEInvoice(number, format, einvoice, context).catch((error: unknown) =>
        asUsageError(error, [EInvoiceNotFoundError, EInvoiceDataError]),
      );
      writeFileSync(options.out, document.xml);
      const bytes = Buffer.byteLength(document.xml);
      emit(globals(), { number, format, file: options.out, bytes }, () => `wrote ${options.out} (${format}, ${bytes} bytes)`);
    });
  registerValidateCommand(invoices, globals);
}

/**
 * `billflow invoices validate NUMBER [--format ...]`: the tests' validation (XSD and every
 * schematron rule set that applies) on what the customer received: the stored XML, or the
 * factur-x.xml embedded in the stored PDF (use-cases/einvoice-to-validate.ts); prints its
 * source and each fired rule and exits 1 on a fatal one.
 */
function registerValidateCommand(invoices: Command, globals: () => GlobalOptions): void {
  invoices
    .command('validate')
    .description("validate an issued invoice's e-invoice XML with the official rules (XSD, EN 16931, XRechnung, Peppol schematrons)")
    .argument('<number>', 'invoice number')
    .option('--format <format>', `one of ${EINVOICE_FORMATS.join(', ')} (default: the customer's stored XML, else facturx)`)
    .action(async (number: string, options: { readonly format?: string }) => {
      const asked = options.format;
      if (asked !== undefined && !isEInvoiceFormat(asked))
        throw new UsageError(`--format must be one of ${EINVOICE_FORMATS.join(', ')}, not "${asked}"`);
      const context = createContext(globals().outputs);
      const document = await einvoiceToValidate(number, asked, { ...context, attachments: pdfLibAttachments }).catch((error: unknown) =>
        asUsageError(error, [EInvoiceNotFoundError, EInvoiceDataError, EInvoiceNotEmbeddedError, PdfUnreadableError]),
      );
      const report = await validateEInvoice(document.xml);
      const { xml: _xml, ...about } = document;
      emit(globals(), { ...about, ok: report.ok, checks: report.steps, findings: report.findings }, () =>
        [
          `${number} ${document.format} from ${document.source}`,
          `checked: ${report.steps.join(', ')}`,
          ...(report.findings.length === 0 ? ['no rule fired'] : [describeFindings(report.findings)]),
          report.ok ? 'valid: no fatal finding' : `INVALID: ${report.errors.length} fatal finding(s)`,
        ].join('\n'),
      );
      if (!report.ok) process.exitCode = 1;
    });
}

export function einvoiceOptions(options: Omit<XmlOptions, 'out' | 'format'>): EInvoiceOptions {
  const contact =
    options.sellerContact === undefined && options.sellerPhone === undefined
      ? undefined
      : {
          ...(options.sellerContact === undefined ? {} : { name: options.sellerContact }),
          ...(options.sellerPhone === undefined ? {} : { telephone: options.sellerPhone }),
        };
  return {
    ...(options.buyerReference === undefined ? {} : { buyerReference: options.buyerReference }),
    ...(contact === undefined ? {} : { sellerContact: contact }),
    ...(options.sellerEndpoint === undefined ? {} : { sellerEndpoint: endpoint('--seller-endpoint', options.sellerEndpoint) }),
    ...(options.buyerEndpoint === undefined ? {} : { buyerEndpoint: endpoint('--buyer-endpoint', options.buyerEndpoint) }),
  };
}

/** "0088:4035811991021" -> { scheme: '0088', id: '4035811991021' }. */
function endpoint(flag: string, value: string): ElectronicAddress {
  const match = /^([A-Z0-9]{2,4}):(\S+)$/.exec(value);
  if (match === null)
    throw new UsageError(`${flag} must be SCHEME:ID with an EAS scheme code, e.g. 0088:4035811991021 or EM:ap@example.com, not "${value}"`);
  return { scheme: match[1]!, id: match[2]! };
}
