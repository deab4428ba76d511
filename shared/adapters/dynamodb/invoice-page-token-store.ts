/**
 * Invoice page tokens in the billing table. The page reads one item by the token's hash (pk
 * `PAGE_TOKEN#{sha256}`, sk `PAGE_TOKEN`): one GetItem per page view. Revoking needs an
 * invoice's tokens, so each token also has an index item under the invoice (pk
 * `PAGE_TOKENS#{number}`, sk the hash); both are written in one transaction. Both carry the
 * token's expiry as `expiresAt` in epoch seconds, the table's TTL attribute, so DynamoDB deletes
 * expired tokens (lazily, within days: the page checks the expiry itself).
 */
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { revokeOnce } from './revoke-once.ts';
import { pageLinkExpiry, type InvoicePageToken } from '#domain/invoice/page-link.ts';
import type { InvoicePageTokens } from '#ports/invoice-page-tokens.ts';

const SK = 'PAGE_TOKEN';
const tokenKey = (hash: string) => ({ pk: `PAGE_TOKEN#${hash}`, sk: SK });
const invoicePk = (number: string) => `PAGE_TOKENS#${number}`;
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export class DynamoDbInvoicePageTokenStore implements InvoicePageTokens {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(token: InvoicePageToken): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...tokenKey(token.hash), ...token, expiresAt: epochSeconds(token.expiresAt) },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: {
                pk: invoicePk(token.invoiceNumber),
                sk: token.hash,
                createdAt: token.createdAt,
                expiresAt: epochSeconds(token.expiresAt),
              },
            },
          },
        ],
      }),
    );
  }

  async findByHash(hash: string): Promise<InvoicePageToken | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: tokenKey(hash), ConsistentRead: true }));
    return Item === undefined ? undefined : tokenOf(Item);
  }

  async revokeAll(invoiceNumber: string, at: string): Promise<number> {
    let revoked = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': invoicePk(invoiceNumber) },
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const before = await revokeOnce(this.client, this.tableName, tokenKey(String(item.sk)), at);
        // An expired token is revoked too (it must stay dead), but it was not valid any more.
        if (before !== undefined && tokenOf(before).expiresAt > at) revoked += 1;
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return revoked;
  }
}

function tokenOf(item: Record<string, unknown>): InvoicePageToken {
  const createdAt = String(item.createdAt);
  return {
    hash: String(item.hash),
    invoiceNumber: String(item.invoiceNumber),
    createdAt,
    // Tokens stored before links expired have no expiresAt: they get the default validity from their creation.
    expiresAt: typeof item.expiresAt === 'number' ? new Date(item.expiresAt * 1000).toISOString() : pageLinkExpiry(Date.parse(createdAt)),
    revokedAt: (item.revokedAt as string | null | undefined) ?? null,
  };
}
