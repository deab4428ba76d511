/**
 * One page of a listing through a sparse keys-only index whose partition holds the whole
 * listing (one constant value) and whose sort key orders it: the keys of up to `limit + 1`
 * entries after `after` (the extra one only says whether another page follows), then the
 * items behind the first `limit` of them, by BatchGetItem. So a page reads the index entries
 * and items it returns, not the table (no Scan).
 *
 * `keep` drops items after they are read (a filter the index cannot express: then the items it
 * drops are read too, and the extra one); entries are read until `limit + 1` items are kept or
 * the index ends.
 */
import { paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batch-get.ts';

/** The billing table's `listings` index (infra/resources.ts): one partition per listing, ordered by `listingOrder`. */
export const LISTINGS_INDEX = { indexName: 'listings', partitionKey: 'listing', sortKey: 'listingOrder' } as const;

export interface IndexPageQuery {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly partition: string;
  readonly sortKey: string;
  /** Only sort keys in [from, to] (inclusive). */
  readonly range?: { readonly from: string; readonly to: string };
  /** The sort key of the last entry of the previous page. */
  readonly after?: string;
  readonly limit: number;
}

export async function indexPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  query: IndexPageQuery,
  keep?: (item: Record<string, unknown>) => boolean,
): Promise<{ items: Record<string, unknown>[]; more: boolean }> {
  const from =
    query.after !== undefined && (query.range === undefined || query.after >= query.range.from) ? query.after : query.range?.from;
  // A cursor past the range (a period asked for after paging another): nothing follows.
  if (query.range !== undefined && from !== undefined && from > query.range.to) return { items: [], more: false };
  const condition =
    query.range !== undefined
      ? '#partition = :partition AND #sort BETWEEN :from AND :to'
      : from !== undefined
        ? '#partition = :partition AND #sort >= :from'
        : '#partition = :partition';
  const names = { '#partition': query.partitionKey, ...(condition.includes('#sort') ? { '#sort': query.sortKey } : {}) };
  const values = {
    ':partition': query.partition,
    ...(from === undefined ? {} : { ':from': from }),
    ...(query.range === undefined ? {} : { ':to': query.range.to }),
  };
  const kept: Record<string, unknown>[] = [];
  // Small pages: most listings want the first `limit + 1` entries; `>=` then drops the `after` entry itself.
  const pages = paginateQuery(
    { client, pageSize: query.limit + 2 },
    {
      TableName: tableName,
      IndexName: query.indexName,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  );
  for await (const page of pages) {
    const keys = (page.Items ?? [])
      .filter((entry) => entry[query.sortKey] !== query.after)
      .map((entry) => ({ pk: String(entry.pk), sk: String(entry.sk) }));
    while (keys.length > 0) {
      const batch = keys.splice(0, query.limit + 1 - kept.length);
      if (keep === undefined && kept.length + batch.length > query.limit) {
        // The extra entry's item is not read: its key alone says that another page follows.
        kept.push(...(await readInOrder(client, tableName, batch.slice(0, -1))));
        return { items: kept, more: true };
      }
      kept.push(...(await readInOrder(client, tableName, batch)).filter(keep ?? (() => true)));
      if (kept.length > query.limit) return { items: kept.slice(0, query.limit), more: true };
    }
  }
  return { items: kept, more: false };
}

/** The items of `keys`, in their order (an item deleted since the index was read is left out). */
async function readInOrder(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly { pk: string; sk: string }[],
): Promise<Record<string, unknown>[]> {
  const read = await batchGetAll(client, tableName, keys, { consistentRead: false });
  const byKey = new Map(read.map((item) => [`${String(item.pk)}|${String(item.sk)}`, item]));
  return keys.flatMap((key) => {
    const item = byKey.get(`${key.pk}|${key.sk}`);
    return item === undefined ? [] : [item];
  });
}

/**
 * The table keys of every item of a keys-only index matching `condition`, all pages (the sparse
 * indexes of work still open: receivables, drafts, deliveries), with the named index attributes.
 */
export async function indexKeys(
  client: DynamoDBDocumentClient,
  tableName: string,
  indexName: string,
  condition: string,
  values: Record<string, string>,
  indexAttributes: readonly string[] = [],
): Promise<({ pk: string; sk: string } & Record<string, string | undefined>)[]> {
  const keys: ({ pk: string; sk: string } & Record<string, string | undefined>)[] = [];
  const pages = paginateQuery(
    { client },
    { TableName: tableName, IndexName: indexName, KeyConditionExpression: condition, ExpressionAttributeValues: values },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      keys.push({
        pk: String(item.pk),
        sk: String(item.sk),
        ...Object.fromEntries(indexAttributes.map((name) => [name, item[name] === undefined ? undefined : String(item[name])])),
      });
    }
  }
  return keys;
}
