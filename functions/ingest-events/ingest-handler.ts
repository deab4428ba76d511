/**
 * The ingest function's behaviour, with its dependencies passed in (tests and the local
 * runner inject their own; ./handler.ts wires the real ones for Lambda).
 * Reports partial batch failures: only messages whose events were not all stored are retried.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readEventMessage } from '#formats/event-messages.ts';
import { ingestUsageEvents, type IngestDependencies, type IngestOutcome } from '#use-cases/ingest-events.ts';
import { logger, metrics, MetricUnit } from '#shared/observability.ts';

export interface IncomingMessage {
  readonly messageId: string;
  readonly body: string;
}

/** The events queue's messages read at the edge (CloudEvents, one or a batch per body), then ingested. */
export function ingestEvents(messages: readonly IncomingMessage[], deps: IngestDependencies): Promise<IngestOutcome> {
  return ingestUsageEvents(messages.map(readEventMessage), deps);
}

export function createIngestHandler(deps: IngestDependencies) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const outcome = await ingestEvents(
      event.Records.map((record) => ({ messageId: record.messageId, body: record.body })),
      deps,
    );
    metrics.addMetric('EventsReceived', MetricUnit.Count, outcome.received);
    metrics.addMetric('EventsStored', MetricUnit.Count, outcome.stored);
    metrics.addMetric('EventsDuplicateInBatch', MetricUnit.Count, outcome.duplicatesInBatch);
    metrics.addMetric('EventsRejected', MetricUnit.Count, outcome.rejected);
    metrics.addMetric('EventsLate', MetricUnit.Count, outcome.late);
    metrics.addMetric('EventChunksWritten', MetricUnit.Count, outcome.chunksWritten);
    metrics.addMetric('MessagesRetried', MetricUnit.Count, outcome.failedMessageIds.length);
    if (outcome.failedMessageIds.length > 0) {
      logger.warn('some messages will be retried', {
        failedMessageIds: outcome.failedMessageIds,
        errors: [...new Set(outcome.writeErrors)].slice(0, 5),
      });
    }
    logger.info('batch ingested', {
      messages: event.Records.length,
      received: outcome.received,
      stored: outcome.stored,
      rejected: outcome.rejected,
      chunks: outcome.chunksWritten,
    });
    return { batchItemFailures: outcome.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
