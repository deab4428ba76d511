/**
 * Invoice line descriptions in the customer's language (issue 20): a line keeps its description's
 * catalogue phrases beside the English text it stores, and the PDF and the invoice page write it
 * in the invoice's language, quantities, prices and dates as the locale writes them. English is
 * the stored text; a line stored before lines had phrases prints its stored text in any language.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderInvoicePage } from '#adapters/html/invoice-page.ts';
import { renderInvoicePdf } from '#adapters/pdf/invoice-pdf.ts';
import { renderCreditNotePdf } from '#adapters/pdf/credit-note-pdf.ts';
import { assembleCreditNote } from '#domain/credit-notes/assemble.ts';
import { computeInvoice } from '#domain/invoice/assemble.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { InvoiceComputation } from '#domain/invoice/types.ts';
import { englishLineText, lineDescription } from '#domain/language/line-words.ts';
import { phrase } from '#domain/invoice/line-text.ts';
import type { Customer } from '#domain/catalog/types.ts';
import { anInvoice, proPlanLines } from '#test-support/invoice-factory.ts';
import { issuer, METERS, PRO_PLAN, TAX_RATES } from '#test-support/invoicing-catalog.ts';
import { ensurePoppler, pdfToText } from '#test-support/poppler.ts';

const CREATED = new Date('2026-12-01T02:00:00Z');
const oneLine = (text: string) => text.replace(/[\s\u00a0\u202f]+/g, ' ');

const customer: Customer = {
  id: 'cus_lines',
  name: 'Kunde GmbH',
  email: 'ap@kunde.example',
  address: { line1: 'Hauptstr. 2', city: 'Berlin', postalCode: '10115', country: 'DE' },
  plan: 'pro',
  paymentTermsDays: 30,
};

/** November on pro, every line kind: base fee, three tiers, packages, a peak, late usage from October. */
const month: InvoiceComputation = computeInvoice({
  issuer,
  customer,
  plan: PRO_PLAN,
  meters: METERS,
  taxRates: TAX_RATES,
  period: '2026-11',
  usage: [
    { meter: 'api_calls', period: '2026-11', quantity: '150000', eventCount: 1 },
    { meter: 'tokens', period: '2026-11', quantity: '2345678', eventCount: 1 },
    { meter: 'seats', period: '2026-11', quantity: '5', eventCount: 1 },
    { meter: 'tokens', period: '2026-10', quantity: '48000', eventCount: 1 },
  ],
});

/** Pro from 20 November: the base fee and the minimum prorated by 11/30 days. */
const upgraded: InvoiceComputation = computeInvoice({
  issuer,
  customer,
  plans: [PRO_PLAN],
  subscriptions: [{ plan: 'pro', start: Date.parse('2026-11-20T00:00:00Z') }],
  meters: METERS,
  taxRates: TAX_RATES,
  period: '2026-11',
  usage: [],
});

const written = (computed: InvoiceComputation, language: string) => computed.lines.map((line) => lineDescription(line, language));

/** What each language writes for the lines of `month` and `upgraded`, in order. */
const EXPECTED: Record<'de' | 'fr' | 'es' | 'ja', { month: string[]; upgraded: string[] }> = {
  de: {
    month: [
      'Grundgebühr, Tarif pro',
      'api_calls, 1 – 10.000',
      'api_calls, 10.001 – 100.000',
      'api_calls, ab 100.001',
      'tokens: 48.000 in Paketen zu 1.000, verspätete Nutzung aus Oktober 2026',
      'tokens: 2.345.678 in Paketen zu 1.000',
      'seats (Höchstwert)',
      'Bereits berechnete Aufstockung auf den Mindestumsatz für Oktober 2026, nun durch die verspätete Nutzung gedeckt (Mindestumsatz 100,00 €)',
    ],
    upgraded: [
      'Grundgebühr, Tarif pro, 20. November 2026 – 30. November 2026, 49,00 € × 11/30 Tage',
      'Aufstockung auf den Mindestumsatz (Tarif pro, 20. November 2026 – 30. November 2026, Mindestumsatz 100,00 € × 11/30 Tage = 36,67 €)',
    ],
  },
  fr: {
    month: [
      'Abonnement de base, formule pro',
      'api_calls, 1 – 10 000',
      'api_calls, 10 001 – 100 000',
      'api_calls, 100 001 et plus',
      'tokens : 48 000 en lots de 1 000, régularisation de consommation (octobre 2026)',
      'tokens : 2 345 678 en lots de 1 000',
      'seats (pic)',
      'Complément au minimum déjà facturé pour octobre 2026, désormais couvert par sa consommation tardive (engagement 100,00 €)',
    ],
    upgraded: [
      'Abonnement de base, formule pro, 20 novembre 2026 – 30 novembre 2026, 49,00 € × 11/30 jours',
      'Complément au minimum d’engagement (formule pro, 20 novembre 2026 – 30 novembre 2026, engagement 100,00 € × 11/30 jours = 36,67 €)',
    ],
  },
  es: {
    month: [
      'Cuota base, plan pro',
      'api_calls, 1 – 10.000',
      'api_calls, 10.001 – 100.000',
      'api_calls, 100.001 en adelante',
      // Spanish groups thousands only from five digits (CLDR): 1000, 48.000.
      'tokens: 48.000 en paquetes de 1000, consumo tardío de octubre de 2026',
      'tokens: 2.345.678 en paquetes de 1000',
      'seats (pico)',
      'Complemento hasta el mínimo ya facturado para octubre de 2026, ahora cubierto por su consumo tardío (compromiso 100,00 €)',
    ],
    upgraded: [
      'Cuota base, plan pro, 20 de noviembre de 2026 – 30 de noviembre de 2026, 49,00 € × 11/30 días',
      'Complemento hasta el compromiso mínimo (plan pro, 20 de noviembre de 2026 – 30 de noviembre de 2026, compromiso 100,00 € × 11/30 días = 36,67 €)',
    ],
  },
  ja: {
    month: [
      '基本料金（プラン pro）',
      'api_calls、1～10,000',
      'api_calls、10,001～100,000',
      'api_calls、100,001以上',
      'tokens：48,000（1,000単位のパッケージ）、2026年10月分の遅延利用',
      'tokens：2,345,678（1,000単位のパッケージ）',
      'seats（最大値）',
      '2026年10月の請求済み最低利用額調整（遅延利用により充足、最低利用額 €100.00）',
    ],
    upgraded: [
      '基本料金（プラン pro）、2026年11月20日～2026年11月30日、€49.00 × 11/30日',
      '最低利用額までの調整（プラン pro、2026年11月20日～2026年11月30日、最低利用額 €100.00 × 11/30日 = €36.67）',
    ],
  },
};

beforeAll(() => ensurePoppler(), 300_000);

describe('line descriptions in English', () => {
  it('are the stored text, which the e-invoice carries: the phrases written in English', () => {
    expect(written(month, 'en')).toEqual(month.lines.map((line) => line.description));
    expect(written(upgraded, 'en')).toEqual([
      'Base fee, plan pro, 2026-11-20 – 2026-11-30, 49.00 EUR x 11/30 days',
      'Minimum commitment top-up (plan pro, 2026-11-20 – 2026-11-30, commitment 100.00 EUR x 11/30 days = 36.67 EUR)',
    ]);
    expect(month.lines.every((line) => line.describedAs !== undefined)).toBe(true);
  });

  it('of the test factory’s lines are their phrases written in English, as computeInvoice makes them', () => {
    for (const line of proPlanLines()) expect(englishLineText(line.describedAs!)).toBe(line.description);
  });
});

describe("a catalog price on a line (a tier's flat fee)", () => {
  it('keeps the digits the catalog wrote it with, in every language', () => {
    const flatFee = (price: string, tag: string) =>
      lineDescription({ description: '', describedAs: [phrase('line.flatFee', { price: { decimal: price } })] }, tag);
    expect(englishLineText([phrase('line.flatFee', { price: { decimal: '2.000' } })])).toBe(', including a flat fee of 2.000');
    expect(['de', 'fr', 'es'].map((tag) => oneLine(flatFee('2.000', tag)))).toEqual([
      ', inklusive einer Pauschale von 2,000',
      expect.stringContaining(' 2,000'),
      expect.stringContaining(' 2,000'),
    ]);
    expect(oneLine(flatFee('1234.50', 'de'))).toBe(', inklusive einer Pauschale von 1.234,50');
  });
});

describe.each(Object.entries(EXPECTED))('line descriptions in %s', (language, expected) => {
  it('write every kind of line (base fee, tiers, packages, a peak, late usage, proration, minimum) in the language and its number and date formats', () => {
    // Intl's no-break spaces ("100,00\u00a0€", "10\u202f000") compared as spaces.
    expect(written(month, language).map(oneLine)).toEqual(expected.month);
    expect(written(upgraded, language).map(oneLine)).toEqual(expected.upgraded);
  });

  it('are on the invoice page', () => {
    const invoice = anInvoice({ language, lines: [...month.lines, ...upgraded.lines] });
    const page = renderInvoicePage(invoice, { pdf: 'pdf' }, CREATED.getTime());
    for (const text of [...expected.month, ...expected.upgraded]) expect(oneLine(page)).toContain(`<td>${text}</td>`);
    expect(page).not.toContain('Base fee');
  });
});

describe('line descriptions on the PDF', () => {
  it.each(['de', 'ja'] as const)('%s: pdftotext shows them translated, on the invoice and on a credit note of it', async (language) => {
    // Prepare
    const invoice: Invoice = anInvoice({ language, lines: [...month.lines] });
    const creditNote = {
      ...assembleCreditNote({
        invoice,
        creditNotes: [],
        request: { reason: 'goodwill', settlement: 'balance', credit: 'all' },
        issueDate: '2026-12-10',
      }),
      number: 'ACME-CN-2026-000001',
    };
    const compact = (text: string) => (language === 'ja' ? text.replace(/[\s\u00a0\u202f]+/g, '') : oneLine(text));
    const short = [EXPECTED[language].month[0]!, EXPECTED[language].month[3]!, EXPECTED[language].month[6]!];

    // Act
    const invoiceText = compact(pdfToText(await renderInvoicePdf(invoice, { creationDate: CREATED })));
    const creditNoteText = compact(pdfToText(await renderCreditNotePdf(creditNote, invoice, { creationDate: CREATED })));

    // Assess
    for (const text of short) expect(invoiceText).toContain(compact(text));
    for (const text of short) expect(creditNoteText).toContain(compact(text));
    expect(creditNote.lines[0]!.describedAs).toEqual(invoice.lines[0]!.describedAs);
    expect(invoiceText).not.toMatch(/Base fee|\(peak\)/);
  });

  it('prints a line stored before lines had phrases as stored, in any language', async () => {
    const invoice = anInvoice({ language: 'de', lines: proPlanLines().map(({ describedAs: _phrases, ...older }) => older) });
    expect(oneLine(pdfToText(await renderInvoicePdf(invoice, { creationDate: CREATED })))).toContain('Base fee, plan pro');
    expect(renderInvoicePage(invoice, { pdf: 'pdf' }, CREATED.getTime())).toContain('<td>Base fee, plan pro</td>');
  });
});
