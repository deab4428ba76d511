/**
 * Fault: `npm start` is killed with SIGKILL in the middle of ingesting, started again on the
 * same state, and every event is sent again (the sender does not know what got through).
 * Through the public contracts only: exactly the distinct valid events are accepted, and
 * received = accepted + duplicates + rejected holds.
 */
import { describe, expect, it } from 'vitest';
import { batchBodies, sendBodies } from '#adapters/sqs/send-bodies.ts';
import { messagesInFlight, waitUntilEmpty } from '#adapters/sqs/queue-depth.ts';
import { currentPeriod, generateSampleEvents } from '#cli/sample-events.ts';
import { crashablePipelineForFile, waitUntil } from './support/crashing-pipeline.ts';

const PERIOD = currentPeriod(Date.now());

const crashable = crashablePipelineForFile();

describe('kill -9 during ingestion, then the events sent again', () => {
  it('accepts exactly the distinct events, with the identity exact', { timeout: 240_000 }, async () => {
    const pipeline = crashable();
    // Prepare: 60,000 events in bodies of 100 (several seconds of ingestion), with copies and invalid events, seeded
    const sample = generateSampleEvents({
      customerIds: ['cus_42', 'cus_43', 'cus_44', 'cus_45'],
      count: 60_000,
      period: PERIOD,
      duplicateShare: 0.05,
      invalidShare: 0.01,
      seed: 12,
      notAfter: Date.now(),
    });
    const bodies = batchBodies(sample.events, 100);

    // Act: crash once some bodies are ingested and most are still queued or in flight
    const queueUrl = () => pipeline.current.outputs.eventsQueueUrl;
    expect((await sendBodies(pipeline.sqs, queueUrl(), bodies)).failed).toEqual([]);
    await waitUntil(async () => (await messagesInFlight(pipeline.sqs, queueUrl())) < bodies.length - 20, 60_000, 'ingestion to start');
    const remainingAtCrash = await messagesInFlight(pipeline.sqs, queueUrl());
    await pipeline.crash();
    await pipeline.restart();
    expect((await sendBodies(pipeline.sqs, queueUrl(), bodies)).failed).toEqual([]);
    await waitUntilEmpty(pipeline.sqs, queueUrl(), 120_000, 'the events queue');

    // Assess
    expect(remainingAtCrash).toBeGreaterThan(0);
    const stats = await pipeline.json<{ received: number; accepted: number; duplicates: number; rejected: number }>(
      'stats',
      '--period',
      PERIOD,
    );
    expect(stats.accepted).toBe(sample.expected.accepted);
    expect(stats.received).toBe(stats.accepted + stats.duplicates + stats.rejected);
    // Everything sent after the restart was received; what was ingested before the crash came on top.
    expect(stats.received).toBeGreaterThanOrEqual(sample.expected.received);
    expect(await messagesInFlight(pipeline.sqs, pipeline.current.outputs.eventsDlqUrl)).toBe(0);
  });
});
