/**
 * POST /v1/events: one CloudEvent or a batch of up to 100 (the events queue's body format).
 *
 * 1. Refuse a body over 256 KiB (413) or one that is not JSON, an empty batch or one over 100
 *    (400): nothing is queued, the refusal is counted (ApiEventBodiesRefused).
 * 2. Judge each event as the ingest function will (structure, time, customer, meter values)
 *    and answer 202 with a result per event.
 * 3. Queue the body as it came, so ingestion (dedupe on source and id, the accounting identity,
 *    rejected events stored with their reason) is the same for HTTP and SQS.
 */
import { z } from 'zod';
import { indexMetersByEventType } from '#domain/events/validate-event.ts';
import { MAX_EVENTS_PER_BODY } from '#formats/cloudevents-batch.ts';
import { cloudEventSchema, validateEvent } from '#formats/cloudevents.ts';
import { readEventMessage } from '#formats/event-messages.ts';
import { metrics, MetricUnit } from '#shared/observability.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { operation, type Operation } from '../operation.ts';
import { ProblemError } from '../problems.ts';
import { eventResults } from '../schemas.ts';

/** The events queue's message size limit (infra/resources.ts): the body is queued as it came. */
export const MAX_EVENTS_BODY_BYTES = 256 * 1024;

const eventsBody = z.union([cloudEventSchema, z.array(cloudEventSchema).min(1).max(MAX_EVENTS_PER_BODY)]);

export function eventOperations(deps: ApiDependencies): Operation[] {
  return [
    operation({
      method: 'POST',
      path: '/v1/events',
      operationId: 'sendEvents',
      summary: 'Send one usage event or a batch of up to 100 (CloudEvents 1.0, structured JSON)',
      tag: 'events',
      scope: 'events:write',
      idempotent: true,
      body: eventsBody,
      readsRawBody: true,
      responses: {
        202: { description: 'Judged per event and queued for ingestion', schema: eventResults },
      },
      handle: async ({ rawBody }) => {
        refuseUnqueueable(rawBody);
        const [rules, parts] = [await deps.ingestRules(), readEventMessage({ messageId: 'http', body: rawBody })];
        if ('unreadable' in parts) throw new Error(`the body could not be read: ${parts.unreadable}`);
        const subjects = parts.parts.flatMap((part) => (part.kind === 'read' && part.read.ok ? [part.read.event.subject] : []));
        const known = await deps.knownCustomers([...new Set(subjects)]);
        const context = {
          now: deps.now(),
          metersByEventType: indexMetersByEventType(rules.meters),
          isKnownCustomer: (id: string) => known.has(id),
        };
        const results = parts.parts.map((part, index) => {
          const raw = JSON.parse(part.text) as Record<string, unknown> | null;
          const identity = {
            index,
            id: typeof raw?.id === 'string' ? raw.id : null,
            source: typeof raw?.source === 'string' ? raw.source : null,
          };
          if (part.kind === 'rejected') return { ...identity, status: 'rejected' as const, reason: part.reason };
          const verdict = validateEvent(raw, context);
          return verdict.ok
            ? { ...identity, status: 'accepted' as const }
            : { ...identity, status: 'rejected' as const, reason: verdict.reason };
        });
        await deps.enqueueEvents(rawBody);
        const accepted = results.filter((result) => result.status === 'accepted').length;
        metrics.addMetric('ApiEventsReceived', MetricUnit.Count, results.length);
        return { status: 202, body: { received: results.length, accepted, rejected: results.length - accepted, results } };
      },
    }),
  ];
}

/** What the queue would not take, or would store as one rejected body: refused at the door instead. */
function refuseUnqueueable(rawBody: string): void {
  const bytes = Buffer.byteLength(rawBody, 'utf8');
  const refuse = (problem: ProblemError) => {
    metrics.addMetric('ApiEventBodiesRefused', MetricUnit.Count, 1);
    throw problem;
  };
  if (bytes > MAX_EVENTS_BODY_BYTES) {
    refuse(
      new ProblemError(
        'body-too-large',
        `the body is ${bytes} bytes; at most ${MAX_EVENTS_BODY_BYTES} (256 KiB) are accepted: send fewer events per request. Nothing was kept`,
      ),
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch (error) {
    refuse(
      new ProblemError(
        'malformed-json',
        `the body is not JSON (${(error as Error).message}): send one CloudEvent object or a JSON array of them. Nothing was kept`,
      ),
    );
  }
  if (Array.isArray(parsed) && (parsed.length === 0 || parsed.length > MAX_EVENTS_PER_BODY)) {
    refuse(
      new ProblemError('validation', `the batch holds ${parsed.length} events: send 1 to ${MAX_EVENTS_PER_BODY}. Nothing was kept`, [
        { path: '(body)', message: `must hold 1 to ${MAX_EVENTS_PER_BODY} events, not ${parsed.length}` },
      ]),
    );
  }
}
