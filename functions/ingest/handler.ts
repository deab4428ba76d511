// Placeholder replaced by the ingest handler in the next commits.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
export const handler = async (_event: SQSEvent): Promise<SQSBatchResponse> => ({ batchItemFailures: [] });
