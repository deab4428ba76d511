/**
 * The languages billflow writes documents and emails in. A customer's `language` is a BCP 47 tag
 * (`de`, `de-AT`, `fr-CH`, `ja`): its language subtag picks the message catalogue, the whole tag
 * the number and date formats (`de-AT` writes "€ 1.234,50", `de` "1.234,50 €").
 */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];

/** What a customer without a `language`, of an issuer without `defaultLanguage`, gets. */
export const DEFAULT_LANGUAGE = 'en';

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The tag in its canonical form (`DE-at` -> `de-AT`), or an explanation of what is wrong with it
 * that says what to write instead.
 */
export function canonicalLanguageTag(tag: string): { tag: string } | { problem: string } {
  let canonical: string;
  try {
    [canonical = ''] = Intl.getCanonicalLocales(tag);
  } catch {
    return { problem: `"${tag}" is not a BCP 47 language tag; write one such as "de", "de-AT" or "ja"` };
  }
  if (!isLanguage(canonical.split('-')[0] ?? '')) {
    return { problem: `billflow writes invoices in ${LANGUAGES.join(', ')}; "${tag}" is none of them` };
  }
  return { tag: canonical };
}

/** The catalogue a tag reads from: its language subtag (`de-AT` -> `de`), English when unknown. */
export function catalogueLanguage(tag: string | undefined): Language {
  const language = (tag ?? DEFAULT_LANGUAGE).split('-')[0]?.toLowerCase() ?? DEFAULT_LANGUAGE;
  return isLanguage(language) ? language : DEFAULT_LANGUAGE;
}
