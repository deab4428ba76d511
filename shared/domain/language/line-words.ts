/**
 * An invoice line's description in a language: its phrases (invoice/line-text.ts) from the
 * catalogue, values written as the language writes them. English writes them in the invoices'
 * house style ("1,234,567.5", "49.00 EUR", "2026-11-10", "2026-10"): the English text is what
 * the invoice stores as `description`. A line without phrases (stored before they existed) is
 * printed as stored.
 */
import { formatQuantity } from '../invoice/line-descriptions.ts';
import type { LinePhrase, LineText, LineValue } from '../invoice/line-text.ts';
import { decimal } from '../money.ts';
import { translator, type Translate } from './catalogue.ts';
import { catalogueLanguage } from './languages.ts';
import { intlFormat } from './locale-format.ts';

interface LineValueFormat {
  readonly quantity: (value: string) => string;
  readonly decimal: (value: string) => string;
  readonly price: (value: string, currency: string) => string;
  readonly date: (value: string) => string;
  readonly instant: (value: string) => string;
  readonly month: (value: string) => string;
}

const ENGLISH: LineValueFormat = {
  quantity: formatQuantity,
  decimal: (value) => value,
  price: (value, currency) => `${value} ${currency}`,
  date: (value) => value,
  instant: (value) =>
    value
      .replace('T', ' ')
      .replace('.000Z', ' UTC')
      .replace(/\.(\d{3})Z$/, '.$1 UTC'),
  month: (value) => value,
};

/** Intl.NumberFormat takes decimal strings exactly (ES2023); the types still say number. */
type ExactNumber = number;

const FORMATS = new Map<string, LineValueFormat>();
/** Per locale and number of fraction digits: a NumberFormat is costly to make, and a catalog has few distinct precisions. */
const DECIMAL_FORMATS = new Map<string, Intl.NumberFormat>();

function decimalsFormat(tag: string, places: number): Intl.NumberFormat {
  const key = `${tag}|${places}`;
  let format = DECIMAL_FORMATS.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(tag, { minimumFractionDigits: places, maximumFractionDigits: places });
    DECIMAL_FORMATS.set(key, format);
  }
  return format;
}

function localeFormat(tag: string): LineValueFormat {
  let format = FORMATS.get(tag);
  if (format === undefined) {
    const locale = intlFormat(tag);
    const instants = new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeStyle: 'long', timeZone: 'UTC' });
    const months = new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'long', timeZone: 'UTC' });
    format = {
      quantity: locale.quantity,
      decimal: (value) => {
        // The digits as written ("2.000"): decimal.js would count the places of the value (2 has none).
        const places = value.split('.')[1]?.length ?? 0;
        return decimalsFormat(tag, places).format(decimal(value).toFixed() as unknown as ExactNumber);
      },
      price: locale.unitPrice,
      date: locale.date,
      instant: (value) => instants.format(new Date(value)),
      month: (value) => months.format(new Date(`${value}-01T00:00:00Z`)),
    };
    FORMATS.set(tag, format);
  }
  return format;
}

/** The line's phrases written in English, the invoices' house style: what `description` stores. */
export function englishLineText(text: LineText): string {
  return write(text, translator('en'), ENGLISH);
}

/** A line's description in the language `tag` names (absent: English): from its phrases, or as stored. */
export function lineDescription(line: { readonly description: string; readonly describedAs?: LineText }, tag: string | undefined): string {
  if (line.describedAs === undefined || catalogueLanguage(tag) === 'en') return line.description;
  return write(line.describedAs, translator(tag), localeFormat(tag ?? 'en'));
}

function write(text: LineText, t: Translate, format: LineValueFormat): string {
  const phraseText = (phrase: LinePhrase): string =>
    t(phrase.key, Object.fromEntries(Object.entries(phrase.values ?? {}).map(([name, value]) => [name, valueText(value)])));
  const valueText = (value: LineValue): string => {
    if ('phrase' in value) return phraseText(value.phrase);
    if ('text' in value) return value.text;
    if ('quantity' in value) return format.quantity(value.quantity);
    if ('decimal' in value) return format.decimal(value.decimal);
    if ('price' in value) return format.price(value.price, value.currency);
    if ('date' in value) return format.date(value.date);
    if ('instant' in value) return format.instant(value.instant);
    return format.month(value.month);
  };
  return text.map(phraseText).join('');
}
