/**
 * The Lambda entry point every one-record-at-a-time SQS consumer shares: lambdaHandler's
 * Powertools wiring, and BatchProcessor for partial batch responses (a failing record is
 * retried alone, the others are deleted), its failure logged by ./record-failures.ts.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaHandler } from './lambda-handler.ts';
import { logRecordFailure } from './record-failures.ts';

export function sqsRecordHandler(build: () => (record: SQSRecord) => Promise<unknown>) {
  return lambdaHandler<SQSEvent, SQSBatchResponse>(() => {
    const handleRecord = build();
    const processor = new BatchProcessor(EventType.SQS);
    const handle = async (record: SQSRecord) => {
      try {
        return await handleRecord(record);
      } catch (error) {
        logRecordFailure(record, error);
        throw error;
      }
    };
    return (event, context) => processPartialResponse(event, handle, processor, { context });
  });
}
