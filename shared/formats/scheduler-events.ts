/**
 * The EventBridge Scheduler payloads of the scheduled runs (the invoice run, hourly; dunning,
 * daily): `{ "asOf": "<scheduled time>" }`, plus `period` for an invoice run invoked by hand.
 * Read at the edge into the instant (epoch ms) the run is "as of"; no asOf means now.
 * Extra attributes are allowed: a payload edited in the console may carry notes.
 */
import { z } from 'zod';
import { isBillingPeriod } from '#domain/period.ts';
import { NotAScheduledRunError } from './errors.ts';

export interface ScheduledRun {
  readonly asOf: number;
}

export interface ScheduledInvoiceRun extends ScheduledRun {
  /** A period named by hand: closed for every customer (see startInvoiceRun). */
  readonly period?: string;
}

const runPayload = z.object({ asOf: z.string().optional() }).loose();
const invoiceRunPayload = runPayload.extend({ period: z.string().refine(isBillingPeriod, 'period must be YYYY-MM').optional() });

/** The payload the schedules send for a firing at `at` (the local scheduler sends the same). */
export function scheduledRunPayload(at: number): { asOf: string } {
  return { asOf: new Date(at).toISOString() };
}

export function parseScheduledRun(event: unknown, now: () => number): ScheduledRun {
  return { asOf: asOfOf(check(runPayload, event).asOf, now) };
}

export function parseScheduledInvoiceRun(event: unknown, now: () => number): ScheduledInvoiceRun {
  const payload = check(invoiceRunPayload, event);
  return { asOf: asOfOf(payload.asOf, now), ...(payload.period === undefined ? {} : { period: payload.period }) };
}

function check<T>(schema: z.ZodType<T>, event: unknown): T {
  const parsed = schema.safeParse(event ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ');
  throw new NotAScheduledRunError(`the run's input is not {"asOf": "<ISO date-time>"}: ${issues}`);
}

function asOfOf(asOf: string | undefined, now: () => number): number {
  if (asOf === undefined) return now();
  const at = Date.parse(asOf);
  if (Number.isNaN(at)) throw new NotAScheduledRunError(`asOf ${asOf} is not an ISO date-time`);
  return at;
}
