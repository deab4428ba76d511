/**
 * Injects DynamoDB failures into a real client talking to DynamoDB Local: BatchWriteItem
 * requests that carry a chosen item fail with a throttling or timeout error, as often as the
 * test says. Everything else reaches the real service.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localCredentials } from '#infra/local/credentials.ts';
import { TEST_REGION } from './local-stack.ts';

export type FaultKind = 'throttle' | 'timeout';

export interface FaultPlan {
  /** Fails a request when any of its items' pk matches; return undefined to let it through. */
  readonly failWhen: (pk: string) => FaultKind | undefined;
}

export function faultyDocumentClient(endpoint: string, plan: FaultPlan): { client: DynamoDBDocumentClient; injected: () => number } {
  let injected = 0;
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: localCredentials, maxAttempts: 2 }),
  );
  // As DynamoDB does: throttled items come back as UnprocessedItems (the request fails with
  // ProvisionedThroughputExceededException only when every item is throttled); a timeout
  // fails the whole request.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      type Requests = Record<string, { PutRequest?: { Item?: Record<string, unknown> } }[]>;
      const input = args.input as { RequestItems?: Requests };
      const kept: Requests = {};
      const throttled: Requests = {};
      for (const [table, requests] of Object.entries(input.RequestItems ?? {})) {
        for (const request of requests) {
          const pk = request.PutRequest?.Item?.pk;
          const text = typeof pk === 'string' ? pk : ((pk as { S?: string } | undefined)?.S ?? '');
          const fault = plan.failWhen(text);
          if (fault === 'timeout') {
            injected += 1;
            throw Object.assign(new Error('injected: socket timed out'), { name: 'TimeoutError' });
          }
          const target = fault === 'throttle' ? throttled : kept;
          if (fault === 'throttle') injected += 1;
          (target[table] ??= []).push(request);
        }
      }
      if (Object.keys(throttled).length === 0) return next(args);
      if (Object.keys(kept).length === 0) {
        throw Object.assign(new Error('injected: throughput exceeded'), { name: 'ProvisionedThroughputExceededException' });
      }
      const result = await next({ ...args, input: { ...args.input, RequestItems: kept } });
      const output = result.output as { UnprocessedItems?: Requests };
      output.UnprocessedItems = { ...(output.UnprocessedItems ?? {}) };
      for (const [table, requests] of Object.entries(throttled)) {
        output.UnprocessedItems[table] = [...(output.UnprocessedItems[table] ?? []), ...requests];
      }
      return result;
    },
    { step: 'initialize', name: 'injectFaults' },
  );
  return { client, injected: () => injected };
}
