/**
 * Factur-X (ZUGFeRD 2.x), profile EN 16931, in a pdfkit document: the document is PDF/A-3b
 * (pdfkit's `subset`: pdfaid XMP and an sRGB output intent; every font billflow uses is an
 * embedded TrueType subset), the CII XML is attached as `factur-x.xml` with AFRelationship
 * Alternative (it is the same invoice as the visible one), and the XMP carries the Factur-X
 * properties together with the PDF/A extension schema that declares them (PDF/A 6.6.2.3).
 *
 * Also the fix for pdfkit 0.20's XMP: it copies the document info values into the XMP without
 * escaping them, so a customer called "Müller & Søn GmbH" made the XMP malformed ("Invalid
 * character in entity name"), which PDF/A readers and e-invoice validators reject.
 */
import { createHash } from 'node:crypto';
import type { EInvoiceDocument } from '#domain/einvoice/einvoice.ts';
import { deflateStream } from './stream-deflate.ts';

/** What pdfkit's PDFDocument constructor needs for PDF/A-3b. */
export const PDF_A_3B = { subset: 'PDF/A-3b', pdfVersion: '1.7' } as const;

const FX_NAMESPACE = 'urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#';

const FX_PROPERTIES: readonly (readonly [name: string, description: string])[] = [
  ['DocumentFileName', 'The name of the embedded XML document'],
  ['DocumentType', 'The type of the hybrid document in capital letters, e.g. INVOICE or ORDER'],
  ['Version', 'The actual version of the standard applying to the embedded XML document'],
  ['ConformanceLevel', 'The conformance level of the embedded XML document'],
];

/** The Factur-X XMP, as the Factur-X 1.07 specification's sample writes it. */
function facturXXmp(fileName: string): string {
  const properties = FX_PROPERTIES.map(
    ([name, description]) => `
            <rdf:li rdf:parseType="Resource">
              <pdfaProperty:name>${name}</pdfaProperty:name>
              <pdfaProperty:valueType>Text</pdfaProperty:valueType>
              <pdfaProperty:category>external</pdfaProperty:category>
              <pdfaProperty:description>${description}</pdfaProperty:description>
            </rdf:li>`,
  ).join('');
  return `
        <rdf:Description rdf:about="" xmlns:fx="${FX_NAMESPACE}">
          <fx:DocumentType>INVOICE</fx:DocumentType>
          <fx:DocumentFileName>${fileName}</fx:DocumentFileName>
          <fx:Version>1.0</fx:Version>
          <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
            xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
          <pdfaExtension:schemas>
            <rdf:Bag>
              <rdf:li rdf:parseType="Resource">
                <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
                <pdfaSchema:namespaceURI>${FX_NAMESPACE}</pdfaSchema:namespaceURI>
                <pdfaSchema:prefix>fx</pdfaSchema:prefix>
                <pdfaSchema:property>
                  <rdf:Seq>${properties}
                  </rdf:Seq>
                </pdfaSchema:property>
              </rdf:li>
            </rdf:Bag>
          </pdfaExtension:schemas>
        </rdf:Description>`;
}

/** The Factur-X XML as the bytes the PDF embeds. */
export interface FacturXFile {
  readonly name: string;
  readonly bytes: Buffer;
}

/**
 * The XML's bytes, made as soon as the XML is: make them before laying out the pages, not when
 * embedding. The XML comes out of XMLBuilder as a string of tens of thousands of concatenated
 * pieces, hundreds of kilobytes of small heap objects. Kept that way while the pages were laid
 * out, every young-generation garbage collection during the layout copied them, then moved them
 * to the old generation, and turning them into bytes at the end walked them scattered there.
 * As bytes (outside the JavaScript heap) right away, the pieces die young, where dying costs
 * nothing: for a 300-line invoice, 1.5 -> 1.1 ms of collection per render and a faster copy.
 */
export function facturXFile(einvoice: EInvoiceDocument): FacturXFile {
  if (einvoice.format !== 'facturx') throw new Error(`Only Factur-X XML is embedded in the PDF, not ${einvoice.format}`);
  return { name: einvoice.fileName, bytes: Buffer.from(einvoice.xml, 'utf8') };
}

/** Attaches the Factur-X XML and its XMP; call before `doc.end()`. */
export function embedFacturX(doc: PDFKit.PDFDocument, file: FacturXFile, date: Date): void {
  attachXml(doc, file.bytes, {
    name: file.name,
    description: 'Factur-X invoice (EN 16931)',
    // Fixed dates keep the bytes the same for the same invoice (no "now" in the file).
    date,
  });
  doc.appendXML(facturXXmp(file.name));
}

export interface XmlAttachment {
  readonly name: string;
  readonly description: string;
  /** Its creation and modification date. */
  readonly date: Date;
}

/** What pdfkit's catalog holds of the associated files (PDF/A-3 /AF). */
interface CatalogWithAssociatedFiles {
  _root: { data: { AF?: unknown[] } };
}

/**
 * Embeds an XML file as pdfkit 0.20's `doc.file(data, { type: 'text/xml', relationship: 'Alternative', ... })` does,
 * object for object (test/unit/factur-x-attachment.test.ts compares the two), except for two
 * things that cost pdfkit's way a quarter of a 300-line invoice's render:
 * - the /CheckSum in the embedded file's parameters (an MD5, as pdfkit writes it) is computed by
 *   node:crypto: pdfkit's own is a JavaScript MD5 that took 4-5 ms for the 380 KB XML of a
 *   300-line invoice; node's takes half a millisecond;
 * - the file is deflated at billflow's level (stream-deflate.ts): 0.4 ms instead of 1.1 ms.
 */
export function attachXml(doc: PDFKit.PDFDocument, data: Buffer, attachment: XmlAttachment): void {
  const embeddedFile = doc.ref({
    Type: 'EmbeddedFile',
    Params: {
      CreationDate: attachment.date,
      ModDate: attachment.date,
      // A PDF string object (pdfkit writes a JavaScript string as a name).
      CheckSum: new String(createHash('md5').update(data).digest('hex')),
      Size: data.byteLength,
    },
    // The MIME type text/xml as a PDF name, its slash escaped.
    Subtype: 'text#2Fxml',
    // Deflated here at billflow's level (stream-deflate.ts); a stream with a Filter is left as is by pdfkit.
    Filter: 'FlateDecode',
  });
  embeddedFile.end(deflateStream(data));
  const fileSpecification = doc.ref({
    Type: 'Filespec',
    AFRelationship: 'Alternative',
    F: new String(attachment.name),
    EF: { F: embeddedFile },
    UF: new String(attachment.name),
    Desc: new String(attachment.description),
  });
  fileSpecification.end(undefined);
  doc.addNamedEmbeddedFile(attachment.name, fileSpecification);
  const catalog = (doc as unknown as CatalogWithAssociatedFiles)._root.data;
  catalog.AF = [...(catalog.AF ?? []), fileSpecification];
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** pdfkit's private writer of the info values into the XMP (pdfkit 0.20 MetadataMixin._addInfo). */
interface InfoXmpWriter {
  info: Record<string, unknown>;
  _addInfo?: () => void;
}

/**
 * Makes pdfkit write the info values into the XMP escaped. pdfkit writes the Info dictionary
 * from `doc.info` first and the XMP last (`end()`), so the XMP writer alone sees escaped copies.
 * Depends on a pdfkit private: test/unit/invoice-pdf-facturx.test.ts parses the XMP of a
 * document whose info has `&` and `<`, so a pdfkit that renames it fails there, not silently.
 */
export function escapeInfoInXmp(doc: PDFKit.PDFDocument): void {
  const writer = doc as unknown as InfoXmpWriter;
  const addInfo = writer._addInfo;
  if (addInfo === undefined) throw new Error('pdfkit no longer has _addInfo: check how it writes the info into the XMP');
  writer._addInfo = function escapedAddInfo(this: InfoXmpWriter): void {
    const info = this.info;
    this.info = Object.fromEntries(
      Object.entries(info).map(([key, value]) => [
        key,
        typeof value === 'string' ? value.replace(/[&<>"]/g, (character) => XML_ESCAPES[character] ?? character) : value,
      ]),
    );
    try {
      addInfo.call(this);
    } finally {
      this.info = info;
    }
  };
}
