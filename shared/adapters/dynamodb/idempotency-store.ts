/**
 * Idempotency keys in the billing table: pk `IDEMPOTENCY#{key}`, sk `REQUEST`, removed by
 * DynamoDB's TTL (`expiresAt`, epoch seconds) after 24 hours. TTL deletes lazily (within days),
 * so an expired item still present counts as absent: the claim's condition checks the time.
 * The claim is one conditional put, so two concurrent repeats cannot both run the request.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyClaim, IdempotencyStore, StoredResponse } from '#ports/idempotency-store.ts';

const keyOf = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'REQUEST' });

export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(key: string, fingerprint: string, now: number, ttlSeconds: number): Promise<IdempotencyClaim> {
    const nowSeconds = Math.floor(now / 1000);
    // A claim released between our failed put and our read is claimed on the next turn.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keyOf(key), fingerprint, response: null, expiresAt: nowSeconds + ttlSeconds },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
        return { outcome: 'claimed' };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || attempt >= 2) throw error;
      }
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keyOf(key), ConsistentRead: true }));
      if (Item !== undefined && Number(Item.expiresAt) > nowSeconds) {
        const response = typeof Item.response === 'string' ? (JSON.parse(Item.response) as StoredResponse) : null;
        return { outcome: 'taken', fingerprint: String(Item.fingerprint), response };
      }
    }
  }

  async complete(key: string, response: StoredResponse): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(key),
        UpdateExpression: 'SET #response = :response',
        ExpressionAttributeNames: { '#response': 'response' },
        ExpressionAttributeValues: { ':response': JSON.stringify(response) },
      }),
    );
  }

  async release(key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keyOf(key) }));
  }
}
