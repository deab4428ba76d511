/**
 * The shape of a catalog document, field by field (CONTRACTS.md section 2).
 *
 * Every message is written for the person editing the YAML. Rules that look across fields or
 * items (tier order, references, duplicates, tax coverage) live in ./document-rules.ts: they
 * run on the raw input so they still report when some other field is broken, which zod
 * refinements would skip.
 */
import { z } from 'zod';
import Decimal from 'decimal.js';
import type { CatalogDocument } from './types.ts';
import { isCurrencyCode } from './currencies.ts';
import { isCountryCode } from './countries.ts';
import { hasIbanShape, hasValidIbanChecksum, normalizeIban } from './iban.ts';
import { decimalTextProblem, numberToDecimalText } from './decimal-text.ts';
import { MAX_GRACE_PERIOD_HOURS } from './billing-settings.ts';
import { parseRfc3339 } from '../events/rfc3339.ts';
import { isoSeconds } from '../subscriptions/subscription.ts';
import { isWholeSecond } from '../subscriptions/rules.ts';
import { canonicalLanguageTag } from '../language/languages.ts';
import { EINVOICE_FORMATS, FORMAT_PROFILES } from '../einvoice/format.ts';

type ErrorMap = z.core.$ZodErrorMap;

/** How a wrong value reads in a message: `the number 5`, `a list`. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text "${value}"`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) return String(value);
  return typeof value;
}

/**
 * Fallback messages for issues no schema below words itself (passed to safeParse, so it
 * never changes zod's messages for the rest of the codebase).
 */
export const catalogErrorMap: ErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'array') return `must be a list, not ${describeValue(issue.input)}`;
      if (issue.expected === 'object') return `must be a mapping of fields, not ${describeValue(issue.input)}`;
      if (issue.expected === 'string') return `must be text, not ${describeValue(issue.input)}`;
      return `must be ${issue.expected}, not ${describeValue(issue.input)}`;
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options)) {
        return `must be one of ${issue.options.join(', ')}`;
      }
      return undefined;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}`;
      return undefined;
    default:
      return undefined;
  }
};

/** A mapping whose unknown keys are errors: a misspelt optional field must not vanish. */
function closedObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field; check the spelling (allowed here: ${allowed})` : undefined),
  });
}

function requiredOr(message: string): ErrorMap {
  return (issue) => (issue.input === undefined ? 'is required' : message);
}

function text(what = 'text') {
  return z
    .string({ error: requiredOr(`must be ${what}`) })
    .trim()
    .min(1, { error: 'must not be empty' });
}

/** Decimal strings only: a YAML/JSON number would already have been a binary float. */
function decimalString(what: 'price' | 'amount' | 'rate', example: string) {
  return z
    .string({
      error: (issue) => {
        if (issue.input === undefined) return 'is required';
        if (typeof issue.input === 'number') return `give the ${what} as a decimal string such as "${example}", not a number`;
        return `must be a decimal string such as "${example}", not ${describeValue(issue.input)}`;
      },
    })
    .superRefine((value, context) => {
      const problem = decimalTextProblem(value, example);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    });
}

const price = (example = '0.001') => decimalString('price', example);
const amount = () => decimalString('amount', '49.00');

const taxRate = decimalString('rate', '19').superRefine((value, context) => {
  if (decimalTextProblem(value, '19') === undefined && new Decimal(value).greaterThan(100)) {
    context.addIssue({ code: 'custom', message: 'must be a percentage between 0 and 100' });
  }
});

const countryCode = z
  .string({ error: requiredOr('must be an ISO 3166-1 alpha-2 country code such as "DE"') })
  .superRefine((value, context) => {
    if (isCountryCode(value)) return;
    const hint = isCountryCode(value.toUpperCase()) ? `; write it in upper case: "${value.toUpperCase()}"` : '';
    context.addIssue({ code: 'custom', message: `"${value}" is not an ISO 3166-1 alpha-2 country code such as "DE"${hint}` });
  });

const currencyCode = z.string({ error: requiredOr('must be an ISO 4217 currency code such as "EUR"') }).superRefine((value, context) => {
  if (isCurrencyCode(value)) return;
  const hint = isCurrencyCode(value.toUpperCase()) ? `; write it in upper case: "${value.toUpperCase()}"` : '';
  context.addIssue({ code: 'custom', message: `"${value}" is not an ISO 4217 currency code such as "EUR"${hint}` });
});

/** BCP 47, one of the languages billflow writes (../language/languages.ts); stored canonical ("DE-at" -> "de-AT"). */
const language = z
  .string({ error: requiredOr('must be a BCP 47 language tag such as "de", "fr-CH" or "ja"') })
  .transform((value, context) => {
    const result = canonicalLanguageTag(value.trim());
    if ('tag' in result) return result.tag;
    context.addIssue({ code: 'custom', message: result.problem });
    return z.NEVER;
  });

const email = z.email({
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be an email address such as billing@example.com'),
});

/** Meter and plan codes end up in invoice lines and storage keys: keep them plain. */
const code = (what: 'meter' | 'plan') =>
  z
    .string({ error: requiredOr(`must be a ${what} code such as "${what === 'meter' ? 'api_calls' : 'pro'}"`) })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
      error: `must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`,
    });

const postalAddress = closedObject({
  line1: text(),
  line2: text().optional(),
  city: text(),
  // A number here has already lost its leading zeros ("01234" -> 1234), so insist on text.
  postalCode: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'is required'
          : `give the postal code as a quoted string such as "01234", not ${describeValue(issue.input)} (leading zeros would be lost)`,
    })
    .trim()
    .min(1, { error: 'must not be empty' }),
  region: text().optional(),
  country: countryCode,
});

const vatId = z
  .string({ error: requiredOr('must be a VAT identification number such as "DE123456789"') })
  .transform((value) => value.replace(/[\s.-]/g, '').toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9]{4,20}$/, { error: 'must be a VAT identification number such as "DE123456789"' }));

const PEPPOL_ID = 'must be an electronic address as SCHEME:ID with a 4-digit EAS scheme code, such as "0088:4035811991021"';

/** An EN 16931 electronic address (BT-34/BT-49) as Peppol uses it: EAS scheme code, colon, id. */
const peppolId = z.string({ error: requiredOr(PEPPOL_ID) }).regex(/^[0-9]{4}:[^\s:]+$/, { error: PEPPOL_ID });

const issuerEInvoice = closedObject({
  contactName: text().optional(),
  contactPhone: text().optional(),
  peppolId: peppolId.optional(),
});

/** What each format needs of the customer is checked here, at its path; what it needs of the issuer in ./document-rules.ts. */
const customerEInvoice = closedObject({
  format: z.enum(EINVOICE_FORMATS, { error: requiredOr(`must be one of ${EINVOICE_FORMATS.join(', ')}`) }),
  buyerReference: text('the buyer reference such as the Leitweg-ID "04011000-12345-34"').optional(),
  peppolId: peppolId.optional(),
}).superRefine((value, context) => {
  if (FORMAT_PROFILES[value.format].requiresBuyerReference && value.buyerReference === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['buyerReference'],
      message: `is required for ${value.format}: the buyer's Leitweg-ID (BT-10), such as "04011000-12345-34"`,
    });
  }
  if (value.format === 'peppol' && value.peppolId === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['peppolId'],
      message: `is required for peppol: the buyer's Peppol participant id (BT-49) as SCHEME:ID, such as "0088:5790000435968"`,
    });
  }
});

const issuer = closedObject({
  name: text(),
  address: postalAddress,
  vatId,
  email,
  // Goes into S3 keys and invoice numbers (ACME-2026-000001).
  invoicePrefix: z.string({ error: requiredOr('must be 1-10 upper-case letters or digits such as "ACME"') }).regex(/^[A-Z0-9]{1,10}$/, {
    error: 'must be 1-10 upper-case letters or digits such as "ACME" (it is used in invoice numbers and file names)',
  }),
  bank: closedObject({
    iban: z
      .string({ error: requiredOr('must be an IBAN such as "DE89370400440532013000"') })
      .transform(normalizeIban)
      .superRefine((value, context) => {
        if (!hasIbanShape(value)) {
          context.addIssue({ code: 'custom', message: 'must be an IBAN: 2 letters, 2 check digits and 11-30 letters or digits' });
        } else if (!isCountryCode(value.slice(0, 2))) {
          context.addIssue({ code: 'custom', message: `starts with "${value.slice(0, 2)}", which is not a country code` });
        } else if (!hasValidIbanChecksum(value)) {
          context.addIssue({ code: 'custom', message: 'IBAN check digits do not match; check it for a typo' });
        }
      }),
    bic: z
      .string({ error: requiredOr('must be a BIC such as "COBADEFFXXX"') })
      .transform((value) => value.replace(/\s+/g, '').toUpperCase())
      .pipe(
        z.string().regex(/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, {
          error: 'must be a BIC of 8 or 11 characters such as "COBADEFFXXX"',
        }),
      ),
  }),
  einvoice: issuerEInvoice.optional(),
  defaultLanguage: language.optional(),
});

const aggregation = z.enum(['count', 'sum', 'max', 'unique_count', 'latest'], {
  error: (issue) =>
    issue.input === undefined
      ? 'is required: one of count, sum, max, unique_count, latest'
      : 'must be one of count, sum, max, unique_count, latest',
});

/**
 * valueProperty is optional here; whether it must or must not be there depends on the
 * aggregation, which ./document-rules.ts checks (a count meter rejects it).
 */
const meter = closedObject({
  code: code('meter'),
  eventType: text('a CloudEvents type such as "api.request"'),
  aggregation,
  valueProperty: text('the name of a property of the event data such as "tokens"').optional(),
  unitCode: z
    .string({ error: 'must be a UN/ECE Recommendation 20 unit code such as "C62"' })
    .regex(/^[A-Z0-9]{1,3}$/, { error: 'must be a UN/ECE Recommendation 20 unit code: 1-3 upper-case letters or digits such as "C62"' })
    .default('C62'),
});

/** A tier bound in meter units: a number or a decimal string, null for the open-ended tier. */
const tierBound = z
  .union([z.number(), z.string(), z.null()], {
    error: (issue) =>
      issue.input === undefined
        ? 'is required: a number, or null for the last, open-ended tier'
        : `must be a number, a decimal string or null, not ${describeValue(issue.input)}`,
  })
  .transform((value, context) => {
    if (value === null) return null;
    const text = typeof value === 'number' ? numberToDecimalText(value) : value;
    if (text === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'write very large or very small bounds as a decimal string such as "1000000000000000000000"',
      });
      return z.NEVER;
    }
    const problem = decimalTextProblem(text, '10000');
    if (problem !== undefined) {
      context.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    if (new Decimal(text).isZero()) {
      context.addIssue({ code: 'custom', message: 'must be greater than 0' });
      return z.NEVER;
    }
    return text;
  });

const tier = closedObject({
  upTo: tierBound,
  unitPrice: price(),
  flatPrice: price('5.00').optional(),
});

/** Accepts 1000 or "1000"; stored as text like every other quantity. */
const packageSize = z
  .union([z.number(), z.string()], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be a positive whole number of units such as 1000'),
  })
  .transform((value, context) => {
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text === 'string' && /^[1-9][0-9]*$/.test(text)) return text;
    context.addIssue({ code: 'custom', message: 'must be a positive whole number of units such as 1000' });
    return z.NEVER;
  });

const meterReference = text('the code of a meter such as "api_calls"');

const tiers = z.array(tier).min(1, { error: 'must have at least one tier; the last one has upTo: null' });

const CHARGE_MODELS = 'per_unit, graduated, volume, package';

const charge = z.discriminatedUnion(
  'model',
  [
    closedObject({ meter: meterReference, model: z.literal('per_unit'), unitPrice: price() }),
    closedObject({ meter: meterReference, model: z.literal('graduated'), tiers }),
    closedObject({ meter: meterReference, model: z.literal('volume'), tiers }),
    closedObject({ meter: meterReference, model: z.literal('package'), packageSize, packagePrice: price('0.02') }),
  ],
  {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const modelGiven = typeof issue.input === 'object' && issue.input !== null && 'model' in issue.input;
      return `${modelGiven ? 'must be one of' : 'is required: one of'} ${CHARGE_MODELS}`;
    },
  },
);

const plan = closedObject({
  code: code('plan'),
  currency: currencyCode,
  baseFee: amount().default('0'),
  minimumCommitment: amount().optional(),
  // A plan with only a base fee is a plain subscription, so charges may be left out.
  charges: z.array(charge).default([]),
});

const customerId = z
  .string({ error: requiredOr('must be text such as "cus_42"') })
  .min(1, { error: 'must not be empty' })
  .superRefine((value, context) => {
    if (/[|#]/.test(value)) {
      context.addIssue({ code: 'custom', message: 'must not contain "|" or "#": customer ids are used in storage keys' });
    }
    if (value.trim() !== value) {
      // Events name the customer in `subject`; a stray space would never match.
      context.addIssue({ code: 'custom', message: 'must not start or end with spaces' });
    }
  });

const paymentTermsDays = z
  .number({ error: 'must be a whole number of days between 0 and 365' })
  .int({ error: 'must be a whole number of days between 0 and 365' })
  .min(0, { error: 'must be a whole number of days between 0 and 365' })
  .max(365, { error: 'must be a whole number of days between 0 and 365' })
  .default(30);

const INSTANT = 'must be an RFC 3339 date-time in whole seconds such as "2026-11-10T00:00:00Z"';

/** A subscription boundary, stored as a UTC instant in whole seconds (proration counts seconds). */
const instant = z.string({ error: requiredOr(INSTANT) }).transform((value, context) => {
  const parsed = parseRfc3339(value);
  if (parsed === undefined || !isWholeSecond(parsed)) {
    context.addIssue({ code: 'custom', message: `${INSTANT}, not "${value}"` });
    return z.NEVER;
  }
  return isoSeconds(parsed);
});

/** Whether subscriptions overlap or mix currencies is judged across items (./document-rules.ts). */
const subscription = closedObject({
  plan: text('the code of a plan such as "pro"'),
  start: instant,
  end: instant.optional(),
});

/** `plan` is shorthand for one open-ended subscription; document-rules wants exactly one of the two. */
export const catalogCustomerSchema = closedObject({
  id: customerId,
  name: text(),
  email,
  address: postalAddress,
  vatId: vatId.optional(),
  plan: text('the code of a plan such as "pro"').optional(),
  subscriptions: z.array(subscription).optional(),
  paymentTermsDays,
  einvoice: customerEInvoice.optional(),
  language: language.optional(),
});

const taxRates = z.record(countryCode, taxRate);

const REMINDER_DAY = 'must be a whole number of days between 1 and 365';

/** Days past the due date; their order is checked in ./document-rules.ts (across items). */
const reminderDay = z
  .number({ error: (issue) => (issue.input === undefined ? 'is required' : `${REMINDER_DAY}, not ${describeValue(issue.input)}`) })
  .superRefine((value, context) => {
    // One message per entry, whichever way it is wrong (zod's int/min/max would each add one).
    if (Number.isInteger(value) && value >= 1 && value <= 365) return;
    context.addIssue({
      code: 'custom',
      message: value === 0 ? `${REMINDER_DAY}; day 0 is the due date itself, when payment is not late yet` : REMINDER_DAY,
    });
  });

const MAX_REMINDERS = 10;

const dunning = closedObject({
  reminderDays: z
    .array(reminderDay, {
      error: (issue) =>
        issue.input === undefined
          ? 'is required: the days overdue at which a reminder is emailed, such as [3, 10, 20]'
          : `must be a list of days such as [3, 10, 20], not ${describeValue(issue.input)}`,
    })
    .min(1, { error: 'must name at least one day; leave the dunning section out for the defaults [3, 10, 20]' })
    .max(MAX_REMINDERS, {
      error: (issue) =>
        `must name at most ${MAX_REMINDERS} days (a customer gets one email per day listed); this list has ${Array.isArray(issue.input) ? issue.input.length : 'more'}`,
    }),
});

const GRACE_HOURS = 'must be a whole number of hours from 0 to 744 (31 days)';

/**
 * How the invoice run closes periods. The grace period is the earliest a period's invoice may
 * be finalized (counted from the period's end): teams whose upstream exports usage once a day
 * need 26 hours or more.
 */
const billing = closedObject({
  gracePeriodHours: z
    .number({ error: (issue) => (issue.input === undefined ? 'is required' : `${GRACE_HOURS}, not ${describeValue(issue.input)}`) })
    .superRefine((value, context) => {
      if (Number.isInteger(value) && value >= 0 && value <= MAX_GRACE_PERIOD_HOURS) return;
      context.addIssue({ code: 'custom', message: GRACE_HOURS });
    }),
});

/** Every section is optional: a document may upsert only customers, or only the issuer. */
export const catalogDocumentSchema = closedObject({
  issuer: issuer.optional(),
  taxRates: taxRates.optional(),
  meters: z.array(meter).optional(),
  plans: z.array(plan).optional(),
  customers: z.array(catalogCustomerSchema).optional(),
  dunning: dunning.optional(),
  billing: billing.optional(),
}) satisfies z.ZodType<CatalogDocument>;
