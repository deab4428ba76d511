/**
 * The pure core of ingestion (CONTRACTS.md section 1): splitting message bodies, validating
 * events, billing periods, packing chunks, sharding and read-side deduplication.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_EVENT_BYTES, MAX_EVENTS_PER_BODY, splitMessageBody, type BodyPart } from '#formats/cloudevents-batch.ts';
import { indexMetersByEventType, type ValidationContext } from '#domain/events/validate-event.ts';
import { validateEvent } from '#formats/cloudevents.ts';
import { billingPeriodOf, gracePeriodEnd, periodBounds } from '#domain/period.ts';
import { packChunks, type PackOptions } from '#domain/events/pack-chunks.ts';
import { shardOf } from '#domain/events/shard.ts';
import { DistinctEventFilter } from '#domain/events/distinct-events.ts';
import type { AcceptedEvent, StoredEvent } from '#domain/events/billable-event.ts';
import type { Meter } from '#domain/catalog/types.ts';
import { aCloudEvent } from '#test-support/factories.ts';

const HOUR = 3_600_000;

/** The meters of CONTRACTS.md section 2, plus a type read only by a count meter. */
const METERS: Meter[] = [
  { code: 'api_calls', eventType: 'api.request', aggregation: 'count', unitCode: 'C62' },
  { code: 'tokens', eventType: 'api.request', aggregation: 'sum', valueProperty: 'tokens', unitCode: 'C62' },
  { code: 'seats', eventType: 'seats.changed', aggregation: 'max', valueProperty: 'count', unitCode: 'C62' },
  { code: 'active_users', eventType: 'user.active', aggregation: 'unique_count', valueProperty: 'userId', unitCode: 'C62' },
  { code: 'storage_gb', eventType: 'storage.snapshot', aggregation: 'latest', valueProperty: 'gb', unitCode: 'C62' },
  { code: 'logins', eventType: 'user.login', aggregation: 'count', unitCode: 'C62' },
];

function contextAt(now: string, customers: readonly string[] = ['cus_1']): ValidationContext {
  const known = new Set(customers);
  return { now: Date.parse(now), metersByEventType: indexMetersByEventType(METERS), isKnownCustomer: (id) => known.has(id) };
}

/** Well after every time used below, so nothing is in the future unless a test says so. */
const LATER = contextAt('2030-06-15T12:00:00Z');

function rejectionReason(raw: unknown, context: ValidationContext = LATER): string {
  const verdict = validateEvent(raw, context);
  if (verdict.ok) throw new Error(`expected a rejection, got accepted ${JSON.stringify(verdict.accepted)}`);
  return verdict.reason;
}

function acceptedOf(raw: unknown, context: ValidationContext = LATER): AcceptedEvent {
  const verdict = validateEvent(raw, context);
  if (!verdict.ok) throw new Error(`expected acceptance, got rejected: ${verdict.reason}`);
  return verdict.accepted;
}

function without<T extends object>(value: T, key: keyof T): Omit<T, typeof key> {
  const { [key]: _removed, ...rest } = value;
  return rest;
}

function eventParts(parts: BodyPart[]): { raw: unknown; text: string }[] {
  return parts.map((part) => {
    if (part.kind !== 'event') throw new Error(`expected an event part, got rejected: ${part.reason}`);
    return { raw: part.raw, text: part.text };
  });
}

/** A single-object body of exactly `bytes` UTF-8 bytes, padded with `filler` in data.pad. */
function bodyOfBytes(bytes: number, filler = 'x'): string {
  const base = JSON.stringify(aCloudEvent({ id: 'big', data: { pad: '' } }));
  const fillerBytes = Buffer.byteLength(filler, 'utf8');
  const missing = bytes - Buffer.byteLength(base, 'utf8');
  if (missing < 0 || missing % fillerBytes !== 0) throw new Error(`cannot pad ${base.length} bytes to ${bytes} with "${filler}"`);
  const body = JSON.stringify(aCloudEvent({ id: 'big', data: { pad: filler.repeat(missing / fillerBytes) } }));
  if (Buffer.byteLength(body, 'utf8') !== bytes) throw new Error('padding arithmetic is off');
  return body;
}

describe('splitMessageBody', () => {
  it('returns a single CloudEvent object as one event whose text is the body as sent', () => {
    // Prepare
    const body = `{ "specversion": "1.0", "id": "e-1", "source": "s", "type": "api.request", "subject": "cus_1", "time": "2026-11-03T10:00:00Z" }`;

    // Act
    const parts = splitMessageBody(body);

    // Assess
    expect(parts).toEqual([{ kind: 'event', raw: JSON.parse(body), text: body }]);
  });

  it('returns each element of a JSON array as its own event, in order, with its own JSON text', () => {
    // Prepare
    const events = [aCloudEvent({ id: 'a' }), aCloudEvent({ id: 'b' })];
    const body = JSON.stringify(events, null, 2);

    // Act
    const parts = eventParts(splitMessageBody(body));

    // Assess
    expect(parts).toEqual(events.map((event) => ({ raw: event, text: JSON.stringify(event) })));
  });

  it('rejects an empty array as a whole, keeping the body', () => {
    // Act
    const parts = splitMessageBody(' [ ] ');

    // Assess
    expect(parts).toEqual([{ kind: 'rejected', text: ' [ ] ', reason: 'batch is an empty JSON array: send 1 to 100 events' }]);
  });

  it('accepts a batch of exactly 100 events', () => {
    // Prepare
    const events = Array.from({ length: MAX_EVENTS_PER_BODY }, (_, i) => aCloudEvent({ id: `e-${i}` }));

    // Act
    const parts = eventParts(splitMessageBody(JSON.stringify(events)));

    // Assess
    expect(MAX_EVENTS_PER_BODY).toBe(100);
    expect(parts.map(({ raw }) => (raw as { id: string }).id)).toEqual(events.map((event) => event.id));
  });

  it('rejects every event of a batch of 101, each kept on its own text so it can be replayed', () => {
    // Prepare
    const events = Array.from({ length: 101 }, (_, i) => aCloudEvent({ id: `e-${i}` }));

    // Act
    const parts = splitMessageBody(JSON.stringify(events));

    // Assess
    expect(parts).toHaveLength(101);
    expect(parts).toEqual(
      events.map((event) => ({
        kind: 'rejected',
        text: JSON.stringify(event),
        reason: 'arrived in a batch of 101 events; a batch holds at most 100: split it',
      })),
    );
  });

  it('rejects a body that is not JSON whole, with the body as sent and a reason naming the problem', () => {
    // Prepare
    const body = '{"specversion": "1.0", "id": ';

    // Act
    const parts = splitMessageBody(body);

    // Assess
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ kind: 'rejected', text: body });
    expect(parts[0]!.kind === 'rejected' && parts[0]!.reason).toMatch(
      /^body is not JSON \(.+\): send one CloudEvent object or a JSON array of them$/,
    );
  });

  it('rejects array elements that are not JSON objects one by one, keeping the objects next to them', () => {
    // Prepare
    const event = aCloudEvent({ id: 'ok' });
    const body = JSON.stringify([42, 'text', null, [event], event]);
    const reason = 'event is not a JSON object: each event must be a CloudEvent object';

    // Act
    const parts = splitMessageBody(body);

    // Assess
    expect(parts).toEqual([
      { kind: 'rejected', text: '42', reason },
      { kind: 'rejected', text: '"text"', reason },
      { kind: 'rejected', text: 'null', reason },
      { kind: 'rejected', text: JSON.stringify([event]), reason },
      { kind: 'event', raw: event, text: JSON.stringify(event) },
    ]);
  });

  it('rejects a body that is a JSON scalar', () => {
    // Act
    const parts = splitMessageBody('null');

    // Assess
    expect(parts).toEqual([
      { kind: 'rejected', text: 'null', reason: 'event is not a JSON object: each event must be a CloudEvent object' },
    ]);
  });

  it('accepts an event of exactly 64 KiB and rejects one of 64 KiB + 1 byte, with its size in the reason', () => {
    // Prepare
    const fits = bodyOfBytes(MAX_EVENT_BYTES);
    const tooBig = bodyOfBytes(MAX_EVENT_BYTES + 1);

    // Act
    const fitsParts = splitMessageBody(fits);
    const tooBigParts = splitMessageBody(tooBig);

    // Assess
    expect(MAX_EVENT_BYTES).toBe(65_536);
    expect(fitsParts).toEqual([{ kind: 'event', raw: JSON.parse(fits), text: fits }]);
    expect(tooBigParts).toEqual([
      {
        kind: 'rejected',
        text: tooBig,
        reason: 'event is 65537 bytes; at most 65536 are accepted: keep large payloads out of usage events',
      },
    ]);
  });

  it('measures an event in UTF-8 bytes, not characters', () => {
    // Prepare: fewer than 64 Ki characters, more than 64 KiB once encoded.
    const body = bodyOfBytes(MAX_EVENT_BYTES + 1, 'é');

    // Act
    const parts = splitMessageBody(body);

    // Assess
    expect(body.length).toBeLessThan(MAX_EVENT_BYTES);
    expect(parts).toEqual([expect.objectContaining({ kind: 'rejected', reason: expect.stringMatching(/^event is 65537 bytes;/) })]);
  });

  it('measures an oversize event inside a batch on its own text', () => {
    // Prepare
    const big = JSON.parse(bodyOfBytes(MAX_EVENT_BYTES + 1)) as object;
    const small = aCloudEvent({ id: 'small' });

    // Act
    const parts = splitMessageBody(JSON.stringify([small, big]));

    // Assess
    expect(parts.map((part) => part.kind)).toEqual(['event', 'rejected']);
  });
});

describe('validateEvent', () => {
  it('accepts a valid event and keeps what billing needs, dropping extension attributes', () => {
    // Prepare
    const event = aCloudEvent({ id: 'e-1', source: '//s', time: '2026-11-03T10:00:00Z', data: { tokens: 1200 }, traceparent: 'x' });

    // Act
    const accepted = acceptedOf(event);

    // Assess
    expect(accepted).toEqual({
      customerId: 'cus_1',
      period: '2026-11',
      event: {
        source: '//s',
        id: 'e-1',
        type: 'api.request',
        time: '2026-11-03T10:00:00Z',
        t: Date.UTC(2026, 10, 3, 10),
        data: { tokens: 1200 },
      },
    });
  });

  it.each([
    ['id', 'id is missing'],
    ['source', 'source is missing'],
    ['type', 'type is missing'],
    ['subject', 'subject is missing'],
    ['time', 'time is missing'],
  ] as const)('rejects an event without %s: "%s"', (field, reason) => {
    // Prepare
    const event = without(aCloudEvent(), field);

    // Act
    const actual = rejectionReason(event);

    // Assess
    expect(actual).toBe(reason);
  });

  it.each([
    ['id', 'id must not be empty'],
    ['source', 'source must not be empty'],
    ['type', 'type must not be empty'],
    ['subject', 'subject (the customer id) must not be empty'],
  ] as const)('rejects an event whose %s is empty: "%s"', (field, reason) => {
    // Act
    const actual = rejectionReason(aCloudEvent({ [field]: '' }));

    // Assess
    expect(actual).toBe(reason);
  });

  it.each([['0.3'], [undefined], [1]])('rejects specversion %j', (specversion) => {
    // Act
    const actual = rejectionReason({ ...aCloudEvent(), specversion });

    // Assess
    expect(actual).toBe('specversion must be "1.0"');
  });

  it('lists every structural problem of one event in one reason', () => {
    // Act
    const actual = rejectionReason(without(aCloudEvent({ subject: '' }), 'id'));

    // Assess
    expect(actual).toBe('id is missing; subject (the customer id) must not be empty');
  });

  // Found by this suite: zod 4 issues carry no `input` unless asked for (reportInput), so
  // Regression: an ill-typed attribute was once reported as "missing" (zod 4 issues carry no
  // input unless asked), which sends the sender looking for the wrong mistake.
  it.each([
    ['id', 42, 'id must be a string'],
    ['subject', 7, 'subject (the customer id) must be a string'],
    ['time', 1_793_700_000_000, 'time must be an RFC 3339 timestamp string, e.g. 2026-11-03T10:00:00Z'],
  ] as const)('says that %s is ill-typed, not missing, when it is %j', (field, value, reason) => {
    // Act
    const actual = rejectionReason(aCloudEvent({ [field]: value }));

    // Assess
    expect(actual).toBe(reason);
  });

  it.each([
    ['no offset', '2026-11-03T10:00:00'],
    ['date only', '2026-11-03'],
    ['space instead of T', '2026-11-03 10:00:00Z'],
    ['month 13', '2026-13-03T10:00:00Z'],
    ['30 February', '2026-02-30T10:00:00Z'],
    ['31 November', '2026-11-31T10:00:00Z'],
    ['hour 24', '2026-11-03T24:00:00Z'],
    ['leap second', '2026-12-31T23:59:60Z'],
    ['offset hours 24', '2026-11-03T10:00:00+24:00'],
    ['expanded year', '+010000-01-01T00:00:00Z'],
    ['words', 'yesterday'],
  ])('rejects a time that is not a real RFC 3339 date-time (%s: %s) rather than moving it', (_, time) => {
    // Act
    const actual = rejectionReason(aCloudEvent({ time }));

    // Assess
    expect(actual).toMatch(/^time must be .*RFC 3339/);
  });

  it.each([
    ['2026-12-01T00:30:00+01:00', '2026-11', Date.UTC(2026, 10, 30, 23, 30)],
    ['2026-12-01T05:29:59+05:30', '2026-11', Date.UTC(2026, 10, 30, 23, 59, 59)],
    ['2026-12-01T05:30:00+05:30', '2026-12', Date.UTC(2026, 11, 1)],
    ['2026-11-30T16:00:00-08:00', '2026-12', Date.UTC(2026, 11, 1)],
    ['2026-12-31T23:59:59.999-00:00', '2026-12', Date.UTC(2026, 11, 31, 23, 59, 59, 999)],
    ['2027-01-01T00:00:00.000Z', '2027-01', Date.UTC(2027, 0, 1)],
    ['2026-11-03t10:00:00.5z', '2026-11', Date.UTC(2026, 10, 3, 10, 0, 0, 500)],
    ['2028-02-29T12:00:00Z', '2028-02', Date.UTC(2028, 1, 29, 12)],
  ])('bills %s in UTC period %s', (time, period, t) => {
    // Act
    const accepted = acceptedOf(aCloudEvent({ time }));

    // Assess
    expect(accepted.period).toBe(period);
    expect(accepted.event.t).toBe(t);
    expect(accepted.event.time).toBe(time);
  });

  // Found by this suite: Date.UTC maps years 0-99 to 1900-1999, and parseRfc3339
  // (shared/domain/events/rfc3339.ts, lines 24 and 28) calls it with the year as written.
  it('bills a time in the years 0000-0099 in its own year, not in the 1900s', () => {
    // Act
    const accepted = acceptedOf(aCloudEvent({ time: '0050-06-15T00:00:00Z' }));

    // Assess
    expect(accepted.event.t).toBe(Date.parse('0050-06-15T00:00:00Z'));
    expect(accepted.period).toBe('0050-06');
  });

  it('accepts a time exactly 5 minutes ahead of now and rejects one 1 ms further', () => {
    // Prepare
    const context = contextAt('2026-11-15T12:00:00.000Z');

    // Act
    const atLimit = validateEvent(aCloudEvent({ time: '2026-11-15T12:05:00.000Z' }), context);
    const atLimitWithOffset = validateEvent(aCloudEvent({ time: '2026-11-15T13:05:00.000+01:00' }), context);
    const beyond = validateEvent(aCloudEvent({ time: '2026-11-15T12:05:00.001Z' }), context);

    // Assess
    expect(atLimit.ok).toBe(true);
    expect(atLimitWithOffset.ok).toBe(true);
    expect(beyond).toEqual({
      ok: false,
      reason:
        "time 2026-11-15T12:05:00.001Z is more than 5 minutes in the future (received 2026-11-15T12:00:00.000Z): check the sender's clock",
    });
  });

  it('rejects an event for a customer the catalog does not know, saying how to fix it', () => {
    // Act
    const actual = rejectionReason(aCloudEvent({ subject: 'cus_nobody' }));

    // Assess
    expect(actual).toBe(
      'unknown customer "cus_nobody" in subject: add the customer to the catalog (billflow catalog apply), then billflow events replay',
    );
  });

  it.each([
    ['a JSON number', 1200],
    ['zero', 0],
    ['a negative number', -3.5],
    ['a decimal string', '12.5'],
    ['an integer string', '12'],
    ['a negative decimal string', '-0.25'],
  ])('accepts a sum meter value given as %s', (_, tokens) => {
    // Act
    const accepted = acceptedOf(aCloudEvent({ type: 'api.request', data: { tokens } }));

    // Assess
    expect(accepted.event.data).toEqual({ tokens });
  });

  it.each([
    ['exponent notation', '1e3'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['an empty string', ''],
    ['surrounding spaces', ' 12 '],
    ['a trailing dot', '12.'],
    ['no integer part', '.5'],
    ['hexadecimal', '0x10'],
    ['a thousands separator', '1,000'],
    ['null', null],
    ['a boolean', true],
    ['an object', { value: 1 }],
  ])('rejects a sum meter value given as %s', (_, tokens) => {
    // Act
    const actual = rejectionReason(aCloudEvent({ type: 'api.request', data: { tokens } }));

    // Assess
    expect(actual).toBe(
      `data.tokens (read by meter tokens) must be a finite number, as a JSON number or a decimal string such as "12.5", got ${JSON.stringify(tokens)}`,
    );
  });

  it.each([
    ['data without the property', { model: 'small' }],
    ['no data', undefined],
    ['data that is a string', 'tokens=5'],
    ['data that is an array', [{ tokens: 5 }]],
    ['data that is null', null],
  ])('rejects an event a sum meter reads with %s', (_, data) => {
    // Prepare
    const event = data === undefined ? without(aCloudEvent({ type: 'api.request' }), 'data') : aCloudEvent({ type: 'api.request', data });

    // Act
    const actual = rejectionReason(event);

    // Assess
    expect(actual).toBe('data.tokens (read by meter tokens) is missing');
  });

  it('applies the same number rules to max and latest meters', () => {
    // Act
    const seats = rejectionReason(aCloudEvent({ type: 'seats.changed', data: { count: '1e3' } }));
    const storage = rejectionReason(aCloudEvent({ type: 'storage.snapshot', data: { gb: 'lots' } }));
    const seatsOk = acceptedOf(aCloudEvent({ type: 'seats.changed', data: { count: '7' } }));
    const storageOk = acceptedOf(aCloudEvent({ type: 'storage.snapshot', data: { gb: 1.5 } }));

    // Assess
    expect(seats).toMatch(/^data\.count \(read by meter seats\) must be a finite number/);
    expect(storage).toMatch(/^data\.gb \(read by meter storage_gb\) must be a finite number/);
    expect(seatsOk.event.data).toEqual({ count: '7' });
    expect(storageOk.event.data).toEqual({ gb: 1.5 });
  });

  it.each([['u-7'], [42]])('accepts a unique_count value %j', (userId) => {
    // Act
    const accepted = acceptedOf(aCloudEvent({ type: 'user.active', data: { userId } }));

    // Assess
    expect(accepted.event.data).toEqual({ userId });
  });

  it.each([[''], [null], [true], [{ id: 'u-7' }], [['u-7']]])('rejects a unique_count value %j', (userId) => {
    // Act
    const actual = rejectionReason(aCloudEvent({ type: 'user.active', data: { userId } }));

    // Assess
    expect(actual).toBe(`data.userId (read by meter active_users) must be a non-empty string or a number, got ${JSON.stringify(userId)}`);
  });

  it('accepts an event whose type no meter reads, and one read only by a count meter, without data', () => {
    // Prepare
    const unread = without(aCloudEvent({ type: 'page.viewed' }), 'data');
    const countOnly = without(aCloudEvent({ type: 'user.login' }), 'data');

    // Act
    const acceptedUnread = acceptedOf(unread);
    const acceptedCountOnly = acceptedOf(countOnly);

    // Assess
    expect(acceptedUnread.event).not.toHaveProperty('data');
    expect(acceptedCountOnly.event).not.toHaveProperty('data');
    expect(acceptedUnread.event.type).toBe('page.viewed');
  });
});

describe('billing periods', () => {
  it.each([
    [Date.UTC(2026, 10, 1), '2026-11'],
    [Date.UTC(2026, 10, 30, 23, 59, 59, 999), '2026-11'],
    [Date.UTC(2026, 11, 31, 23, 59, 59, 999), '2026-12'],
    [Date.UTC(2027, 0, 1), '2027-01'],
    [Date.UTC(2028, 1, 29, 12), '2028-02'],
    [Date.UTC(999, 0, 1) + 0, '0999-01'],
  ])('billingPeriodOf(%d) is %s', (epochMs, period) => {
    // Act
    const actual = billingPeriodOf(epochMs);

    // Assess
    expect(actual).toBe(period);
  });

  it.each([
    ['2026-11', Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)],
    ['2026-12', Date.UTC(2026, 11, 1), Date.UTC(2027, 0, 1)],
    ['2027-01', Date.UTC(2027, 0, 1), Date.UTC(2027, 1, 1)],
    ['2028-02', Date.UTC(2028, 1, 1), Date.UTC(2028, 2, 1)],
    ['2026-02', Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1)],
  ])('periodBounds(%s) is [%d, %d)', (period, start, end) => {
    // Act
    const bounds = periodBounds(period);

    // Assess
    expect(bounds).toEqual({ start, end });
  });

  it.each([['2026-13'], ['2026-00'], ['2026-1'], ['26-01'], ['2026/11'], ['10000-01']])('periodBounds refuses %s', (period) => {
    // Act
    const act = () => periodBounds(period);

    // Assess
    expect(act).toThrow(`"${period}" is not a billing period: use YYYY-MM, e.g. 2026-11`);
  });

  it('puts every instant of years 1000-9999 inside the bounds of its own period', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (t) => {
        // Act
        const period = billingPeriodOf(t);
        const { start, end } = periodBounds(period);

        // Assess
        expect(start).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(end);
        expect(billingPeriodOf(start)).toBe(period);
        expect(billingPeriodOf(end - 1)).toBe(period);
        expect(billingPeriodOf(end)).not.toBe(period);
      }),
      { numRuns: 500 },
    );
  });

  // Found by this suite: periodBounds (shared/domain/period.ts, line 25) passes the year to
  // Date.UTC, which maps 0-99 to 1900-1999; billingPeriodOf does not, so the two disagree.
  it('gives the bounds of a period in the years 0000-0099 in that year, not in the 1900s', () => {
    // Act
    const bounds = periodBounds('0050-06');

    // Assess
    expect(bounds).toEqual({ start: Date.parse('0050-06-01T00:00:00Z'), end: Date.parse('0050-07-01T00:00:00Z') });
  });

  it('puts the end of the grace period at period end plus the grace period, across the year boundary', () => {
    // Act
    const december = gracePeriodEnd('2026-12', HOUR);
    const november = gracePeriodEnd('2026-11', 0);

    // Assess
    expect(december).toBe(Date.UTC(2027, 0, 1, 1));
    expect(november).toBe(Date.UTC(2026, 11, 1));
  });
});

function stored(source: string, id: string, extra: Partial<StoredEvent> = {}): StoredEvent {
  return { source, id, type: 'api.request', time: '2026-11-03T10:00:00Z', t: Date.UTC(2026, 10, 3, 10), data: { tokens: 1 }, ...extra };
}

function delivery(messageId: string, customerId: string, period: string, event: StoredEvent) {
  return { messageId, accepted: { customerId, period, event } };
}

const PACK: PackOptions = { shardCount: 4, now: Date.UTC(2026, 10, 15), gracePeriodMs: HOUR, maxChunkBytes: 256 * 1024 };

describe('packChunks', () => {
  it('makes one chunk per customer, period and shard, each with its events and the messages that carried them', () => {
    // Prepare
    const events = Array.from({ length: 24 }, (_, i) => stored('//s', `e-${i}`));
    const deliveries = events.map((event, i) =>
      delivery(`m-${i % 3}`, i % 2 === 0 ? 'cus_1' : 'cus_2', i % 4 < 2 ? '2026-10' : '2026-11', event),
    );

    // Act
    const chunks = packChunks(deliveries, PACK);

    // Assess
    const groups = chunks.map((chunk) => `${chunk.customerId}|${chunk.period}|${chunk.shard}`);
    expect(new Set(groups).size).toBe(chunks.length);
    for (const chunk of chunks) {
      const expected = deliveries.filter(
        ({ accepted }) =>
          accepted.customerId === chunk.customerId && accepted.period === chunk.period && shardOf(accepted.event, 4) === chunk.shard,
      );
      expect(chunk.events).toEqual(expected.map(({ accepted }) => accepted.event));
      expect(chunk.deliveries).toBe(expected.length);
      expect(chunk.messageIds).toEqual(new Set(expected.map(({ messageId }) => messageId)));
    }
    expect(chunks.reduce((sum, chunk) => sum + chunk.events.length, 0)).toBe(24);
  });

  it('stores an in-batch copy once, counts it as a delivery, and names the message that carried only the copy', () => {
    // Prepare
    const event = stored('//s', 'e-1');
    const other = stored('//s', 'e-2');
    const deliveries = [
      delivery('m-first', 'cus_1', '2026-11', event),
      delivery('m-first', 'cus_1', '2026-11', other),
      delivery('m-only-copy', 'cus_1', '2026-11', { ...event }),
      delivery('m-first', 'cus_1', '2026-11', { ...event }),
    ];

    // Act
    const chunks = packChunks(deliveries, { ...PACK, shardCount: 1 });

    // Assess
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.events).toEqual([event, other]);
    expect(chunks[0]!.deliveries).toBe(4);
    expect(chunks[0]!.messageIds).toEqual(new Set(['m-first', 'm-only-copy']));
  });

  it('keeps copies of an event delivered for two customers or two periods apart', () => {
    // Prepare
    const event = stored('//s', 'e-1');

    // Act
    const chunks = packChunks(
      [delivery('m', 'cus_1', '2026-11', event), delivery('m', 'cus_2', '2026-11', event), delivery('m', 'cus_1', '2026-10', event)],
      PACK,
    );

    // Assess
    expect(chunks.map((chunk) => [chunk.customerId, chunk.period, chunk.events.length, chunk.deliveries])).toEqual([
      ['cus_1', '2026-11', 1, 1],
      ['cus_2', '2026-11', 1, 1],
      ['cus_1', '2026-10', 1, 1],
    ]);
  });

  it('starts a new chunk when the next event would take the chunk over maxChunkBytes, and not before', () => {
    // Prepare: events of the same serialized length, two fit exactly.
    const events = Array.from({ length: 5 }, (_, i) => stored('//s', `e-${i}`));
    const size = JSON.stringify(events[0]).length;
    expect(events.every((event) => JSON.stringify(event).length === size)).toBe(true);
    const deliveries = events.map((event, i) => delivery(`m-${i}`, 'cus_1', '2026-11', event));

    // Act
    const exact = packChunks(deliveries, { ...PACK, shardCount: 1, maxChunkBytes: 2 * size });
    const oneShort = packChunks(deliveries, { ...PACK, shardCount: 1, maxChunkBytes: 2 * size - 1 });

    // Assess
    expect(exact.map((chunk) => chunk.events.map((event) => event.id))).toEqual([['e-0', 'e-1'], ['e-2', 'e-3'], ['e-4']]);
    expect(exact.map((chunk) => [...chunk.messageIds])).toEqual([['m-0', 'm-1'], ['m-2', 'm-3'], ['m-4']]);
    expect(oneShort.map((chunk) => chunk.events.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('keeps an event larger than maxChunkBytes in a chunk of its own, never an empty chunk', () => {
    // Prepare
    const big = stored('//s', 'big', { data: { tokens: 1, pad: 'x'.repeat(500) } });
    const small = stored('//s', 'small');

    // Act
    const chunks = packChunks(
      [delivery('m', 'cus_1', '2026-11', small), delivery('m', 'cus_1', '2026-11', big), delivery('m', 'cus_1', '2026-11', small)],
      { ...PACK, shardCount: 1, maxChunkBytes: 300 },
    );

    // Assess
    expect(chunks.map((chunk) => chunk.events.map((event) => event.id))).toEqual([['small'], ['big']]);
    expect(chunks.map((chunk) => chunk.deliveries)).toEqual([2, 1]);
  });

  it('counts a copy on the chunk that stored the first copy, even after the group was split', () => {
    // Prepare
    const events = Array.from({ length: 3 }, (_, i) => stored('//s', `e-${i}`));
    const size = JSON.stringify(events[0]).length;
    const deliveries = [...events, events[0]!].map((event, i) => delivery(`m-${i}`, 'cus_1', '2026-11', event));

    // Act
    const chunks = packChunks(deliveries, { ...PACK, shardCount: 1, maxChunkBytes: size });

    // Assess
    expect(chunks.map((chunk) => chunk.events.map((event) => event.id))).toEqual([['e-0'], ['e-1'], ['e-2']]);
    expect(chunks[0]!.deliveries).toBe(2);
    expect(chunks[0]!.messageIds).toEqual(new Set(['m-0', 'm-3']));
  });

  // Found by this suite: packChunks (shared/domain/events/pack-chunks.ts, line 52) measures an
  // event with JSON.stringify(event).length, i.e. UTF-16 code units. Non-ASCII data takes up to
  // 3 bytes per unit, so a chunk can hold about 3 x maxChunkBytes: with the handler's 256 KiB,
  // twelve 63 KB events of CJK text make a chunk of 757 KB that gzips to ~547 KB, over
  // DynamoDB's 400 KB item limit. That write can never succeed; the message ends in the DLQ.
  it('bounds a chunk by the UTF-8 bytes of its events, not by their characters', () => {
    // Prepare
    const cjk = (seed: number) =>
      Array.from({ length: 300 }, (_, i) => String.fromCharCode(0x4e00 + ((seed * 7919 + i * 104729) % 20000))).join('');
    const deliveries = Array.from({ length: 12 }, (_, i) =>
      delivery(`m-${i}`, 'cus_1', '2026-11', stored('//s', `e-${i}`, { data: { tokens: 1, note: cjk(i) } })),
    );
    const maxChunkBytes = 4_000;

    // Act
    const chunks = packChunks(deliveries, { ...PACK, shardCount: 1, maxChunkBytes });

    // Assess
    for (const chunk of chunks) {
      const bytes = chunk.events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event), 'utf8'), 0);
      expect(bytes).toBeLessThanOrEqual(maxChunkBytes);
    }
  });

  it('marks a chunk late exactly when now is at or after the period end plus the grace period', () => {
    // Prepare
    const cutoff = Date.UTC(2026, 11, 1) + HOUR;
    const deliveries = [delivery('m', 'cus_1', '2026-11', stored('//s', 'e-1'))];

    // Act
    const before = packChunks(deliveries, { ...PACK, now: cutoff - 1 });
    const at = packChunks(deliveries, { ...PACK, now: cutoff });
    const inPeriod = packChunks(deliveries, { ...PACK, now: Date.UTC(2026, 10, 30, 23, 59) });
    const noGrace = packChunks(deliveries, { ...PACK, gracePeriodMs: 0, now: Date.UTC(2026, 11, 1) });

    // Assess
    expect(before[0]!.late).toBe(false);
    expect(at[0]!.late).toBe(true);
    expect(inPeriod[0]!.late).toBe(false);
    expect(noGrace[0]!.late).toBe(true);
  });

  it('marks lateness per period within one batch, across the year boundary', () => {
    // Prepare: as of 2027-01-01T00:30Z, November is past its cutoff, December is in its grace period.
    const now = Date.UTC(2027, 0, 1, 0, 30);
    const deliveries = [
      delivery('m', 'cus_1', '2026-11', stored('//s', 'nov')),
      delivery('m', 'cus_1', '2026-12', stored('//s', 'dec')),
      delivery('m', 'cus_1', '2027-01', stored('//s', 'jan')),
    ];

    // Act
    const chunks = packChunks(deliveries, { ...PACK, now });

    // Assess
    expect(chunks.map((chunk) => [chunk.period, chunk.late])).toEqual([
      ['2026-11', true],
      ['2026-12', false],
      ['2027-01', false],
    ]);
  });

  it('returns no chunks for no deliveries', () => {
    // Act
    const chunks = packChunks([], PACK);

    // Assess
    expect(chunks).toEqual([]);
  });
});

describe('shardOf', () => {
  // FNV-1a (32 bit) of the JSON pair [source, id]: shardCount 2^32 exposes the whole hash.
  // Changing the hash moves stored events to other shards, where reads would not find them.
  it.each([
    ['//api.example.com/eu-1', 'evt-000123', 0x9b2cbc8b, 3],
    ['s', 'a', 0xb40972c7, 3],
    ['', '', 0xcd7cf6a5, 1],
    ['a|b', 'c', 0xdc979c59, 1],
    ['a', 'b|c', 0xd062d9d9, 1],
    ['//api.example.com/eu-1', 'évènement-ü', 0xc8e0a8f2, 2],
  ])('hashes (%j, %j) to %i, shard %i of 4', (source, id, hash, shardOfFour) => {
    // Act
    const full = shardOf({ source, id }, 2 ** 32);
    const ofFour = shardOf({ source, id }, 4);

    // Assess
    expect(full).toBe(hash);
    expect(ofFour).toBe(shardOfFour);
  });

  it('puts every copy of an event in the same shard, whatever else differs', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 64 }), (source, id, shardCount) => {
        // Act
        const first = shardOf(stored(source, id), shardCount);
        const copy = shardOf(stored(source, id, { type: 'other', time: '2027-01-01T00:00:00Z', data: { x: 1 } }), shardCount);

        // Assess
        expect(copy).toBe(first);
        expect(first).toBeGreaterThanOrEqual(0);
        expect(first).toBeLessThan(shardCount);
        expect(Number.isInteger(first)).toBe(true);
      }),
    );
  });

  it('spreads 10,000 event ids over 4 shards within 10 % of an even split', () => {
    // Prepare
    const counts = [0, 0, 0, 0];

    // Act
    for (let i = 0; i < 10_000; i += 1) counts[shardOf({ source: '//api.example.com/eu-1', id: `evt-${i}` }, 4)]! += 1;

    // Assess
    for (const count of counts) {
      expect(count).toBeGreaterThanOrEqual(2_250);
      expect(count).toBeLessThanOrEqual(2_750);
    }
  });
});

describe('DistinctEventFilter', () => {
  it('keeps the first stored copy of each (source, id) across chunks and counts every delivery', () => {
    // Prepare
    const filter = new DistinctEventFilter();
    const first = stored('//s', 'e-1', { data: { tokens: 1 } });
    const laterCopy = stored('//s', 'e-1', { data: { tokens: 999 } });
    const other = stored('//s', 'e-2');

    // Act
    const fromFirst = filter.admit({ events: [first, other], deliveries: 3 });
    const fromSecond = filter.admit({ events: [laterCopy], deliveries: 1 });
    const fromThird = filter.admit({ events: [other, stored('//s', 'e-3')], deliveries: 2 });

    // Assess
    expect(fromFirst).toEqual([first, other]);
    expect(fromSecond).toEqual([]);
    expect(fromThird.map((event) => event.id)).toEqual(['e-3']);
    expect(filter.tally).toEqual({ deliveries: 6, accepted: 3 });
  });

  it('tells apart pairs that a naive join of source and id would confuse', () => {
    // Prepare
    const filter = new DistinctEventFilter();
    const events = [
      stored('a|b', 'c'),
      stored('a', 'b|c'),
      stored('ab', 'c'),
      stored('a', 'bc'),
      stored('//s', 'e-1'),
      stored('//t', 'e-1'),
    ];

    // Act
    const fresh = filter.admit({ events, deliveries: events.length });

    // Assess
    expect(fresh).toEqual(events);
    expect(filter.tally).toEqual({ deliveries: 6, accepted: 6 });
  });

  it('starts from an empty tally', () => {
    // Act
    const filter = new DistinctEventFilter();

    // Assess
    expect(filter.tally).toEqual({ deliveries: 0, accepted: 0 });
  });
});
