/**
 * The e-invoice formats billflow writes and what identifies each inside the XML: the EN 16931
 * specification identifier (BT-24) and, for the CIUS that require it, the business process (BT-23).
 */

export const EINVOICE_FORMATS = ['facturx', 'xrechnung-cii', 'xrechnung-ubl', 'peppol'] as const;

export type EInvoiceFormat = (typeof EINVOICE_FORMATS)[number];

/** CII (UN/CEFACT Cross Industry Invoice D16B) or UBL 2.1. */
export type EInvoiceSyntax = 'cii' | 'ubl';

export interface FormatProfile {
  readonly syntax: EInvoiceSyntax;
  /** BT-24. */
  readonly specification: string;
  /** BT-23; Peppol requires it, and XRechnung 3.0 carries the Peppol rules. */
  readonly businessProcess?: string;
  /** BT-10 buyer reference (Leitweg-ID) is mandatory (BR-DE-15). */
  readonly requiresBuyerReference: boolean;
}

const PEPPOL_PROCESS = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';
const XRECHNUNG = 'urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0';

export const FORMAT_PROFILES: Readonly<Record<EInvoiceFormat, FormatProfile>> = {
  // Factur-X 1.07 / ZUGFeRD 2.3, profile EN 16931 ("COMFORT"): the plain EN 16931 identifier.
  facturx: { syntax: 'cii', specification: 'urn:cen.eu:en16931:2017', requiresBuyerReference: false },
  'xrechnung-cii': { syntax: 'cii', specification: XRECHNUNG, businessProcess: PEPPOL_PROCESS, requiresBuyerReference: true },
  'xrechnung-ubl': { syntax: 'ubl', specification: XRECHNUNG, businessProcess: PEPPOL_PROCESS, requiresBuyerReference: true },
  peppol: {
    syntax: 'ubl',
    specification: 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0',
    businessProcess: PEPPOL_PROCESS,
    requiresBuyerReference: false,
  },
};

export function isEInvoiceFormat(value: string): value is EInvoiceFormat {
  return (EINVOICE_FORMATS as readonly string[]).includes(value);
}

/** The attachment's file name: Factur-X requires exactly `factur-x.xml` inside the PDF. */
export function einvoiceFileName(format: EInvoiceFormat, number: string): string {
  return format === 'facturx' ? 'factur-x.xml' : `${number}.${format}.xml`;
}
