/**
 * The ingestion guarantee of CONTRACTS.md section 1, as properties: for any sequence of
 * deliveries with duplicates, reorderings and injected failures, the events read back for
 * billing equal the set of distinct valid events, and received = accepted + duplicates +
 * rejected holds per customer and period with the counts a harness derives on its own.
 *
 * The harness plays SQS: it hands ingestEvents batches of 1-10 messages, puts the messages
 * reported in failedMessageIds back into the queue at random places, and keeps going until the
 * queue is empty. Faults are finite (each fires a bounded number of times), so the queue drains
 * in a bounded number of invocations, or the test fails.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ingestEvents, type IncomingMessage } from '#functions/ingest-events/ingest-handler.ts';
import type { IngestDependencies } from '#use-cases/ingest-events.ts';
import { collectBillableEvents } from '#use-cases/read-billable-events.ts';
import { accountEvents, type EventAccountRow } from '#use-cases/account-events.ts';
import { eventKey, type StoredEvent } from '#domain/events/billable-event.ts';
import { shardOf } from '#domain/events/shard.ts';
import type { Meter } from '#domain/catalog/types.ts';
import { InMemoryEventStore, InMemoryRejectedEventStore, rejectionKey } from '#test-support/in-memory-stores.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Fixed clock: November is past its cutoff (late), December is in its grace hour, January is open. */
const NOW = Date.UTC(2027, 0, 1, 0, 30);
const RECEIVE_PERIOD = '2027-01';
const SHARDS = 4;
const GRACE_MS = HOUR;
const CUSTOMERS = ['cus_a', 'cus_b', 'cus_c'] as const;
const LATE_PERIODS = new Set(['2026-11']);
const METERS: Meter[] = [
  { code: 'api_calls', eventType: 'api.request', aggregation: 'count', unitCode: 'C62' },
  { code: 'tokens', eventType: 'api.request', aggregation: 'sum', valueProperty: 'tokens', unitCode: 'C62' },
  { code: 'seats', eventType: 'seats.changed', aggregation: 'max', valueProperty: 'count', unitCode: 'C62' },
];
/** Instants each period's events may have; January's end is the 5 minutes of allowed clock skew. */
const PERIOD_SPANS = {
  '2026-11': [Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1) - 1],
  '2026-12': [Date.UTC(2026, 11, 1), Date.UTC(2027, 0, 1) - 1],
  '2027-01': [Date.UTC(2027, 0, 1), NOW + 5 * MINUTE],
} as const;
type Period = keyof typeof PERIOD_SPANS;

// ---------------------------------------------------------------------------------------------
// The model: items (what can be delivered) and what each one should become.

/** Customer and period an outcome is accounted under, as accountEvents keys its rows. */
type Group = { readonly customerId: string | null; readonly period: string };
const groupKey = (group: Group): string => JSON.stringify([group.customerId, group.period]);

interface ValidItem {
  readonly kind: 'valid';
  readonly group: Group & { customerId: string };
  /** Copies with different content but the same (source, id): the first stored one is billed. */
  readonly variants: readonly { readonly raw: Record<string, unknown>; readonly stored: StoredEvent }[];
  readonly key: string;
  /** (customer, period, shard): the unit a chunk-write fault hits. */
  readonly partition: string;
}

interface InvalidItem {
  readonly kind: 'invalid';
  readonly group: Group;
  /** The event as sent, or a whole message body when `wholeBody`. */
  readonly raw: unknown;
  /** The text the rejection is stored under (its SHA-256 is the record's key). */
  readonly text: string;
  readonly wholeBody: boolean;
}

type Item = ValidItem | InvalidItem;

interface ValidSpec {
  readonly customerId: (typeof CUSTOMERS)[number];
  readonly period: Period;
  readonly t: number;
  readonly offset: string;
  readonly millis: boolean;
  readonly payloads: readonly { type: string; data?: Record<string, unknown> }[];
  readonly extension: boolean;
}

type InvalidSpec =
  | {
      readonly kind: 'unknown-customer' | 'sum-missing' | 'bad-specversion' | 'no-subject' | 'bad-time';
      readonly customerId: string;
      readonly period: Period;
    }
  | { readonly kind: 'sum-not-decimal'; readonly customerId: string; readonly period: Period; readonly tokens: string }
  | { readonly kind: 'future'; readonly customerId: string; readonly aheadMs: number }
  | { readonly kind: 'not-an-object' | 'not-json' | 'empty-array' };

/** RFC 3339 text for instant t as seen at a UTC offset such as +05:30 (or Z). */
function rfc3339(t: number, offset: string, millis: boolean): string {
  const minutes =
    offset.toUpperCase() === 'Z' ? 0 : (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(t + minutes * MINUTE).toISOString().slice(0, millis ? 23 : 19);
  return `${local}${offset}`;
}

function periodOf(t: number): Period {
  const period = (Object.keys(PERIOD_SPANS) as Period[]).find((p) => PERIOD_SPANS[p][0] <= t && t <= PERIOD_SPANS[p][1]);
  if (period === undefined) throw new Error(`model error: ${t} is in no modelled period`);
  return period;
}

function validItem(spec: ValidSpec, index: number): ValidItem {
  // Ids repeat across the two sources: (source, id) is the identity, not id alone.
  const source = index % 2 === 0 ? '//api.example.com/eu-1' : '//api.example.com/us-1';
  const id = `e-${Math.floor(index / 2)}`;
  const time = spec.millis || spec.t % 1000 !== 0 ? rfc3339(spec.t, spec.offset, true) : rfc3339(spec.t, spec.offset, false);
  const variants = spec.payloads.map((payload, variant) => {
    const raw: Record<string, unknown> = {
      specversion: '1.0',
      id,
      source,
      type: payload.type,
      subject: spec.customerId,
      time,
      ...(payload.data === undefined ? {} : { data: payload.data }),
      ...(spec.extension ? { traceparent: `00-${index}-${variant}-01` } : {}),
    };
    const stored: StoredEvent = {
      source,
      id,
      type: payload.type,
      time,
      t: spec.t,
      ...(payload.data === undefined ? {} : { data: payload.data }),
    };
    return { raw, stored };
  });
  const group = { customerId: spec.customerId, period: periodOf(spec.t) };
  if (group.period !== spec.period) throw new Error('model error: generated time outside its period');
  const key = eventKey({ source, id });
  return { kind: 'valid', group, variants, key, partition: `${group.customerId}|${group.period}|${shardOf({ source, id }, SHARDS)}` };
}

function invalidItem(spec: InvalidSpec, index: number): InvalidItem {
  const id = `bad-${index}`;
  const event = (customerId: string, period: Period, overrides: Record<string, unknown> = {}) => ({
    specversion: '1.0',
    id,
    source: '//api.example.com/eu-1',
    type: 'api.request',
    subject: customerId,
    time: rfc3339(PERIOD_SPANS[period][0] + 1000 * index, 'Z', false),
    data: { tokens: 5 },
    ...overrides,
  });
  const asEvent = (raw: Record<string, unknown>, group: Group): InvalidItem => ({
    kind: 'invalid',
    group,
    raw,
    text: JSON.stringify(raw),
    wholeBody: false,
  });
  switch (spec.kind) {
    case 'unknown-customer':
      return asEvent(event('cus_unknown', spec.period, { subject: 'cus_unknown' }), { customerId: 'cus_unknown', period: spec.period });
    case 'sum-missing':
      return asEvent(event(spec.customerId, spec.period, { data: { model: 'small' } }), {
        customerId: spec.customerId,
        period: spec.period,
      });
    case 'sum-not-decimal':
      return asEvent(event(spec.customerId, spec.period, { data: { tokens: spec.tokens } }), {
        customerId: spec.customerId,
        period: spec.period,
      });
    case 'bad-specversion':
      return asEvent(event(spec.customerId, spec.period, { specversion: '0.3' }), { customerId: spec.customerId, period: spec.period });
    case 'no-subject': {
      const { subject: _subject, ...raw } = event(spec.customerId, spec.period);
      return asEvent(raw, { customerId: null, period: spec.period });
    }
    case 'bad-time':
      // A time that cannot be read: recorded under the period it was received in.
      return asEvent(event(spec.customerId, spec.period, { time: 'yesterday' }), { customerId: spec.customerId, period: RECEIVE_PERIOD });
    case 'future': {
      const t = NOW + 5 * MINUTE + spec.aheadMs;
      return asEvent(event(spec.customerId, '2027-01', { time: rfc3339(t, 'Z', true) }), {
        customerId: spec.customerId,
        period: '2027-01',
      });
    }
    case 'not-an-object':
      return {
        kind: 'invalid',
        group: { customerId: null, period: RECEIVE_PERIOD },
        raw: 1000 + index,
        text: String(1000 + index),
        wholeBody: false,
      };
    case 'not-json': {
      const text = `{"specversion": "1.0", "id": "${id}", `;
      return { kind: 'invalid', group: { customerId: null, period: RECEIVE_PERIOD }, raw: text, text, wholeBody: true };
    }
    case 'empty-array':
      // Every empty batch has the same text: one record, one delivery more each time.
      return { kind: 'invalid', group: { customerId: null, period: RECEIVE_PERIOD }, raw: '[]', text: '[]', wholeBody: true };
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const timeIn = (period: Period): fc.Arbitrary<number> => {
  const [first, last] = PERIOD_SPANS[period];
  return fc.oneof(fc.constant(first), fc.constant(last), fc.integer({ min: first, max: last }));
};

const payloadArb: fc.Arbitrary<{ type: string; data?: Record<string, unknown> }> = fc.oneof(
  fc.record({
    type: fc.constant('api.request'),
    data: fc.record({
      tokens: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom('12.5', '0', '-3', '1000000.000001')),
      model: fc.constantFrom('small', 'large'),
    }),
  }),
  fc.record({ type: fc.constant('seats.changed'), data: fc.record({ count: fc.nat(500) }) }),
  // A type no meter reads: valid with or without data.
  fc.record({ type: fc.constant('page.viewed'), data: fc.record({ path: fc.constantFrom('/', '/pricing') }) }),
  fc.record({ type: fc.constant('page.viewed') }),
);

const validSpecArb = (withVariants: boolean): fc.Arbitrary<ValidSpec> =>
  fc
    .record({
      customerId: fc.constantFrom(...CUSTOMERS),
      period: fc.constantFrom<Period>('2026-11', '2026-12', '2027-01'),
      offset: fc.constantFrom('Z', 'z', '+00:00', '-00:00', '+01:00', '+05:30', '+05:45', '-08:00', '-09:30', '+14:00'),
      millis: fc.boolean(),
      extension: fc.boolean(),
      first: payloadArb,
      // Same type (same meters), different content: a producer that re-sent an event changed.
      other: fc.option(fc.record({ tokens: fc.integer({ min: 0, max: 99 }), count: fc.nat(9) }), { nil: undefined, freq: 3 }),
    })
    .chain((base) =>
      timeIn(base.period).map((t): ValidSpec => {
        const payloads = [base.first];
        if (withVariants && base.other !== undefined) {
          const value = base.first.type === 'api.request' ? { tokens: base.other.tokens, model: 'small' } : { count: base.other.count };
          payloads.push({ type: base.first.type, data: base.first.type === 'page.viewed' ? { path: `/v${base.other.count}` } : value });
        }
        return {
          customerId: base.customerId,
          period: base.period,
          t,
          offset: base.offset,
          millis: base.millis,
          extension: base.extension,
          payloads,
        };
      }),
    );

const invalidSpecArb: fc.Arbitrary<InvalidSpec> = fc.oneof(
  fc.record({
    kind: fc.constantFrom<'unknown-customer' | 'sum-missing' | 'bad-specversion' | 'no-subject' | 'bad-time'>(
      'unknown-customer',
      'sum-missing',
      'bad-specversion',
      'no-subject',
      'bad-time',
    ),
    customerId: fc.constantFrom(...CUSTOMERS),
    period: fc.constantFrom<Period>('2026-11', '2026-12', '2027-01'),
  }),
  fc.record({
    kind: fc.constant('sum-not-decimal' as const),
    customerId: fc.constantFrom(...CUSTOMERS),
    period: fc.constantFrom<Period>('2026-11', '2026-12', '2027-01'),
    tokens: fc.constantFrom('1e3', 'NaN', 'Infinity', 'many', ''),
  }),
  fc.record({
    kind: fc.constant('future' as const),
    customerId: fc.constantFrom(...CUSTOMERS),
    aheadMs: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: HOUR })),
  }),
  fc.record({ kind: fc.constantFrom<'not-an-object' | 'not-json' | 'empty-array'>('not-an-object', 'not-json', 'empty-array') }),
);

/** What is delivered and how: items, how often each is sent, how bodies are cut and shuffled. */
interface Scenario {
  readonly items: readonly Item[];
  /** Per item, per delivery: which content variant is sent (always 0 for invalid items). */
  readonly sends: readonly (readonly number[])[];
  /** Sizes bodies are cut to, used in turn (1..100). */
  readonly bodySizes: readonly number[];
  /** Send a body of one event as a bare object rather than a one-element array. */
  readonly bareSingles: boolean;
  readonly prettyArrays: boolean;
  /** Messages SQS delivers a second time although they succeeded (same message id). */
  readonly redeliver: readonly number[];
  readonly seed: number;
  readonly maxChunkBytes: number;
}

const scenarioArb = (options: { withVariants: boolean }): fc.Arbitrary<Scenario> =>
  fc
    .record({
      valid: fc.array(validSpecArb(options.withVariants), { minLength: 1, maxLength: 50 }),
      invalid: fc.array(invalidSpecArb, { maxLength: 10 }),
      copies: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 60, maxLength: 60 }),
      variantPicks: fc.array(fc.nat(1), { minLength: 180, maxLength: 180 }),
      bodySizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 100 }), fc.constant(100)), {
        minLength: 1,
        maxLength: 8,
      }),
      bareSingles: fc.boolean(),
      prettyArrays: fc.boolean(),
      redeliver: fc.array(fc.nat(), { maxLength: 4 }),
      seed: fc.integer(),
      maxChunkBytes: fc.constantFrom(700, 2_000, 256 * 1024),
    })
    .map((s): Scenario => {
      const items: Item[] = [...s.valid.map(validItem), ...s.invalid.map((spec, i) => invalidItem(spec, i))];
      const sends = items.map((item, i) => {
        const copies = item.kind === 'valid' ? s.copies[i % 60]! : Math.min(2, s.copies[i % 60]!);
        return Array.from({ length: copies }, (_, c) =>
          item.kind === 'valid' ? s.variantPicks[(i * 3 + c) % 180]! % item.variants.length : 0,
        );
      });
      return {
        items,
        sends,
        bodySizes: s.bodySizes,
        bareSingles: s.bareSingles,
        prettyArrays: s.prettyArrays,
        redeliver: s.redeliver,
        seed: s.seed,
        maxChunkBytes: s.maxChunkBytes,
      };
    });

/** Fault budgets: how many times each write fails before it succeeds. */
interface FaultBudgets {
  /** By chunk partition (customer|period|shard), for every partition of the scenario. */
  readonly chunks: Map<string, number>;
  /** By rejection text. */
  readonly rejections: Map<string, number>;
  readonly latePeriods: number;
}

const faultBudgetsArb = (scenario: Scenario): fc.Arbitrary<FaultBudgets> => {
  const partitions = [...new Set(scenario.items.flatMap((item) => (item.kind === 'valid' ? [item.partition] : [])))].sort();
  const texts = [...new Set(scenario.items.flatMap((item) => (item.kind === 'invalid' ? [item.text] : [])))].sort();
  const budget = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) });
  return fc
    .record({
      chunks: fc.array(budget, { minLength: partitions.length, maxLength: partitions.length }),
      rejections: fc.array(budget, { minLength: texts.length, maxLength: texts.length }),
      latePeriods: fc.nat(2),
    })
    .map((b) => ({
      chunks: new Map(partitions.map((p, i) => [p, b.chunks[i]!])),
      rejections: new Map(texts.map((t, i) => [t, b.rejections[i]!])),
      latePeriods: b.latePeriods,
    }));
};

const NO_FAULTS: FaultBudgets = { chunks: new Map(), rejections: new Map(), latePeriods: 0 };

// ---------------------------------------------------------------------------------------------
// The SQS-like harness

/** Deterministic choices (batch sizes, shuffles, chunk ids) from the scenario's seed. */
function prng(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  return (bound) => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (((z ^ (z >>> 14)) >>> 0) / 4_294_967_296) * bound;
  };
}

function shuffle<T>(values: readonly T[], random: (bound: number) => number): T[] {
  const result = [...values];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random(i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

interface QueuedMessage extends IncomingMessage {
  /** Per event the body carries: the item and content variant. */
  readonly carries: readonly { readonly item: number; readonly variant: number }[];
}

/** Cuts the shuffled deliveries into message bodies; whole-body items are messages of their own. */
function buildMessages(scenario: Scenario, random: (bound: number) => number): QueuedMessage[] {
  const perEvent: { item: number; variant: number }[] = [];
  const wholeBodies: { item: number; variant: number }[] = [];
  scenario.items.forEach((item, index) => {
    for (const variant of scenario.sends[index]!) {
      (item.kind === 'invalid' && item.wholeBody ? wholeBodies : perEvent).push({ item: index, variant });
    }
  });
  const shuffled = shuffle(perEvent, random);
  const raw = ({ item, variant }: { item: number; variant: number }): unknown => {
    const it = scenario.items[item]!;
    return it.kind === 'valid' ? it.variants[variant]!.raw : it.raw;
  };
  const messages: QueuedMessage[] = [];
  let next = 0;
  for (let cut = 0; next < shuffled.length; cut += 1) {
    const size = scenario.bodySizes[cut % scenario.bodySizes.length]!;
    const carries = shuffled.slice(next, next + size);
    next += size;
    const body =
      carries.length === 1 && scenario.bareSingles
        ? JSON.stringify(raw(carries[0]!))
        : JSON.stringify(carries.map(raw), null, scenario.prettyArrays ? 2 : undefined);
    messages.push({ messageId: `m-${messages.length}`, body, carries });
  }
  for (const whole of wholeBodies) {
    messages.push({ messageId: `m-${messages.length}`, body: (scenario.items[whole.item] as InvalidItem).text, carries: [whole] });
  }
  const queue = shuffle(messages, random);
  // SQS at-least-once: some messages come again, same id and body, though nothing failed.
  for (const pick of scenario.redeliver) {
    if (messages.length === 0) break;
    queue.splice(Math.floor(random(queue.length + 1)), 0, messages[pick % messages.length]!);
  }
  return queue;
}

/** Expected outcome per (customer, period), derived by the harness from the model alone. */
interface Expected {
  stored: number;
  rejected: number;
  readonly distinct: Set<string>;
}

interface RunResult {
  readonly events: InMemoryEventStore;
  readonly rejected: InMemoryRejectedEventStore;
  readonly expected: Map<string, Expected & Group>;
  /** Deliveries of each rejected text that the harness expects stored. */
  readonly rejectedDeliveries: Map<string, number>;
  readonly invocations: number;
  readonly retried: number;
  readonly faultsFired: { chunks: number; rejections: number; latePeriods: number };
}

async function runThroughQueue(scenario: Scenario, budgets: FaultBudgets): Promise<RunResult> {
  const random = prng(scenario.seed);
  const chunkId = () =>
    Math.floor(random(2 ** 32))
      .toString(16)
      .padStart(8, '0') +
    Math.floor(random(2 ** 32))
      .toString(16)
      .padStart(8, '0');

  // The fakes' faults: a budget is spent once per call in which its partition/text appears.
  const chunkLeft = new Map(budgets.chunks);
  const rejectionLeft = new Map(budgets.rejections);
  let lateLeft = budgets.latePeriods;
  const fired = { chunks: 0, rejections: 0, latePeriods: 0 };
  const decidedChunks = new Map<string, boolean>();
  const decidedRejections = new Map<string, boolean>();
  const decide = (decided: Map<string, boolean>, left: Map<string, number>, call: number, key: string, count: () => void): boolean => {
    const memo = `${call}|${key}`;
    let fails = decided.get(memo);
    if (fails === undefined) {
      const budget = left.get(key) ?? 0;
      fails = budget > 0;
      if (fails) {
        left.set(key, budget - 1);
        count();
      }
      decided.set(memo, fails);
    }
    return fails;
  };
  const events = new InMemoryEventStore({
    shardCount: SHARDS,
    chunkId,
    faults: {
      failChunk: (chunk, call) =>
        decide(decidedChunks, chunkLeft, call, `${chunk.customerId}|${chunk.period}|${chunk.shard}`, () => (fired.chunks += 1))
          ? 'ProvisionedThroughputExceededException (injected)'
          : undefined,
      failLatePeriods: () => {
        if (lateLeft === 0) return undefined;
        lateLeft -= 1;
        fired.latePeriods += 1;
        return 'TimeoutError (injected)';
      },
    },
  });
  const rejected = new InMemoryRejectedEventStore({
    faults: {
      failRejection: (rejection, call) => decide(decidedRejections, rejectionLeft, call, rejection.body, () => (fired.rejections += 1)),
    },
  });
  const known = new Set<string>(CUSTOMERS);
  const deps: IngestDependencies = {
    outbound: noOutboundEvents,
    events,
    rejected,
    catalogRules: async () => ({ meters: METERS, gracePeriodMs: GRACE_MS }),
    knownCustomers: async (ids) => new Set(ids.filter((id) => known.has(id))),
    now: () => NOW,
    maxChunkBytes: scenario.maxChunkBytes,
  };

  // The harness's own account, from the model and a mirror of the fault budgets.
  const mirrorChunks = new Map(budgets.chunks);
  const mirrorRejections = new Map(budgets.rejections);
  const expected = new Map<string, Expected & Group>();
  const expectedFor = (group: Group) => {
    let entry = expected.get(groupKey(group));
    if (entry === undefined) {
      entry = { ...group, stored: 0, rejected: 0, distinct: new Set() };
      expected.set(groupKey(group), entry);
    }
    return entry;
  };
  for (const item of scenario.items) if (item.kind === 'valid') expectedFor(item.group).distinct.add(item.key);
  const rejectedDeliveries = new Map<string, number>();
  const spend = (left: Map<string, number>, key: string): boolean => {
    const budget = left.get(key) ?? 0;
    if (budget > 0) left.set(key, budget - 1);
    return budget > 0;
  };
  /**
   * Accounts one invocation and returns the messages that must be retried: those with a
   * delivery that was not recorded, and, when the late-period marker failed, those with a
   * late event in a written chunk. Every other message is done: all its deliveries are recorded.
   */
  const account = (batch: readonly QueuedMessage[], lateMarkerFailed: boolean): Set<string> => {
    const carried = batch.flatMap((message) => message.carries.map(({ item }) => scenario.items[item]!));
    const failedPartitions = new Set(
      [...new Set(carried.flatMap((item) => (item.kind === 'valid' ? [item.partition] : [])))].filter((p) => spend(mirrorChunks, p)),
    );
    const failedTexts = new Set(
      [...new Set(carried.flatMap((item) => (item.kind === 'invalid' ? [item.text] : [])))].filter((t) => spend(mirrorRejections, t)),
    );
    const retry = new Set<string>();
    for (const message of batch) {
      for (const { item: index } of message.carries) {
        const item = scenario.items[index]!;
        if (item.kind === 'valid') {
          if (failedPartitions.has(item.partition)) {
            retry.add(message.messageId);
            continue;
          }
          expectedFor(item.group).stored += 1;
          if (lateMarkerFailed && LATE_PERIODS.has(item.group.period)) retry.add(message.messageId);
        } else if (failedTexts.has(item.text)) {
          retry.add(message.messageId);
        } else {
          expectedFor(item.group).rejected += 1;
          rejectedDeliveries.set(item.text, (rejectedDeliveries.get(item.text) ?? 0) + 1);
        }
      }
    }
    return retry;
  };

  // SQS: batches of 1-10; failed messages go back into the queue at random places.
  const queue = buildMessages(scenario, random);
  const totalBudget = [...budgets.chunks.values(), ...budgets.rejections.values()].reduce((sum, n) => sum + n, 0) + budgets.latePeriods;
  // Every invocation that fails a message spends at least one fault, and returns at most 10 messages.
  const maxInvocations = queue.length + 10 * totalBudget + 1;
  let invocations = 0;
  let retried = 0;
  while (queue.length > 0) {
    if (invocations >= maxInvocations) {
      throw new Error(`queue not drained after ${invocations} invocations (${queue.length} messages left, ${totalBudget} faults planned)`);
    }
    invocations += 1;
    const batch = queue.splice(0, 1 + Math.floor(random(10)));
    const lateFaultsBefore = fired.latePeriods;
    const outcome = await ingestEvents(
      batch.map(({ messageId, body }) => ({ messageId, body })),
      deps,
    );
    const mustRetry = account(batch, fired.latePeriods > lateFaultsBefore);
    const failed = new Set(outcome.failedMessageIds);
    // Exactly the messages with an unrecorded delivery are retried: none is dropped, none redone for nothing.
    expect(failed).toEqual(mustRetry);
    for (const message of shuffle(
      batch.filter((m) => failed.has(m.messageId)),
      random,
    )) {
      queue.splice(Math.floor(random(queue.length + 1)), 0, message);
      retried += 1;
    }
  }
  // The mirror and the fakes must have spent the same faults, or the harness's account is off.
  expect(mirrorChunks).toEqual(chunkLeft);
  expect(mirrorRejections).toEqual(rejectionLeft);
  return { events, rejected, expected, rejectedDeliveries, invocations, retried, faultsFired: fired };
}

/** The billed copy of each event: the first copy in storage order (write time, then chunk id). */
function firstStoredCopies(store: InMemoryEventStore): Map<string, StoredEvent> {
  const first = new Map<string, { sk: string; event: StoredEvent }>();
  for (const chunk of store.writtenChunks()) {
    for (const event of chunk.events) {
      const key = `${chunk.customerId}|${chunk.period}|${eventKey(event)}`;
      const seen = first.get(key);
      if (seen === undefined || chunk.sk < seen.sk) first.set(key, { sk: chunk.sk, event });
    }
  }
  return new Map([...first].map(([key, { event }]) => [key, event]));
}

const byKey = (a: StoredEvent, b: StoredEvent) => (eventKey(a) < eventKey(b) ? -1 : eventKey(a) > eventKey(b) ? 1 : 0);

async function billable(store: InMemoryEventStore, group: Group & { customerId: string }) {
  const { events, deliveries } = await collectBillableEvents(store, group.customerId, group.period);
  return { events: [...events].sort(byKey), deliveries };
}

/** Every (customer, period) that has stored chunks. */
function storedGroups(store: InMemoryEventStore): (Group & { customerId: string })[] {
  const groups = new Map(store.writtenChunks().map((chunk) => [groupKey(chunk), { customerId: chunk.customerId, period: chunk.period }]));
  return [...groups.values()];
}

function expectedRows(expected: Map<string, Expected & Group>): EventAccountRow[] {
  return [...expected.values()]
    .filter((e) => e.stored > 0 || e.rejected > 0)
    .map((e) => ({
      customerId: e.customerId,
      period: e.period,
      received: e.stored + e.rejected,
      accepted: e.distinct.size,
      duplicates: e.stored - e.distinct.size,
      rejected: e.rejected,
    }))
    .sort((a, b) => groupKey(a).localeCompare(groupKey(b)));
}

const sortRows = (rows: readonly EventAccountRow[]) =>
  rows
    .map(({ customerId, period, received, accepted, duplicates, rejected }) => ({
      customerId,
      period,
      received,
      accepted,
      duplicates,
      rejected,
    }))
    .sort((a, b) => groupKey(a).localeCompare(groupKey(b)));

// ---------------------------------------------------------------------------------------------

describe('ingestEvents, for any delivery schedule', () => {
  it('bills exactly the distinct valid events, once each, and accounts for every delivery, whatever is duplicated, reordered or fails', async () => {
    const seen = { runs: 0, chunkFaults: 0, rejectionFaults: 0, lateFaults: 0, retried: 0, variantsBilled: 0 };
    await fc.assert(
      fc.asyncProperty(
        scenarioArb({ withVariants: true }).chain((scenario) => faultBudgetsArb(scenario).map((budgets) => ({ scenario, budgets }))),
        async ({ scenario, budgets }) => {
          // Prepare
          const validItems = scenario.items.filter((item): item is ValidItem => item.kind === 'valid');
          const invalidTexts = new Set(scenario.items.flatMap((item) => (item.kind === 'invalid' ? [item.text] : [])));

          // Act
          const run = await runThroughQueue(scenario, budgets);

          // Assess: billing reads each (customer, period) and finds exactly its distinct valid events,
          // each as its first stored copy, and one of the copies that was sent.
          const firstCopies = firstStoredCopies(run.events);
          const groups = new Map<string, Group & { customerId: string }>();
          for (const item of validItems) groups.set(groupKey(item.group), item.group);
          for (const group of storedGroups(run.events)) {
            expect(groups.has(groupKey(group)), `chunks stored for ${groupKey(group)}, which has no valid event`).toBe(true);
          }
          for (const group of groups.values()) {
            const expected = run.expected.get(groupKey(group))!;
            const items = validItems.filter((item) => groupKey(item.group) === groupKey(group));
            const { events, deliveries } = await billable(run.events, group);
            expect(events.map(eventKey)).toEqual(items.map((item) => item.key).sort());
            expect(events).toEqual(items.map((item) => firstCopies.get(`${group.customerId}|${group.period}|${item.key}`)!).sort(byKey));
            for (const item of items) {
              const billed = events.find((event) => eventKey(event) === item.key);
              expect(item.variants.map((variant) => variant.stored)).toContainEqual(billed);
              if (
                billed !== undefined &&
                item.variants.length > 1 &&
                item.variants.findIndex((v) => JSON.stringify(v.stored) === JSON.stringify(billed)) > 0
              ) {
                seen.variantsBilled += 1;
              }
            }
            expect(deliveries).toBe(expected.stored);
          }

          // Assess: the accounting identity per customer and period, with the harness's own counts.
          const statement = await accountEvents(run.events, run.rejected);
          const rows = expectedRows(run.expected);
          expect(sortRows(statement.rows)).toEqual(rows);
          for (const row of statement.rows) expect(row.received).toBe(row.accepted + row.duplicates + row.rejected);
          expect(statement.accepted).toBe(validItems.length);
          expect(statement.received).toBe(rows.reduce((sum, row) => sum + row.received, 0));
          expect(statement.received).toBe(statement.accepted + statement.duplicates + statement.rejected);

          // Assess: what the fakes hold agrees with the harness's account.
          expect(run.events.writtenChunks().reduce((sum, chunk) => sum + chunk.deliveries, 0)).toBe(
            [...run.expected.values()].reduce((sum, e) => sum + e.stored, 0),
          );
          const stored = run.rejected.stored();
          expect(new Set(stored.map((r) => r.body))).toEqual(invalidTexts);
          for (const rejection of stored) {
            expect(rejection.key).toBe(rejectionKey(rejection.body));
            expect(rejection.deliveries).toBe(run.rejectedDeliveries.get(rejection.body));
            expect(rejection.status).toBe('open');
            expect(rejection.reason.length).toBeGreaterThan(10);
          }

          // Assess: late events are marked, and their periods recorded for the next invoice.
          for (const chunk of run.events.writtenChunks()) expect(chunk.late).toBe(LATE_PERIODS.has(chunk.period));
          for (const customerId of CUSTOMERS) {
            const late = [
              ...new Set(
                validItems.filter((i) => i.group.customerId === customerId && LATE_PERIODS.has(i.group.period)).map((i) => i.group.period),
              ),
            ];
            expect(await run.events.latePeriods(customerId)).toEqual(late.sort());
          }

          seen.runs += 1;
          seen.chunkFaults += run.faultsFired.chunks;
          seen.rejectionFaults += run.faultsFired.rejections;
          seen.lateFaults += run.faultsFired.latePeriods;
          seen.retried += run.retried;
        },
      ),
      { numRuns: 200 },
    );

    // Assess: the generators reached what the property is about.
    expect(seen.runs).toBeGreaterThanOrEqual(200);
    expect(seen.chunkFaults).toBeGreaterThan(50);
    expect(seen.rejectionFaults).toBeGreaterThan(20);
    expect(seen.lateFaults).toBeGreaterThan(20);
    expect(seen.retried).toBeGreaterThan(100);
    expect(seen.variantsBilled).toBeGreaterThan(0);
  });

  it('bills the same events with the same counts however the same deliveries are ordered and batched', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb({ withVariants: false }),
        fc.integer(),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }),
        async (generated, otherSeed, otherSizes) => {
          // Prepare: one multiset of deliveries, shuffled, cut into bodies and batched two ways.
          const scenario: Scenario = { ...generated, redeliver: [] };
          const reordered: Scenario = { ...scenario, seed: otherSeed, bodySizes: otherSizes, bareSingles: !scenario.bareSingles };

          // Act
          const first = await runThroughQueue(scenario, NO_FAULTS);
          const second = await runThroughQueue(reordered, NO_FAULTS);

          // Assess
          const groups = new Map([...storedGroups(first.events), ...storedGroups(second.events)].map((g) => [groupKey(g), g]));
          for (const group of groups.values()) {
            const a = await billable(first.events, group);
            const b = await billable(second.events, group);
            expect(b.events).toEqual(a.events);
            expect(b.deliveries).toBe(a.deliveries);
            expect(a.events.length).toBe(first.expected.get(groupKey(group))!.distinct.size);
          }
          const firstStatement = await accountEvents(first.events, first.rejected);
          const secondStatement = await accountEvents(second.events, second.rejected);
          expect(sortRows(secondStatement.rows)).toEqual(sortRows(firstStatement.rows));
          expect(sortRows(firstStatement.rows)).toEqual(expectedRows(first.expected));
          expect(firstStatement.accepted).toBe(scenario.items.filter((item) => item.kind === 'valid').length);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('ingestEvents, examples the properties rely on', () => {
  it('records a rejected event whose time names a year past 9999, instead of failing its message for ever', async () => {
    // Prepare
    const events = new InMemoryEventStore({ shardCount: SHARDS });
    const rejected = new InMemoryRejectedEventStore();
    const body = JSON.stringify({
      specversion: '1.0',
      id: 'far',
      source: '//s',
      type: 'api.request',
      subject: 'cus_a',
      time: '+010000-01-01T00:00:00Z',
      data: { tokens: 1 },
    });
    const deps: IngestDependencies = {
      outbound: noOutboundEvents,
      events,
      rejected,
      catalogRules: async () => ({ meters: METERS, gracePeriodMs: GRACE_MS }),
      knownCustomers: async (ids) => new Set(ids.filter((id) => id === 'cus_a')),
      now: () => NOW,
      maxChunkBytes: 256 * 1024,
    };

    // Act
    const outcome = await ingestEvents([{ messageId: 'm-1', body }], deps);

    // Assess
    expect(outcome.failedMessageIds).toEqual([]);
    expect(rejected.stored()).toEqual([
      expect.objectContaining({ body, customerId: 'cus_a', id: 'far', period: RECEIVE_PERIOD, deliveries: 1 }),
    ]);
  });

  it('retries a message whose events were split over a written and an unwritten chunk, and bills each event once', async () => {
    // Prepare: two events of one message in different shards; the first write of one shard fails.
    const a = { specversion: '1.0', id: 'e-0', source: '//s', type: 'page.viewed', subject: 'cus_a', time: '2027-01-01T00:10:00Z' };
    const candidates = Array.from({ length: 20 }, (_, i) => ({ ...a, id: `e-${i}` }));
    const other = candidates.find((e) => shardOf(e, SHARDS) !== shardOf(a, SHARDS))!;
    let failures = 1;
    const events = new InMemoryEventStore({
      shardCount: SHARDS,
      faults: { failChunk: (chunk) => (chunk.shard === shardOf(other, SHARDS) && failures-- > 0 ? 'throttled' : undefined) },
    });
    const rejected = new InMemoryRejectedEventStore();
    const deps: IngestDependencies = {
      outbound: noOutboundEvents,
      events,
      rejected,
      catalogRules: async () => ({ meters: METERS, gracePeriodMs: GRACE_MS }),
      knownCustomers: async (ids) => new Set(ids),
      now: () => NOW,
      maxChunkBytes: 256 * 1024,
    };
    const message = { messageId: 'm-1', body: JSON.stringify([a, other]) };

    // Act
    const first = await ingestEvents([message], deps);
    const second = await ingestEvents([message], deps);

    // Assess
    expect(first.failedMessageIds).toEqual(['m-1']);
    expect(second.failedMessageIds).toEqual([]);
    const billed = await collectBillableEvents(events, 'cus_a', '2027-01');
    expect(billed.events.map((e) => e.id).sort()).toEqual([a.id, other.id].sort());
    expect(await accountEvents(events, rejected)).toMatchObject({ received: 3, accepted: 2, duplicates: 1, rejected: 0 });
  });
});

describe("the late cutoff and the stores' write-time ranges", () => {
  it("puts every chunk in exactly one of a period's on-time and late reads, agreeing with its late flag", async () => {
    const cutoff = Date.UTC(2026, 11, 1) + GRACE_MS;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constantFrom(cutoff - 1, cutoff, cutoff + 1), fc.integer({ min: cutoff - HOUR, max: cutoff + HOUR })), {
          minLength: 1,
          maxLength: 12,
        }),
        async (writeTimes) => {
          // Prepare: one event per write, all in November, each ingested at its own instant.
          const events = new InMemoryEventStore({ shardCount: 1 });
          const rejected = new InMemoryRejectedEventStore();
          const lateFlags = new Map<string, boolean>();

          // Act
          for (const [index, at] of writeTimes.entries()) {
            const body = JSON.stringify({
              specversion: '1.0',
              id: `e-${index}`,
              source: '//s',
              type: 'page.viewed',
              subject: 'cus_a',
              time: '2026-11-30T23:00:00Z',
            });
            const outcome = await ingestEvents([{ messageId: `m-${index}`, body }], {
              outbound: noOutboundEvents,
              events,
              rejected,
              catalogRules: async () => ({ meters: METERS, gracePeriodMs: GRACE_MS }),
              knownCustomers: async (ids) => new Set(ids),
              now: () => at,
              maxChunkBytes: 256 * 1024,
            });
            expect(outcome.failedMessageIds).toEqual([]);
            lateFlags.set(`e-${index}`, at >= cutoff);
          }
          const onTime = await collectBillableEvents(events, 'cus_a', '2026-11', { ingestedBefore: cutoff });
          const late = await collectBillableEvents(events, 'cus_a', '2026-11', { ingestedFrom: cutoff });
          const both = await collectBillableEvents(events, 'cus_a', '2026-11', { ingestedFrom: cutoff - HOUR, ingestedBefore: cutoff });

          // Assess
          const expectedOnTime = writeTimes.flatMap((at, i) => (at < cutoff ? [`e-${i}`] : []));
          const expectedLate = writeTimes.flatMap((at, i) => (at >= cutoff ? [`e-${i}`] : []));
          expect(onTime.events.map((e) => e.id).sort()).toEqual(expectedOnTime.sort());
          expect(late.events.map((e) => e.id).sort()).toEqual(expectedLate.sort());
          expect(both.events.map((e) => e.id).sort()).toEqual(
            writeTimes.flatMap((at, i) => (at >= cutoff - HOUR && at < cutoff ? [`e-${i}`] : [])).sort(),
          );
          for (const chunk of events.writtenChunks()) expect(chunk.late).toBe(lateFlags.get(chunk.events[0]!.id));
          expect(await events.latePeriods('cus_a')).toEqual(expectedLate.length > 0 ? ['2026-11'] : []);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads a shard in write-time order whatever order the chunks were written in', async () => {
    // Prepare
    const store = new InMemoryEventStore({ shardCount: 1 });
    const chunk = (id: string) => ({
      customerId: 'cus_a',
      period: '2026-11',
      shard: 0,
      late: false,
      events: [{ source: '//s', id, type: 't', time: '2026-11-03T10:00:00Z', t: 0 }],
      deliveries: 1,
      messageIds: new Set(['m']),
    });
    const times = [Date.UTC(2026, 10, 3, 12), Date.UTC(2026, 10, 3, 10), Date.UTC(2026, 10, 3, 11)];

    // Act
    for (const [i, at] of times.entries()) await store.writeChunks([chunk(`e-${i}`)], at);
    const read: string[] = [];
    for await (const stored of store.readShard('cus_a', '2026-11', 0)) read.push(stored.events[0]!.id);

    // Assess
    expect(read).toEqual(['e-1', 'e-2', 'e-0']);
  });

  it('keeps one rejection record per body: deliveries add up, and a new delivery reopens a replayed one', async () => {
    // Prepare
    const store = new InMemoryRejectedEventStore();
    const rejection = { body: '{"id":1}', reason: 'id must be a string', period: '2026-11', messageId: 'm-1', customerId: 'cus_a' };

    // Act
    await store.record([rejection, { ...rejection, messageId: 'm-2' }], Date.UTC(2026, 10, 3));
    await store.markReplayed([{ key: rejectionKey(rejection.body), period: '2026-11' }], Date.UTC(2026, 10, 4));
    const replayed = store.stored();
    await store.record([{ ...rejection, messageId: 'm-3' }], Date.UTC(2026, 10, 5));
    const missing = store.markReplayed([{ key: rejectionKey('other'), period: '2026-11' }], Date.UTC(2026, 10, 6));

    // Assess
    expect(replayed).toEqual([expect.objectContaining({ deliveries: 2, status: 'replayed', replayedAt: '2026-11-04T00:00:00.000Z' })]);
    expect(store.stored()).toEqual([
      expect.objectContaining({
        key: rejectionKey(rejection.body),
        deliveries: 3,
        status: 'open',
        messageId: 'm-3',
        firstReceivedAt: '2026-11-03T00:00:00.000Z',
        lastReceivedAt: '2026-11-05T00:00:00.000Z',
      }),
    ]);
    await expect(missing).rejects.toThrow(/conditional request failed/);
  });
});
