/**
 * The payment path on the local services for integration tests: a fresh stack with the catalog's
 * customers, the functions' workers behind their pollers, the local HTTP API taking Stripe
 * webhooks signed with `secret`, an outputs file for the CLI, and October's invoices finalized,
 * rendered and emailed (100.00 EUR minimum + 19 % VAT each).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import type { Customer } from '#domain/catalog/types.ts';
import { localFunctionEnvironment, localOutputs } from '#infra/local/function-environment.ts';
import { startLocalHttpApi, type LocalHttpApi } from '#infra/local/http-api.ts';
import { tables } from '#infra/resources.ts';
import { applyCatalog } from '#use-cases/apply-catalog.ts';
import { drainDelivery } from './delivery-harness.ts';
import { CUSTOMERS_ENTERED, invoicingCatalog } from './invoicing-catalog.ts';
import { runScheduledInvoiceRun, startTestWorkers } from './local-functions.ts';
import { createTestStack, TEST_REGION, type TestStack } from './local-stack.ts';

export interface PaymentsPipeline {
  readonly stack: TestStack;
  readonly api: LocalHttpApi;
  readonly invoices: DynamoDbInvoiceRepository;
  /** The CLI's --outputs file, in `workDir`. */
  readonly outputsFile: string;
  readonly workDir: string;
  stop(): Promise<void>;
}

export async function startPaymentsPipeline(options: {
  customers: readonly Customer[];
  secret: string;
  name: string;
}): Promise<PaymentsPipeline> {
  const stack = await createTestStack({ visibilityTimeoutSeconds: 3 });
  const billingTable = stack.env[tables.billing.envVar]!;
  const catalog = await applyCatalog(
    invoicingCatalog([...options.customers]),
    new DynamoDbCatalogRepository(stack.clients.dynamodb, billingTable, CUSTOMERS_ENTERED),
  );
  if (!catalog.ok) throw new Error('catalog invalid');
  Object.assign(
    process.env,
    localFunctionEnvironment(stack, stack.endpoints, TEST_REGION, { verbose: false, stripeWebhookSecret: options.secret }),
  );
  const workers = await startTestWorkers(stack, options.name);
  const api = await startLocalHttpApi({
    port: 0,
    region: TEST_REGION,
    prefix: options.name,
    onError: (functionId, error) => console.error(functionId, error),
  });
  const workDir = mkdtempSync(join(tmpdir(), `billflow-${options.name}-`));
  const outputsFile = join(workDir, 'outputs.json');
  writeFileSync(outputsFile, JSON.stringify(localOutputs(stack, stack.endpoints, TEST_REGION, 'http://127.0.0.1:0/', { url: api.url })));

  await runScheduledInvoiceRun('2026-11-01T02:00:00Z');
  await drainDelivery(stack);
  return {
    stack,
    api,
    invoices: new DynamoDbInvoiceRepository(stack.clients.dynamodb, billingTable),
    outputsFile,
    workDir,
    async stop() {
      await api.stop();
      await workers.stop();
    },
  };
}
