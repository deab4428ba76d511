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
  const said = saidIn(language);
  return (key, values) => {
    // The catalogue never changes after init, so a message is a pure function of its key and values.
    const asked = values === undefined ? key : `${key}\u0000${JSON.stringify(values)}`;
    let message = said.get(asked);
    if (message === undefined) {
      message = fixed(key, values ?? {});
      if (said.size >= MAX_REMEMBERED_MESSAGES) said.clear();
      said.set(asked, message);
    }
    return message;
  };
}

/**
 * Messages already made, per language. i18next resolves every call afresh (fallbacks, plural
 * rules, interpolation): a few microseconds each, and a 10-page invoice asks for the same
 * column headers, page footers and totals labels some two hundred times, a tenth of its render.
 * Bounded, because interpolated values (numbers, names) make new keys without end.
 */
const SAID = new Map<Language, Map<string, string>>();
const MAX_REMEMBERED_MESSAGES = 5000;

function saidIn(language: Language): Map<string, string> {
  let said = SAID.get(language);
  if (said === undefined) {
    said = new Map();
    SAID.set(language, said);
  }
  return said;
}
