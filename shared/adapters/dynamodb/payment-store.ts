/**
 * Payments in the billing table.
 *
 * | item              | pk                   | sk                |
 * | payment event     | PAYMENT#{paymentId}  | EVENT#{eventId}   |  one per provider event
 * | link to invoice   | PAYMENT#{paymentId}  | LINK              |  matched or unmatched, with why
 * | unmatched listing | PAYMENTS#UNMATCHED   | {paymentId}       |  present while unmatched
 *
 * A link and its unmatched listing are written in one transaction, so `payments unmatched`
 * never misses an unmatched payment nor lists a matched one.
 */
import {
  GetCommand,
  paginateQuery,
  paginateScan,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import type { PaymentLink, PaymentStore } from '#ports/payment-store.ts';
import { isConditionFailed, isTransactionCancelled } from '../errors.ts';

const paymentPk = (paymentId: string) => `PAYMENT#${paymentId}`;
const linkKey = (paymentId: string) => ({ pk: paymentPk(paymentId), sk: 'LINK' });
const UNMATCHED_PK = 'PAYMENTS#UNMATCHED';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type PutCondition = Partial<
  Pick<NonNullable<TransactItem['Put']>, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>
>;

export class DynamoDbPaymentStore implements PaymentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordEvent(event: PaymentEvent): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: paymentPk(event.paymentId), sk: `EVENT#${event.eventId}`, event },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async eventsOf(paymentId: string): Promise<PaymentEvent[]> {
    const pages = this.consistentQuery('pk = :pk AND begins_with(sk, :event)', { ':pk': paymentPk(paymentId), ':event': 'EVENT#' });
    return collect<PaymentEvent>(pages, 'event');
  }

  async linkOf(paymentId: string): Promise<PaymentLink | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: linkKey(paymentId), ConsistentRead: true }));
    return Item?.link as PaymentLink | undefined;
  }

  async linkIfUnlinked(link: PaymentLink): Promise<PaymentLink> {
    const cancelled = await this.transact([
      this.putLink(link, { ConditionExpression: 'attribute_not_exists(pk)' }),
      ...(link.status === 'unmatched'
        ? [{ Put: { TableName: this.tableName, Item: { pk: UNMATCHED_PK, sk: link.paymentId, link } } }]
        : []),
    ]);
    if (cancelled === undefined) return link;
    const existing = await this.linkOf(link.paymentId);
    if (existing === undefined) throw cancelled;
    return existing;
  }

  async replaceUnmatched(matched: PaymentLink): Promise<boolean> {
    const cancelled = await this.transact([
      this.putLink(matched, {
        ConditionExpression: '#link.#status = :unmatched',
        ExpressionAttributeNames: { '#link': 'link', '#status': 'status' },
        ExpressionAttributeValues: { ':unmatched': 'unmatched' },
      }),
      { Delete: { TableName: this.tableName, Key: { pk: UNMATCHED_PK, sk: matched.paymentId } } },
    ]);
    // Cancelled: matched meanwhile by someone else.
    return cancelled === undefined;
  }

  async listUnmatched(): Promise<PaymentLink[]> {
    return collect<PaymentLink>(this.consistentQuery('pk = :pk', { ':pk': UNMATCHED_PK }), 'link');
  }

  /** Every payment with a link: a filtered scan, for the operator's `payments list`. */
  async listLinks(): Promise<PaymentLink[]> {
    const links = await collect<PaymentLink>(
      paginateScan(
        { client: this.client },
        {
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :payment) AND sk = :link',
          ExpressionAttributeValues: { ':payment': 'PAYMENT#', ':link': 'LINK' },
        },
      ),
      'link',
    );
    return links.sort((a, b) => a.linkedAt.localeCompare(b.linkedAt) || a.paymentId.localeCompare(b.paymentId));
  }

  /** Every page of a strongly consistent query of the table. */
  private consistentQuery(keyCondition: string, values: Record<string, string>) {
    return paginateQuery(
      { client: this.client },
      { TableName: this.tableName, KeyConditionExpression: keyCondition, ExpressionAttributeValues: values, ConsistentRead: true },
    );
  }

  /** The put of a payment's link item, on `condition`. */
  private putLink(link: PaymentLink, condition: PutCondition): TransactItem {
    return { Put: { TableName: this.tableName, Item: { ...linkKey(link.paymentId), link }, ...condition } };
  }

  /** Writes the items in one transaction; returns the cancellation (a condition failed, or a conflict) instead of throwing it. */
  private async transact(items: TransactItem[]): Promise<TransactionCanceledException | undefined> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return undefined;
    } catch (error) {
      if (!isTransactionCancelled(error)) throw error;
      return error;
    }
  }
}

/** The `field` of every item on every page of a query or scan. */
async function collect<T>(pages: AsyncIterable<{ Items?: Record<string, unknown>[] }>, field: 'event' | 'link'): Promise<T[]> {
  const values: T[] = [];
  for await (const page of pages) for (const item of page.Items ?? []) values.push(item[field] as T);
  return values;
}
