/**
 * Gives the customers, invoices and credit notes stored before the `listings` index existed their
 * entry in it (`billflow api reindex`): until they are written again they are missing from the HTTP
 * API's listings. One Scan of the billing table, filtered to customer, invoice and credit-note items
 * without an entry, and one conditional UpdateItem each (only if the item still exists and
 * still has no entry: an item rewritten meanwhile already has it). Safe to run again, and
 * while the pipeline runs.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { paginateScan, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CUSTOMER_PREFIX, CUSTOMER_SK, customerListingKey } from './catalog-repository.ts';
import { creditNoteListingKey, NOTES_PREFIX } from './credit-note-store.ts';
import { INVOICE_PREFIX, invoiceListingKey } from './invoice-repository.ts';

const BILLING_PERIOD = /^\d{4}-\d{2}$/;

export async function backfillListings(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<{ customers: number; invoices: number; creditNotes: number }> {
  const added = { customers: 0, invoices: 0, creditNotes: 0 };
  const pages = paginateScan(
    { client },
    {
      TableName: tableName,
      FilterExpression:
        'attribute_not_exists(listing) AND ((begins_with(pk, :customer) AND sk = :profile) OR begins_with(pk, :invoice) OR begins_with(pk, :notes))',
      ExpressionAttributeValues: {
        ':customer': CUSTOMER_PREFIX,
        ':profile': CUSTOMER_SK,
        ':invoice': INVOICE_PREFIX,
        ':notes': NOTES_PREFIX,
      },
      ProjectionExpression: 'pk, sk',
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const [pk, sk] = [String(item.pk), String(item.sk)];
      const kind = pk.startsWith(CUSTOMER_PREFIX) ? 'customers' : pk.startsWith(NOTES_PREFIX) ? 'creditNotes' : 'invoices';
      const entry =
        kind === 'customers'
          ? customerListingKey(pk.slice(CUSTOMER_PREFIX.length))
          : kind === 'creditNotes'
            ? creditNoteListingKey(sk)
            : BILLING_PERIOD.test(sk)
              ? invoiceListingKey(pk.slice(INVOICE_PREFIX.length), sk)
              : undefined;
      if (entry === undefined) continue;
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk, sk },
            UpdateExpression: 'SET listing = :listing, listingOrder = :order',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(listing)',
            ExpressionAttributeValues: { ':listing': entry.listing, ':order': entry.listingOrder },
          }),
        );
        added[kind] += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }
  return added;
}
