/**
 * Counts DynamoDB capacity units as DynamoDB (Local) reports them: every request made through
 * the metered client asks for ReturnConsumedCapacity=TOTAL and the answers are summed.
 * Benchmark-only: production code is not changed to measure it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localCredentials } from '#infra/local/credentials.ts';

export interface CapacityMeter {
  readonly client: DynamoDBDocumentClient;
  readonly totals: { write: number; read: number; requests: Record<string, number> };
  reset(): void;
}

const WRITES = new Set(['BatchWriteItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand']);

export function meteredDocumentClient(endpoint: string, region: string): CapacityMeter {
  const totals = { write: 0, read: 0, requests: {} as Record<string, number> };
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region, credentials: localCredentials }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      totals.requests[name] = (totals.requests[name] ?? 0) + 1;
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]).reduce(
        (sum, entry) => sum + (entry.CapacityUnits ?? 0),
        0,
      );
      if (WRITES.has(name)) totals.write += units;
      else totals.read += units;
      return result;
    },
    { step: 'initialize', name: 'meterCapacity' },
  );
  return {
    client,
    totals,
    reset() {
      totals.write = 0;
      totals.read = 0;
      totals.requests = {};
    },
  };
}
