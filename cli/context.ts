/**
 * What every command needs: the outputs (local .billflow/outputs.json, --outputs FILE, or a
 * deployed stack's outputs saved with `cdk deploy --outputs-file`), AWS clients pointed at
 * them, and the adapters built on those clients.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAwsClients, type AwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/event-store.ts';
import { DynamoDbRejectedEventStore } from '#adapters/dynamodb/rejected-event-store.ts';
import { DynamoDbCatalogRepository } from '#adapters/dynamodb/catalog-repository.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbCreditNoteStore } from '#adapters/dynamodb/credit-note-store.ts';
import { DynamoDbCustomerBalances } from '#adapters/dynamodb/customer-balance-store.ts';
import { DynamoDbInvoiceRunLog } from '#adapters/dynamodb/invoice-run-log.ts';
import { DynamoDbInvoiceJobFailures } from '#adapters/dynamodb/invoice-job-failure-store.ts';
import { DynamoDbPaymentStore } from '#adapters/dynamodb/payment-store.ts';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import { outputsSchema, type Outputs } from '#shared/outputs.ts';
import { pipelineSettings } from '#infra/resources.ts';
import { UsageError } from './errors.ts';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchBusinessMetrics } from '#adapters/cloudwatch/cloudwatch-metrics.ts';
import { noBusinessMetrics, type BusinessMetrics } from '#ports/business-metrics.ts';
import { noOutboundEvents, type OutboundEvents } from '#ports/outbound-events.ts';
import { createOutboundEvents } from '#adapters/outbound-events.ts';
import { DynamoDbOutboundOutbox } from '#adapters/dynamodb/outbound-outbox.ts';
import { clearingOutbox } from '#use-cases/publish-recorded.ts';
import type { OutboundOutbox } from '#ports/outbound-outbox.ts';
import { DynamoDbWebhookEndpointStore } from '#adapters/dynamodb/webhook-endpoint-store.ts';
import { LOCAL_OUTBOUND_SOURCE, outboundSourceOfBus } from '#domain/outbound/envelope.ts';

export interface CliContext {
  readonly outputs: Outputs;
  readonly clients: AwsClients;
  readonly events: DynamoDbEventStore;
  readonly rejected: DynamoDbRejectedEventStore;
  readonly catalog: DynamoDbCatalogRepository;
  readonly invoices: DynamoDbInvoiceRepository;
  readonly creditNotes: DynamoDbCreditNoteStore;
  readonly balances: DynamoDbCustomerBalances;
  readonly invoiceRuns: DynamoDbInvoiceRunLog;
  readonly invoiceJobFailures: DynamoDbInvoiceJobFailures;
  readonly payments: DynamoDbPaymentStore;
  readonly documents: S3DocumentStore;
  readonly mailer: SesMailer;
  /** CloudWatch against AWS; nothing locally (no CloudWatch emulator). */
  readonly metrics: BusinessMetrics;
  /** Facts made by CLI commands (void, credit notes, subscriptions): the bus in AWS, the webhook deliveries queue locally. */
  readonly outbound: OutboundEvents;
  /** Facts recorded with their change, until published (`billflow outbound flush`); undefined when the outputs name no target. */
  readonly outbox: OutboundOutbox | undefined;
  readonly webhookEndpoints: DynamoDbWebhookEndpointStore;
}

export const DEFAULT_OUTPUTS = '.billflow/outputs.json';

export function loadOutputs(file: string | undefined): Outputs {
  const path = resolve(file ?? process.env.BILLFLOW_OUTPUTS ?? DEFAULT_OUTPUTS);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(
      `cannot read ${path}: start the local pipeline with \`npm start\`, or pass --outputs FILE (e.g. the file written by \`cdk deploy --outputs-file\`)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
  // `cdk deploy --outputs-file` nests the outputs under the stack name.
  const candidate =
    json !== null && typeof json === 'object' && !('eventsQueueUrl' in json) && Object.keys(json).length === 1
      ? (Object.values(json) as unknown[])[0]
      : json;
  const parsed = outputsSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new UsageError(
      `${path} is missing outputs: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export function createContext(outputsFile: string | undefined): CliContext {
  const outputs = loadOutputs(outputsFile);
  const local = outputs.endpoints;
  const clients = createAwsClients({
    region: outputs.region,
    ...(local === undefined ? {} : { endpoints: local, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
  const retentionDays = Number(pipelineSettings.EVENT_RETENTION_DAYS);
  return {
    outputs,
    clients,
    events: new DynamoDbEventStore({
      client: clients.dynamodb,
      tableName: outputs.eventsTable,
      shardCount: outputs.eventWriteShards,
      retentionDays,
    }),
    rejected: new DynamoDbRejectedEventStore({
      client: clients.dynamodb,
      tableName: outputs.eventsTable,
      shardCount: outputs.eventWriteShards,
      retentionDays,
    }),
    catalog: new DynamoDbCatalogRepository(clients.dynamodb, outputs.billingTable),
    invoices: new DynamoDbInvoiceRepository(clients.dynamodb, outputs.billingTable),
    creditNotes: new DynamoDbCreditNoteStore(clients.dynamodb, outputs.billingTable),
    balances: new DynamoDbCustomerBalances(clients.dynamodb, outputs.billingTable),
    invoiceRuns: new DynamoDbInvoiceRunLog(clients.dynamodb, outputs.billingTable),
    invoiceJobFailures: new DynamoDbInvoiceJobFailures(clients.dynamodb, outputs.billingTable),
    payments: new DynamoDbPaymentStore(clients.dynamodb, outputs.billingTable),
    documents: new S3DocumentStore(clients.s3, outputs.invoicesBucket),
    // Resends go out without the configuration set: its bounce events record on the invoice as usual once wired.
    mailer: new SesMailer(clients.ses),
    metrics: local === undefined ? new CloudWatchBusinessMetrics(new CloudWatchClient({ region: outputs.region })) : noBusinessMetrics,
    outbound: outboundOf(outputs, clients),
    outbox:
      outputs.eventBusName === undefined && outputs.webhookDeliveriesQueueUrl === undefined
        ? undefined
        : new DynamoDbOutboundOutbox(clients.dynamodb, outputs.billingTable),
    webhookEndpoints: new DynamoDbWebhookEndpointStore(clients.dynamodb, outputs.billingTable),
  };
}

/**
 * Commands record their facts in the outbound outbox with their change; what this publishes is
 * cleared from it. Outputs written before outbound events existed name neither target: nothing
 * is published (or cleared), and the stack's hourly sweep publishes the recorded facts.
 */
function outboundOf(outputs: Outputs, clients: AwsClients): OutboundEvents {
  const clientOptions = { sqs: clients.sqs, region: outputs.region };
  const outbox = new DynamoDbOutboundOutbox(clients.dynamodb, outputs.billingTable);
  if (outputs.eventBusName !== undefined) {
    const bus = createOutboundEvents(
      { target: { eventBusName: outputs.eventBusName }, source: outboundSourceOfBus(outputs.eventBusName) },
      clientOptions,
    );
    return clearingOutbox(bus, outbox);
  }
  if (outputs.webhookDeliveriesQueueUrl !== undefined) {
    const queue = createOutboundEvents(
      { target: { queueUrl: outputs.webhookDeliveriesQueueUrl }, source: LOCAL_OUTBOUND_SOURCE },
      clientOptions,
    );
    return clearingOutbox(queue, outbox);
  }
  return noOutboundEvents;
}
