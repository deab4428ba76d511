/**
 * Seeded streams of SQS message bodies for the events queue: valid CloudEvent batches mixed with
 * hostile bodies, each hostile body built to yield exactly one rejected event (so the expected
 * counts are known without running billflow's own code), and each unique (a marker `n`), so
 * no two are one rejected record. Deep values are built as text: nothing here recurses either.
 */
import fc from 'fast-check';

export interface StreamBody {
  readonly body: string;
  /** Valid events in it (0 for a hostile body, which is one rejection). */
  readonly validEvents: number;
  readonly kind: string;
  /** For a hostile body: the text its rejected event is kept with (`billflow events rejected`). */
  readonly rejectedText?: string;
}

const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

function event(fields: Record<string, string>): string {
  return `{${Object.entries(fields)
    .map(([name, value]) => `${JSON.stringify(name)}:${value}`)
    .join(',')}}`;
}

/** Attribute texts (already JSON) of an event that is valid for `customerId` at `time`. */
function validFields(id: string, customerId: string, time: string, tokens: string): Record<string, string> {
  return {
    specversion: '"1.0"',
    id: JSON.stringify(id),
    source: '"//faults.example/stream"',
    type: '"api.request"',
    subject: JSON.stringify(customerId),
    time: JSON.stringify(time),
    data: `{"tokens":${tokens}}`,
  };
}

/** Each kind is valid but for one thing, so that one check alone is what rejects it. */
export function hostileBody(customerId: string, time: string) {
  const text = (json: unknown) => JSON.stringify(json);
  return fc.oneof(
    fc.integer({ min: 33, max: 20_000 }).map((depth) => ({
      kind: 'deep data',
      make: (n: number) => event({ ...validFields(`h-${n}`, customerId, time, '1'), data: `{"tokens":1,"x":${nested(depth)}}` }),
    })),
    fc.integer({ min: 257, max: 10_000 }).map((length) => ({
      kind: 'long id',
      make: (n: number) => event(validFields(`h-${n}-${'i'.repeat(length)}`, customerId, time, '1')),
    })),
    fc.constantFrom('source', 'type', 'subject').chain((field) =>
      fc.integer({ min: 257, max: 10_000 }).map((length) => ({
        kind: `long ${field}`,
        make: (n: number) =>
          event({
            ...validFields(`h-${n}`, customerId, time, '1'),
            [field]: text(`${field === 'subject' ? 'cus_' : ''}${'s'.repeat(length)}`),
          }),
      })),
    ),
    fc.constantFrom('1e308', '-1e15', text('9'.repeat(400)), text('0.1234567890123')).map((tokens) => ({
      kind: 'quantity out of bounds',
      make: (n: number) => event(validFields(`h-${n}`, customerId, time, tokens)),
    })),
    fc.constant({ kind: 'not JSON', make: (n: number) => `{"id": "h-${n}", "specversion": ` }),
    fc.constant({ kind: 'a number', make: (n: number) => String(n) }),
    // An element of an array body is kept as its own text (`7`), not the body's (`[7]`).
    fc.constant({ kind: 'a number in an array', make: (n: number) => `[${n}]` }),
    fc.constant({
      kind: 'impossible date',
      make: (n: number) => event({ ...validFields(`h-${n}`, customerId, time, '1'), time: '"2026-02-30T00:00:00Z"' }),
    }),
    fc.constant({ kind: 'unknown customer', make: (n: number) => event(validFields(`h-${n}`, `cus_unknown_${n}`, time, '1')) }),
    fc.constant({
      kind: '__proto__ keys',
      make: (n: number) => `{"__proto__":{"specversion":"1.0"},"constructor":{"prototype":{}},"id":"h-${n}"}`,
    }),
    fc.constant({
      kind: 'wrong specversion',
      make: (n: number) => event({ ...validFields(`h-${n}`, customerId, time, '1'), specversion: '"0.3"' }),
    }),
    fc.constant({
      kind: 'numeric subject',
      make: (n: number) => event({ ...validFields(`h-${n}`, customerId, time, '1'), subject: String(n) }),
    }),
  );
}

/** A seeded stream: about `size` bodies, a quarter hostile, the rest valid batches of 1-20 events. */
export function hostileStream(options: { seed: number; size: number; customerIds: readonly string[]; time: string }): StreamBody[] {
  const { customerIds, time } = options;
  const item = fc.oneof(
    { weight: 1, arbitrary: hostileBody(customerIds[0]!, time).map((hostile) => ({ hostile })) },
    {
      weight: 3,
      arbitrary: fc
        .array(
          fc.record({
            customer: fc.constantFrom(...customerIds),
            tokens: fc.oneof(fc.integer({ min: -1000, max: 1_000_000 }).map(String), fc.constant('"12.5"')),
          }),
          { minLength: 1, maxLength: 20 },
        )
        .map((valid) => ({ valid })),
    },
  );
  const [plan] = fc.sample(fc.array(item, { minLength: options.size, maxLength: options.size }), { seed: options.seed, numRuns: 1 });
  let n = 0;
  return plan!.map((entry) => {
    n += 1;
    if ('hostile' in entry) {
      const body = entry.hostile.make(n);
      return { body, validEvents: 0, kind: entry.hostile.kind, rejectedText: body.startsWith('[') ? body.slice(1, -1) : body };
    }
    const events = entry.valid.map((valid, index) => event(validFields(`v-${n}-${index}`, valid.customer, time, valid.tokens)));
    return { body: `[${events.join(',')}]`, validEvents: events.length, kind: 'valid' };
  });
}
