/**
 * The words and formats of one document's language: the message catalogue's `t` and the
 * locale's number and date formats. English keeps the invoice's own house style (format.ts:
 * "€ 1,234.56", "30 November 2026"), byte for byte as before translations; every other
 * language is written as Intl writes its locale ("1.234,56 €", "30. November 2026").
 */
import { translator, type Translate } from '#domain/language/catalogue.ts';
import { catalogueLanguage, DEFAULT_LANGUAGE } from '#domain/language/languages.ts';
import { intlFormat, type LocaleFormat } from '#domain/language/locale-format.ts';
import { OUTSIDE_SCOPE_LEGEND, REVERSE_CHARGE_LEGEND } from '#domain/tax/tax-treatment.ts';
import type { VatCategory } from '#domain/invoice/types.ts';
import { ENGLISH_FORMAT } from './format.ts';

export interface DocumentWords {
  /** The BCP 47 tag the document is in (its `lang`). */
  readonly language: string;
  readonly t: Translate;
  readonly format: LocaleFormat;
}

const WORDS = new Map<string, DocumentWords>();

/** The words for a document in `tag` (absent: English), made once per tag. */
export function documentWords(tag: string | undefined): DocumentWords {
  const language = tag ?? DEFAULT_LANGUAGE;
  let words = WORDS.get(language);
  if (words === undefined) {
    const english = catalogueLanguage(language) === 'en';
    words = { language, t: translator(language), format: english ? ENGLISH_FORMAT : intlFormat(language) };
    WORDS.set(language, words);
  }
  return words;
}

/** "S – Standard rate", the category's code (EN 16931) and its name in the document's language. */
export function vatCategoryText(category: VatCategory, t: Translate): string {
  return `${category} – ${t(`vatCategory.${category}`)}`;
}

/**
 * A legend stored on the invoice (in English, as the tax rules word it) in the document's
 * language; a legend the catalogue does not know is printed as stored.
 */
export function legendText(legend: string, t: Translate): string {
  if (legend === REVERSE_CHARGE_LEGEND) return t('legend.reverseCharge');
  if (legend === OUTSIDE_SCOPE_LEGEND) return t('legend.outsideScope');
  return legend;
}
