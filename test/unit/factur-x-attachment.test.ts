/**
 * attachXml writes the embedded file as pdfkit's own doc.file() does, with the checksum from
 * node:crypto instead of pdfkit's JavaScript MD5 and the file deflated at billflow's level: the
 * same objects with the same dictionaries and, inflated, the same stream data, so a pdfkit
 * upgrade that changes how it embeds files (or where it keeps the catalog's /AF) fails here.
 */
import PDFDocument from 'pdfkit';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attachXml } from '#adapters/pdf/factur-x.ts';
import { ended, pdfObjects } from '#test-support/pdfkit-output.ts';

const DATE = new Date('2026-12-01T02:00:00Z');
const XML = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice>Müller &amp; Søn</rsm:CrossIndustryInvoice>',
  'utf8',
);

function pdfWith(attach: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  const doc = new PDFDocument({ subset: 'PDF/A-3b', pdfVersion: '1.7', font: '', info: { CreationDate: DATE } });
  attach(doc);
  return ended(doc);
}

/**
 * The PDF's objects in order, each with its stream inflated and its /Length left out (the
 * compression level changes the length, not the content, and where the writer puts the key in the
 * dictionary does not matter): compares two writers of the same
 * objects whatever level each deflates at. Offsets (xref) are left out for the same reason.
 */
function objects(pdf: Buffer): string[] {
  return pdfObjects(pdf).map(({ dictionary, stream }) =>
    stream === undefined ? dictionary : `${dictionary.replace(/\/Length \d+\n/, '')}\nstream\n${stream}`,
  );
}

describe('attachXml', () => {
  it('writes the same objects as pdfkit doc.file with type text/xml and relationship Alternative, the file deflated', async () => {
    const byPdfkit = await pdfWith((doc) => {
      const options: PDFKit.Mixins.PDFAttachmentOptions & { relationship: 'Alternative' } = {
        name: 'factur-x.xml',
        type: 'text/xml',
        relationship: 'Alternative',
        description: 'Factur-X invoice (EN 16931)',
        creationDate: DATE,
        modifiedDate: DATE,
      };
      doc.file(XML, options);
    });

    const byAttachXml = await pdfWith((doc) =>
      attachXml(doc, XML, { name: 'factur-x.xml', description: 'Factur-X invoice (EN 16931)', date: DATE }),
    );

    expect(objects(byAttachXml)).toEqual(objects(byPdfkit));
    expect(objects(byAttachXml).some((object) => object.includes('<rsm:CrossIndustryInvoice>Müller'))).toBe(false);
    expect(objects(byAttachXml).some((object) => object.includes(XML.toString('latin1')))).toBe(true);
  });

  it('states the MD5 of the file and its size, and lists it in /AF and the EmbeddedFiles name tree', async () => {
    const pdf = (await pdfWith((doc) => attachXml(doc, XML, { name: 'factur-x.xml', description: 'd', date: DATE }))).toString('latin1');

    expect(pdf).toContain(`/CheckSum (${createHash('md5').update(XML).digest('hex')})`);
    expect(pdf).toContain(`/Size ${XML.length}`);
    expect(pdf).toMatch(/\/AF \[\d+ 0 R\]/);
    expect(pdf).toMatch(/\/EmbeddedFiles <<\s*\/Names \[\s*\(factur-x\.xml\) \d+ 0 R/);
  });
});
