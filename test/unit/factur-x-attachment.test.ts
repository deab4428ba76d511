/**
 * attachXml writes the embedded file as pdfkit's own doc.file() does, with the checksum from
 * node:crypto instead of pdfkit's JavaScript MD5: the same objects and bytes, so a pdfkit upgrade
 * that changes how it embeds files (or where it keeps the catalog's /AF) fails here.
 */
import PDFDocument from 'pdfkit';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attachXml } from '#adapters/pdf/factur-x.ts';

const DATE = new Date('2026-12-01T02:00:00Z');
const XML = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice>Müller &amp; Søn</rsm:CrossIndustryInvoice>',
  'utf8',
);

function pdfWith(attach: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  const doc = new PDFDocument({ subset: 'PDF/A-3b', pdfVersion: '1.7', font: '', info: { CreationDate: DATE } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  attach(doc);
  doc.end();
  return done;
}

describe('attachXml', () => {
  it('writes the same bytes as pdfkit doc.file with type text/xml and relationship Alternative', async () => {
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

    expect(byAttachXml.toString('latin1')).toBe(byPdfkit.toString('latin1'));
  });

  it('states the MD5 of the file and its size, and lists it in /AF and the EmbeddedFiles name tree', async () => {
    const pdf = (await pdfWith((doc) => attachXml(doc, XML, { name: 'factur-x.xml', description: 'd', date: DATE }))).toString('latin1');

    expect(pdf).toContain(`/CheckSum (${createHash('md5').update(XML).digest('hex')})`);
    expect(pdf).toContain(`/Size ${XML.length}`);
    expect(pdf).toMatch(/\/AF \[\d+ 0 R\]/);
    expect(pdf).toMatch(/\/EmbeddedFiles <<\s*\/Names \[\s*\(factur-x\.xml\) \d+ 0 R/);
  });
});
