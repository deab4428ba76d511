/**
 * Decimal numbers written as text ("0.001", "19"): how prices, rates and tier bounds travel
 * through the catalog, so no binary float ever touches money.
 */

const DECIMAL_TEXT = /^[0-9]+(\.[0-9]+)?$/;

/** Prices carry at most this many fraction digits (CONTRACTS.md section 2). */
export const MAX_FRACTION_DIGITS = 12;

/** Why `text` is not a non-negative decimal with at most `maxFractionDigits`, or undefined. */
export function decimalTextProblem(text: string, example: string, maxFractionDigits = MAX_FRACTION_DIGITS): string | undefined {
  if (/^\s*-/.test(text)) return 'must not be negative';
  if (!DECIMAL_TEXT.test(text)) return `must be a decimal string such as "${example}" (digits, optionally "." and more digits)`;
  const fractionDigits = text.split('.')[1]?.length ?? 0;
  if (fractionDigits > maxFractionDigits) {
    return `has ${fractionDigits} fraction digits; at most ${maxFractionDigits} are allowed`;
  }
  return undefined;
}

export function isDecimalText(text: string): boolean {
  return DECIMAL_TEXT.test(text);
}

/**
 * The decimal text of a JSON/YAML number, or undefined when JavaScript would print it in
 * exponent form (1e21, 1e-7): such values must be given as strings to stay exact.
 */
export function numberToDecimalText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  return /e/i.test(text) ? undefined : text;
}
