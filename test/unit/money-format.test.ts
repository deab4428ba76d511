/** formatMinor places the point in the integer's digits: the same text as the exact decimal arithmetic. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor, minorToDecimal } from '#domain/money.ts';
import { currencyExponent } from '#domain/catalog/currencies.ts';

const CURRENCIES = ['EUR', 'JPY', 'KWD', 'USD'] as const;
const decimalFormat = (minor: number, currency: string) => minorToDecimal(minor, currency).toFixed(currencyExponent(currency));

describe('formatMinor', () => {
  it('formats as decimal.js does, for every safe integer and currency exponent', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -100_000, max: 100_000 })),
        fc.constantFrom(...CURRENCIES),
        (minor, currency) => {
          expect(formatMinor(minor, currency)).toBe(decimalFormat(minor, currency));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('writes the examples of its comment, small amounts with their leading zero, signs and the extremes', () => {
    expect(formatMinor(1234, 'EUR')).toBe('12.34');
    expect(formatMinor(1234, 'JPY')).toBe('1234');
    expect(formatMinor(1234, 'KWD')).toBe('1.234');
    expect(formatMinor(5, 'EUR')).toBe('0.05');
    expect(formatMinor(-5, 'KWD')).toBe('-0.005');
    expect(formatMinor(0, 'EUR')).toBe('0.00');
    for (const minor of [-0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      for (const currency of CURRENCIES) expect(formatMinor(minor, currency)).toBe(decimalFormat(minor, currency));
    }
  });

  it('refuses what is not a safe integer, as before', () => {
    expect(() => formatMinor(0.5, 'EUR')).toThrow(RangeError);
    expect(() => formatMinor(2 ** 53, 'EUR')).toThrow(RangeError);
    expect(() => formatMinor(1, 'XYZ')).toThrow(/Unknown ISO 4217/);
  });
});
