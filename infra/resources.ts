/**
 * The one definition of billflow's stateful resources and event-source wiring.
 *
 * The CDK stack (infra/stack.ts) and the local stack (infra/local/provision.ts,
 * infra/local/poller.ts) both build from these values, so local and cloud cannot drift:
 * a key schema, a redrive count or a batch size changed here changes both.
 * Plain data only: no CDK or SDK imports, so the local runtime does not load aws-cdk-lib.
 */

export interface TableDefinition {
  /** Logical id in the stack and suffix of the physical name (`billflow-{stage}-{id}` locally). */
  readonly id: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Attribute holding an epoch-seconds expiry, if items expire. */
  readonly timeToLiveAttribute?: string;
  /** Environment variable through which functions and the CLI receive the table name. */
  readonly envVar: string;
  /**
   * Sparse global secondary indexes, keys only: readers get the table keys and read the items
   * they need; every index write stays one unit however large the item, and billflow's indexed
   * items (invoices) are large and rewritten often.
   */
  readonly globalIndexes?: readonly GlobalIndexDefinition[];
}

export interface GlobalIndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface QueueDefinition {
  readonly id: string;
  readonly envVar: string;
  /** Seconds a received message stays invisible; AWS advises >= 6x the consumer's timeout. */
  readonly visibilityTimeoutSeconds: number;
  readonly retentionDays: number;
  /**
   * Largest message body accepted. 256 KiB, not SQS's 1 MiB maximum: a body that is rejected
   * whole is stored as one DynamoDB item (400 KB limit) with its reason.
   */
  readonly maxMessageSizeBytes: number;
  /** Receives before SQS moves a message to the dead-letter queue. */
  readonly maxReceiveCount: number;
  readonly deadLetter: { readonly id: string; readonly envVar: string; readonly retentionDays: number };
}

export interface BucketDefinition {
  readonly id: string;
  readonly envVar: string;
}

/** How a queue feeds a function: mirrors the Lambda SQS event source mapping. */
export interface QueueConsumerDefinition {
  readonly functionId: string;
  /** Handler module (exports `handler`), relative to the repo root: bundled by CDK, imported locally. */
  readonly entry: string;
  readonly queueId: string;
  /** Messages per invocation (SQS event source mapping BatchSize). */
  readonly batchSize: number;
  /** Seconds to wait while filling a batch (MaximumBatchingWindowInSeconds). */
  readonly maxBatchingWindowSeconds: number;
  /** Function timeout; the queue's visibility timeout is 6x this. */
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

export const tables = {
  /** Stored usage events (packed chunks), rejected events and late-event markers. */
  events: {
    id: 'events',
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLiveAttribute: 'expiresAt',
    envVar: 'EVENTS_TABLE',
  },
  /** Catalog (issuer, tax rates, meters, plans, customers), invoices, webhook events, payments. */
  billing: {
    id: 'billing',
    partitionKey: 'pk',
    sortKey: 'sk',
    // The HTTP API's idempotency keys (24 hours), the invoice page's tokens (180 days by default) and webhook
    // delivery records (30 days: webhook-endpoint-store.ts) expire; nothing else in the table has the attribute.
    timeToLiveAttribute: 'expiresAt',
    envVar: 'BILLING_TABLE',
    globalIndexes: [
      // Finalized invoices with an amount still due, by due date: what dunning reads daily.
      // Sparse: the key attributes are removed once an invoice is paid, refunded or void.
      // An open invoice is rewritten several times (rendered, sent, paid in part, reminded):
      // a whole copy in the index would bill its size again each time; dunning reads the few
      // overdue ones once a day instead.
      { name: 'open-receivables', partitionKey: 'receivable', sortKey: 'receivableDue' },
      // Invoices still in draft, by billing period: what the hourly invoice run (re)closes.
      // Sparse: the key attributes go when the draft is finalized or closed without an invoice,
      // so a run with nothing left to close reads nothing, however many invoices are kept.
      { name: 'open-drafts', partitionKey: 'openDraft', sortKey: 'draftPeriod' },
      // Finalized invoices whose PDF or email is still to come, by the time of their last
      // delivery step: what the invoice run hands to render-invoice again once that step is
      // older than the claim timeout (a lost message, a sender that crashed after its claim).
      // Sparse: the key attributes go once the invoice is sent, failed or bounced.
      { name: 'open-deliveries', partitionKey: 'openDelivery', sortKey: 'deliveryStep' },
      // The HTTP API's listings, a page at a time without a Scan: customers (`listing` CUSTOMERS,
      // by id) and invoices (`listing` INVOICES, by period then customer). One index for both,
      // as CloudFormation adds one index per table update. Its keys never change once written,
      // so an item's later rewrites do not write the index again.
      { name: 'listings', partitionKey: 'listing', sortKey: 'listingOrder' },
    ],
  },
} as const satisfies Record<string, TableDefinition>;

const INGEST_TIMEOUT_SECONDS = 60;

export const queues = {
  events: {
    id: 'events',
    envVar: 'EVENTS_QUEUE_URL',
    visibilityTimeoutSeconds: 6 * INGEST_TIMEOUT_SECONDS,
    retentionDays: 14,
    maxMessageSizeBytes: 256 * 1024,
    maxReceiveCount: 5,
    deadLetter: { id: 'events-dlq', envVar: 'EVENTS_DLQ_URL', retentionDays: 14 },
  },
  /** One message per customer and period to close: the invoice run's fan-out. */
  invoiceJobs: {
    id: 'invoice-jobs',
    envVar: 'INVOICE_JOBS_QUEUE_URL',
    visibilityTimeoutSeconds: 6 * 120,
    retentionDays: 14,
    maxMessageSizeBytes: 256 * 1024,
    maxReceiveCount: 5,
    deadLetter: { id: 'invoice-jobs-dlq', envVar: 'INVOICE_JOBS_DLQ_URL', retentionDays: 14 },
  },
  /** One message per finalized invoice to render and store (idempotent on the invoice number). */
  invoiceDocuments: {
    id: 'invoice-documents',
    envVar: 'INVOICE_DOCUMENTS_QUEUE_URL',
    visibilityTimeoutSeconds: 6 * 60,
    retentionDays: 14,
    maxMessageSizeBytes: 256 * 1024,
    maxReceiveCount: 5,
    deadLetter: { id: 'invoice-documents-dlq', envVar: 'INVOICE_DOCUMENTS_DLQ_URL', retentionDays: 14 },
  },
  /** One message per rendered invoice to email (exactly one email per invoice). */
  invoiceEmails: {
    id: 'invoice-emails',
    envVar: 'INVOICE_EMAILS_QUEUE_URL',
    visibilityTimeoutSeconds: 6 * 60,
    retentionDays: 14,
    maxMessageSizeBytes: 256 * 1024,
    maxReceiveCount: 5,
    deadLetter: { id: 'invoice-emails-dlq', envVar: 'INVOICE_EMAILS_DLQ_URL', retentionDays: 14 },
  },
  /** SES events (bounce, complaint, ...) of invoice emails, via the configuration set and SNS. */
  invoiceMailEvents: {
    id: 'invoice-mail-events',
    envVar: 'INVOICE_MAIL_EVENTS_QUEUE_URL',
    visibilityTimeoutSeconds: 6 * 30,
    retentionDays: 14,
    maxMessageSizeBytes: 256 * 1024,
    maxReceiveCount: 5,
    deadLetter: { id: 'invoice-mail-events-dlq', envVar: 'INVOICE_MAIL_EVENTS_DLQ_URL', retentionDays: 14 },
  },
  /** One message per accepted Stripe webhook event ({ eventId }), applied to invoices once. */
  paymentEvents: {
    id: 'payment-events',
    envVar: 'PAYMENT_EVENTS_QUEUE_URL',
    visibilityTimeoutSeconds: 6 * 30,
    retentionDays: 14,
    maxMessageSizeBytes: 256 * 1024,
    maxReceiveCount: 5,
    deadLetter: { id: 'payment-events-dlq', envVar: 'PAYMENT_EVENTS_DLQ_URL', retentionDays: 14 },
  },
  /**
   * One outbound event per message (issue 19), fed by the event bus rule (locally by the queue
   * adapter): posted to every subscribed webhook endpoint. A failing delivery is made invisible
   * for 1 min, 2, 4, ... up to 12 h (deliver-webhooks), so 16 receives span over 3 days
   * (test/unit/outbound-events.test.ts checks it), then dead-lettered for `webhooks replay`.
   */
  webhookDeliveries: {
    id: 'webhook-deliveries',
    envVar: 'WEBHOOK_DELIVERIES_QUEUE_URL',
    visibilityTimeoutSeconds: 6 * 60,
    retentionDays: 14,
    maxMessageSizeBytes: 256 * 1024,
    maxReceiveCount: 16,
    deadLetter: { id: 'webhook-deliveries-dlq', envVar: 'WEBHOOK_DELIVERIES_DLQ_URL', retentionDays: 14 },
  },
} as const satisfies Record<string, QueueDefinition>;

/** A function run on a schedule (EventBridge Scheduler in AWS, a timer in `npm start`). */
export interface ScheduleDefinition {
  readonly functionId: string;
  readonly entry: string;
  /** EventBridge Scheduler expression (UTC); the local scheduler reads `every`. */
  readonly expression: string;
  /** The same timing for the local scheduler: on the hour, or daily at an hour (UTC). */
  readonly every: { readonly unit: 'hour' } | { readonly unit: 'day'; readonly atHourUtc: number };
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

export const buckets = {
  invoices: { id: 'invoices', envVar: 'INVOICES_BUCKET' },
} as const satisfies Record<string, BucketDefinition>;

/**
 * V8 options of render-invoice (NODE_OPTIONS): a young generation of up to 64 MB per semi-space
 * instead of V8's default cap (16 MB on a large machine, less on a 1 GB Lambda). A 300-line
 * invoice allocates tens of megabytes of short-lived strings and buffers (its 380 KB Factur-X
 * XML is built from thousands of pieces); with the default cap V8 scavenges many times per
 * render and copies what is still alive each time. Measured with `npm run bench`, which runs
 * with the same options (package.json; test/infra/stack.test.ts checks they match): 300-line
 * render 20-21 -> 16-17 ms median, one page unchanged. It is a cap, not a reservation: the young
 * generation grows to it only while a render needs it, well inside the function's 1,024 MB.
 */
export const RENDER_V8_OPTIONS = '--max-semi-space-size=64';

export const consumers = {
  ingestEvents: {
    functionId: 'ingest-events',
    entry: 'functions/ingest-events/handler.ts',
    queueId: queues.events.id,
    // 100 bodies of up to 100 events each: enough events per customer in one invocation
    // to pack them into few DynamoDB items (docs/storage.md). Lambda caps the payload at 6 MB.
    batchSize: 100,
    maxBatchingWindowSeconds: 1,
    timeoutSeconds: INGEST_TIMEOUT_SECONDS,
    memorySize: 1024,
  },
  closeBillingPeriod: {
    functionId: 'close-billing-period',
    entry: 'functions/close-billing-period/handler.ts',
    queueId: 'invoice-jobs',
    // One customer per message; a few per invocation keeps a slow customer from holding many.
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 120,
    memorySize: 1024,
  },
  renderInvoice: {
    functionId: 'render-invoice',
    entry: 'functions/render-invoice/handler.ts',
    queueId: 'invoice-documents',
    batchSize: 5,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 60,
    memorySize: 1024,
  },
  recordMailEvent: {
    functionId: 'record-mail-event',
    entry: 'functions/record-mail-event/handler.ts',
    queueId: 'invoice-mail-events',
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 30,
    memorySize: 256,
  },
  applyPaymentEvent: {
    functionId: 'apply-payment-event',
    entry: 'functions/apply-payment-event/handler.ts',
    queueId: 'payment-events',
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 30,
    memorySize: 512,
  },
  sendInvoice: {
    functionId: 'send-invoice',
    entry: 'functions/send-invoice/handler.ts',
    queueId: 'invoice-emails',
    batchSize: 5,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 60,
    memorySize: 512,
  },
  deliverWebhooks: {
    functionId: 'deliver-webhooks',
    entry: 'functions/deliver-webhooks/handler.ts',
    queueId: 'webhook-deliveries',
    // Each event's endpoints are posted at once, the events one after the other: 5 events of
    // at most 10 s (WEBHOOK_TIMEOUT_SECONDS) each fit the timeout.
    batchSize: 5,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 60,
    memorySize: 256,
  },
} as const satisfies Record<string, QueueConsumerDefinition>;

export const schedules = {
  /** Hourly: drafts for periods that ended, finalization once the grace period is over. */
  startInvoiceRun: {
    functionId: 'start-invoice-run',
    entry: 'functions/start-invoice-run/handler.ts',
    expression: 'rate(1 hour)',
    every: { unit: 'hour' },
    timeoutSeconds: 300,
    memorySize: 512,
  },
  /** Daily: overdue reminders (dunning) for invoices unpaid 3, 10, 20 days after their due date. */
  runDunning: {
    functionId: 'run-dunning',
    entry: 'functions/run-dunning/handler.ts',
    expression: 'cron(0 6 * * ? *)',
    every: { unit: 'day', atHourUtc: 6 },
    // Sends the reminders itself (a few per second through SES): 15 minutes is thousands.
    timeoutSeconds: 900,
    memorySize: 512,
  },
} as const satisfies Record<string, ScheduleDefinition>;

/** A function behind the HTTP API (API Gateway in AWS, infra/local/http-api.ts locally). */
export interface HttpRouteDefinition {
  readonly functionId: string;
  readonly entry: string;
  /** `ANY`: every method (API Gateway's ANY route); the function routes further. */
  readonly method: 'GET' | 'POST' | 'PUT' | 'ANY';
  readonly path: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** A Lambda authorizer run before the function (in AWS by API Gateway, locally by infra/local/http-api.ts). */
  readonly authorizer?: HttpAuthorizerDefinition;
}

/** A Lambda authorizer (payload 2.0, simple responses) on the `Authorization` header. */
export interface HttpAuthorizerDefinition {
  readonly functionId: string;
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** How long API Gateway keeps a verdict per Authorization header (so a revoked key works this long at most). */
  readonly cacheTtlSeconds: number;
}

/** API keys of the HTTP API (issue 18): checked before serve-api runs. */
const apiKeyAuthorizer = {
  functionId: 'authorize-api-key',
  entry: 'functions/authorize-api-key/handler.ts',
  timeoutSeconds: 5,
  memorySize: 256,
  cacheTtlSeconds: 60,
} as const satisfies HttpAuthorizerDefinition;

export const httpRoutes = {
  /** Stripe payment webhooks (CONTRACTS.md section 5): verified, stored, queued, 200. */
  receiveStripeWebhook: {
    functionId: 'receive-stripe-webhook',
    entry: 'functions/receive-stripe-webhook/handler.ts',
    method: 'POST',
    path: '/webhooks/stripe',
    // Stripe waits up to 10 s for an answer; the work behind the 200 is one put and one send.
    timeoutSeconds: 10,
    memorySize: 512,
  },
  /** The HTTP API for upstream systems (issue 18, docs/api.md): one function routes every /v1 request. */
  serveApi: {
    functionId: 'serve-api',
    entry: 'functions/serve-api/handler.ts',
    method: 'ANY',
    path: '/v1/{proxy+}',
    // The slowest request is a usage preview: one customer's events of one period read and priced.
    timeoutSeconds: 29,
    memorySize: 1024,
    authorizer: apiKeyAuthorizer,
  },
  /** The OpenAPI document, readable without a key (same function). */
  serveApiDocument: {
    functionId: 'serve-api',
    entry: 'functions/serve-api/handler.ts',
    method: 'GET',
    path: '/v1/openapi.json',
    timeoutSeconds: 29,
    memorySize: 1024,
  },
  /**
   * The hosted invoice page (issue 20) the invoice email links to: no authorizer, the
   * unguessable token in the path is the credential. Reads one token, one invoice, one document.
   */
  showInvoicePage: {
    functionId: 'show-invoice-page',
    entry: 'functions/show-invoice-page/handler.ts',
    method: 'GET',
    path: '/i/{token}',
    timeoutSeconds: 10,
    memorySize: 512,
  },
  /** Its downloads, `/i/{token}/pdf` and `/i/{token}/xml`, answered as bytes (same function). */
  showInvoicePageDocument: {
    functionId: 'show-invoice-page',
    entry: 'functions/show-invoice-page/handler.ts',
    method: 'GET',
    path: '/i/{token}/{document}',
    timeoutSeconds: 10,
    memorySize: 512,
  },
} as const satisfies Record<string, HttpRouteDefinition>;

/**
 * Settings every function receives as environment variables, in AWS and locally; the CLI
 * gets the ones it needs through the outputs.
 */
export const pipelineSettings = {
  /** Write shards per customer and period; fixed for the life of the events table. */
  EVENT_WRITE_SHARDS: '4',
  /** Days after a period's end that its events are kept (the contract needs at least 40). */
  EVENT_RETENTION_DAYS: '400',
  /**
   * Seconds between an invoice's cut and the finalization that takes it: every ingest invocation
   * that stamped a chunk before the cut has finished writing it (the ingest timeout is 60 s).
   * A period is finalized no earlier than this long after its grace period (the catalog's
   * `billing.gracePeriodHours`) is over.
   */
  FINALIZATION_SETTLE_SECONDS: '120',
} as const;
