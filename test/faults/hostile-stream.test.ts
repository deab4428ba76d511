/**
 * Fault: a seeded, property-generated stream of hostile bodies (10,000-level nesting, oversized
 * identifiers and quantities, not JSON, scalars, impossible dates, unknown customers, __proto__
 * keys, ...) sent to the events queue of `npm start` interleaved with valid batches, so they share
 * SQS batches. Through the public contracts only: every valid event is accepted in its first
 * delivery (no duplicates, no retry), every hostile body is counted and rejected with a reason,
 * the identity is exact and the events DLQ is empty. FAULT_SEED picks another stream.
 */
import { describe, expect, it } from 'vitest';
import { sendBodies } from '#adapters/sqs/send-bodies.ts';
import { messagesInFlight, waitUntilEmpty } from '#adapters/sqs/queue-depth.ts';
import { currentPeriod } from '#cli/sample-events.ts';
import { crashablePipelineForFile } from './support/crashing-pipeline.ts';
import { hostileStream } from './support/hostile-bodies.ts';

const SEED = Number(process.env.FAULT_SEED ?? 12);
const PERIOD = currentPeriod(Date.now());

const crashable = crashablePipelineForFile();

describe(`a fuzzed stream of hostile bodies among valid ones (seed ${SEED})`, () => {
  it(
    'accepts every valid event on its first delivery and rejects every hostile body with a reason, identity exact',
    { timeout: 240_000 },
    async () => {
      const pipeline = crashable();
      // Prepare: events of the current period, a minute old (not late, not in the future)
      const time = new Date(Math.max(Date.parse(`${PERIOD}-01T00:00:00Z`), Date.now() - 60_000)).toISOString();
      const stream = hostileStream({ seed: SEED, size: 400, customerIds: ['cus_42', 'cus_43', 'cus_44', 'cus_45'], time });
      const hostile = stream.filter((item) => item.validEvents === 0);
      const validEvents = stream.reduce((sum, item) => sum + item.validEvents, 0);

      // Act: sent in stream order, so the poller's batches of up to 100 messages mix both
      const queueUrl = pipeline.current.outputs.eventsQueueUrl;
      expect(
        (
          await sendBodies(
            pipeline.sqs,
            queueUrl,
            stream.map((item) => item.body),
          )
        ).failed,
      ).toEqual([]);
      // A message that failed would stay in flight for the visibility timeout (3 minutes): the
      // queue empties within this deadline only if every message succeeded on its first delivery.
      await waitUntilEmpty(pipeline.sqs, queueUrl, 90_000, 'the events queue').catch((error: Error) => {
        throw new Error(`${error.message}\n${pipeline.current.output().slice(-3000)}`);
      });

      // Assess
      expect(new Set(hostile.map((item) => item.kind)).size).toBeGreaterThanOrEqual(10);
      const stats = await pipeline.json<{ received: number; accepted: number; duplicates: number; rejected: number }>('stats');
      expect(stats).toEqual(
        expect.objectContaining({ accepted: validEvents, duplicates: 0, rejected: hostile.length, received: validEvents + hostile.length }),
      );
      const listed = await pipeline.json<{ count: number; rejected: { reason: string; body: string }[] }>('events', 'rejected');
      expect(listed.count).toBe(hostile.length);
      expect(listed.rejected.map((rejection) => rejection.body).sort()).toEqual(hostile.map((item) => item.rejectedText).sort());
      for (const rejection of listed.rejected) expect(rejection.reason).toMatch(/^.{20,}$/s);
      expect(await messagesInFlight(pipeline.sqs, pipeline.current.outputs.eventsDlqUrl)).toBe(0);
    },
  );
});
