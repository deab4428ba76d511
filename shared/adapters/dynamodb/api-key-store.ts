/**
 * API keys in the billing table, all in one partition: pk `API_KEYS`, sk the key's SHA-256
 * (hex). One GetItem per authorization (and the authorizer caches its verdicts), one Query to
 * list; keys are few (one per upstream system), so one partition is no hot spot.
 */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { revokeOnce } from './revoke-once.ts';
import type { ApiKeyRecord, ApiKeyScope } from '#domain/api-keys/api-key.ts';
import type { KeyRateLimit } from '#domain/api-keys/rate-limit.ts';
import type { ApiKeyStore } from '#ports/api-key-store.ts';

const PK = 'API_KEYS';

export class DynamoDbApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: ApiKeyRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: PK, sk: record.hash, ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: PK, sk: hash }, ConsistentRead: true }));
    return Item === undefined ? undefined : recordOf(Item);
  }

  async list(): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PK },
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      records.push(...(page.Items ?? []).map(recordOf));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async revoke(id: string, at: string): Promise<ApiKeyRecord | undefined> {
    const record = (await this.list()).find((candidate) => candidate.id === id);
    if (record === undefined) return undefined;
    const revoked = await revokeOnce(this.client, this.tableName, { pk: PK, sk: record.hash }, at);
    return revoked === undefined ? this.findByHash(record.hash) : recordOf(revoked);
  }
}

function recordOf(item: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(item.id),
    name: String(item.name),
    scopes: (item.scopes as ApiKeyScope[] | undefined) ?? [],
    hash: String(item.hash),
    createdAt: String(item.createdAt),
    revokedAt: (item.revokedAt as string | null | undefined) ?? null,
    ...(item.rateLimit === undefined ? {} : { rateLimit: item.rateLimit as KeyRateLimit }),
  };
}
