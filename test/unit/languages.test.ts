/**
 * Languages (issue 20): the message catalogue is complete in every language, a customer's
 * `language` is validated and reaches the invoice, and values are formatted per locale.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUES, translator } from '#domain/language/catalogue.ts';
import { canonicalLanguageTag, LANGUAGES } from '#domain/language/languages.ts';
import { intlFormat } from '#domain/language/locale-format.ts';
import { en } from '#domain/language/messages/en.ts';
import { formatIssue, validateCatalogDocument } from '#domain/catalog/validate.ts';
import { draftInvoice } from '#domain/invoice/invoice-record.ts';
import type { Customer, Issuer } from '#domain/catalog/types.ts';
import { invoicingCatalog, issuer, proCustomer } from '#test-support/invoicing-catalog.ts';
import { anInvoice } from '#test-support/invoice-factory.ts';

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Keys without plural suffixes, and per plural key the forms a catalogue has. */
function keysOf(messages: Readonly<Record<string, string | undefined>>): { plain: string[]; plurals: Map<string, string[]> } {
  const plain: string[] = [];
  const plurals = new Map<string, string[]>();
  for (const [key, value] of Object.entries(messages)) {
    if (value === undefined) continue;
    const match = PLURAL.exec(key);
    if (match === null) plain.push(key);
    else plurals.set(key.slice(0, match.index), [...(plurals.get(key.slice(0, match.index)) ?? []), match[1] ?? '']);
  }
  return { plain: plain.sort(), plurals };
}

describe('the message catalogue', () => {
  const english = keysOf(en);

  it.each(LANGUAGES)('%s has every key English has, with every plural form its plural rules use', (language) => {
    // Act
    const { plain, plurals } = keysOf(CATALOGUES[language]);

    // Assess: the same keys, and each plural key has exactly the categories CLDR gives the language.
    expect(plain).toEqual(english.plain);
    expect([...plurals.keys()].sort()).toEqual([...english.plurals.keys()].sort());
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
    for (const [key, forms] of plurals) expect({ key, forms: forms.sort() }).toEqual({ key, forms: [...categories].sort() });
  });

  it.each(LANGUAGES)('%s leaves no value empty and keeps every placeholder English uses', (language) => {
    for (const [key, value] of Object.entries(CATALOGUES[language])) {
      const base = key.replace(PLURAL, '');
      const reference = (en as Record<string, string>)[key] ?? (en as Record<string, string>)[`${base}_other`] ?? '';
      const placeholders = (text: string) => [...text.matchAll(/{{(\w+)}}/g)].map((match) => match[1]).sort();
      expect({ key, empty: value?.trim() === '' }).toEqual({ key, empty: false });
      expect({ key, placeholders: placeholders(value ?? '') }).toEqual({ key, placeholders: placeholders(reference) });
    }
  });

  it('chooses plural forms by count, as each language counts', () => {
    expect(translator('en')('reminder.overdue', { count: 1 })).toBe('1 day overdue');
    expect(translator('en')('reminder.overdue', { count: 3 })).toBe('3 days overdue');
    expect(translator('de')('reminder.overdue', { count: 1 })).toBe('seit 1 Tag überfällig');
    expect(translator('fr')('reminder.overdue', { count: 0 })).toBe('en retard de 0 jour');
    expect(translator('ja')('reminder.overdue', { count: 20 })).toBe('20日過ぎています');
  });

  it('keeps the Directive reference in every language’s reverse-charge legend', () => {
    for (const language of LANGUAGES) expect(translator(language)('legend.reverseCharge')).toMatch(/196.*2006\/112|2006\/112.*196/);
  });
});

describe('locale formats', () => {
  it('writes money, dates and periods as each locale does, from exact decimals', () => {
    expect(intlFormat('de').amount(123456789, 'EUR')).toBe('1.234.567,89\u00a0€');
    expect(intlFormat('fr').amount(123456, 'EUR')).toBe('1\u202f234,56\u00a0€');
    expect(intlFormat('ja').amount(1234, 'JPY')).toBe('￥1,234');
    expect(intlFormat('de').unitPrice('0.000512345678', 'EUR')).toBe('0,000512345678\u00a0€');
    expect(intlFormat('es').date('2026-12-31')).toBe('31 de diciembre de 2026');
    expect(intlFormat('de').period({ start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' })).toBe('1.–30. November 2026');
    expect(intlFormat('ja').date('2026-12-31')).toBe('2026年12月31日');
    expect(intlFormat('de').rate('19')).toBe('19\u00a0%');
  });

  it('takes a date as its UTC day whatever the time of day', () => {
    expect(intlFormat('de').date('2026-11-30T23:59:59.999Z')).toBe('30. November 2026');
  });
});

describe('language in the catalog', () => {
  const catalogWith = (customer: Partial<Customer>, issuerFields: Partial<Issuer> = {}) => {
    const document = invoicingCatalog([proCustomer('cus_1', customer)]);
    return { ...document, issuer: { ...document.issuer, ...issuerFields } };
  };

  it('accepts BCP 47 tags of the five languages and stores them canonical', () => {
    // Act
    const result = validateCatalogDocument(catalogWith({ language: 'DE-at' }, { defaultLanguage: 'fr' }), {
      taxRates: {},
      meters: [],
      plans: [],
    });

    // Assess
    expect(result.ok ? result.document.customers?.[0]?.language : result.issues.map(formatIssue)).toBe('de-AT');
    expect(result.ok ? result.document.issuer?.defaultLanguage : undefined).toBe('fr');
  });

  it('rejects a tag that is not BCP 47, or a language billflow does not write, saying what to write', () => {
    // Act
    const result = validateCatalogDocument(catalogWith({ language: 'it' }, { defaultLanguage: 'not a tag!' }), {
      taxRates: {},
      meters: [],
      plans: [],
    });

    // Assess
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^customers\[0\]\.language: billflow writes invoices in en, de, fr, es, ja; "it" is none of them/),
        expect.stringMatching(/^issuer\.defaultLanguage: "not a tag!" is not a BCP 47 language tag/),
      ]),
    );
    expect(canonicalLanguageTag('ja-JP')).toEqual({ tag: 'ja-JP' });
  });

  it('fixes the invoice’s language when the draft is built: the customer’s, else the issuer’s default, nothing for English', () => {
    // Prepare
    const invoice = anInvoice();
    const draft = (customer: Partial<Customer>, issuerFields: Partial<Issuer> = {}) =>
      draftInvoice({
        computation: { ...invoice, tax: invoice.tax, legends: invoice.legends },
        issuer: { ...issuer, ...issuerFields },
        customer: proCustomer('cus_1', customer),
        billingPeriod: '2026-11',
        eventCount: 0,
        duplicateDeliveries: 0,
        readThrough: 0,
        lateWindows: [],
        now: Date.parse('2026-12-01T00:00:00Z'),
      }).language;

    // Act / Assess
    expect(draft({ language: 'ja' }, { defaultLanguage: 'de' })).toBe('ja');
    expect(draft({}, { defaultLanguage: 'de' })).toBe('de');
    expect(draft({})).toBeUndefined();
    expect(draft({ language: 'en' }, { defaultLanguage: 'de' })).toBeUndefined();
  });
});
