/** What the delivery tests share: the SES emulator's emails to one address, and a drained delivery chain. */
import { queues, tables } from '#infra/resources.ts';
import { localFunctionEnvironment } from '#infra/local/function-environment.ts';
import type { SqsHandler } from '#infra/local/queue-poller.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import type { CatalogDocument, Customer } from '#domain/catalog/types.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { CUSTOMERS_ENTERED, invoicingCatalog } from './invoicing-catalog.ts';
import { waitForDrained } from './ingest-harness.ts';
import { TEST_REGION, type TestStack } from './local-stack.ts';

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { filename?: string; content: string; contentType: string }[];
}

export async function emailsTo(stack: TestStack, address: string): Promise<StoredEmail[]> {
  const response = await fetch(`${stack.endpoints.ses}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.some((to) => to.includes(address)));
}

/** Each stage feeds the next (jobs -> documents -> emails): waits until the chain has gone quiet twice in a row. */
export async function drainDelivery(stack: TestStack): Promise<void> {
  for (let round = 0; round < 2; round += 1) {
    for (const queue of [queues.invoiceJobs, queues.invoiceDocuments, queues.invoiceEmails]) {
      await waitForDrained(stack.clients.sqs, stack.env[queue.envVar]!, 60_000);
    }
  }
}

/**
 * Applies the invoicing catalog with `customers` (or `catalog`), points the handlers' environment at the stack
 * and returns the invoice repository and the real send-invoice handler (to wrap with faults).
 */
export async function prepareDelivery(
  stack: TestStack,
  customers: readonly Customer[],
  catalog: CatalogDocument = invoicingCatalog(customers),
): Promise<{ invoices: DynamoDbInvoiceRepository; realSend: SqsHandler }> {
  const billingTable = stack.env[tables.billing.envVar]!;
  const applied = await applyCatalog(catalog, new DynamoDbCatalogRepository(stack.clients.dynamodb, billingTable, CUSTOMERS_ENTERED));
  if (!applied.ok) throw new Error('catalog invalid');
  Object.assign(process.env, localFunctionEnvironment(stack, stack.endpoints, TEST_REGION, { verbose: false }));
  const realSend = (await import('#functions/send-invoice/handler.ts')).handler as unknown as SqsHandler;
  return { invoices: new DynamoDbInvoiceRepository(stack.clients.dynamodb, billingTable), realSend };
}
