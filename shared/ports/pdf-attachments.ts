/**
 * Files embedded in a PDF (PDF/A-3 associated files), read back out: what a customer's PDF
 * really carries, e.g. the Factur-X XML `billflow invoices validate` checks (issue 17).
 */
import { namedError } from '#domain/named-error.ts';

export interface PdfAttachments {
  /**
   * The bytes of the file embedded under `fileName`, or undefined when the PDF has none by that
   * name. Throws PdfUnreadableError when the bytes are not a PDF it can read.
   */
  read(pdf: Uint8Array, fileName: string): Promise<Buffer | undefined>;
}

/** Bytes that should be a PDF cannot be read as one, or a file embedded in it is malformed. */
export class PdfUnreadableError extends namedError('PdfUnreadableError') {}
