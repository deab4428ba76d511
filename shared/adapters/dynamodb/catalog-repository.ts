/**
 * The catalog in the billing table.
 *
 * - Head (issuer, tax rates, meters, plans): one item, pk `CATALOG`, sk `HEAD`, read whole
 *   and strongly consistent, so a meter applied a moment ago applies to the next event batch.
 *   Its `version` changes on every write, for caches that want to notice.
 * - Customers: one item each, pk `CUSTOMER#{id}`, sk `PROFILE`; ids never contain `#` or `|`
 *   (the catalog schema rejects them), so keys cannot collide. Each carries its entry in the
 *   `listings` index (`listing` CUSTOMERS, `listingOrder` the id) for the HTTP API's pages.
 * - Customers' version: pk `CATALOG`, sk `CUSTOMERS`, rewritten after every upsert of
 *   customers, so `version()` tells a reader whether anything changed without listing them.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, ScanCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CatalogHead, Customer } from '#domain/catalog/types.ts';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import type { CatalogRepository, CustomerPages } from '#ports/catalog-repository.ts';
import { indexPage, LISTINGS_INDEX } from './index-page.ts';
import { batchGetAll } from './batch-get.ts';
import { BatchGetError, CatalogStoreError } from '../errors.ts';
import { batchPutAll, defaultBatchWriteOptions, type BatchWriteOptions } from './batch-write.ts';
import { outboxPuts } from './outbound-outbox.ts';

const HEAD_KEY = { pk: 'CATALOG', sk: 'HEAD' } as const;
const CUSTOMERS_VERSION_KEY = { pk: 'CATALOG', sk: 'CUSTOMERS' } as const;
export const CUSTOMER_PREFIX = 'CUSTOMER#';
export const CUSTOMER_SK = 'PROFILE';
const CUSTOMER_LISTING = 'CUSTOMERS';

const EMPTY_HEAD: CatalogHead = { taxRates: {}, meters: [], plans: [] };

export interface CatalogRepositoryOptions {
  /** Retries of UnprocessedItems / UnprocessedKeys (throttling), on top of the SDK's own. */
  readonly maxUnprocessedRetries?: number;
  readonly baseDelayMs?: number;
  readonly now?: () => Date;
}

interface HeadItem {
  readonly head: CatalogHead;
  readonly version: string;
  readonly updatedAt: string;
}

interface CustomerItem {
  readonly customer: Customer;
  /** First write of the customer; kept by every later upsert. */
  readonly enteredAt?: string;
}

export class DynamoDbCatalogRepository implements CatalogRepository, CustomerPages {
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

  async upsertCustomers(customers: readonly Customer[], pending: readonly OutboundFact[] = []): Promise<void> {
    // One request may not name the same key twice; the last entry for an id wins.
    const latest = [...new Map(customers.map((customer) => [customer.id, customer])).values()];
    const updatedAt = this.now().toISOString();
    // When each customer first entered the catalog survives every later upsert.
    const entered = new Map(
      (
        await this.batchGet(
          latest.map((customer) => customerKey(customer.id)),
          ['pk', 'enteredAt'],
        )
      ).map((item) => [String(item.pk), item.enteredAt]),
    );
    const items = latest.map((customer) => {
      const key = customerKey(customer.id);
      const { enteredAt: _ignored, ...fields } = customer;
      // A customer stored before enteredAt was recorded keeps having none: nothing is left out for it.
      const enteredAt = entered.has(key.pk) ? entered.get(key.pk) : updatedAt;
      return {
        ...key,
        ...customerListingKey(customer.id),
        customer: plainData(fields),
        updatedAt,
        ...(typeof enteredAt === 'string' ? { enteredAt } : {}),
      };
    });
    const failures =
      pending.length > 0
        ? await this.putWithFacts(items, pending)
        : await batchPutAll(this.client, this.tableName, items, (item) => String(item.pk), this.writeOptions);
    if (failures.length > 0) {
      const ids = failures
        .map((failure) => latest[failure.index]?.id)
        .slice(0, 5)
        .join(', ');
      throw new CatalogStoreError(
        `${failures.length} of ${latest.length} customers were not written (${ids}${failures.length > 5 ? ', ...' : ''}): ` +
          `${failures[0]?.error}. Applying the catalog again is safe and writes them.`,
      );
    }
    // After the customers: a reader that saw the old version may have missed them, never the reverse.
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...CUSTOMERS_VERSION_KEY, version: `${updatedAt}#${randomUUID()}`, updatedAt } }),
    );
  }

  /**
   * A customer's change and its facts (subscription.changed) in the outbound outbox, in one
   * transaction: both or neither (a command changes one customer, far below its 100 items).
   */
  private async putWithFacts(items: readonly Record<string, unknown>[], pending: readonly OutboundFact[]): Promise<[]> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          ...items.map((item) => ({ Put: { TableName: this.tableName, Item: item } })),
          ...outboxPuts(this.tableName, pending),
        ],
      }),
    );
    return [];
  }

  async version(): Promise<string> {
    // A partial answer must not pass for a version: batchGetAll throws rather than return one.
    const items = await this.batchGet([HEAD_KEY, CUSTOMERS_VERSION_KEY], ['sk', 'version']);
    const versions = new Map(items.map((item) => [String(item.sk), String(item.version)]));
    return `${versions.get(HEAD_KEY.sk) ?? 'none'}|${versions.get(CUSTOMERS_VERSION_KEY.sk) ?? 'none'}`;
  }

  /**
   * Strongly consistent reads: an event for a customer applied a second ago must not be
   * rejected as unknown.
   */
  async findCustomers(ids: readonly string[]): Promise<Map<string, Customer>> {
    const items = await this.batchGet([...new Set(ids)].map(customerKey));
    return new Map(
      items.map((item) => {
        const customer = storedCustomer(item as unknown as CustomerItem);
        return [customer.id, customer];
      }),
    );
  }

  /** Strongly consistent, with this repository's retries; throttling that outlasts them is a CatalogStoreError. */
  private batchGet(keys: readonly Record<string, unknown>[], attributes?: readonly string[]): Promise<Record<string, unknown>[]> {
    return batchGetAll(this.client, this.tableName, keys, {
      consistentRead: true,
      ...(attributes === undefined ? {} : { attributes }),
      maxUnprocessedRetries: this.writeOptions.maxUnprocessedRetries,
      baseDelayMs: this.writeOptions.baseDelayMs,
    }).catch((error: unknown) => {
      throw error instanceof BatchGetError ? new CatalogStoreError(`catalog reads: ${error.message}`) : error;
    });
  }

  /**
   * A paginated Scan over the whole billing table, keeping customer items: fine for the CLI
   * and the invoice run (once per period, again only if the catalog changes in the day after),
   * not for a request path. If that grows too costly, a GSI on an entity-type attribute is the
   * way out.
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
      for (const item of page.Items ?? []) customers.push(storedCustomer(item as CustomerItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return customers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** A page of the `listings` index's CUSTOMERS entries, then those customers (eventually consistent, as the index is). */
  async customersPage(query: { limit: number; afterId?: string }): Promise<{ customers: Customer[]; more: boolean }> {
    const { items, more } = await indexPage(this.client, this.tableName, {
      ...LISTINGS_INDEX,
      partition: CUSTOMER_LISTING,
      limit: query.limit,
      ...(query.afterId === undefined ? {} : { after: query.afterId }),
    });
    return { customers: items.map((item) => storedCustomer(item as unknown as CustomerItem)), more };
  }
}

function storedCustomer(item: CustomerItem): Customer {
  return typeof item.enteredAt === 'string' ? { ...item.customer, enteredAt: item.enteredAt } : item.customer;
}

/** The customer's entry in the `listings` index (infra/resources.ts): customers in id order. */
export function customerListingKey(id: string): { listing: string; listingOrder: string } {
  return { listing: CUSTOMER_LISTING, listingOrder: id };
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
