/**
 * Embedded files read out of a PDF with pdf-lib's object model (no hand-written PDF parsing):
 * the file specifications of the document's EmbeddedFiles name tree and of its /AF array
 * (PDF/A-3 associated files, where Factur-X puts `factur-x.xml` too), matched by /UF or /F,
 * and the embedded file stream decoded through its filters.
 */
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFStream, PDFString } from 'pdf-lib';
import { PdfUnreadableError, type PdfAttachments } from '#ports/pdf-attachments.ts';

/** Name trees are shallow in practice; the bound keeps a malicious /Kids cycle from looping. */
const MAX_NAME_TREE_DEPTH = 32;

export const pdfLibAttachments: PdfAttachments = {
  async read(pdf, fileName) {
    try {
      return embeddedFile(await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true }), fileName);
    } catch (error) {
      // pdf-lib parses leniently: a damaged file may load and fail only when its objects are read.
      if (error instanceof PdfUnreadableError) throw error;
      throw new PdfUnreadableError(`not a PDF whose embedded files can be read: ${(error as Error).message}`);
    }
  },
};

function embeddedFile(document: PDFDocument, fileName: string): Buffer | undefined {
  const { catalog } = document;
  const names = catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const tree = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const specs = [...(tree === undefined ? [] : fileSpecsOf(tree, 0)), ...dictsOf(catalog.lookupMaybe(PDFName.of('AF'), PDFArray))];
  const spec = specs.find((candidate) => [PDFName.of('UF'), PDFName.of('F')].some((key) => textOf(candidate.lookup(key)) === fileName));
  if (spec === undefined) return undefined;
  const files = spec.lookupMaybe(PDFName.of('EF'), PDFDict);
  const stream = files?.lookupMaybe(PDFName.of('UF'), PDFStream) ?? files?.lookupMaybe(PDFName.of('F'), PDFStream);
  if (stream === undefined) throw new PdfUnreadableError(`the file specification of ${fileName} has no embedded file stream (/EF)`);
  const bytes = stream instanceof PDFRawStream ? decodePDFRawStream(stream).decode() : stream.getContents();
  return Buffer.from(bytes);
}

/** The file specifications of a name tree node: its /Names pairs (name, value) and its /Kids. */
function fileSpecsOf(node: PDFDict, depth: number): PDFDict[] {
  if (depth > MAX_NAME_TREE_DEPTH) throw new PdfUnreadableError(`the EmbeddedFiles name tree is deeper than ${MAX_NAME_TREE_DEPTH}`);
  // /Names alternates keys (strings) and values (file specifications): the dictionaries are the values.
  const values = dictsOf(node.lookupMaybe(PDFName.of('Names'), PDFArray));
  const kids = dictsOf(node.lookupMaybe(PDFName.of('Kids'), PDFArray)).flatMap((kid) => fileSpecsOf(kid, depth + 1));
  return [...values, ...kids];
}

function dictsOf(array: PDFArray | undefined): PDFDict[] {
  if (array === undefined) return [];
  return Array.from({ length: array.size() }, (_, index) => array.lookup(index)).filter((item): item is PDFDict => item instanceof PDFDict);
}

function textOf(value: unknown): string | undefined {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
}
