/**
 * The message catalogue documents and emails take every word from: i18next, one instance per
 * process with all five languages loaded (they are small, and loading synchronously keeps
 * rendering synchronous). Interpolated values are not escaped here: the HTML email and page
 * escape what they insert, the PDF and text bodies need none.
 */
import i18next, { type TFunction } from 'i18next';
import type { MessageKey, Messages } from './catalogue-types.ts';
import { catalogueLanguage, DEFAULT_LANGUAGE, type Language } from './languages.ts';
import { de } from './messages/de.ts';
import { en } from './messages/en.ts';
import { es } from './messages/es.ts';
import { fr } from './messages/fr.ts';
import { ja } from './messages/ja.ts';

export const CATALOGUES: Readonly<Record<Language, Messages>> = { en, de, fr, es, ja };

const i18n = i18next.createInstance();
void i18n.init({
  resources: Object.fromEntries(Object.entries(CATALOGUES).map(([language, messages]) => [language, { translation: messages }])),
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  initAsync: false,
  // Keys are flat ("invoice.title"), and nothing in them is a namespace.
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
});

export type Translate = (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string;

const TRANSLATORS = new Map<Language, TFunction>();

/** The words of the language a BCP 47 tag names (its language subtag; English when not one of ours). */
export function translator(tag: string | undefined): Translate {
  const language = catalogueLanguage(tag);
  let t = TRANSLATORS.get(language);
  if (t === undefined) {
    t = i18n.getFixedT(language);
    TRANSLATORS.set(language, t);
  }
  const fixed = t;
  return (key, values) => fixed(key, values ?? {});
}
