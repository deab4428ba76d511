/**
 * Decides whether one usage event, read from its wire format (shared/formats/cloudevents.ts),
 * can be billed: time not more than 5 minutes ahead, a known customer, and the value every
 * meter reading its type needs. Pure: the caller passes the clock, the meters and the customers
 * it looked up.
 */
import type { Meter } from '../catalog/types.ts';
import { billingPeriodOf } from '../period.ts';
import type { AcceptedEvent } from './billable-event.ts';
import { parseRfc3339 } from './rfc3339.ts';
import type { UsageEvent } from './usage-event.ts';

export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ValidationContext {
  readonly now: number;
  /** Meters by the event type they read. */
  readonly metersByEventType: ReadonlyMap<string, readonly Meter[]>;
  readonly isKnownCustomer: (customerId: string) => boolean;
}

export type EventVerdict = { readonly ok: true; readonly accepted: AcceptedEvent } | { readonly ok: false; readonly reason: string };

const DECIMAL_STRING = /^-?(\d+)(?:\.(\d+))?$/;

/**
 * Bounds of a meter value (sum, max, latest). Pricing multiplies quantities by prices with up
 * to 12 fraction digits in 50-digit decimals and turns totals into safe integers of minor
 * units; a value such as 1e308 or a 400-digit string would make every invoice of its customer
 * fail, so it is refused here, where the sender can be told.
 */
export const MAX_QUANTITY_DIGITS = 15;
export const MAX_QUANTITY_FRACTION_DIGITS = 12;
const MAX_QUANTITY = 10 ** MAX_QUANTITY_DIGITS;

export function checkUsageEvent(event: UsageEvent, context: ValidationContext): EventVerdict {
  const t = parseRfc3339(event.time);
  // The wire formats refuse such times with their own message; this keeps the rule whole.
  if (t === undefined) {
    return { ok: false, reason: `time ${event.time} is not an RFC 3339 date-time with an offset, e.g. 2026-11-03T10:00:00Z` };
  }
  if (t > context.now + MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      reason: `time ${event.time} is more than 5 minutes in the future (received ${new Date(context.now).toISOString()}): check the sender's clock`,
    };
  }
  if (!context.isKnownCustomer(event.subject)) {
    return {
      ok: false,
      reason: `unknown customer "${event.subject}" in subject: add the customer to the catalog (billflow catalog apply), then billflow events replay`,
    };
  }
  for (const meter of context.metersByEventType.get(event.type) ?? []) {
    const problem = meterValueProblem(meter, event.data);
    if (problem !== undefined) return { ok: false, reason: problem };
  }
  return {
    ok: true,
    accepted: {
      customerId: event.subject,
      period: billingPeriodOf(t),
      event: {
        source: event.source,
        id: event.id,
        type: event.type,
        time: event.time,
        t,
        ...(event.data === undefined ? {} : { data: event.data }),
      },
    },
  };
}

function meterValueProblem(meter: Meter, data: unknown): string | undefined {
  if (meter.aggregation === 'count' || meter.valueProperty === undefined) return undefined;
  const property = meter.valueProperty;
  const where = `data.${property} (read by meter ${meter.code})`;
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !(property in data)) {
    return `${where} is missing`;
  }
  const value = (data as Record<string, unknown>)[property];
  if (meter.aggregation === 'unique_count') {
    if (typeof value === 'string' ? value.length === 0 : typeof value !== 'number' || !Number.isFinite(value)) {
      return `${where} must be a non-empty string or a number, got ${clip(String(JSON.stringify(value)))}`;
    }
    return undefined;
  }
  const decimal = typeof value === 'string' ? DECIMAL_STRING.exec(value) : null;
  const numeric = (typeof value === 'number' && Number.isFinite(value)) || decimal !== null;
  if (!numeric) {
    return `${where} must be a finite number, as a JSON number or a decimal string such as "12.5", got ${clip(String(JSON.stringify(value)))}`;
  }
  const integerDigits = decimal === null ? 0 : decimal[1]!.replace(/^0+/, '').length;
  const fractionDigits = decimal?.[2]?.length ?? 0;
  if ((typeof value === 'number' && Math.abs(value) >= MAX_QUANTITY) || integerDigits > MAX_QUANTITY_DIGITS) {
    return `${where} is ${clip(String(value))}; values must be smaller than 10^${MAX_QUANTITY_DIGITS} in magnitude: send it in a smaller unit or split it over several events`;
  }
  if (fractionDigits > MAX_QUANTITY_FRACTION_DIGITS) {
    return `${where} is ${clip(String(value))}; at most ${MAX_QUANTITY_FRACTION_DIGITS} fraction digits are accepted: round it`;
  }
  return undefined;
}

/** A value quoted in a reason: a 400-digit number is shown by its start and its length. */
function clip(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 32)}... (${text.length} characters)`;
}

export function indexMetersByEventType(meters: readonly Meter[]): Map<string, Meter[]> {
  const index = new Map<string, Meter[]>();
  for (const meter of meters) {
    const list = index.get(meter.eventType) ?? [];
    list.push(meter);
    index.set(meter.eventType, list);
  }
  return index;
}
