/**
 * Failed invoice jobs in the billing table: pk `INVOICE_JOB_FAILED#{YYYY-MM}`, sk the customer
 * id, one item per customer and period, updated on each failure (last reason, time, attempt
 * count). Nothing is written when a job succeeds: readers ask for failures since a run began.
 */
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { InvoiceJobFailure, InvoiceJobFailures } from '#ports/invoice-job-failures.ts';

const partition = (period: string) => `INVOICE_JOB_FAILED#${period}`;

export class DynamoDbInvoiceJobFailures implements InvoiceJobFailures {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(failure: Omit<InvoiceJobFailure, 'attempts'>): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: partition(failure.period), sk: failure.customerId },
        UpdateExpression: 'SET customerId = :customerId, period = :period, reason = :reason, failedAt = :failedAt ADD attempts :one',
        ExpressionAttributeValues: {
          ':customerId': failure.customerId,
          ':period': failure.period,
          // An error message is not a document: keep the item small whatever was thrown.
          ':reason': failure.reason.slice(0, 2000),
          ':failedAt': failure.failedAt,
          ':one': 1,
        },
      }),
    );
  }

  async listSince(period: string, since: number): Promise<InvoiceJobFailure[]> {
    const failures: InvoiceJobFailure[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'failedAt >= :since',
          ExpressionAttributeValues: { ':pk': partition(period), ':since': new Date(since).toISOString() },
          ConsistentRead: true,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of page.Items ?? []) {
        failures.push({
          customerId: String(item.customerId),
          period: String(item.period),
          reason: String(item.reason),
          failedAt: String(item.failedAt),
          attempts: Number(item.attempts),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return failures;
  }
}
