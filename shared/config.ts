/**
 * Function configuration, read from the environment once per container and validated, so a
 * misconfigured deployment fails at start with a message naming the variable.
 */
import { z } from 'zod';
import { DEFAULT_PAGE_LINK_DAYS, MAX_PAGE_LINK_DAYS } from '#domain/invoice/page-link.ts';
import { LOCAL_OUTBOUND_SOURCE } from '#domain/outbound/envelope.ts';

const positiveInt = (name: string, fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from 1 to ${max}, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const required = (name: string, what: string) => z.string({ error: `${name} (${what}) is not set` }).min(1, `${name} (${what}) is empty`);

const eventSettings = {
  EVENTS_TABLE: required('EVENTS_TABLE', 'events table name'),
  BILLING_TABLE: required('BILLING_TABLE', 'billing table name'),
  // Fixed for the life of a table: every copy of an event must hash to the same shard (docs/storage.md).
  EVENT_WRITE_SHARDS: positiveInt('EVENT_WRITE_SHARDS', 4, 64),
  EVENT_RETENTION_DAYS: positiveInt('EVENT_RETENTION_DAYS', 400, 3650),
};

const ingestConfigSchema = z.object(eventSettings);

const invoicingConfigSchema = z.object({
  ...eventSettings,
  INVOICE_JOBS_QUEUE_URL: required('INVOICE_JOBS_QUEUE_URL', 'invoice jobs queue URL'),
  INVOICE_DOCUMENTS_QUEUE_URL: required('INVOICE_DOCUMENTS_QUEUE_URL', 'invoice documents queue URL'),
  FINALIZATION_SETTLE_SECONDS: positiveInt('FINALIZATION_SETTLE_SECONDS', 120, 3600),
});

export interface IngestConfig {
  readonly eventsTable: string;
  readonly billingTable: string;
  readonly eventWriteShards: number;
  readonly eventRetentionDays: number;
}

export interface InvoicingConfig extends IngestConfig {
  readonly invoiceJobsQueueUrl: string;
  readonly invoiceDocumentsQueueUrl: string;
  readonly settleMs: number;
}

function parse<T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv): T {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`billflow configuration is invalid: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  return parsed.data;
}

export function readIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const value = parse(ingestConfigSchema, env);
  return {
    eventsTable: value.EVENTS_TABLE,
    billingTable: value.BILLING_TABLE,
    eventWriteShards: value.EVENT_WRITE_SHARDS,
    eventRetentionDays: value.EVENT_RETENTION_DAYS,
  };
}

export function readInvoicingConfig(env: NodeJS.ProcessEnv = process.env): InvoicingConfig {
  const value = parse(invoicingConfigSchema, env);
  return {
    ...readIngestConfig(env),
    invoiceJobsQueueUrl: value.INVOICE_JOBS_QUEUE_URL,
    invoiceDocumentsQueueUrl: value.INVOICE_DOCUMENTS_QUEUE_URL,
    settleMs: value.FINALIZATION_SETTLE_SECONDS * 1000,
  };
}

/** What every function that emails an invoice's PDF reads (send-invoice, run-dunning). */
const mailingSettings = {
  BILLING_TABLE: required('BILLING_TABLE', 'billing table name'),
  INVOICES_BUCKET: required('INVOICES_BUCKET', 'invoices bucket name'),
  /** SES configuration set whose events record bounces; unset locally. */
  SES_CONFIGURATION_SET: z.string().optional(),
};

const dunningConfigSchema = z.object(mailingSettings);

const deliveryConfigSchema = z.object({
  ...mailingSettings,
  INVOICE_EMAILS_QUEUE_URL: required('INVOICE_EMAILS_QUEUE_URL', 'invoice emails queue URL'),
  /** The HTTP API's base URL: invoice emails link to `{it}/i/{token}` (issue 20); unset, they carry no link. */
  INVOICE_PAGE_BASE_URL: z
    .string()
    .url('INVOICE_PAGE_BASE_URL must be the HTTP API base URL, e.g. https://abc.execute-api.eu-central-1.amazonaws.com')
    .optional(),
  /** Days a link to the invoice page opens it (docs/invoicing.md, "The invoice page"). */
  INVOICE_PAGE_LINK_DAYS: positiveInt('INVOICE_PAGE_LINK_DAYS', DEFAULT_PAGE_LINK_DAYS, MAX_PAGE_LINK_DAYS),
});

export interface DunningConfig {
  readonly billingTable: string;
  readonly invoicesBucket: string;
  readonly sesConfigurationSet?: string;
}

export interface DeliveryConfig extends DunningConfig {
  readonly invoiceEmailsQueueUrl: string;
  /** Where the hosted invoice pages are (the HTTP API's base URL), if the emails link to them. */
  readonly invoicePageBaseUrl?: string;
  readonly invoicePageLinkDays: number;
}

function mailingConfig(value: z.infer<typeof dunningConfigSchema>): DunningConfig {
  return {
    billingTable: value.BILLING_TABLE,
    invoicesBucket: value.INVOICES_BUCKET,
    ...(value.SES_CONFIGURATION_SET === undefined || value.SES_CONFIGURATION_SET === ''
      ? {}
      : { sesConfigurationSet: value.SES_CONFIGURATION_SET }),
  };
}

export function readDeliveryConfig(env: NodeJS.ProcessEnv = process.env): DeliveryConfig {
  const value = parse(deliveryConfigSchema, env);
  return {
    ...mailingConfig(value),
    invoiceEmailsQueueUrl: value.INVOICE_EMAILS_QUEUE_URL,
    invoicePageLinkDays: value.INVOICE_PAGE_LINK_DAYS,
    ...(value.INVOICE_PAGE_BASE_URL === undefined || value.INVOICE_PAGE_BASE_URL === ''
      ? {}
      : { invoicePageBaseUrl: value.INVOICE_PAGE_BASE_URL }),
  };
}

export function readDunningConfig(env: NodeJS.ProcessEnv = process.env): DunningConfig {
  return mailingConfig(parse(dunningConfigSchema, env));
}

export function readBillingTableConfig(env: NodeJS.ProcessEnv = process.env): { readonly billingTable: string } {
  return { billingTable: parse(z.object({ BILLING_TABLE: required('BILLING_TABLE', 'billing table name') }), env).BILLING_TABLE };
}

const webhookConfigSchema = z
  .object({
    BILLING_TABLE: required('BILLING_TABLE', 'billing table name'),
    PAYMENT_EVENTS_QUEUE_URL: required('PAYMENT_EVENTS_QUEUE_URL', 'payment events queue URL'),
    /** In AWS: the Secrets Manager secret holding the endpoint secret(s). */
    STRIPE_WEBHOOK_SECRET_ARN: z.string().optional(),
    /** Locally: the endpoint secret(s) themselves (CONTRACTS.md section 5). */
    STRIPE_WEBHOOK_SECRET: z.string().optional(),
  })
  .refine((value) => (value.STRIPE_WEBHOOK_SECRET_ARN ?? '') !== '' || (value.STRIPE_WEBHOOK_SECRET ?? '') !== '', {
    message: 'set STRIPE_WEBHOOK_SECRET_ARN (a Secrets Manager secret) or STRIPE_WEBHOOK_SECRET (the secret, or two separated by a comma)',
  });

export interface WebhookConfig {
  readonly billingTable: string;
  readonly paymentEventsQueueUrl: string;
  readonly webhookSecret: { readonly secretArn: string } | { readonly value: string };
}

export function readWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const value = parse(webhookConfigSchema, env);
  return {
    billingTable: value.BILLING_TABLE,
    paymentEventsQueueUrl: value.PAYMENT_EVENTS_QUEUE_URL,
    webhookSecret:
      (value.STRIPE_WEBHOOK_SECRET_ARN ?? '') !== ''
        ? { secretArn: value.STRIPE_WEBHOOK_SECRET_ARN! }
        : { value: value.STRIPE_WEBHOOK_SECRET! },
  };
}

const apiConfigSchema = z.object({
  ...eventSettings,
  EVENTS_QUEUE_URL: required('EVENTS_QUEUE_URL', 'events queue URL'),
  INVOICES_BUCKET: required('INVOICES_BUCKET', 'invoices bucket name'),
});

export interface ApiConfig extends IngestConfig {
  readonly eventsQueueUrl: string;
  readonly invoicesBucket: string;
}

/** The HTTP API (functions/serve-api). */
export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const value = parse(apiConfigSchema, env);
  return { ...readIngestConfig(env), eventsQueueUrl: value.EVENTS_QUEUE_URL, invoicesBucket: value.INVOICES_BUCKET };
}

/** The API key authorizer (functions/authorize-api-key): the billing table only. */
export function readAuthorizerConfig(env: NodeJS.ProcessEnv = process.env): { readonly billingTable: string } {
  return { billingTable: parse(z.object({ BILLING_TABLE: eventSettings.BILLING_TABLE }), env).BILLING_TABLE };
}

/**
 * Where a publishing function sends outbound events (issue 19): the stack's EventBridge bus in
 * AWS (EVENT_BUS_NAME), the webhook-deliveries queue locally (no bus there). OUTBOUND_SOURCE is
 * the CloudEvents `source`, `billflow/{stack name}`.
 */
const outboundConfigSchema = z
  .object({
    EVENT_BUS_NAME: z.string().optional(),
    WEBHOOK_DELIVERIES_QUEUE_URL: z.string().optional(),
    OUTBOUND_SOURCE: z.string().optional(),
  })
  .refine((value) => (value.EVENT_BUS_NAME ?? '') !== '' || (value.WEBHOOK_DELIVERIES_QUEUE_URL ?? '') !== '', {
    message: 'set EVENT_BUS_NAME (the stack event bus, in AWS) or WEBHOOK_DELIVERIES_QUEUE_URL (the local webhook deliveries queue)',
  });

export interface OutboundConfig {
  readonly target: { readonly eventBusName: string } | { readonly queueUrl: string };
  readonly source: string;
}

export function readOutboundConfig(env: NodeJS.ProcessEnv = process.env): OutboundConfig {
  const value = parse(outboundConfigSchema, env);
  return {
    target:
      (value.EVENT_BUS_NAME ?? '') !== '' ? { eventBusName: value.EVENT_BUS_NAME! } : { queueUrl: value.WEBHOOK_DELIVERIES_QUEUE_URL! },
    source: (value.OUTBOUND_SOURCE ?? '') !== '' ? value.OUTBOUND_SOURCE! : LOCAL_OUTBOUND_SOURCE,
  };
}

const webhookDeliveryConfigSchema = z.object({
  BILLING_TABLE: required('BILLING_TABLE', 'billing table name'),
  WEBHOOK_DELIVERIES_QUEUE_URL: required('WEBHOOK_DELIVERIES_QUEUE_URL', 'webhook deliveries queue URL'),
  /** `public-https` in AWS (the default); `local` (http, loopback) only for npm start. */
  WEBHOOK_URL_POLICY: z
    .enum(['public-https', 'local'], { error: 'WEBHOOK_URL_POLICY must be public-https or local' })
    .default('public-https'),
  WEBHOOK_TIMEOUT_SECONDS: positiveInt('WEBHOOK_TIMEOUT_SECONDS', 10, 30),
  /** First retry delay, doubling up to WEBHOOK_RETRY_MAX_SECONDS (SQS allows 12 hours). */
  WEBHOOK_RETRY_BASE_SECONDS: positiveInt('WEBHOOK_RETRY_BASE_SECONDS', 60, 43_200),
  WEBHOOK_RETRY_MAX_SECONDS: positiveInt('WEBHOOK_RETRY_MAX_SECONDS', 43_200, 43_200),
});

export interface WebhookDeliveryConfig {
  readonly billingTable: string;
  readonly queueUrl: string;
  readonly urlPolicy: 'public-https' | 'local';
  readonly timeoutMs: number;
  readonly retry: { readonly baseSeconds: number; readonly maxSeconds: number };
}

export function readWebhookDeliveryConfig(env: NodeJS.ProcessEnv = process.env): WebhookDeliveryConfig {
  const value = parse(webhookDeliveryConfigSchema, env);
  return {
    billingTable: value.BILLING_TABLE,
    queueUrl: value.WEBHOOK_DELIVERIES_QUEUE_URL,
    urlPolicy: value.WEBHOOK_URL_POLICY,
    timeoutMs: value.WEBHOOK_TIMEOUT_SECONDS * 1000,
    retry: { baseSeconds: value.WEBHOOK_RETRY_BASE_SECONDS, maxSeconds: value.WEBHOOK_RETRY_MAX_SECONDS },
  };
}

const invoicePageConfigSchema = z.object({
  BILLING_TABLE: mailingSettings.BILLING_TABLE,
  INVOICES_BUCKET: mailingSettings.INVOICES_BUCKET,
});

/** What the hosted invoice page reads (show-invoice-page): its tokens and invoices, and their documents. */
export function readInvoicePageConfig(env: NodeJS.ProcessEnv = process.env): {
  readonly billingTable: string;
  readonly invoicesBucket: string;
} {
  const value = parse(invoicePageConfigSchema, env);
  return { billingTable: value.BILLING_TABLE, invoicesBucket: value.INVOICES_BUCKET };
}
