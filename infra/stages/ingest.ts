/**
 * Ingest: usage events from the events queue, validated, deduplicated and stored by the ingest
 * function.
 */
import type { BillingFunction } from '../constructs/billing-function.ts';
import type { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter.ts';
import type { StageRow } from '../constructs/pipeline-dashboard.ts';
import { consumers, pipelineSettings, queues, tables } from '../resources.ts';
import { count, deadLetters, invocations, received, waiting } from './dashboard-metrics.ts';
import { alarmedQueue, functionFrom, type PipelineStage, type StageContext } from './stage-context.ts';

export class IngestStage implements PipelineStage {
  public readonly eventsQueue: QueueWithDeadLetter;
  public readonly ingestFunction: BillingFunction;
  public readonly dashboardRows: readonly StageRow[];

  public constructor(context: StageContext) {
    this.eventsQueue = alarmedQueue(context, 'EventsQueue', 'events');

    const ingest = consumers.ingestEvents;
    this.ingestFunction = functionFrom(context, ingest, {
      description: 'Validates, deduplicates and stores usage events from the events queue',
      // The same settings the local workers get (write shards, event retention).
      environment: pipelineSettings,
    })
      // Event chunks, rejected events and late-event markers: writes only, no reads or deletes.
      .bindTable(context.eventsTable, tables.events.envVar, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem')
      // Catalog lookups (customers, meters): reads only, never a Scan.
      .bindTable(context.billingTable, tables.billing.envVar, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query')
      // consumers.ingestEvents.queueId is queues.events.id.
      .consumeQueue(this.eventsQueue.queue, ingest);

    this.dashboardRows = [
      {
        title: 'Ingest',
        description: `Usage events from the ${queues.events.id} queue, validated, deduplicated and stored by ${ingest.functionId}.`,
        throughput: [
          received(this.eventsQueue),
          invocations(ingest.functionId, this.ingestFunction),
          count('EventChunksWritten', 'event chunks written'),
        ],
        functions: [{ label: ingest.functionId, fn: this.ingestFunction }],
        otherFailures: [count('MessagesRetried', 'messages retried (partial batch failures)')],
        deadLetterQueues: [deadLetters(this.eventsQueue)],
        queues: [waiting(this.eventsQueue)],
        figures: [
          {
            title: 'Events',
            metrics: ['EventsReceived', 'EventsStored', 'EventsDuplicateInBatch', 'EventsRejected', 'EventsLate'].map((name) =>
              count(name),
            ),
            unit: 'events / 5 min',
          },
          {
            title: 'Events over the time range: received = accepted + duplicate + rejected (over whole billing periods)',
            metrics: ['EventsReceived', 'EventsAccepted', 'EventsDuplicate', 'EventsRejected'].map((name) => count(name)),
            kind: 'totals',
          },
        ],
      },
    ];
  }
}
