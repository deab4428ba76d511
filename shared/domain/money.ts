/**
 * Exact money arithmetic. Prices, quantities and rates are decimal strings (CONTRACTS.md
 * section 2); they become decimals here and leave as integers in the currency's minor unit.
 * No binary float ever holds an amount: 0.1 + 0.2 must be 0.3, not 0.30000000000000004.
 */
import DecimalJs from 'decimal.js';
import { currencyExponent } from './catalog/currencies.ts';

/**
 * A private Decimal constructor, so no other module's settings change ours (or ours theirs).
 * 50 significant digits keep every product exact that billing can produce: a quantity of up
 * to 10^20 with 12 fraction digits (32 digits) times a price with 12 fraction digits and up to
 * 6 integer digits stays within 50. Half-up is the commercial rounding invoices use; on the
 * rare negative value it rounds half away from zero, so -0.005 and 0.005 round to the same
 * magnitude. The exponent limits make toString() never switch to 1e+21 notation.
 */
export const Decimal = DecimalJs.clone({
  precision: 50,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});

/** An exact decimal value (instances of every decimal.js clone share this type). */
export type Decimal = DecimalJs;

export const ZERO: Decimal = new Decimal(0);

/** A decimal from its text (or an existing decimal); throws on anything that is not a finite number. */
export function decimal(value: Decimal | string): Decimal {
  const result = new Decimal(value);
  if (!result.isFinite()) throw new RangeError(`Not a finite decimal: ${String(value)}`);
  return result;
}

/** Plain decimal text, never in exponent notation: "0.000000000001", "1000000000000000000000". */
export function decimalText(value: Decimal): string {
  // toFixed() without digits keeps every digit; isZero() also turns -0 into "0".
  return value.isZero() ? '0' : value.toFixed();
}

/**
 * `amount` in currency units rounded half-up to the currency's minor unit, as an integer
 * number of minor units: toMinorUnits("12.345", "EUR") === 1235.
 */
export function toMinorUnits(amount: Decimal | string, currency: string): number {
  const exponent = currencyExponent(currency);
  const minor = decimal(amount).toDecimalPlaces(exponent, Decimal.ROUND_HALF_UP).times(new Decimal(10).pow(exponent));
  return safeMinorUnits(minor, `${decimalText(decimal(amount))} ${currency}`);
}

/** An integer number of minor units back in currency units, exactly: formatMinor(1234, "KWD") === "1.234". */
export function minorToDecimal(minor: number, currency: string): Decimal {
  // Parsing the digits formatMinor places the point in is exact, and cheaper than dividing by a
  // power of ten worked out per call (the e-invoice model converts every line's net).
  return new Decimal(formatMinor(minor, currency));
}

/**
 * Minor units as decimal text with the currency's digits: "12.34" (EUR), "1234" (JPY), "1.234"
 * (KWD). Placing the point in the integer's digits is exact (a safe integer prints all its
 * digits) and gives what minorToDecimal(minor).toFixed(exponent) gives, without decimal.js: an
 * invoice PDF and its e-invoice format thousands of amounts (test/unit/money-format.test.ts).
 */
export function formatMinor(minor: number, currency: string): string {
  assertSafeMinor(minor);
  const exponent = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Round an exact decimal of minor units (e.g. a VAT amount in cents) half-up to a whole minor unit. */
export function roundMinorUnits(minor: Decimal): number {
  return safeMinorUnits(minor.toDecimalPlaces(0, Decimal.ROUND_HALF_UP), decimalText(minor));
}

/**
 * Beyond 2^53 a JavaScript number silently loses cents, so an amount that large is a bug in
 * the catalog or the usage, and must stop the invoice rather than print a wrong total.
 */
function safeMinorUnits(minor: Decimal, what: string): number {
  if (minor.abs().greaterThan(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Amount ${what} is too large: ${decimalText(minor)} minor units exceed ${Number.MAX_SAFE_INTEGER}`);
  }
  // `+ 0` turns a -0 (from rounding -0.001) into a plain 0.
  return Number(minor.toFixed(0)) + 0;
}

function assertSafeMinor(minor: number): void {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Minor units must be a safe integer, got ${minor}`);
}
