/**
 * A copy of a Factur-X PDF whose embedded `factur-x.xml` was edited after rendering (as a forger
 * or a broken post-processor would), everything else kept: the embedded file stream is replaced
 * in pdf-lib's object model and the PDF saved again.
 */
import { decodePDFRawStream, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';

export async function tamperEmbeddedXml(pdf: Uint8Array, edit: (xml: string) => string): Promise<Buffer> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  const embedded = document.context
    .enumerateIndirectObjects()
    .filter(([, object]) => object instanceof PDFRawStream && object.dict.get(PDFName.of('Type')) === PDFName.of('EmbeddedFile'));
  if (embedded.length !== 1) throw new Error(`expected one embedded file, found ${embedded.length}`);
  const [ref, stream] = embedded[0]! as [Parameters<typeof document.context.assign>[0], PDFRawStream];
  const xml = Buffer.from(decodePDFRawStream(stream).decode()).toString('utf8');
  const edited = edit(xml);
  if (edited === xml) throw new Error('the edit changed nothing in the embedded XML');
  document.context.assign(ref, document.context.flateStream(Buffer.from(edited, 'utf8'), { Type: 'EmbeddedFile', Subtype: 'text/xml' }));
  return Buffer.from(await document.save({ useObjectStreams: false }));
}
