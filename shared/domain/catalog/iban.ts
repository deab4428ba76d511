/**
 * IBAN checks (ISO 13616): the issuer's IBAN is printed on every invoice as the payment
 * instruction, so a typo there sends customers' money nowhere. The mod-97 check digits catch
 * every single-character error and most transpositions.
 */

const IBAN_SHAPE = /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/;

/** The electronic form: no spaces, upper case (IBANs are often written in groups of four). */
export function normalizeIban(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

export function hasIbanShape(iban: string): boolean {
  return IBAN_SHAPE.test(iban);
}

/** True when the check digits match: the rearranged number modulo 97 is 1. */
export function hasValidIbanChecksum(iban: string): boolean {
  if (!hasIbanShape(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    // Letters count as two digits (A = 10 ... Z = 35); folding digit by digit keeps the
    // running value small, so no big-integer arithmetic is needed.
    const value = Number.parseInt(character, 36);
    remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
  }
  return remainder === 1;
}
