import { describe, expect, it } from 'vitest';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import { outboundEventId } from '#domain/outbound/envelope.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import type { OutboundOutbox } from '#ports/outbound-outbox.ts';
import { clearingOutbox, flushOutbox, publishRecorded } from '#use-cases/publish-recorded.ts';

const fact = (key: string): OutboundFact<'invoice.voided'> => ({
  type: 'invoice.voided',
  key: [key],
  subject: 'cus_42',
  time: '2026-12-04T10:00:00.000Z',
  data: { invoice: {} as never, reason: 'duplicate' },
});

class InMemoryOutbox implements OutboundOutbox {
  readonly items = new Map<string, OutboundFact>();
  record(...facts: OutboundFact[]) {
    for (const recorded of facts) this.items.set(outboundEventId(recorded), recorded);
  }
  async listPending() {
    return [...this.items.values()];
  }
  async clear(facts: readonly OutboundFact[]) {
    for (const cleared of facts) this.items.delete(outboundEventId(cleared));
  }
}

/** A bus that refuses the first `refusals` publishes, then keeps what it is given. */
function bus(refusals: number): OutboundEvents & { published: OutboundFact[] } {
  let left = refusals;
  const published: OutboundFact[] = [];
  return {
    published,
    publish: async (facts) => {
      if (left-- > 0) throw new Error('bus unavailable');
      published.push(...facts);
    },
  };
}

describe('publishing recorded facts', () => {
  it('clears a fact from the outbox once published', async () => {
    // Prepare
    const outbox = new InMemoryOutbox();
    const events = bus(0);
    outbox.record(fact('ACME-2026-000001'));

    // Act
    const error = await publishRecorded(clearingOutbox(events, outbox), [fact('ACME-2026-000001')]);

    // Assess
    expect(error).toBeUndefined();
    expect(events.published.map(outboundEventId)).toEqual([outboundEventId(fact('ACME-2026-000001'))]);
    expect(outbox.items.size).toBe(0);
  });

  it('reports a refused publish without throwing, keeps the fact, and the sweep publishes it with the same id', async () => {
    // Prepare
    const outbox = new InMemoryOutbox();
    const events = bus(1);
    outbox.record(fact('ACME-2026-000002'));

    // Act
    const error = await publishRecorded(clearingOutbox(events, outbox), [fact('ACME-2026-000002')]);
    const kept = await outbox.listPending();
    const swept = await flushOutbox({ outbox, outbound: events });

    // Assess
    expect(error).toBe('bus unavailable');
    expect(kept.map(outboundEventId)).toEqual([outboundEventId(fact('ACME-2026-000002'))]);
    expect(swept).toEqual({ published: 1 });
    expect(events.published.map(outboundEventId)).toEqual([outboundEventId(fact('ACME-2026-000002'))]);
    expect(outbox.items.size).toBe(0);
  });

  it('leaves every fact in the outbox when the sweep is refused, and publishes nothing twice once it is not', async () => {
    // Prepare
    const outbox = new InMemoryOutbox();
    const events = bus(1);
    outbox.record(fact('A'), fact('B'));

    // Act
    const refused = await flushOutbox({ outbox, outbound: events }).catch((error: Error) => error.message);
    const keptAfterRefusal = outbox.items.size;
    const swept = await flushOutbox({ outbox, outbound: events });
    const again = await flushOutbox({ outbox, outbound: events });

    // Assess
    expect([refused, keptAfterRefusal]).toEqual(['bus unavailable', 2]);
    expect([swept, again]).toEqual([{ published: 2 }, { published: 0 }]);
    expect(events.published.map((published) => published.key[0])).toEqual(['A', 'B']);
  });

  it('counts a published fact it could not clear as published: the sweep repeats it once, same id', async () => {
    // Prepare
    const outbox = new InMemoryOutbox();
    const events = bus(0);
    outbox.record(fact('C'));
    const stuck: OutboundOutbox = { listPending: () => outbox.listPending(), clear: async () => Promise.reject(new Error('throttled')) };

    // Act
    const error = await publishRecorded(clearingOutbox(events, stuck), [fact('C')]);
    const swept = await flushOutbox({ outbox, outbound: events });

    // Assess
    expect([error, swept]).toEqual([undefined, { published: 1 }]);
    expect(events.published.map(outboundEventId)).toEqual([outboundEventId(fact('C')), outboundEventId(fact('C'))]);
  });
});
