/**
 * Decides whether one event can be billed: structure (./cloud-event.ts), time not more than
 * 5 minutes ahead, a known customer, and the value every meter reading its type needs.
 * Pure: the caller passes the clock, the meters and the customers it looked up.
 */
import type { Meter } from '../catalog/types.ts';
import { billingPeriodOf } from '../period.ts';
import type { AcceptedEvent } from './billable-event.ts';
import { cloudEventSchema, describeSchemaIssues } from './cloud-event.ts';
import { parseRfc3339 } from './rfc3339.ts';

export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ValidationContext {
  readonly now: number;
  /** Meters by the event type they read. */
  readonly metersByEventType: ReadonlyMap<string, readonly Meter[]>;
  readonly isKnownCustomer: (customerId: string) => boolean;
}

export type EventVerdict =
  | { readonly ok: true; readonly accepted: AcceptedEvent }
  | { readonly ok: false; readonly reason: string };

const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;

export function validateEvent(raw: unknown, context: ValidationContext): EventVerdict {
  const parsed = cloudEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: describeSchemaIssues(parsed.error) };
  const event = parsed.data;

  // The schema already refused times parseRfc3339 cannot read.
  const t = parseRfc3339(event.time)!;
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
      return `${where} must be a non-empty string or a number, got ${JSON.stringify(value)}`;
    }
    return undefined;
  }
  const numeric =
    (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && DECIMAL_STRING.test(value));
  if (!numeric) {
    return `${where} must be a finite number, as a JSON number or a decimal string such as "12.5", got ${JSON.stringify(value)}`;
  }
  return undefined;
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
