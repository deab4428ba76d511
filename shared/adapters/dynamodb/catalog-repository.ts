/**
 * The catalog in the billing table.
 *
 * - Head (issuer, tax rates, meters, plans): one item, pk `CATALOG`, sk `HEAD`, read whole
 *   and strongly consistent, so a meter applied a moment ago applies to the next event batch.
 *   Its `version` changes on every write, for caches that want to notice.
 * - Customers: one item each, pk `CUSTOMER#{id}`, sk `PROFILE`; ids never contain `#` or `|`
 *   (the catalog schema rejects them), so keys cannot collide.
 */
import { randomUUID } from 'node:crypto';
import { BatchGetCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CatalogHead, Customer } from '../../domain/catalog/types.ts';
import type { CatalogRepository } from '../../ports/catalog-repository.ts';
import { batchPutAll, defaultBatchWriteOptions, type BatchWriteOptions } from './batch-write.ts';

const HEAD_KEY = { pk: 'CATALOG', sk: 'HEAD' } as const;
const CUSTOMER_PREFIX = 'CUSTOMER#';
const CUSTOMER_SK = 'PROFILE';
const KEYS_PER_BATCH_GET = 100;

const EMPTY_HEAD: CatalogHead = { taxRates: {}, meters: [], plans: [] };

export interface CatalogRepositoryOptions {
  /** Retries of UnprocessedItems / UnprocessedKeys (throttling), on top of the SDK's own. */
  readonly maxUnprocessedRetries?: number;
  readonly baseDelayMs?: number;
  readonly now?: () => Date;
}

/** Some customers could not be written or read even after retries (sustained throttling). */
export class CatalogStoreError extends Error {
  override readonly name = 'CatalogStoreError';
}

interface HeadItem {
  readonly head: CatalogHead;
  readonly version: string;
  readonly updatedAt: string;
}

interface CustomerItem {
  readonly customer: Customer;
}

export class DynamoDbCatalogRepository implements CatalogRepository {
  private readonly writeOptions: BatchWriteOptions;
  private readonly now: () => Date;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: CatalogRepositoryOptions = {},
  ) {
    this.writeOptions = {
      ...defaultBatchWriteOptions,
      ...(options.maxUnprocessedRetries === undefined ? {} : { maxUnprocessedRetries: options.maxUnprocessedRetries }),
      ...(options.baseDelayMs === undefined ? {} : { baseDelayMs: options.baseDelayMs }),
    };
    this.now = options.now ?? (() => new Date());
  }

  async readHead(): Promise<CatalogHead> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: HEAD_KEY, ConsistentRead: true }));
    // Written only by writeHead from a validated, merged head.
    const item = result.Item as HeadItem | undefined;
    return item?.head ?? EMPTY_HEAD;
  }

  async writeHead(head: CatalogHead): Promise<void> {
    const updatedAt = this.now().toISOString();
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...HEAD_KEY, head: plainData(head), version: `${updatedAt}#${randomUUID()}`, updatedAt },
      }),
    );
  }

  async upsertCustomers(customers: readonly Customer[]): Promise<void> {
    // One request may not name the same key twice; the last entry for an id wins.
    const latest = [...new Map(customers.map((customer) => [customer.id, customer])).values()];
    const updatedAt = this.now().toISOString();
    const items = latest.map((customer) => ({ ...customerKey(customer.id), customer: plainData(customer), updatedAt }));
    const failures = await batchPutAll(this.client, this.tableName, items, (item) => String(item.pk), this.writeOptions);
    if (failures.length > 0) {
      const ids = failures.map((failure) => latest[failure.index]?.id).slice(0, 5).join(', ');
      throw new CatalogStoreError(
        `${failures.length} of ${latest.length} customers were not written (${ids}${failures.length > 5 ? ', ...' : ''}): ` +
          `${failures[0]?.error}. Applying the catalog again is safe and writes them.`,
      );
    }
  }

  async findCustomers(ids: readonly string[]): Promise<Map<string, Customer>> {
    const unique = [...new Set(ids)];
    const found = new Map<string, Customer>();
    for (let start = 0; start < unique.length; start += KEYS_PER_BATCH_GET) {
      for (const customer of await this.getCustomers(unique.slice(start, start + KEYS_PER_BATCH_GET))) {
        found.set(customer.id, customer);
      }
    }
    return found;
  }

  /**
   * A paginated Scan over the whole billing table, keeping customer items: fine for the CLI
   * and the monthly invoice run at catalog sizes, not for a request path. If the table grows
   * (invoices, payments), a GSI on an entity-type attribute is the way out.
   */
  async listCustomers(): Promise<Customer[]> {
    const customers: Customer[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :prefix) AND sk = :sk',
          ExpressionAttributeValues: { ':prefix': CUSTOMER_PREFIX, ':sk': CUSTOMER_SK },
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of page.Items ?? []) customers.push((item as CustomerItem).customer);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return customers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * One BatchGetItem of at most 100 keys, retrying UnprocessedKeys with backoff. Reads are
   * strongly consistent: an event for a customer applied a second ago must not be rejected
   * as unknown.
   */
  private async getCustomers(ids: readonly string[]): Promise<Customer[]> {
    const customers: Customer[] = [];
    let pending: Record<string, unknown>[] = ids.map(customerKey);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > this.writeOptions.maxUnprocessedRetries) {
        throw new CatalogStoreError(
          `${pending.length} customer lookups still unprocessed after ${attempt} BatchGetItem attempts (throttled); try again`,
        );
      }
      if (attempt > 0) await sleep(backoffMs(this.writeOptions.baseDelayMs, attempt));
      const result = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) customers.push((item as CustomerItem).customer);
      pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return customers;
  }
}

function customerKey(id: string): { pk: string; sk: string } {
  return { pk: `${CUSTOMER_PREFIX}${id}`, sk: CUSTOMER_SK };
}

/**
 * Drops undefined-valued optional fields, which the document client refuses to marshall
 * unless it was built with removeUndefinedValues: this adapter must not depend on that.
 */
function plainData<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Exponential with jitter, capped at a second: throttled partitions recover in that range. */
function backoffMs(baseMs: number, attempt: number): number {
  const ceiling = Math.min(1000, baseMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
