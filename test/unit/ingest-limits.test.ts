/**
 * Hostile input shapes at ingest (issue 12): limits checked before anything recursive touches
 * an event, each with a reason naming the limit; one message that throws fails alone; and a
 * seeded fuzz that nothing in ingest throws on input shape.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ingestEvents, type IncomingMessage } from '#functions/ingest-events/ingest-handler.ts';
import type { IngestDependencies } from '#use-cases/ingest-events.ts';
import { MAX_DATA_DEPTH, splitMessageBody } from '#formats/cloudevents-batch.ts';
import { measureJson } from '#formats/json-shape.ts';
import { MAX_ATTRIBUTE_LENGTH } from '#formats/cloudevents.ts';
import type { Meter } from '#domain/catalog/types.ts';
import { aCloudEvent } from '#test-support/factories.ts';
import { InMemoryEventStore, InMemoryRejectedEventStore } from '#test-support/in-memory-stores.ts';
import { noOutboundEvents } from '#ports/outbound-events.ts';

const NOW = Date.UTC(2026, 10, 20, 12);
const METERS: Meter[] = [
  { code: 'api_calls', eventType: 'api.request', aggregation: 'count', unitCode: 'C62' },
  { code: 'tokens', eventType: 'api.request', aggregation: 'sum', valueProperty: 'tokens', unitCode: 'C62' },
];

function dependencies(options: { knownCustomers?: IngestDependencies['knownCustomers'] } = {}) {
  const events = new InMemoryEventStore({ shardCount: 4 });
  const rejected = new InMemoryRejectedEventStore();
  const deps: IngestDependencies = {
    outbound: noOutboundEvents,
    events,
    rejected,
    catalogRules: async () => ({ meters: METERS, gracePeriodMs: 3_600_000 }),
    knownCustomers: options.knownCustomers ?? (async (ids) => new Set(ids.filter((id) => id.startsWith('cus_')))),
    now: () => NOW,
    maxChunkBytes: 256 * 1024,
  };
  return { deps, rejected };
}

const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
const eventWithData = (dataText: string, id = 'deep'): string =>
  `{"specversion":"1.0","id":"${id}","source":"s","type":"api.request","subject":"cus_1","time":"2026-11-03T10:00:00Z","data":${dataText}}`;
const messages = (...bodies: string[]): IncomingMessage[] => bodies.map((body, index) => ({ messageId: `m-${index}`, body }));

async function reasonsFor(...bodies: string[]): Promise<string[]> {
  const { deps, rejected } = dependencies();
  const outcome = await ingestEvents(messages(...bodies), deps);
  expect(outcome.failedMessageIds).toEqual([]);
  const reasons: string[] = [];
  for await (const rejection of rejected.list()) reasons.push(rejection.reason);
  return reasons;
}

describe('measureJson', () => {
  it('measures depth without recursion and splits a top-level array into its elements as sent', () => {
    // Act
    const shape = measureJson(`[ {"a":"],[{"} , [[1]],"x\\"]" ,2 ]`);

    // Assess
    expect(shape.depth).toBe(3);
    expect(shape.elements).toEqual([
      { text: '{"a":"],[{"}', depth: 1 },
      { text: '[[1]]', depth: 2 },
      { text: '"x\\"]"', depth: 0 },
      { text: '2', depth: 0 },
    ]);
  });

  it('handles 100,000 levels without overflowing the stack', () => {
    expect(measureJson(nested(100_000)).depth).toBe(100_000);
  });
});

describe('limits at ingest', () => {
  it(`accepts data nested ${MAX_DATA_DEPTH} levels and rejects ${MAX_DATA_DEPTH + 1}, naming the limit`, async () => {
    // Act
    const accepted = splitMessageBody(eventWithData(nested(MAX_DATA_DEPTH)));
    const rejected = splitMessageBody(eventWithData(nested(MAX_DATA_DEPTH + 1)));

    // Assess
    expect(accepted[0]!.kind).toBe('event');
    expect(rejected[0]).toMatchObject({
      kind: 'rejected',
      reason: `data (or another attribute) nests ${MAX_DATA_DEPTH + 1} levels deep; at most 32 levels of objects and arrays are accepted: flatten it`,
    });
  });

  it('rejects an event nested 10,000 levels deep beside valid ones in the same batch and stores the valid ones', async () => {
    // Prepare: the issue's case, one poison body in a batch with three valid ones, plus one inside an array body
    const valid = [1, 2, 3].map((n) => JSON.stringify(aCloudEvent({ id: `ok-${n}`, subject: 'cus_1' })));
    const deepInArray = `[${JSON.stringify(aCloudEvent({ id: 'ok-4' }))},${eventWithData(nested(10_000), 'deep-2')}]`;
    const { deps, rejected } = dependencies();

    // Act
    const outcome = await ingestEvents(messages(valid[0]!, eventWithData(nested(10_000)), valid[1]!, valid[2]!, deepInArray), deps);

    // Assess
    expect(outcome.failedMessageIds).toEqual([]);
    expect(outcome).toMatchObject({ received: 6, stored: 4, rejected: 2 });
    const stored = [];
    for await (const rejection of rejected.list()) stored.push(rejection);
    expect(stored.map((r) => r.id).sort()).toEqual(['deep', 'deep-2']);
    expect(stored.every((r) => r.reason.includes('nests 10000 levels deep; at most 32'))).toBe(true);
    // The original text is kept, so a fixed sender's event could be replayed.
    expect(stored.find((r) => r.id === 'deep-2')!.body).toBe(eventWithData(nested(10_000), 'deep-2'));
  });

  it.each(['id', 'source', 'type', 'subject'] as const)(
    `accepts a %s of ${MAX_ATTRIBUTE_LENGTH} characters and rejects one more, naming the limit`,
    async (field) => {
      // Prepare
      const value = (length: number) => (field === 'subject' ? `cus_${'x'.repeat(length - 4)}` : 'x'.repeat(length));
      const fits = JSON.stringify(aCloudEvent({ [field]: value(MAX_ATTRIBUTE_LENGTH) }));
      const tooLong = JSON.stringify(aCloudEvent({ [field]: value(10_000) }));

      // Act
      const reasons = await reasonsFor(fits, tooLong);

      // Assess
      const what = field === 'subject' ? 'subject (the customer id)' : field;
      expect(reasons).toEqual([`${what} is 10000 characters long; at most 256 are accepted: shorten it`]);
    },
  );

  it('never looks up a subject too long to be a customer id (DynamoDB refuses keys over 2 KB, failing the whole batch)', async () => {
    // Prepare: a lookup that fails like DynamoDB's BatchGetItem on an oversized key
    const { deps, rejected } = dependencies({
      knownCustomers: async (ids) => {
        if (ids.some((id) => id.length > MAX_ATTRIBUTE_LENGTH))
          throw new Error('ValidationException: Hash primary key values must be under 2048 bytes');
        return new Set(ids);
      },
    });

    // Act
    const outcome = await ingestEvents(
      messages(JSON.stringify(aCloudEvent({ subject: `cus_${'s'.repeat(10_000)}` })), JSON.stringify(aCloudEvent())),
      deps,
    );

    // Assess
    expect(outcome).toMatchObject({ failedMessageIds: [], stored: 1, rejected: 1 });
    const reasons = [];
    for await (const rejection of rejected.list()) reasons.push(rejection.reason);
    expect(reasons).toEqual(['subject (the customer id) is 10004 characters long; at most 256 are accepted: shorten it']);
  });

  it.each([
    [
      1e308,
      'data.tokens (read by meter tokens) is 1e+308; values must be smaller than 10^15 in magnitude: send it in a smaller unit or split it over several events',
    ],
    [
      -1e15,
      'data.tokens (read by meter tokens) is -1000000000000000; values must be smaller than 10^15 in magnitude: send it in a smaller unit or split it over several events',
    ],
    [
      '9'.repeat(400),
      `data.tokens (read by meter tokens) is ${'9'.repeat(32)}... (400 characters); values must be smaller than 10^15 in magnitude: send it in a smaller unit or split it over several events`,
    ],
    ['0.1234567890123', 'data.tokens (read by meter tokens) is 0.1234567890123; at most 12 fraction digits are accepted: round it'],
  ])('rejects the quantity %# (1e308, -1e15, 400 digits, 13 fraction digits) with the limit in the reason', async (tokens, reason) => {
    expect(await reasonsFor(JSON.stringify(aCloudEvent({ data: { tokens } })))).toEqual([reason]);
  });

  it('accepts quantities just inside the bounds', async () => {
    // Act
    const reasons = await reasonsFor(
      JSON.stringify(aCloudEvent({ data: { tokens: 999_999_999_999_999 } })),
      JSON.stringify(aCloudEvent({ data: { tokens: '-999999999999999.123456789012' } })),
      JSON.stringify(aCloudEvent({ data: { tokens: '000000000000000000001' } })),
    );

    // Assess
    expect(reasons).toEqual([]);
  });
});

describe('per-message isolation', () => {
  it('fails only the message whose event throws; the others of the batch are stored', async () => {
    // Prepare: a customer lookup that throws for one subject, as an unforeseen bug would
    const { deps } = dependencies({
      knownCustomers: async (ids) => {
        const known = new Set(ids);
        return {
          has: (id: string) => {
            if (id === 'cus_poison') throw new TypeError('unforeseen');
            return known.has(id);
          },
        } as unknown as ReadonlySet<string>;
      },
    });
    const good = JSON.stringify([aCloudEvent({ id: 'g-1' }), aCloudEvent({ id: 'g-2' })]);
    const poison = JSON.stringify([aCloudEvent({ id: 'p-ok', subject: 'cus_1' }), aCloudEvent({ id: 'p-1', subject: 'cus_poison' })]);

    // Act
    const outcome = await ingestEvents(messages(good, poison, JSON.stringify(aCloudEvent({ id: 'g-3' }))), deps);

    // Assess: the poisoned message is retried whole (its good event is not stored twice later)
    expect(outcome.failedMessageIds).toEqual(['m-1']);
    expect(outcome).toMatchObject({ received: 3, stored: 3, rejected: 0 });
    expect(outcome.writeErrors).toEqual(['message m-1 could not be read: TypeError: unforeseen']);
  });
});

describe('fuzz: nothing in ingest throws on input shape', () => {
  // Values as JSON text: a deep value must never pass through JSON.stringify, here as in ingest.
  const hostileValue = fc.oneof(
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.integer({ min: 1, max: 5000 }).map(nested),
    fc.string({ maxLength: 400 }).map((text) => JSON.stringify(text)),
    fc.constantFrom('null', '1e308', '-0', '""', '"__proto__"', '[]', '{}', '"9999999999999999999999"'),
  );
  const text = (value: string) => fc.oneof(fc.constant(JSON.stringify(value)), hostileValue);
  const hostileEvent = fc
    .record(
      {
        specversion: text('1.0'),
        id: fc.oneof(
          fc.string({ minLength: 1, maxLength: 300 }).map((id) => JSON.stringify(id)),
          hostileValue,
        ),
        source: text('s'),
        type: text('api.request'),
        subject: fc.oneof(
          text('cus_1'),
          fc.string({ maxLength: 300 }).map((subject) => JSON.stringify(`cus_${subject}`)),
        ),
        time: text('2026-11-03T10:00:00Z'),
        data: fc.oneof(
          hostileValue.map((tokens) => `{"tokens":${tokens}}`),
          hostileValue,
        ),
        __proto__: hostileValue,
      },
      { requiredKeys: [] },
    )
    .map(
      (fields) =>
        `{${Object.entries(fields)
          .map(([name, value]) => `${JSON.stringify(name)}:${value}`)
          .join(',')}}`,
    );
  const hostileBody = fc.oneof(
    hostileEvent,
    fc.array(hostileEvent, { minLength: 0, maxLength: 120 }).map((events) => `[${events.join(',')}]`),
    hostileValue,
    fc.string({ maxLength: 200 }),
    fc.integer({ min: 1, max: 20_000 }).map((depth) => eventWithData(nested(depth))),
  );

  it('answers every message as stored or rejected with a reason, never a throw or a retry', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileBody, { minLength: 1, maxLength: 10 }), async (bodies) => {
        const { deps, rejected } = dependencies();
        const outcome = await ingestEvents(messages(...bodies), deps);
        expect(outcome.failedMessageIds).toEqual([]);
        let reasons = 0;
        for await (const rejection of rejected.list()) {
          expect(rejection.reason.length).toBeGreaterThan(10);
          reasons += 1;
        }
        expect(outcome.received).toBe(outcome.stored + outcome.rejected);
        expect(reasons).toBeLessThanOrEqual(outcome.rejected);
      }),
      { seed: 12, numRuns: 200 },
    );
  });
});
