/**
 * Catalog rules that look across fields and items: tier order, references, duplicates, tax
 * coverage, the order of reminder days.
 *
 * They read the raw document, not zod's output, and skip whatever is too broken to judge,
 * so one bad price does not hide an unknown meter elsewhere: a person fixing the file sees
 * every error in one go. Field-level shape is ./schema.ts's job, never repeated here.
 */
import Decimal from 'decimal.js';
import type { CatalogHead } from './types.ts';
import { currencyExponent, isCurrencyCode } from './currencies.ts';
import { isCountryCode, isEuMemberState } from './countries.ts';
import { decimalTextProblem, numberToDecimalText } from './decimal-text.ts';
import { parseRfc3339 } from '../events/rfc3339.ts';
import { subscriptionProblems } from '../subscriptions/rules.ts';
import type { Subscription } from '../subscriptions/subscription.ts';

export type PathSegment = string | number;

export interface RuleIssue {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listAt(fields: Fields, key: string): readonly unknown[] {
  const value = fields[key];
  return Array.isArray(value) ? value : [];
}

function textAt(fields: unknown, key: string): string | undefined {
  if (!isFields(fields)) return undefined;
  const value = fields[key];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function documentRuleIssues(input: unknown, existing: CatalogHead): RuleIssue[] {
  if (!isFields(input)) return [];
  return [
    ...meterIssues(input),
    ...planIssues(input, existing),
    ...customerIssues(input, existing),
    ...einvoiceIssuerIssues(input, existing),
    ...taxCoverageIssues(input, existing),
    ...dunningIssues(input),
  ];
}

/**
 * XRechnung needs the seller's contact name and telephone (BR-DE-5/6), Peppol the seller's
 * Peppol id (BT-34): a customer choosing such a format needs them in the issuer, given in this
 * document or applied before.
 */
function einvoiceIssuerIssues(document: Fields, existing: CatalogHead): RuleIssue[] {
  const issuer = isFields(document.issuer) ? document.issuer.einvoice : existing.issuer?.einvoice;
  const needs: Readonly<Record<string, readonly string[]>> = {
    'xrechnung-cii': ['contactName', 'contactPhone'],
    'xrechnung-ubl': ['contactName', 'contactPhone'],
    peppol: ['peppolId'],
  };
  return listAt(document, 'customers').flatMap((customer, index) => {
    const format = isFields(customer) ? textAt(customer.einvoice, 'format') : undefined;
    const missing = (needs[format ?? ''] ?? []).filter((field) => textAt(issuer, field) === undefined);
    if (missing.length === 0) return [];
    return [
      {
        path: ['customers', index, 'einvoice', 'format'],
        message: `${format} needs ${missing.map((field) => `issuer.einvoice.${field}`).join(' and ')} (the seller's ${missing.includes('peppolId') ? 'Peppol id, BT-34' : 'contact, BT-41/BT-42'}); add it to the issuer`,
      },
    ];
  });
}

/**
 * Reminder days must rise strictly: each day is one email, so a repeat would mean nothing and
 * an unordered list most likely a typo. Each day is compared with the last usable one before
 * it, so one malformed entry (reported by the schema) does not hide an order mistake.
 */
function dunningIssues(document: Fields): RuleIssue[] {
  if (!isFields(document.dunning)) return [];
  const issues: RuleIssue[] = [];
  let previous: number | undefined;
  listAt(document.dunning, 'reminderDays').forEach((day, index) => {
    if (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 365) return;
    if (previous !== undefined && day <= previous) {
      issues.push({
        path: ['dunning', 'reminderDays', index],
        message: `must be greater than the previous day (${previous}); list the days in increasing order, each once`,
      });
      return;
    }
    previous = day;
  });
  return issues;
}

/** Aggregations that read a value from the event data, rather than counting events. */
const VALUE_AGGREGATIONS: ReadonlySet<string> = new Set(['sum', 'max', 'unique_count', 'latest']);

function meterIssues(document: Fields): RuleIssue[] {
  const issues: RuleIssue[] = [];
  listAt(document, 'meters').forEach((meter, index) => {
    if (!isFields(meter)) return;
    const aggregation = meter.aggregation;
    const path = ['meters', index, 'valueProperty'];
    // Rejected rather than ignored: "count" with a valueProperty is most likely a meter
    // meant to be "sum", and would silently bill the number of events instead.
    if (aggregation === 'count' && meter.valueProperty !== undefined) {
      issues.push({
        path,
        message: 'a count meter counts events and reads no property; remove valueProperty or choose another aggregation',
      });
    }
    if (typeof aggregation === 'string' && VALUE_AGGREGATIONS.has(aggregation) && meter.valueProperty === undefined) {
      issues.push({
        path,
        message: `is required for a ${aggregation} meter: name the property of the event data to read, such as "tokens"`,
      });
    }
  });
  issues.push(...duplicateIssues(listAt(document, 'meters'), ['meters'], 'code', 'meter code'));
  return issues;
}

function planIssues(document: Fields, existing: CatalogHead): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const plans = listAt(document, 'plans');
  const knownMeters = new Set([
    ...existing.meters.map((meter) => meter.code),
    ...listAt(document, 'meters').flatMap((meter) => textAt(meter, 'code') ?? []),
  ]);
  issues.push(...duplicateIssues(plans, ['plans'], 'code', 'plan code'));
  plans.forEach((plan, planIndex) => {
    if (!isFields(plan)) return;
    issues.push(...minorUnitIssues(plan, planIndex));
    const charges = listAt(plan, 'charges');
    issues.push(...duplicateIssues(charges, ['plans', planIndex, 'charges'], 'meter', 'charge for meter', 'one charge per meter per plan'));
    charges.forEach((charge, chargeIndex) => {
      if (!isFields(charge)) return;
      const path = ['plans', planIndex, 'charges', chargeIndex];
      const meterCode = textAt(charge, 'meter');
      if (meterCode !== undefined && !knownMeters.has(meterCode)) {
        issues.push({ path: [...path, 'meter'], message: unknownReference('meter', meterCode, 'meters', knownMeters) });
      }
      if (charge.model === 'graduated' || charge.model === 'volume') {
        issues.push(...tierIssues(listAt(charge, 'tiers'), [...path, 'tiers']));
      }
    });
  });
  return issues;
}

/**
 * A fixed fee is charged as it stands, so it must fit the currency's minor unit: "4900.5"
 * yen would otherwise be rounded silently. (Unit prices may be finer: they are multiplied
 * by quantities before rounding.)
 */
function minorUnitIssues(plan: Fields, planIndex: number): RuleIssue[] {
  const currency = plan.currency;
  if (typeof currency !== 'string' || !isCurrencyCode(currency)) return [];
  const exponent = currencyExponent(currency);
  return (['baseFee', 'minimumCommitment'] as const).flatMap((key) => {
    const value = plan[key];
    if (typeof value !== 'string' || decimalTextProblem(value, '0') !== undefined) return [];
    if (new Decimal(value).decimalPlaces() <= exponent) return [];
    return [{ path: ['plans', planIndex, key], message: `${currency} amounts have ${exponent} decimal places; "${value}" has more` }];
  });
}

/** A tier bound as written, when it is a usable one; null for an open end. */
function tierBound(value: unknown): { text: string; decimal: Decimal } | null | undefined {
  if (value === null) return null;
  const text = typeof value === 'number' ? numberToDecimalText(value) : typeof value === 'string' ? value : undefined;
  if (text === undefined || decimalTextProblem(text, '0') !== undefined) return undefined;
  return { text, decimal: new Decimal(text) };
}

function tierIssues(tiers: readonly unknown[], path: readonly PathSegment[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const bounds = tiers.map((tier) => (isFields(tier) && 'upTo' in tier ? tierBound(tier.upTo) : undefined));
  bounds.forEach((bound, index) => {
    const at = [...path, index, 'upTo'];
    const isLast = index === bounds.length - 1;
    if (bound === null && !isLast) {
      issues.push({ path: at, message: 'only the last tier may be open-ended (null); give this tier an upper bound' });
    }
    if (bound !== null && bound !== undefined && isLast) {
      issues.push({ path: at, message: `the last tier must have upTo: null, so usage above ${bound.text} has a price` });
    }
    const previous = index > 0 ? bounds[index - 1] : undefined;
    if (bound && previous && bound.decimal.lessThanOrEqualTo(previous.decimal)) {
      issues.push({ path: at, message: `must be greater than the previous tier (${previous.text})` });
    }
  });
  return issues;
}

function customerIssues(document: Fields, existing: CatalogHead): RuleIssue[] {
  const customers = listAt(document, 'customers');
  const knownPlans = new Set([
    ...existing.plans.map((plan) => plan.code),
    ...listAt(document, 'plans').flatMap((plan) => textAt(plan, 'code') ?? []),
  ]);
  const issues = duplicateIssues(customers, ['customers'], 'id', 'customer id');
  customers.forEach((customer, index) => {
    const planCode = textAt(customer, 'plan');
    if (planCode !== undefined && !knownPlans.has(planCode)) {
      issues.push({ path: ['customers', index, 'plan'], message: unknownReference('plan', planCode, 'plans', knownPlans) });
    }
    if (isFields(customer))
      issues.push(...subscriptionIssues(customer, ['customers', index], knownPlans, planCurrencies(document, existing)));
  });
  return issues;
}

/** Currency of each plan this document or the applied catalog defines (the document's win). */
function planCurrencies(document: Fields, existing: CatalogHead): Map<string, string> {
  const currencies = new Map(existing.plans.map((plan) => [plan.code, plan.currency]));
  for (const plan of listAt(document, 'plans')) {
    const code = textAt(plan, 'code');
    const currency = textAt(plan, 'currency');
    if (code !== undefined && currency !== undefined) currencies.set(code, currency);
  }
  return currencies;
}

/**
 * A customer has exactly one of `plan` (the shorthand) and `subscriptions`; each subscription
 * names a known plan; together they pass the subscription rules. Entries too broken to read
 * (reported by the schema) are left out of the cross-item rules.
 */
export function subscriptionIssues(
  customer: Fields,
  path: readonly PathSegment[],
  knownPlans: ReadonlySet<string>,
  currencies: ReadonlyMap<string, string>,
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (customer.plan !== undefined && customer.subscriptions !== undefined) {
    issues.push({ path: [...path, 'plan'], message: 'give either plan (one open-ended subscription) or subscriptions, not both' });
  }
  if (customer.plan === undefined && customer.subscriptions === undefined) {
    issues.push({ path: [...path, 'plan'], message: 'is required: the code of a plan such as "pro", or a subscriptions list instead' });
  }
  const readable: { index: number; subscription: Subscription }[] = [];
  listAt(customer, 'subscriptions').forEach((term, index) => {
    const planCode = textAt(term, 'plan');
    if (planCode !== undefined && !knownPlans.has(planCode)) {
      issues.push({ path: [...path, 'subscriptions', index, 'plan'], message: unknownReference('plan', planCode, 'plans', knownPlans) });
    }
    const start = parseRfc3339(textAt(term, 'start') ?? '');
    const endText = isFields(term) ? term.end : undefined;
    const end = typeof endText === 'string' ? parseRfc3339(endText) : undefined;
    if (planCode === undefined || start === undefined || (endText !== undefined && end === undefined)) return;
    readable.push({ index, subscription: { plan: planCode, start, ...(end === undefined ? {} : { end }) } });
  });
  const problems = subscriptionProblems(
    readable.map((entry) => entry.subscription),
    (code) => currencies.get(code),
  );
  for (const problem of problems) {
    issues.push({ path: [...path, 'subscriptions', readable[problem.index]!.index, problem.field], message: problem.message });
  }
  return issues;
}

/**
 * Every rate an invoice will need must exist when the customer is applied, not surface as a
 * failed invoice run at month end: the issuer's own country (domestic customers) and, for
 * EU consumers abroad, their own country (OSS). Without a known issuer this cannot be judged.
 */
function taxCoverageIssues(document: Fields, existing: CatalogHead): RuleIssue[] {
  const documentIssuer = isFields(document.issuer) ? document.issuer : undefined;
  const issuerCountry = documentIssuer ? textAt(documentIssuer.address, 'country') : existing.issuer?.address.country;
  // A malformed country is already reported by the schema; judging rates for it adds noise.
  if (issuerCountry === undefined || !isCountryCode(issuerCountry)) return [];
  const rates = new Set([...Object.keys(existing.taxRates), ...(isFields(document.taxRates) ? Object.keys(document.taxRates) : [])]);
  const issues: RuleIssue[] = [];
  if (documentIssuer && !rates.has(issuerCountry)) {
    issues.push({
      path: ['issuer', 'address', 'country'],
      message: `no VAT rate for ${issuerCountry} in taxRates; customers in the issuer's country pay it: add taxRates.${issuerCountry}`,
    });
  }
  listAt(document, 'customers').forEach((customer, index) => {
    if (!isFields(customer)) return;
    const country = textAt(customer.address, 'country');
    const isConsumer = customer.vatId === undefined;
    if (country === undefined || country === issuerCountry || !isEuMemberState(country) || !isConsumer || rates.has(country)) return;
    issues.push({
      path: ['customers', index, 'address', 'country'],
      message: `no VAT rate for ${country} in taxRates; an EU consumer (no vatId) outside the issuer's country pays their own country's rate: add taxRates.${country} or the customer's vatId`,
    });
  });
  return issues;
}

/** Each repeat of a key is reported at the repeat, pointing back at the first one. */
function duplicateIssues(items: readonly unknown[], path: readonly PathSegment[], key: string, what: string, hint?: string): RuleIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: RuleIssue[] = [];
  items.forEach((item, index) => {
    const value = textAt(item, key);
    if (value === undefined) return;
    const first = firstIndex.get(value);
    if (first === undefined) {
      firstIndex.set(value, index);
      return;
    }
    const where = `${formatPathSegments(path)}[${first}]`;
    issues.push({ path: [...path, index, key], message: `duplicate ${what} "${value}" (first at ${where})${hint ? `; ${hint}` : ''}` });
  });
  return issues;
}

function unknownReference(what: 'meter' | 'plan', code: string, section: string, known: ReadonlySet<string>): string {
  const suggestion = closestCode(code, known);
  const hint = suggestion === undefined ? `; define it under ${section} or fix the code` : `; did you mean "${suggestion}"?`;
  return `no ${what} "${code}" in this document or the applied catalog${hint}`;
}

/** The known code closest to a typo, if it is within two edits. */
function closestCode(code: string, known: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(code.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** `plans[0].charges[2].tiers[1].upTo`: dots between keys, brackets around indexes. */
export function formatPathSegments(path: readonly PathSegment[]): string {
  if (path.length === 0) return '(document)';
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    return text === '' ? segment : `${text}.${segment}`;
  }, '');
}
