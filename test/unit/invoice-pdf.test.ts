/**
 * The invoice PDF as a customer's software reads it: text extracted with poppler's pdftotext,
 * document info and fonts with pdfinfo and pdffonts (CONTRACTS.md section 4).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create, type Font } from 'fontkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { InvoiceNotRenderableError } from '#adapters/errors.ts';
import { formatAmount, formatPeriod, formatUnitPrice } from '#adapters/pdf/format.ts';
import { TrueTypeProgram } from '#adapters/pdf/truetype-subset.ts';
import { REVERSE_CHARGE_LEGEND } from '#domain/tax/tax-treatment.ts';
import { GERMAN_VAT, aDraftInvoice, anInvoice, anInvoiceLine, globexBuyer, numberedLines } from '#test-support/invoice-factory.ts';
import { ensurePoppler, pdfFonts, pdfInfo, pdfPages, pdfToText } from '#test-support/poppler.ts';

const CREATED = new Date('2026-12-01T02:00:00Z');
const TABLE_HEADER = 'Description Quantity Unit price VAT Net amount';

/** pdftotext breaks long text where the PDF wraps it; compare with single spaces. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function occurrences(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

beforeAll(() => {
  ensurePoppler();
}, 300_000);

describe('renderInvoicePdf', () => {
  it('renders every field Art. 226 asks for as extractable text, accents and euro sign included', async () => {
    // Prepare: a Polish business customer (reverse charge) whose name and city need Latin Extended.
    const invoice = anInvoice({
      buyer: {
        ...globexBuyer,
        id: 'cus_77',
        name: 'Müller & Søn Sp. z o.o.',
        address: { line1: 'ul. Piotrkowska 104', city: 'Łódź', postalCode: '90-926', country: 'PL' },
        vatId: 'PL7251801126',
      },
    });

    // Act
    const pdf = await renderInvoicePdf(invoice, { creationDate: CREATED });

    // Assess
    const text = oneLine(pdfToText(pdf));
    expect(text).toContain('Invoice number ACME-2026-000042');
    expect(text).toContain('Issue date 1 December 2026');
    expect(text).toContain('Supply period 1 – 30 November 2026');
    expect(text).toContain('Due date 31 December 2026');
    expect(text).toContain('Acme Cloud GmbH Hauptstr. 1 10115 Berlin Germany VAT ID DE123456789 billing@acme.example');
    expect(text).toContain('Müller & Søn Sp. z o.o. ul. Piotrkowska 104 90-926 Łódź Poland VAT ID PL7251801126');
    expect(text).toContain('Base fee, plan pro 1 € 49.00 0 % € 49.00');
    expect(text).toContain('api_calls, 100,001 and above, late usage from 2026-10 4,210 € 0.0005 0 % € 2.11');
    expect(text).toContain('Net total € 384.74 VAT 0 % € 0.00 Total (EUR) € 384.74 Amount due € 384.74');
    expect(text).toContain('AE – Reverse charge 0 % € 384.74 € 0.00');
    expect(text).toContain(REVERSE_CHARGE_LEGEND);
    expect(text).toContain('IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX Reference ACME-2026-000042 Due date 31 December 2026');
    expect(text).toContain('Page 1 of 1');
    const info = pdfInfo(pdf);
    expect(info).toMatchObject({ Title: 'ACME-2026-000042', Author: 'Acme Cloud GmbH', Pages: '1' });
    expect(info['Page size']).toMatch(/^595\.28 x 841\.89 pts \(A4\)/);
    const fonts = pdfFonts(pdf);
    expect(fonts.map((font) => font.name.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['DejaVuSans', 'DejaVuSans-Bold']);
    expect(fonts.every((font) => font.embedded)).toBe(true);
  });

  it('prints decomposed accents as the composed letter, which is also what extracts', async () => {
    // Prepare: "ü", "ř" and "á" as a base letter followed by a combining mark, as some systems store them.
    const invoice = anInvoice({ buyer: { ...globexBuyer, name: 'Mu\u0308ller & Dvor\u030Ca\u0301k SARL' } });

    // Act
    const pdf = await renderInvoicePdf(invoice, { creationDate: CREATED });

    // Assess
    const text = oneLine(pdfToText(pdf));
    expect(text).toContain('Müller & Dvořák SARL 1 rue de la Paix');
    expect(text).not.toMatch(/[\u0300-\u036f]/);
  });

  it('spreads 300 lines over several pages, header on every page, no line lost, repeated or cut', async () => {
    // Prepare: every 25th description is long enough to wrap onto a second line.
    const long = (index: number): string =>
      index % 25 === 0 ? `: api_calls, 100,001 and above, late usage from 2026-10, part of a long description (end of ${index})` : '';
    const invoice = anInvoice({ lines: numberedLines(300, { suffix: long }) });

    // Act
    const pdf = await renderInvoicePdf(invoice, { creationDate: CREATED });

    // Assess
    const pages = pdfPages(pdf).map(oneLine);
    expect(pages.length).toBeGreaterThan(4);
    expect(Number(pdfInfo(pdf).Pages)).toBe(pages.length);
    const all = pages.join('\n');
    for (let index = 1; index <= 300; index += 1) {
      expect(occurrences(all, new RegExp(`Line ${index}(?!\\d)`, 'g')), `Line ${index}`).toBe(1);
    }
    pages.forEach((page, index) => {
      expect(page, `page ${index + 1}`).toContain(TABLE_HEADER);
      expect(page, `page ${index + 1}`).toContain(`Page ${index + 1} of ${pages.length}`);
      // A row cut in half would leave its first words on one page and its last on the next.
      for (const [, start] of page.matchAll(/Line (\d+):/g)) expect(page, `line ${start}`).toContain(`(end of ${start})`);
      for (const [, end] of page.matchAll(/\(end of (\d+)\)/g)) expect(page, `line ${end}`).toContain(`Line ${end}:`);
    });
    expect(pages.at(-1)).toContain('Line 300');
    expect(pages.at(-1)).toContain(`Amount due ${formatAmount(invoice.amountDue, 'EUR')}`);
  });

  it('prints yen without decimals and Kuwaiti dinar with three', async () => {
    // Prepare: a yen invoice under reverse charge, a dinar invoice at the German rate (VAT rounds to fils).
    const yen = anInvoice({
      currency: 'JPY',
      lines: [anInvoiceLine({ description: 'seats (peak)', quantity: '12', unitPrice: '1500' }, 'JPY')],
    });
    const dinar = anInvoice({
      currency: 'KWD',
      tax: GERMAN_VAT,
      legends: [],
      buyer: {
        ...globexBuyer,
        address: { line1: 'Alexanderplatz 1', city: 'Berlin', postalCode: '10178', country: 'DE' },
        vatId: 'DE987654321',
      },
      lines: [anInvoiceLine({ description: 'seats (peak)', quantity: '3', unitPrice: '12.345' }, 'KWD')],
    });

    // Act
    const yenText = oneLine(pdfToText(await renderInvoicePdf(yen, { creationDate: CREATED })));
    const dinarText = oneLine(pdfToText(await renderInvoicePdf(dinar, { creationDate: CREATED })));

    // Assess
    expect(yenText).toContain('seats (peak) 12 JPY 1,500 0 % JPY 18,000');
    expect(yenText).toContain('Total (JPY) JPY 18,000 Amount due JPY 18,000');
    expect(yenText).not.toMatch(/JPY [\d,]+\.\d/);
    expect(dinarText).toContain('seats (peak) 3 KWD 12.345 19 % KWD 37.035');
    // 37.035 x 19 % = 7.03665, half-up to 7.037.
    expect(dinarText).toContain('Net total KWD 37.035 VAT 19 % KWD 7.037 Total (KWD) KWD 44.072 Amount due KWD 44.072');
    expect(dinarText).toContain('S – Standard rate 19 % KWD 37.035 KWD 7.037');
    const dinarAmounts = [...dinarText.matchAll(/KWD (-?[\d,.]+)/g)].map((match) => match[1]);
    expect(dinarAmounts.length).toBeGreaterThan(5);
    for (const amount of dinarAmounts) expect(amount).toMatch(/^-?[\d,]+\.\d{3}$/);
    expect(dinarText).not.toContain('Reverse charge');
  });

  it('gives the same bytes for the same invoice and creation date', async () => {
    // Prepare
    const invoice = anInvoice({ lines: numberedLines(60) });

    // Act
    const first = await renderInvoicePdf(invoice, { creationDate: CREATED });
    const second = await renderInvoicePdf(structuredClone(invoice), { creationDate: CREATED });
    const later = await renderInvoicePdf(invoice, { creationDate: new Date('2026-12-02T00:00:00Z') });
    const [defaultA, defaultB] = await Promise.all([renderInvoicePdf(invoice), renderInvoicePdf(invoice)]);

    // Assess
    expect(first.equals(second)).toBe(true);
    expect(first.equals(later)).toBe(false);
    expect(defaultA.equals(defaultB)).toBe(true);
    // Without a creation date the invoice's finalization time is used.
    expect(defaultA.equals(first)).toBe(true);
  });

  it('marks a draft, which has no number, as DRAFT', async () => {
    // Prepare
    const draft = aDraftInvoice();

    // Act
    const pdf = await renderInvoicePdf(draft, { creationDate: CREATED });

    // Assess
    const text = oneLine(pdfToText(pdf));
    expect(text).toContain('Invoice number DRAFT');
    expect(text).toContain('Issue date not yet issued');
    expect(text).toContain('Not a request for payment');
    expect(text).not.toContain('ACME-2026-');
    expect(pdfInfo(pdf).Title).toBe('Invoice DRAFT');
  });

  it('refuses a period that issued no invoice', async () => {
    // Prepare
    const notIssued = aDraftInvoice({ status: 'not_issued', notIssuedReason: 'total is zero' });

    // Act
    const rendering = renderInvoicePdf(notIssued);

    // Assess
    await expect(rendering).rejects.toBeInstanceOf(InvoiceNotRenderableError);
  });
});

describe('invoice PDF formatting', () => {
  it('formats amounts with the currency exponent and unit prices without rounding', () => {
    // Prepare, Act, Assess
    expect(formatAmount(123456789, 'EUR')).toBe('€ 1,234,567.89');
    expect(formatAmount(-5, 'EUR')).toBe('€ -0.05');
    expect(formatAmount(1234, 'JPY')).toBe('JPY 1,234');
    expect(formatAmount(1234, 'KWD')).toBe('KWD 1.234');
    expect(formatUnitPrice('0.000000000001', 'EUR')).toBe('€ 0.000000000001');
    expect(formatUnitPrice('10', 'EUR')).toBe('€ 10.00');
    expect(formatUnitPrice('0.5', 'JPY')).toBe('JPY 0.5');
  });

  it('shows the supply period with its last day, the end being exclusive', () => {
    // Prepare, Act, Assess
    expect(formatPeriod({ start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' })).toBe('1 – 30 November 2026');
    expect(formatPeriod({ start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' })).toBe('1 – 31 December 2026');
    expect(formatPeriod({ start: '2026-11-15T00:00:00.000Z', end: '2027-01-15T00:00:00.000Z' })).toBe('15 November 2026 – 14 January 2027');
  });
});

describe('invoice font subsets', () => {
  it('keep the outlines and widths of the glyphs drawn, composite glyphs with their parts, in a valid TrueType file', () => {
    // Prepare: glyphs for letters DejaVu builds from parts (Ł, ó, ź, ř: base letter and accent).
    const bytes = readFileSync(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
    const original = create(bytes) as Font;
    const glyphIds = [...'Müller & Søn, Łódź: € 1,234.56 – Dvořák'].map((char) => original.glyphForCodePoint(char.codePointAt(0)!).id);
    const subset = new TrueTypeProgram(bytes).createSubset();
    const subsetIds = glyphIds.map((glyphId) => subset.includeGlyph(glyphId));

    // Act
    const file = subset.encode();

    // Assess
    const embedded = create(file) as Font;
    glyphIds.forEach((glyphId, index) => {
      const [drawn, kept] = [original.getGlyph(glyphId), embedded.getGlyph(subsetIds[index]!)];
      expect(kept.path.toSVG(), `glyph ${glyphId}`).toBe(drawn.path.toSVG());
      expect(kept.advanceWidth, `glyph ${glyphId}`).toBe(drawn.advanceWidth);
    });
    // The parts of composite glyphs came along: more glyphs than drawn (and .notdef).
    expect(embedded.numGlyphs).toBeGreaterThan(new Set([0, ...glyphIds]).size);
    // A TrueType file's 32-bit words add up to 0xB1B0AFBA (head.checkSumAdjustment).
    const words = new DataView(file.buffer, file.byteOffset, file.byteLength);
    let sum = 0;
    for (let offset = 0; offset < file.length; offset += 4) sum = (sum + words.getUint32(offset)) >>> 0;
    expect(sum).toBe(0xb1b0afba);
  });
});
