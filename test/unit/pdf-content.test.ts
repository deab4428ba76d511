/**
 * content.ts batches the operator lines billflow writes into a page's content stream and
 * deflates the stream itself: what pdfkit draws in between must stay in its place, and the
 * stream must read the same as pdfkit would have written it.
 */
import PDFDocument from 'pdfkit';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawTextLine, fillRectangle, strokeHorizontalLine } from '#adapters/pdf/content.ts';
import { CJK, REGULAR, registerInvoiceFonts, useFont } from '#adapters/pdf/fonts.ts';

/** Draws on two pages, mixing billflow's operators with pdfkit's own; returns the PDF. */
function drawn(compress: boolean): Promise<Buffer> {
  const doc = new PDFDocument({ compress, font: '', size: 'A4', bufferPages: true });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  fillRectangle(doc, 10, 20, 30, 40, '#112233');
  doc.rect(50, 60, 70, 80).fill('#ff0000');
  strokeHorizontalLine(doc, 100, 200, 300, 0.5, '#c9ccd1');
  doc.addPage();
  strokeHorizontalLine(doc, 1, 2, 3, 1, '#000000');
  // Back to the first page, as the footers do once the page count is known.
  doc.switchToPage(0);
  fillRectangle(doc, 5, 6, 7, 8, '#ffffff');
  doc.end();
  return done;
}

/** The pages' content streams, inflated where deflated, in the order the PDF holds them. */
function contentStreams(pdf: Buffer): string[] {
  return [...pdf.toString('latin1').matchAll(/<<([^]*?)>>\nstream\n([^]*?)\nendstream/g)]
    .map(([, dictionary, data]) => {
      const bytes = Buffer.from(data!, 'latin1');
      return (dictionary!.includes('/FlateDecode') ? inflateSync(bytes) : bytes).toString('latin1');
    })
    .filter((stream) => stream.startsWith('1 0 0 -1'));
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
    const ours = new PDFDocument({ compress: false, font: '', size: 'A4' });
    const theirs = new PDFDocument({ compress: false, font: '', size: 'A4' });
    const expected: string[] = [];
    for (const doc of [ours, theirs]) registerInvoiceFonts(doc);
    for (const [font, text] of texts) {
      useFont(ours, font, 9);
      drawTextLine(ours, text, 10, 20);
      useFont(theirs, font, 9);
      const state = theirs as unknown as FontState;
      expected.push(`<${state._font.encode(text, [])[0].join('')}> Tj`);
      const drawn = (ours as unknown as FontState)._font;
      expect(drawn.widths).toEqual(state._font.widths);
      expect(drawn.unicode).toEqual(state._font.unicode);
    }
    const chunks: Buffer[] = [];
    ours.on('data', (chunk: Buffer) => chunks.push(chunk));
    const pdf = new Promise<string>((resolve) => ours.on('end', () => resolve(Buffer.concat(chunks).toString('latin1'))));
    ours.end();
    theirs.end();
    const content = await pdf;
    for (const glyphs of expected) expect(content).toContain(glyphs);
  });
});
