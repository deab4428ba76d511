/**
 * The outbound outbox in the billing table (ports/outbound-outbox.ts: why).
 *
 * | item            | pk       | sk          |
 * | pending fact    | OUTBOX   | {event id}  |  the fact as JSON in `fact`, `recordedAt`
 *
 * One partition: an item lives from the change that wrote it to the publish a moment later
 * (or to the next hourly sweep when publishing failed), so the partition holds a handful of
 * items, and a Query lists them without a scan. Keyed by the event id, so recording the same
 * fact twice keeps one item.
 */
import { DeleteCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboundFact } from '#domain/outbound/catalogue.ts';
import { outboundEventId } from '#domain/outbound/envelope.ts';
import type { OutboundOutbox } from '#ports/outbound-outbox.ts';

const OUTBOX_PK = 'OUTBOX';

/** The transaction items that record `facts` beside the change that makes them (recordedAt: when, by this machine's clock). */
export function outboxPuts(tableName: string, facts: readonly OutboundFact[]) {
  const recordedAt = new Date().toISOString();
  return facts.map((fact) => ({
    Put: {
      TableName: tableName,
      Item: { pk: OUTBOX_PK, sk: outboundEventId(fact), fact: JSON.stringify(fact), recordedAt },
    },
  }));
}

export class DynamoDbOutboundOutbox implements OutboundOutbox {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listPending(): Promise<OutboundFact[]> {
    const items: Record<string, unknown>[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': OUTBOX_PK },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items
      .sort((a, b) => String(a.recordedAt).localeCompare(String(b.recordedAt)))
      .map((item) => JSON.parse(String(item.fact)) as OutboundFact);
  }

  async clear(facts: readonly OutboundFact[]): Promise<void> {
    for (const fact of facts) {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: OUTBOX_PK, sk: outboundEventId(fact) } }));
    }
  }
}
