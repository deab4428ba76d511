/**
 * The outputs users and the CLI rely on (CONTRACTS.md section 6): written by `npm start` to
 * .billflow/outputs.json, and by the CDK stack as stack outputs of the same names.
 *
 * One definition: each output's description (the stack output's), where its value comes from
 * (the same resource in AWS and locally), and its schema, which is what the CLI validates an
 * outputs file with. Outputs without a schema are for operators only; the CLI ignores them.
 */
import { z } from 'zod';
import type { pipelineSettings } from '#infra/resources.ts';
import { buckets, queues, tables } from '#infra/resources.ts';

/**
 * Where an output's value comes from:
 * - `{ env }`: the table name, queue URL or bucket name the functions get in that variable;
 * - `{ setting }`: a pipelineSettings value, as the functions get it;
 * - `region`, `apiUrl`: the pipeline's region and the HTTP API's base URL;
 * - `stack`: only a deployed stack has it; `local`: only `npm start` has it.
 */
export type OutputSource =
  { readonly env: string } | { readonly setting: keyof typeof pipelineSettings } | 'region' | 'apiUrl' | 'stack' | 'local';

export interface OutputDefinition {
  readonly description: string;
  readonly source: OutputSource;
  /** How the CLI validates the value; none: the CLI does not read it. */
  readonly schema?: z.ZodType;
}

const name = z.string().min(1);

/** An output holding what the functions get in `envVar`: a table name, queue URL or bucket name. */
function fromEnv<Schema extends z.ZodType>(envVar: string, schema: Schema, description: string) {
  return { description, source: { env: envVar }, schema };
}

export const outputDefinitions = {
  region: { description: 'AWS region of the pipeline', source: 'region', schema: name },
  eventsQueueUrl: fromEnv(queues.events.envVar, name, 'Publish billing events (CloudEvents JSON) here'),
  eventsDlqUrl: fromEnv(queues.events.deadLetter.envVar, name, 'Events that failed every retry; `billflow dlq redrive` moves them back'),
  /** Not in CONTRACTS.md: the invoice run's fan-out queue, for `billflow invoices run`. */
  invoiceJobsQueueUrl: fromEnv(
    queues.invoiceJobs.envVar,
    name,
    'Invoice run fan-out: one close-billing-period job per customer and period (CLI)',
  ),
  invoiceJobsDlqUrl: fromEnv(
    queues.invoiceJobs.deadLetter.envVar,
    name,
    'Invoice jobs that failed every retry (`billflow invoices run --period` enqueues them again)',
  ),
  /** Optional: when present, `billflow invoices run` also waits for rendering and sending. */
  invoiceDocumentsQueueUrl: fromEnv(
    queues.invoiceDocuments.envVar,
    name.optional(),
    'Finalized invoices to render (one { number } per message)',
  ),
  invoiceEmailsQueueUrl: fromEnv(queues.invoiceEmails.envVar, name.optional(), 'Rendered invoices to email (one { number } per message)'),
  /** Optional: when present, `billflow payments` commands wait for queued webhook events. */
  paymentEventsQueueUrl: fromEnv(
    queues.paymentEvents.envVar,
    name.optional(),
    'Accepted Stripe events waiting to be applied (`billflow payments` waits for it to drain)',
  ),
  invoicesBucket: fromEnv(buckets.invoices.envVar, name, 'Rendered invoice documents'),
  /** AWS only (issue 19): the bus of outbound events; locally they go straight to the webhook deliveries queue. */
  eventBusName: fromEnv(
    'EVENT_BUS_NAME',
    name.optional(),
    'EventBridge bus of billflow events (CloudEvents in detail): attach your rules to it',
  ),
  webhookDeliveriesQueueUrl: fromEnv(
    queues.webhookDeliveries.envVar,
    name.optional(),
    'Outbound events waiting to be posted to webhook endpoints (locally the CLI publishes here)',
  ),
  webhookDeliveriesDlqUrl: fromEnv(
    queues.webhookDeliveries.deadLetter.envVar,
    name.optional(),
    'Webhook deliveries that failed for over 3 days: `billflow webhooks replay` sends them again',
  ),
  // Not in the contract: the CLI reads and writes the tables directly and must use the
  // functions' shard count, so `cdk deploy --outputs-file` works as --outputs.
  eventsTable: fromEnv(tables.events.envVar, name, 'Events table (CLI)'),
  billingTable: fromEnv(tables.billing.envVar, name, 'Billing table (CLI)'),
  /** Must match the functions' EVENT_WRITE_SHARDS for the CLI to read every shard. */
  eventWriteShards: {
    description: 'EVENT_WRITE_SHARDS of the functions (CLI)',
    source: { setting: 'EVENT_WRITE_SHARDS' },
    schema: z.coerce.number().int().min(1).max(64),
  },
  finalizationSettleSeconds: {
    description: 'FINALIZATION_SETTLE_SECONDS of the functions (CLI)',
    source: { setting: 'FINALIZATION_SETTLE_SECONDS' },
    schema: z.coerce.number().int().min(1),
  },
  /** Base URL of the HTTP API: webhooks go to `{apiUrl}/webhooks/stripe`. */
  apiUrl: {
    description: 'Base URL of the HTTP API (no trailing slash): Stripe webhooks go to {apiUrl}/webhooks/stripe',
    source: 'apiUrl',
    schema: z.string().optional(),
  },
  stripeWebhookSecret: {
    description: 'Local only, when STRIPE_WEBHOOK_SECRET is unset: the generated endpoint secret (CONTRACTS.md section 5)',
    source: 'local',
    schema: z.string().optional(),
  },
  mailViewerUrl: { description: 'Local only: the web page showing the emails sent', source: 'local', schema: z.string().optional() },
  endpoints: {
    description: 'Local only: the emulators the CLI talks to instead of AWS',
    source: 'local',
    schema: z.object({ dynamodb: z.string(), sqs: z.string(), s3: z.string(), ses: z.string() }).optional(),
  },
  stripeWebhookSecretArn: {
    description:
      'Put the Stripe webhook signing secret here: aws secretsmanager put-secret-value --secret-id <this> --secret-string whsec_...',
    source: 'stack',
  },
  dashboardUrl: { description: 'CloudWatch dashboard of the pipeline: one row per stage (docs/operations.md)', source: 'stack' },
} as const satisfies Record<string, OutputDefinition>;

type Definitions = typeof outputDefinitions;
export type OutputName = keyof Definitions;
type SchemaShape = {
  readonly [K in OutputName as Definitions[K] extends { readonly schema: z.ZodType } ? K : never]: Definitions[K] extends {
    readonly schema: infer S;
  }
    ? S
    : never;
};

/** Outputs whose value only `source` provides, e.g. the stack-only outputs. */
export function outputsFrom(source: 'stack' | 'local'): OutputName[] {
  return (Object.keys(outputDefinitions) as OutputName[]).filter((output) => outputDefinitions[output].source === source);
}

export const outputsSchema = z.object(
  Object.fromEntries(
    Object.entries(outputDefinitions).flatMap(([output, definition]) => ('schema' in definition ? [[output, definition.schema]] : [])),
  ) as SchemaShape,
);

export type Outputs = z.infer<typeof outputsSchema>;
