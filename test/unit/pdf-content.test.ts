/**
 * content.ts batches the operator lines billflow writes into a page's content stream and
 * deflates the stream itself: what pdfkit draws in between must stay in its place, and the
 * stream must read the same as pdfkit would have written it.
 */
import PDFDocument from 'pdfkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawTextLine, fillRectangle, strokeHorizontalLine } from '#adapters/pdf/content.ts';
import { CJK, REGULAR, registerInvoiceFonts, useFont } from '#adapters/pdf/fonts.ts';
import { ended, pdfObjects } from '#test-support/pdfkit-output.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';

/** Draws on two pages, mixing billflow's operators with pdfkit's own; returns the PDF. */
function drawn(compress: boolean): Promise<Buffer> {
  const doc = new PDFDocument({ compress, font: '', size: 'A4', bufferPages: true });
  fillRectangle(doc, 10, 20, 30, 40, '#112233');
  doc.rect(50, 60, 70, 80).fill('#ff0000');
  strokeHorizontalLine(doc, 100, 200, 300, 0.5, '#c9ccd1');
  doc.addPage();
  strokeHorizontalLine(doc, 1, 2, 3, 1, '#000000');
  // Back to the first page, as the footers do once the page count is known.
  doc.switchToPage(0);
  fillRectangle(doc, 5, 6, 7, 8, '#ffffff');
  return ended(doc);
}

/** An A4 document, uncompressed, with the invoice fonts registered: for the text tests. */
function textDocument(): PDFKit.PDFDocument {
  const doc = new PDFDocument({ compress: false, font: '', size: 'A4' });
  registerInvoiceFonts(doc);
  return doc;
}

/** The pages' content streams, inflated where deflated, in the order the PDF holds them. */
function contentStreams(pdf: Buffer): string[] {
  return pdfObjects(pdf).flatMap(({ stream }) => (stream?.startsWith('1 0 0 -1') === true ? [stream] : []));
}

describe('page content written by content.ts', () => {
  it("keeps pdfkit's own drawing between billflow's lines in the order they were drawn, page by page", async () => {
    const [first, second] = contentStreams(await drawn(true));

    const order = ['0.066667 0.133333 0.2 rg 10 20 30 40 re f', '50 60 70 80 re', '100 300 m 200 300 l S', '5 6 7 8 re f'];
    const positions = order.map((operators) => first!.indexOf(operators));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(second).toContain('1 3 m 2 3 l S');
    expect(second).not.toContain('re f');
  });

  it('deflates the stream it batched, and it inflates to what an uncompressed document holds', async () => {
    const compressed = await drawn(true);
    const plain = await drawn(false);

    expect(compressed.toString('latin1')).not.toContain('100 300 m 200 300 l S');
    expect(contentStreams(compressed)).toEqual(contentStreams(plain));
    expect(contentStreams(plain)).toHaveLength(2);
  });

  it("draws text with the CIDs, widths and ToUnicode entries pdfkit's own encode gives", async () => {
    /** pdfkit's current font, as far as the comparison reads it. */
    interface FontState {
      readonly _font: {
        encode(text: string, features: string[]): [string[], unknown];
        readonly widths: unknown[];
        readonly unicode: unknown[];
      };
    }
    const texts: [string, string][] = [
      [REGULAR, 'Müller & Søn GmbH, Łódź'],
      [REGULAR, '€ 1.234,50 — Dvořák ü'],
      [REGULAR, 'Müller again: glyphs already in the subset'],
      [CJK, '株式会社テスト 東京都'],
    ];
    const ours = textDocument();
    const theirs = textDocument();
    const expected: string[] = [];
    for (const [font, text] of texts) {
      useFont(ours, font, 9);
      drawTextLine(ours, text, 10, 20);
      useFont(theirs, font, 9);
      const state = theirs as unknown as FontState;
      expected.push(state._font.encode(text, [])[0].join(''));
      const drawn = (ours as unknown as FontState)._font;
      expect(drawn.widths).toEqual(state._font.widths);
      expect(drawn.unicode).toEqual(state._font.unicode);
    }
    const pdf = (await ended(ours)).toString('latin1');
    theirs.end();
    // The glyphs drawn, as hex: each Tj operand is a literal string of two bytes per CID.
    const drawn = [...pdf.matchAll(/\(((?:[^\\)]|\\.)*)\) Tj/g)].map(([, literal]) =>
      Buffer.from(
        literal!.replace(/\\([nr()\\])/g, (_, escaped: string) => ({ n: '\n', r: '\r' })[escaped] ?? escaped),
        'latin1',
      ).toString('hex'),
    );
    expect(drawn).toEqual(expected);
  });

  it('sets the font and size only where they change, and again after anything pdfkit writes', async () => {
    const doc = textDocument();
    useFont(doc, REGULAR, 9);
    drawTextLine(doc, 'one', 10, 10);
    drawTextLine(doc, 'two', 10, 20);
    useFont(doc, REGULAR, 8);
    drawTextLine(doc, 'three', 10, 30);
    doc.fillColor('#ff0000');
    drawTextLine(doc, 'four', 10, 40);
    fillRectangle(doc, 1, 2, 3, 4, '#000000');
    drawTextLine(doc, 'five', 10, 50);
    const pdf = (await ended(doc)).toString('latin1');

    const textObjects = [...pdf.matchAll(/BT (.*?) Tm/g)].map(([, operators]) => operators!.replace(/ 1 0 0 -1 .*|^1 0 0 -1 .*/, ''));
    expect(textObjects).toEqual(['/F1 9 Tf', '', '/F1 8 Tf', '/F1 8 Tf', '']);
  });

  describe('as a PDF reader reads it', () => {
    beforeAll(() => ensurePoppler(), 120_000);

    it('gives back every character, with glyphs numbered past the bytes a literal string escapes (\\n \\r ( ) \\)', async () => {
      // Glyphs get CIDs in the order they are first drawn: 150 distinct characters reach CIDs
      // 10, 13, 40, 41 and 92, whose bytes must be escaped in the string.
      const characters = Array.from({ length: 150 }, (_, index) => String.fromCodePoint(0x21 + index)).filter((c) =>
        /[\p{L}\p{N}\p{P}\p{S}]/u.test(c),
      );
      const lines = Array.from({ length: Math.ceil(characters.length / 30) }, (_, index) =>
        characters.slice(index * 30, index * 30 + 30).join(''),
      );
      const doc = textDocument();
      useFont(doc, REGULAR, 9);
      lines.forEach((line, index) => drawTextLine(doc, line, 20, 20 + index * 14));
      const pdf = await ended(doc);

      expect(characters.length).toBeGreaterThan(93);
      expect(pdfToText(pdf).trim().split('\n')).toEqual(lines);
      // Poppler reads a bare CR in a string as itself; ISO 32000 has readers read it as LF, so
      // none may be left unescaped (the page content has no other CR).
      const [content] = contentStreams(pdf);
      expect(content).toContain(' Tj ET');
      expect(content).not.toContain('\r');
    });
  });
});
