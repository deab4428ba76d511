/**
 * Webhook endpoints and their deliveries in the billing table.
 *
 * | item              | pk                      | sk                              |
 * | endpoint          | WEBHOOK#ENDPOINTS       | {endpointId}                    |  url, event types, secret
 * | attempt           | WEBHOOK#{endpointId}    | ATTEMPT#{at}#{eventId}          |  status, latency, error, expiresAt
 * | delivered marker  | WEBHOOK#{endpointId}    | DELIVERED#{eventId}             |  a 2xx was received, expiresAt
 *
 * The billing table rather than a table of its own: a handful of endpoints, attempts read by
 * endpoint and time, no index needed; the table is encrypted and backed up already.
 *
 * Attempts and delivered markers expire (the table's TTL attribute `expiresAt`, epoch seconds)
 * `retentionDays` after the attempt, 30 by default: every event is attempted for about 3 days
 * and a dead-lettered one can be replayed for the 14 days SQS keeps it, so a marker outlives
 * any replay that needs it, and attempts do not pile up for ever. DynamoDB deletes expired items
 * within a few days, so listAttempts leaves out those already past it.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WebhookEndpoint } from '#domain/outbound/webhook-endpoint.ts';
import type { WebhookAttempt, WebhookEndpointStore } from '#ports/webhook-endpoints.ts';

const ENDPOINTS_PK = 'WEBHOOK#ENDPOINTS';
const endpointPk = (endpointId: string) => `WEBHOOK#${endpointId}`;
const DAY_SECONDS = 86_400;
export const DEFAULT_DELIVERY_RETENTION_DAYS = 30;

export class DynamoDbWebhookEndpointStore implements WebhookEndpointStore {
  private readonly retentionSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: { retentionDays?: number; now?: () => number } = {},
  ) {
    this.retentionSeconds = (options.retentionDays ?? DEFAULT_DELIVERY_RETENTION_DAYS) * DAY_SECONDS;
    this.now = options.now ?? Date.now;
  }

  /** The TTL of a record written about something that happened at `at` (ISO 8601). */
  private expiresAt(at: string): number {
    return Math.floor(Date.parse(at) / 1000) + this.retentionSeconds;
  }

  async add(endpoint: WebhookEndpoint): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: ENDPOINTS_PK, sk: endpoint.id, endpoint },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async list(): Promise<WebhookEndpoint[]> {
    const endpoints: WebhookEndpoint[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ENDPOINTS_PK },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) endpoints.push(item.endpoint as WebhookEndpoint);
    return endpoints;
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: ENDPOINTS_PK, sk: id }, ConsistentRead: true }),
    );
    return Item?.endpoint as WebhookEndpoint | undefined;
  }

  async remove(id: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: ENDPOINTS_PK, sk: id }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  async recordAttempt(attempt: WebhookAttempt): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: endpointPk(attempt.endpointId),
          sk: `ATTEMPT#${attempt.at}#${attempt.eventId}`,
          attempt,
          expiresAt: this.expiresAt(attempt.at),
        },
      }),
    );
  }

  async listAttempts(filter: { endpointId?: string; limit?: number }): Promise<WebhookAttempt[]> {
    const endpointIds = filter.endpointId === undefined ? (await this.list()).map((endpoint) => endpoint.id) : [filter.endpointId];
    const limit = filter.limit ?? 100;
    const nowSeconds = Math.floor(this.now() / 1000);
    const attempts: WebhookAttempt[] = [];
    for (const endpointId of endpointIds) {
      const { Items = [] } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :attempt)',
          // Expired but not yet deleted by TTL: gone as far as anyone reading is concerned.
          FilterExpression: 'attribute_not_exists(expiresAt) OR expiresAt > :now',
          ExpressionAttributeValues: { ':pk': endpointPk(endpointId), ':attempt': 'ATTEMPT#', ':now': nowSeconds },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      for (const item of Items) attempts.push(item.attempt as WebhookAttempt);
    }
    return attempts.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
  }

  async markDelivered(endpointId: string, eventId: string, at: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: endpointPk(endpointId), sk: `DELIVERED#${eventId}`, at, expiresAt: this.expiresAt(at) },
      }),
    );
  }

  async wasDelivered(endpointId: string, eventId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: endpointPk(endpointId), sk: `DELIVERED#${eventId}` }, ConsistentRead: true }),
    );
    return Item !== undefined;
  }
}
