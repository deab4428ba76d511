/** The shape every catalogue has: English's keys, with the plural forms each language needs. */
import type { en } from './messages/en.ts';

type EnglishKey = keyof typeof en;
type PluralSuffix = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';
/** Keys whose value depends on `count`: English has `{key}_one` and `{key}_other`. */
type PluralKey = EnglishKey extends infer K ? (K extends `${infer Base}_other` ? Base : never) : never;

/** What the documents ask the catalogue for: a plural key without its suffix. */
export type MessageKey = Exclude<EnglishKey, `${PluralKey}_${PluralSuffix}`> | PluralKey;

/**
 * A language's catalogue: every key English has; of a plural key, `_other` always and the other
 * forms its plural rules use (Japanese only `_other`; French and Spanish also `_many`). The
 * catalogue test checks the forms against Intl.PluralRules.
 */
export type Messages = { readonly [K in Exclude<MessageKey, PluralKey>]: string } & { readonly [K in `${PluralKey}_other`]: string } & {
  readonly [K in `${PluralKey}_${Exclude<PluralSuffix, 'other'>}`]?: string;
};
