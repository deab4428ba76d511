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
} from '@aws-sdk/lib-dynamodb';
import type { PaymentEvent } from '#domain/payments/payment-event.ts';
import type { PaymentLink, PaymentStore } from '#ports/payment-store.ts';
import { isConditionFailed, isTransactionCancelled } from '../errors.ts';

const paymentPk = (paymentId: string) => `PAYMENT#${paymentId}`;
const linkKey = (paymentId: string) => ({ pk: paymentPk(paymentId), sk: 'LINK' });
const UNMATCHED_PK = 'PAYMENTS#UNMATCHED';

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
    const events: PaymentEvent[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
        ExpressionAttributeValues: { ':pk': paymentPk(paymentId), ':event': 'EVENT#' },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) events.push(item.event as PaymentEvent);
    return events;
  }

  async linkOf(paymentId: string): Promise<PaymentLink | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: linkKey(paymentId), ConsistentRead: true }));
    return Item?.link as PaymentLink | undefined;
  }

  async linkIfUnlinked(link: PaymentLink): Promise<PaymentLink> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...linkKey(link.paymentId), link },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...(link.status === 'unmatched'
              ? [{ Put: { TableName: this.tableName, Item: { pk: UNMATCHED_PK, sk: link.paymentId, link } } }]
              : []),
          ],
        }),
      );
      return link;
    } catch (error) {
      if (!isTransactionCancelled(error)) throw error;
      const existing = await this.linkOf(link.paymentId);
      if (existing === undefined) throw error;
      return existing;
    }
  }

  async replaceUnmatched(matched: PaymentLink): Promise<boolean> {
    const { paymentId } = matched;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...linkKey(paymentId), link: matched },
                ConditionExpression: '#link.#status = :unmatched',
                ExpressionAttributeNames: { '#link': 'link', '#status': 'status' },
                ExpressionAttributeValues: { ':unmatched': 'unmatched' },
              },
            },
            { Delete: { TableName: this.tableName, Key: { pk: UNMATCHED_PK, sk: paymentId } } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (!isTransactionCancelled(error)) throw error;
      // Matched meanwhile by someone else.
      return false;
    }
  }

  async listUnmatched(): Promise<PaymentLink[]> {
    const links: PaymentLink[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': UNMATCHED_PK },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) links.push(item.link as PaymentLink);
    return links;
  }

  /** Every payment with a link: a filtered scan, for the operator's `payments list`. */
  async listLinks(): Promise<PaymentLink[]> {
    const links: PaymentLink[] = [];
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.tableName,
        FilterExpression: 'begins_with(pk, :payment) AND sk = :link',
        ExpressionAttributeValues: { ':payment': 'PAYMENT#', ':link': 'LINK' },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) links.push(item.link as PaymentLink);
    return links.sort((a, b) => a.linkedAt.localeCompare(b.linkedAt) || a.paymentId.localeCompare(b.paymentId));
  }
}
