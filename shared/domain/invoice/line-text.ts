/**
 * What an invoice line's description says, kept as phrases of the message catalogue (`line.*`)
 * with their values, beside the English text the invoice stores (`description`, which the
 * e-invoice XML carries): so the PDF and the invoice page can write the line in the customer's
 * language ("Grundgebühr, Tarif pro"), with quantities, prices and dates as its locale writes
 * them. The English text is these phrases written in English (line-words.ts), so the two cannot
 * drift. A line stored before lines had phrases has only its English text, printed as stored.
 */
import type { MessageKey } from '../language/catalogue-types.ts';

export type LinePhraseKey = Extract<MessageKey, `line.${string}`>;

/** A value in a phrase, typed so each language can write it its way. */
export type LineValue =
  /** A code (meter, plan): as it is. */
  | { readonly text: string }
  /** A decimal quantity, grouped. */
  | { readonly quantity: string }
  /** A decimal number as the catalog writes it (its fraction digits kept), without a currency. */
  | { readonly decimal: string }
  /** A decimal amount of money in a currency (a catalog price, or minor units written as a decimal). */
  | { readonly price: string; readonly currency: string }
  /** A calendar day, YYYY-MM-DD. */
  | { readonly date: string }
  /** An ISO instant (a boundary within a day). */
  | { readonly instant: string }
  /** A billing period, YYYY-MM. */
  | { readonly month: string }
  /** A phrase inside a phrase (a meter's label, a range), so each language orders the parts. */
  | { readonly phrase: LinePhrase };

export interface LinePhrase {
  readonly key: LinePhraseKey;
  readonly values?: Readonly<Record<string, LineValue>>;
}

/** A line's description: its phrases, written one after the other (each suffix brings its own separator). */
export type LineText = readonly LinePhrase[];

export const phrase = (key: LinePhraseKey, values?: Readonly<Record<string, LineValue>>): LinePhrase =>
  values === undefined ? { key } : { key, values };
