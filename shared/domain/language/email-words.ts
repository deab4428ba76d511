/**
 * The words and value formats of an invoice's emails. English keeps the emails' own house style
 * ("433.16 EUR", "2026-12-31", "2026-11-01 to 2026-11-30"), byte for byte as before translations;
 * every other language writes values as Intl writes its locale ("433,16 €", "31. Dezember 2026").
 */
import { formatMinor } from '../money.ts';
import { translator, type Translate } from './catalogue.ts';
import { catalogueLanguage } from './languages.ts';
import { intlFormat } from './locale-format.ts';

export interface EmailFormat {
  readonly amount: (minor: number, currency: string) => string;
  readonly date: (value: string) => string;
  readonly period: (period: { readonly start: string; readonly end: string }) => string;
}

const ENGLISH_EMAIL: EmailFormat = {
  amount: (minor, currency) => `${formatMinor(minor, currency)} ${currency}`,
  date: (value) => value.slice(0, 10),
  period: ({ start, end }) => `${start.slice(0, 10)} to ${new Date(Date.parse(end) - 1).toISOString().slice(0, 10)}`,
};

/** The email words for an invoice in its language (absent: English). */
export function emailWords(invoice: { readonly language?: string }): { t: Translate; format: EmailFormat } {
  const t = translator(invoice.language);
  return { t, format: catalogueLanguage(invoice.language) === 'en' ? ENGLISH_EMAIL : intlFormat(invoice.language ?? 'en') };
}

/**
 * A message as HTML: the words escaped, and each value given in `strong` inserted in bold
 * (escaped too), wherever the language puts it in the sentence.
 */
export function htmlMessage(t: Translate, key: Parameters<Translate>[0], strong: Readonly<Record<string, string>>): string {
  const marks = Object.fromEntries(Object.keys(strong).map((name) => [name, `\uE000${name}\uE001`]));
  let html = escapeHtml(t(key, marks));
  for (const [name, value] of Object.entries(strong)) html = html.replace(`\uE000${name}\uE001`, `<strong>${escapeHtml(value)}</strong>`);
  return html;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
