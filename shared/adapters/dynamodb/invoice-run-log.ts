/**
 * The invoice run's log in the billing table: pk `INVOICE_RUN#{YYYY-MM}`, sk
 * `CUSTOMERS_ENQUEUED`, one small item per period, overwritten by each full enqueue.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InvoiceRunLog } from '#ports/invoice-run-log.ts';

const runKey = (period: string) => ({ pk: `INVOICE_RUN#${period}`, sk: 'CUSTOMERS_ENQUEUED' });

export class DynamoDbInvoiceRunLog implements InvoiceRunLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async customersEnqueued(period: string): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: runKey(period), ConsistentRead: true }));
    return Item === undefined ? undefined : String(Item.catalogVersion);
  }

  async recordCustomersEnqueued(period: string, catalogVersion: string, at: string): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...runKey(period), catalogVersion, enqueuedAt: at } }));
  }
}
