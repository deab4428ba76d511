/**
 * How values read on an invoice PDF. One style throughout, matching the English wording and the
 * line descriptions (1,234,567.5): amounts "€ 1,234.56", "JPY 1,234", "KWD 1.234"; dates
 * "30 November 2026" (no day/month order to misread); rates "19 %". Nothing here depends on the
 * machine's locale or time zone, so the same invoice always renders the same text.
 */
import type { PostalAddress } from '#domain/catalog/types.ts';
import { currencyExponent } from '#domain/catalog/currencies.ts';
import { decimal, decimalText, formatMinor } from '#domain/money.ts';
import { formatQuantity } from '#domain/invoice/line-descriptions.ts';
import type { LocaleFormat } from '#domain/language/locale-format.ts';

/**
 * Symbols only where they are unambiguous to a European reader; "$" or "¥" could be several
 * currencies, so those and all others print their ISO 4217 code.
 */
const SYMBOLS: Readonly<Record<string, string>> = { EUR: '€', GBP: '£' };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Countries whose addresses put the city before the postal code. */
const CITY_FIRST = new Set(['AU', 'CA', 'GB', 'IE', 'NZ', 'US']);

const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

export function currencyPrefix(currency: string): string {
  return SYMBOLS[currency] ?? currency;
}

/** Minor units with the currency's digits: formatAmount(123456, "EUR") === "€ 1,234.56". */
export function formatAmount(minor: number, currency: string): string {
  return withCurrency(formatMinor(minor, currency), currency);
}

/**
 * A unit price as agreed in the catalog (up to 12 fraction digits), never rounded, but with at
 * least the currency's digits so it lines up with the amounts: "0.0005" -> "€ 0.0005",
 * "10" -> "€ 10.00", "250" JPY -> "JPY 250".
 */
export function formatUnitPrice(price: string, currency: string): string {
  const value = decimal(price);
  const digits = Math.max(currencyExponent(currency), (decimalText(value).split('.')[1] ?? '').length);
  return withCurrency(value.toFixed(digits), currency);
}

/** "19" -> "19 %", "5.50" -> "5.5 %". */
export function formatRate(rate: string): string {
  return `${decimalText(decimal(rate))} %`;
}

/** A calendar date, YYYY-MM-DD or any RFC 3339 instant (its UTC day): "30 November 2026". */
export function formatDate(value: string): string {
  const { year, month, day } = utcDay(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value), value);
  return `${day} ${MONTHS[month]} ${year}`;
}

/**
 * The supply period, both days inclusive. `end` is exclusive (the next period's first instant),
 * so the last day shown is the day before it: [2026-11-01, 2026-12-01) -> "1 – 30 November 2026".
 */
export function formatPeriod(period: { readonly start: string; readonly end: string }): string {
  const first = utcDay(Date.parse(period.start), period.start);
  const last = utcDay(Date.parse(period.end) - 1, period.end);
  const lastText = `${last.day} ${MONTHS[last.month]} ${last.year}`;
  if (first.year !== last.year) return `${first.day} ${MONTHS[first.month]} ${first.year} – ${lastText}`;
  if (first.month !== last.month) return `${first.day} ${MONTHS[first.month]} – ${lastText}`;
  if (first.day === last.day) return lastText;
  return `${first.day} – ${lastText}`;
}

/** The lines of a postal address as a letter shows them, ending with the country's name (in English by default). */
export function addressLines(address: PostalAddress, country: (code: string) => string = countryName): string[] {
  const region = address.region === undefined || address.region === '' ? undefined : address.region;
  const lines = [address.line1];
  if (address.line2 !== undefined && address.line2 !== '') lines.push(address.line2);
  if (CITY_FIRST.has(address.country)) {
    lines.push([address.city, region, address.postalCode].filter((part) => part !== undefined && part !== '').join(' '));
  } else {
    lines.push(`${address.postalCode} ${address.city}`.trim());
    if (region !== undefined) lines.push(region);
  }
  lines.push(country(address.country));
  return lines;
}

export function countryName(code: string): string {
  return COUNTRY_NAMES.of(code) ?? code;
}

/** Groups of four, as IBANs are printed for people: "DE89 3704 0044 0532 0130 00". */
export function formatIban(iban: string): string {
  return iban.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

function withCurrency(plain: string, currency: string): string {
  const negative = plain.startsWith('-');
  const [whole = '0', fraction] = (negative ? plain.slice(1) : plain).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const number = fraction === undefined ? grouped : `${grouped}.${fraction}`;
  return `${currencyPrefix(currency)} ${negative ? '-' : ''}${number}`;
}

function utcDay(epochMs: number, text: string): { year: number; month: number; day: number } {
  if (Number.isNaN(epochMs)) throw new RangeError(`Not a date: ${text}`);
  const date = new Date(epochMs);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth(), day: date.getUTCDate() };
}

/** English documents in this house style (the catalogue gives the words, these the values). */
export const ENGLISH_FORMAT: LocaleFormat = {
  amount: formatAmount,
  unitPrice: formatUnitPrice,
  quantity: formatQuantity,
  rate: formatRate,
  date: formatDate,
  period: formatPeriod,
  country: countryName,
};
