/**
 * Received webhook events in the billing table, one item per provider event id:
 * pk `WEBHOOK#{provider}#{eventId}`, sk `EVENT`. The first delivery creates it; later ones
 * only count `deliveries`, so a replayed event never overwrites what was first received.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReceivedWebhookEvent, StoredWebhookEvent, WebhookEventOutcome, WebhookEventStore } from '#ports/webhook-event-store.ts';

const key = (eventId: string) => ({ pk: `WEBHOOK#stripe#${eventId}`, sk: 'EVENT' });

export class DynamoDbWebhookEventStore implements WebhookEventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(event: ReceivedWebhookEvent): Promise<'new' | 'duplicate'> {
    // One write either way: the old image says whether this id was already stored.
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(event.eventId),
        UpdateExpression:
          'SET provider = if_not_exists(provider, :provider), eventId = if_not_exists(eventId, :eventId), #type = if_not_exists(#type, :type), ' +
          'createdAt = if_not_exists(createdAt, :createdAt), receivedAt = if_not_exists(receivedAt, :receivedAt), body = if_not_exists(body, :body), ' +
          'outcome = if_not_exists(outcome, :received), processedAt = if_not_exists(processedAt, :null) ADD deliveries :one',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':provider': event.provider,
          ':eventId': event.eventId,
          ':type': event.type,
          ':createdAt': event.createdAt,
          ':receivedAt': event.receivedAt,
          ':body': event.body,
          ':received': 'received',
          ':null': null,
          ':one': 1,
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return Attributes?.body === undefined ? 'new' : 'duplicate';
  }

  async get(eventId: string): Promise<StoredWebhookEvent | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key(eventId), ConsistentRead: true }));
    if (Item === undefined) return undefined;
    return {
      provider: 'stripe',
      eventId: String(Item.eventId),
      type: String(Item.type),
      createdAt: String(Item.createdAt),
      receivedAt: String(Item.receivedAt),
      body: String(Item.body),
      outcome: Item.outcome as WebhookEventOutcome,
      deliveries: Number(Item.deliveries ?? 1),
      processedAt: (Item.processedAt as string | null) ?? null,
    };
  }

  async markProcessed(eventId: string, outcome: WebhookEventOutcome, at: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(eventId),
        UpdateExpression: 'SET outcome = :outcome, processedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':outcome': outcome, ':at': at },
      }),
    );
  }
}
