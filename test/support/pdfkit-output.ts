/**
 * What a test reads of a pdfkit document it drew on: its bytes once ended, and its objects.
 */
import { inflateSync } from 'node:zlib';

/** Ends the document and gives its bytes (the stream keeps what pdfkit wrote before anyone read it). */
export function ended(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.end();
  return done;
}

/**
 * A PDF's indirect objects as pdfkit writes them, in file order: each one's dictionary as
 * written and, for a stream, its data, inflated where the dictionary says /FlateDecode. Enough
 * to compare what two writers put in a document whatever level each deflates at; not a PDF
 * parser (no object streams, no filters other than Flate, no encryption).
 */
export interface PdfObject {
  readonly dictionary: string;
  /** The stream's data as latin1 text, inflated; undefined when the object is not a stream. */
  readonly stream?: string;
}

export function pdfObjects(pdf: Buffer): PdfObject[] {
  return [...pdf.toString('latin1').matchAll(/\d+ 0 obj\n([\s\S]*?)\nendobj/g)].map(([, body]) => {
    const streamAt = body!.indexOf('\nstream\n');
    if (streamAt === -1) return { dictionary: body! };
    const dictionary = body!.slice(0, streamAt);
    const data = Buffer.from(body!.slice(streamAt + '\nstream\n'.length, body!.lastIndexOf('\nendstream')), 'latin1');
    return { dictionary, stream: (dictionary.includes('/FlateDecode') ? inflateSync(data) : data).toString('latin1') };
  });
}
