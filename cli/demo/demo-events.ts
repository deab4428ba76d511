/**
 * A month of usage for the demo catalog's customers (docs/examples/demo-catalog.yaml), as the
 * CloudEvents an upstream system would publish: API requests with their tokens, seat changes,
 * active users and daily storage snapshots, plus a redelivered copy of every 50th event, as an
 * at-least-once sender produces.
 *
 * Deterministic: ids and data come from a fixed seed, so a second demo run in the same month
 * sends the same events and billflow stores each one once. Times are spread over the part of the month that
 * has passed (events may not be dated in the future), always in the same order, so which
 * snapshot is the latest never changes.
 */
import { mulberry32 } from '../seeded-random.ts';
import { periodBounds } from '#domain/period.ts';

export interface DemoCloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly data: Record<string, unknown>;
}

/** What each demo customer does in a month. Counts are fixed; values come from the seed. */
interface UsageProfile {
  readonly customerId: string;
  readonly apiRequests: number;
  /** Tokens per request, drawn uniformly from [min, max]. */
  readonly tokens: readonly [number, number];
  /** Seat counts reported over the month (the meter bills the peak). */
  readonly seats?: readonly number[];
  /** `user.active` events over this many distinct users. */
  readonly activeUsers?: { readonly events: number; readonly distinct: number };
  /** One storage snapshot a day, growing from the first value to the second (GB). */
  readonly storageGb?: readonly [number, number];
}

export const DEMO_SOURCE = '//demo.billflow.example/usage';

const PROFILES: readonly UsageProfile[] = [
  { customerId: 'cus_bergmann', apiRequests: 9000, tokens: [400, 3000], seats: [4, 5, 7, 6] },
  { customerId: 'cus_weber', apiRequests: 1200, tokens: [50, 400], storageGb: [2, 4.2] },
  { customerId: 'cus_lumiere', apiRequests: 4500, tokens: [200, 2000], seats: [2, 3, 3] },
  { customerId: 'cus_dubois', apiRequests: 4000, tokens: [50, 400], storageGb: [10, 12.5] },
  {
    customerId: 'cus_northwind',
    apiRequests: 6000,
    tokens: [100, 1000],
    activeUsers: { events: 600, distinct: 40 },
    storageGb: [180, 240],
  },
  { customerId: 'cus_sakura', apiRequests: 5000, tokens: [500, 5000], seats: [3, 5, 4] },
];

const SNAPSHOT_DAYS = 30;
/** Every this many events, one earlier event is delivered again. */
const REDELIVER_EVERY = 50;

export const DEMO_CUSTOMER_IDS: readonly string[] = PROFILES.map((profile) => profile.customerId);

export interface DemoEvents {
  /** In sending order, redelivered copies included. */
  readonly events: readonly DemoCloudEvent[];
  /** Distinct events (what billflow should store). */
  readonly distinct: number;
  /** Redelivered copies (what billflow should count as duplicates). */
  readonly redelivered: number;
}

/** The demo's events for `period`, dated between its start and `now` (or its end, if earlier). */
export function demoEvents(period: string, now: number): DemoEvents {
  const { start, end } = periodBounds(period);
  const span = Math.max(0, Math.min(now, end - 1) - start);
  // `at` is the position in the month, 0..1; every customer's events are spread over it.
  const timed: { at: number; order: number; event: DemoCloudEvent }[] = [];
  PROFILES.forEach((profile, customerIndex) => {
    const random = mulberry32(1000 + customerIndex);
    let sequence = 0;
    const add = (at: number, type: string, data: Record<string, unknown>) => {
      sequence += 1;
      timed.push({
        at,
        order: timed.length,
        event: {
          specversion: '1.0',
          // The period is part of the id: next month's demo sends new events, not copies of this month's.
          id: `demo-${period}-${profile.customerId}-${String(sequence).padStart(6, '0')}`,
          source: DEMO_SOURCE,
          type,
          subject: profile.customerId,
          time: '',
          data,
        },
      });
    };
    const [minTokens, maxTokens] = profile.tokens;
    for (let index = 0; index < profile.apiRequests; index += 1) {
      add((index + 0.5) / profile.apiRequests, 'api.request', {
        tokens: minTokens + Math.floor(random() * (maxTokens - minTokens + 1)),
        model: random() < 0.7 ? 'small' : 'large',
        userId: `u-${1 + Math.floor(random() * 25)}`,
      });
    }
    profile.seats?.forEach((count, index, all) => add((index + 0.25) / all.length, 'seats.changed', { count }));
    if (profile.activeUsers !== undefined) {
      const { events, distinct } = profile.activeUsers;
      for (let index = 0; index < events; index += 1) {
        // Every user shows up at least once; the rest are repeat visits.
        const user = index < distinct ? index : Math.floor(random() * distinct);
        add((index + 0.5) / events, 'user.active', { userId: `${profile.customerId}-user-${String(user + 1).padStart(3, '0')}` });
      }
    }
    if (profile.storageGb !== undefined) {
      const [first, last] = profile.storageGb;
      for (let day = 0; day < SNAPSHOT_DAYS; day += 1) {
        const gb = first + ((last - first) * day) / (SNAPSHOT_DAYS - 1);
        add((day + 0.9) / SNAPSHOT_DAYS, 'storage.snapshot', { gb: Number(gb.toFixed(2)) });
      }
    }
  });
  timed.sort((a, b) => a.at - b.at || a.order - b.order);
  const dated = timed.map(({ at, event }) => ({ ...event, time: new Date(start + Math.floor(at * span)).toISOString() }));

  const events: DemoCloudEvent[] = [];
  let redelivered = 0;
  dated.forEach((event, index) => {
    events.push(event);
    if (index % REDELIVER_EVERY === REDELIVER_EVERY - 1) {
      events.push(dated[index - Math.floor(REDELIVER_EVERY / 2)]!);
      redelivered += 1;
    }
  });
  return { events, distinct: dated.length, redelivered };
}
