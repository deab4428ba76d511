/**
 * Numbers, money and dates as a locale writes them, with Intl: "1.234,56 €" (de), "1 234,56 €"
 * (fr), "¥1,234" (ja), "31. Dezember 2026", "2026年12月31日". Amounts are formatted from their
 * exact decimal text, never through a binary float; dates are calendar days in UTC, so nothing
 * depends on the machine's time zone.
 */
import { currencyExponent } from '../catalog/currencies.ts';
import { decimal, formatMinor } from '../money.ts';

export interface LocaleFormat {
  /** Minor units with the currency's digits. */
  readonly amount: (minor: number, currency: string) => string;
  /** A catalog price (up to 12 fraction digits), never rounded, with at least the currency's digits. */
  readonly unitPrice: (price: string, currency: string) => string;
  /** A decimal quantity, grouped, every digit kept. */
  readonly quantity: (quantity: string) => string;
  /** A VAT rate in percent ("19" -> "19 %"). */
  readonly rate: (rate: string) => string;
  /** A calendar date (YYYY-MM-DD) or an instant's UTC day. */
  readonly date: (value: string) => string;
  /** A supply period [start, end), both days shown inclusive. */
  readonly period: (period: { readonly start: string; readonly end: string }) => string;
  /** A country's name from its ISO 3166 code. */
  readonly country: (code: string) => string;
}

const FORMATS = new Map<string, LocaleFormat>();

/** The locale's formats, made once per tag (Intl formatters are costly to create, cheap to use). */
export function intlFormat(tag: string): LocaleFormat {
  let format = FORMATS.get(tag);
  if (format === undefined) {
    format = createFormat(tag);
    FORMATS.set(tag, format);
  }
  return format;
}

/** Intl.NumberFormat takes decimal strings exactly (ES2023); the types still say number. */
type ExactNumber = number;

function createFormat(tag: string): LocaleFormat {
  const money = new Map<string, Intl.NumberFormat>();
  const currencyFormat = (currency: string, fractionDigits: number): Intl.NumberFormat => {
    const key = `${currency}:${fractionDigits}`;
    let format = money.get(key);
    if (format === undefined) {
      format = new Intl.NumberFormat(tag, {
        style: 'currency',
        currency,
        minimumFractionDigits: currencyExponent(currency),
        maximumFractionDigits: fractionDigits,
      });
      money.set(key, format);
    }
    return format;
  };
  const numbers = new Intl.NumberFormat(tag, { maximumFractionDigits: 20 });
  const percent = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 20 });
  const dates = new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'UTC' });
  const countries = new Intl.DisplayNames([tag], { type: 'region', fallback: 'code' });
  return {
    amount: (minor, currency) =>
      currencyFormat(currency, currencyExponent(currency)).format(formatMinor(minor, currency) as unknown as ExactNumber),
    unitPrice: (price, currency) => {
      const digits = Math.max(currencyExponent(currency), decimal(price).decimalPlaces());
      return currencyFormat(currency, digits).format(decimal(price).toFixed() as unknown as ExactNumber);
    },
    quantity: (quantity) => numbers.format(decimal(quantity).toFixed() as unknown as ExactNumber),
    rate: (rate) => percent.format(decimal(rate).div(100).toFixed() as unknown as ExactNumber),
    date: (value) => dates.format(utcDate(value)),
    period: ({ start, end }) => {
      const first = utcDate(start);
      const last = new Date(utcDate(end).getTime() - 1);
      return first.getUTCFullYear() === last.getUTCFullYear() &&
        first.getUTCMonth() === last.getUTCMonth() &&
        first.getUTCDate() === last.getUTCDate()
        ? dates.format(first)
        : dates.formatRange(first, last);
    },
    country: (code) => countries.of(code) ?? code,
  };
}

function utcDate(value: string): Date {
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a date: ${value}`);
  return date;
}
