/**
 * The Lambda entry point every one-record-at-a-time SQS consumer shares: lambdaHandler's
 * Powertools wiring, and BatchProcessor for partial batch responses (a failing record is
 * retried alone, the others are deleted).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaHandler } from './lambda-handler.ts';

export function sqsRecordHandler(build: () => (record: SQSRecord) => Promise<unknown>) {
  return lambdaHandler<SQSEvent, SQSBatchResponse>(() => {
    const handleRecord = build();
    const processor = new BatchProcessor(EventType.SQS);
    return (event, context) => processPartialResponse(event, handleRecord, processor, { context });
  });
}
