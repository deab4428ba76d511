/**
 * Publishes outbound events to the stack's EventBridge bus with PutEvents: at most 10 entries
 * per request, each entry's `detail` the whole CloudEvent (so a rule's target can take
 * `$.detail` and deliver the same body the local adapter queues). Entries EventBridge failed
 * (throttling, internal errors) are sent again a few times with backoff; what still fails is
 * thrown, so the calling step is retried and publishes the same ids again.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import { envelopeOf } from '#domain/outbound/envelope.ts';
import type { OutboundEvents } from '#ports/outbound-events.ts';
import { OutboundPublishError } from '../errors.ts';

const MAX_ENTRIES = 10;

export class EventBridgeOutboundEvents implements OutboundEvents {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    /** CloudEvents `source` and EventBridge `Source`: `billflow/{stack name}`. */
    private readonly source: string,
    private readonly options: { attempts?: number; backoffMs?: number } = {},
  ) {}

  async publish(facts: readonly OutboundFact[]): Promise<void> {
    const entries = facts.map((fact): PutEventsRequestEntry => {
      const envelope = envelopeOf(fact, this.source);
      return {
        EventBusName: this.eventBusName,
        Source: this.source,
        DetailType: envelope.type,
        Time: new Date(envelope.time),
        Detail: JSON.stringify(envelope),
      };
    });
    for (let start = 0; start < entries.length; start += MAX_ENTRIES) await this.putBatch(entries.slice(start, start + MAX_ENTRIES));
  }

  private async putBatch(batch: PutEventsRequestEntry[]): Promise<void> {
    const attempts = this.options.attempts ?? 4;
    let pending = batch;
    let lastError = '';
    for (let attempt = 0; attempt < attempts && pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, (this.options.backoffMs ?? 100) * 2 ** attempt));
      const result = await this.client.send(new PutEventsCommand({ Entries: pending }));
      if ((result.FailedEntryCount ?? 0) === 0) return;
      // Result entries are in request order; a failed one has an ErrorCode and no EventId.
      const failed = (result.Entries ?? []).flatMap((entry, index) => (entry.ErrorCode === undefined ? [] : [{ entry, index }]));
      lastError = failed.map(({ entry }) => `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`).join('; ');
      pending = failed.map(({ index }) => pending[index]!);
    }
    if (pending.length > 0) {
      throw new OutboundPublishError(`${pending.length} outbound event(s) not accepted by bus ${this.eventBusName}: ${lastError}`);
    }
  }
}
