/**
 * Generates realistic usage events for trying the pipeline: CloudEvents for the catalog's
 * customers within one period, with a chosen share of exact duplicates (as at-least-once
 * senders produce) and of invalid events (each a different kind of mistake). Deterministic
 * for a given seed, so a run can be repeated and its expected counts are known up front.
 */
import { mulberry32 } from './seeded-random.ts';
import { billingPeriodOf, periodBounds } from '#domain/period.ts';

export interface SampleOptions {
  readonly customerIds: readonly string[];
  readonly count: number;
  readonly period: string;
  readonly duplicateShare: number;
  readonly invalidShare: number;
  readonly seed: number;
  /** Events are not dated after this instant (the pipeline rejects events > 5 min ahead). */
  readonly notAfter: number;
}

export interface SampleSet {
  readonly events: unknown[];
  readonly expected: { readonly received: number; readonly accepted: number; readonly duplicates: number; readonly rejected: number };
}

const INVALID_KINDS = [
  (event: Record<string, unknown>) => ({ ...event, subject: 'cus_unknown' }),
  (event: Record<string, unknown>) => {
    const { subject: _subject, ...rest } = event;
    return rest;
  },
  (event: Record<string, unknown>) => ({ ...event, time: 'yesterday' }),
  (event: Record<string, unknown>) => ({ ...event, data: { model: 'small' } }),
  (event: Record<string, unknown>) => ({ ...event, specversion: '0.3' }),
];

export function generateSampleEvents(options: SampleOptions): SampleSet {
  if (options.customerIds.length === 0) throw new Error('the catalog has no customers: apply one first (billflow catalog apply)');
  const random = mulberry32(options.seed);
  const { start, end } = periodBounds(options.period);
  const latest = Math.min(end - 1, options.notAfter);
  if (latest < start) throw new Error(`period ${options.period} has not started yet (it starts ${new Date(start).toISOString()})`);
  const duplicates = Math.round(options.count * options.duplicateShare);
  const invalid = Math.round(options.count * options.invalidShare);
  const distinct = options.count - duplicates - invalid;
  if (distinct < 1) throw new Error('duplicates and invalid events leave no valid event: lower the shares');

  const valid: Record<string, unknown>[] = [];
  for (let index = 0; index < distinct; index += 1) {
    const customer = options.customerIds[Math.floor(random() * options.customerIds.length)]!;
    const time = new Date(start + Math.floor(random() * (latest - start))).toISOString();
    valid.push({
      specversion: '1.0',
      id: `evt-${options.seed}-${index}`,
      source: '//api.example.com/eu-1',
      type: 'api.request',
      subject: customer,
      time,
      data: {
        tokens: 100 + Math.floor(random() * 5000),
        model: random() < 0.7 ? 'small' : 'large',
        userId: `u-${Math.floor(random() * 50)}`,
      },
    });
  }
  const events: unknown[] = [...valid];
  for (let index = 0; index < duplicates; index += 1) events.push(valid[Math.floor(random() * valid.length)]);
  for (let index = 0; index < invalid; index += 1) {
    const base = { ...valid[Math.floor(random() * valid.length)]!, id: `bad-${options.seed}-${index}` };
    events.push(INVALID_KINDS[index % INVALID_KINDS.length]!(base));
  }
  // Fisher-Yates: copies and mistakes arrive mixed in, as from a real sender.
  for (let index = events.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [events[index], events[other]] = [events[other], events[index]];
  }
  return { events, expected: { received: options.count, accepted: distinct, duplicates, rejected: invalid } };
}

export function currentPeriod(now: number): string {
  return billingPeriodOf(now);
}
