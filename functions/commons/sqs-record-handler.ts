/**
 * The Lambda entry point every one-record-at-a-time SQS consumer shares: Powertools Tracer,
 * Logger and Metrics through middy, BatchProcessor for partial batch responses (a failing
 * record is retried alone), and the record handler built once per container, on first use,
 * so configuration is read and validated inside the invocation that can report it.
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics, tracer } from '../../shared/observability.ts';

export function sqsRecordHandler(build: () => (record: SQSRecord) => Promise<unknown>) {
  let handleRecord: ((record: SQSRecord) => Promise<unknown>) | undefined;
  const processor = new BatchProcessor(EventType.SQS);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event, context: Context) => {
      handleRecord ??= build();
      return processPartialResponse(event, handleRecord, processor, { context });
    });
}
