/**
 * The CloudEvents 1.0 envelope of an outbound event (structured JSON mode), as published to
 * the stack's EventBridge bus (whole, as the entry's detail) and posted to webhook endpoints.
 *
 * - `id`: derived from the fact's type and key (SHA-256, hex, prefixed `evt_`), so publishing
 *   the same fact twice gives the same id, and subscribers dedupe on it.
 * - `source`: the stack (`billflow/{stack name}`), so two deployments' events are told apart.
 * - `type`: `billflow.{fact}` (CONTRACTS.md section 7); `subject`: the customer id.
 */
import { createHash } from 'node:crypto';
import type { OutboundEventData, OutboundEventType, OutboundFact } from './catalogue.ts';

export const OUTBOUND_TYPE_PREFIX = 'billflow.';

export interface OutboundEnvelope<Type extends OutboundEventType = OutboundEventType> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: `billflow.${Type}`;
  readonly subject?: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: OutboundEventData[Type];
}

/** The stable id of a fact: the same type and key always give the same id. */
export function outboundEventId(fact: Pick<OutboundFact, 'type' | 'key'>): string {
  // JSON of the parts: ["a","b|c"] and ["a|b","c"] must not collide.
  const digest = createHash('sha256')
    .update(JSON.stringify([fact.type, ...fact.key]))
    .digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}

export function outboundSource(stackName: string): string {
  return `billflow/${stackName}`;
}

/** The stack's bus is `{stack name}-events`: the CLI finds the source from the bus in the outputs. */
export function eventBusNameOf(stackName: string): string {
  return `${stackName}-events`;
}

export function outboundSourceOfBus(eventBusName: string): string {
  return outboundSource(eventBusName.replace(/-events$/, ''));
}

/** Where nothing names the stack: `npm start`. */
export const LOCAL_OUTBOUND_SOURCE = outboundSource('local');

export function envelopeOf(fact: OutboundFact, source: string): OutboundEnvelope {
  return {
    specversion: '1.0',
    id: outboundEventId(fact),
    source,
    type: `${OUTBOUND_TYPE_PREFIX}${fact.type}`,
    ...(fact.subject === undefined ? {} : { subject: fact.subject }),
    time: fact.time,
    datacontenttype: 'application/json',
    data: fact.data,
  };
}

/** The catalogue name of an envelope's type (`billflow.invoice.finalized` -> `invoice.finalized`). */
export function factTypeOf(envelope: Pick<OutboundEnvelope, 'type'>): OutboundEventType {
  return envelope.type.slice(OUTBOUND_TYPE_PREFIX.length) as OutboundEventType;
}
