/** Types of the validation kit's check-facturx-pdf.mjs (vendored unchanged beside this file). */
export interface FacturXPdfCheck {
  readonly ok: boolean;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly fx: { readonly level: string; readonly file: string; readonly type: string; readonly version: string };
  /** pdfaid part and conformance, e.g. "3B". */
  readonly pdfa: string;
  readonly relationship: string | null;
  /** The embedded factur-x.xml, decoded as UTF-8. */
  readonly xml: string | null;
}
export function checkFacturXPdf(bytes: Uint8Array): Promise<FacturXPdfCheck>;
