/**
 * The one definition of billflow's alarm settings and texts: what each function's errors and
 * throttles alarms say, each queue's backlog threshold and remedies, each schedule's remedy, and
 * the alarms on business metrics. Each stage construct (infra/stages/) creates the alarms of
 * its own functions, queues and schedules from these rows; docs/operations.md explains them.
 */
import { Duration } from 'aws-cdk-lib';
import { consumers, httpRoutes, queues, schedules, type QueueDefinition } from './resources.ts';

type FunctionId =
  | (typeof consumers)[keyof typeof consumers]['functionId']
  | (typeof schedules)[keyof typeof schedules]['functionId']
  | (typeof httpRoutes)[keyof typeof httpRoutes]['functionId']
  | (typeof httpRoutes)['serveApi']['authorizer']['functionId'];

export interface FunctionAlarmDefinition {
  /** The errors alarm's description: what a failed invocation means and where its work goes. */
  readonly errors: string;
  /** What happens to throttled work, in the throttles alarm's description. */
  readonly throttled: string;
}

/** Throttled batches of a queue consumer go back to its queue. */
const requeued = (queue: QueueDefinition) =>
  `Throttled batches return to the ${queue.id} queue and are retried; a message received ${queue.maxReceiveCount} times goes to ${queue.deadLetter.id}.`;
/** A throttled scheduled run is retried by Lambda, then lands in the schedule's dead-letter queue (FunctionSchedule). */
const retriedAsync = (functionId: string) =>
  `Lambda retries a throttled scheduled run for up to 6 hours; after that it goes to ${functionId}-schedule-dlq.`;

const { ingestEvents: ingest, closeBillingPeriod: close, renderInvoice: render, sendInvoice: send, recordMailEvent: mailEvent } = consumers;
const { applyPaymentEvent: applyPayment, deliverWebhooks: deliverHooks } = consumers;
const { startInvoiceRun: run, runDunning: dunning } = schedules;
const webhook = httpRoutes.receiveStripeWebhook;
const { serveApi, showInvoicePage: invoicePage } = httpRoutes;

/** Every function has an errors and a throttles alarm: `{functionId}-errors`, `{functionId}-throttles`. */
export const functionAlarms: Readonly<Record<FunctionId, FunctionAlarmDefinition>> = {
  [ingest.functionId]: {
    errors: `${ingest.functionId} failed whole invocations (crash, timeout, configuration error, or DynamoDB failing beyond its retries); the batch's messages return to the ${queues.events.id} queue and are retried, and end in ${queues.events.deadLetter.id} after ${queues.events.maxReceiveCount} receives. Events rejected for their content are not errors (see EventsRejected and "billflow events rejected"). See its log group.`,
    throttled: requeued(queues.events),
  },
  [run.functionId]: {
    errors: `The invoice run failed (some jobs could not be enqueued, or the catalog could not be read). The next hourly run retries; see its log group.`,
    throttled: retriedAsync(run.functionId),
  },
  [close.functionId]: {
    errors: `${close.functionId} failed whole invocations (crash, timeout or configuration error); failed jobs are retried and end in ${queues.invoiceJobs.deadLetter.id}. See its log group.`,
    throttled: requeued(queues.invoiceJobs),
  },
  [render.functionId]: {
    errors: `${render.functionId} failed whole invocations (crash, timeout or configuration error, e.g. the fonts missing from the bundle); failed requests are retried and end in ${queues.invoiceDocuments.deadLetter.id}. See its log group.`,
    throttled: requeued(queues.invoiceDocuments),
  },
  [send.functionId]: {
    errors: `${send.functionId} failed whole invocations (crash, timeout or configuration error); failed requests are retried and end in ${queues.invoiceEmails.deadLetter.id}. See its log group.`,
    throttled: requeued(queues.invoiceEmails),
  },
  [mailEvent.functionId]: {
    errors: `${mailEvent.functionId} failed whole invocations; failed events are retried and end in ${queues.invoiceMailEvents.deadLetter.id}. See its log group.`,
    throttled: requeued(queues.invoiceMailEvents),
  },
  [webhook.functionId]: {
    errors: `${webhook.functionId} failed requests with 500 (crash, timeout, DynamoDB or SQS unavailable, or the secret unreadable or malformed, e.g. more than two comma-separated values). Stripe retries for up to three days, so nothing is lost yet: fix the cause (see its log group).`,
    throttled: 'API Gateway answers the webhook with a 5xx and Stripe retries it for up to three days.',
  },
  [serveApi.functionId]: {
    errors: `${serveApi.functionId} answered HTTP API requests with 500 (crash, timeout, DynamoDB, SQS or S3 unavailable). The callers got a 5xx and retry (an Idempotency-Key makes their retry safe); nothing they were told was accepted is lost. See its log group.`,
    throttled: 'API Gateway answers the request with a 5xx; callers retry.',
  },
  [serveApi.authorizer.functionId]: {
    errors: `${serveApi.authorizer.functionId} failed (DynamoDB unavailable, timeout): API Gateway answers /v1 requests whose key is not in its cache with 500 until it recovers. See its log group.`,
    throttled: 'API Gateway answers /v1 requests whose key is not cached with a 5xx; callers retry.',
  },
  [invoicePage.functionId]: {
    errors: `${invoicePage.functionId} answered hosted invoice page requests with 500 (crash, timeout, DynamoDB or S3 unavailable): customers opening the link from their email got an error page and can reload it. Nothing is lost. See its log group.`,
    throttled: 'API Gateway answers the page request with a 5xx; the customer can reload it.',
  },
  [applyPayment.functionId]: {
    errors: `${applyPayment.functionId} failed whole invocations (crash, timeout or configuration error); failed events are retried and end in ${queues.paymentEvents.deadLetter.id}, and their invoices stay unpaid meanwhile. See its log group.`,
    throttled: requeued(queues.paymentEvents),
  },
  [deliverHooks.functionId]: {
    errors: `${deliverHooks.functionId} failed whole invocations (crash, timeout or configuration error); the events return to the ${queues.webhookDeliveries.id} queue, are retried and end in ${queues.webhookDeliveries.deadLetter.id}. Endpoints that answer an error are not invocation errors (see WebhookDeliveryFailures). See its log group.`,
    throttled: requeued(queues.webhookDeliveries),
  },
  [dunning.functionId]: {
    errors: `The dunning run failed or some reminders could not be sent for now (its log group lists the invoice numbers and reasons). Lambda retries the run twice; reminders already sent are not sent again, and tomorrow's run sends what is still due.`,
    throttled: retriedAsync(dunning.functionId),
  },
};

/** What every throttles alarm says, after which function and before what happens to its work. */
export const throttlesAlarmDescription = (functionId: string, throttled: string) =>
  `Invocations of ${functionId} were throttled: the account's Lambda concurrency is used up (by this stack or other functions of the account). ${throttled} Look at ConcurrentExecutions and Throttles per function in the Lambda console; if the load is legitimate, request a higher concurrent executions quota (Service Quotas), or give other functions reserved concurrency limits.`;

export interface QueueAlarmDefinition {
  /** Alarm when the oldest message has waited longer than this. */
  readonly maxMessageAge: Duration;
  /** What a backlog means for the business. */
  readonly backlogImpact: string;
  /** What to do with dead-lettered messages once the cause is fixed (default: `billflow dlq redrive`). */
  readonly deadLetterRemedy?: string;
}

/** What to do with dead-lettered render or send requests once the cause is fixed. */
const INVOICE_DELIVERY_REMEDY =
  'then move them back: redelivery is safe, because rendering and sending are idempotent on the invoice number (a stored document is not rendered again, a sent invoice is not emailed again). Use the SQS console ("Start DLQ redrive") or `aws sqs start-message-move-task --source-arn <DLQ ARN>`.';
/**
 * Rendering and sending take seconds per invoice; a document or email request still waiting
 * after 15 minutes means render-invoice or send-invoice is failing (or SES is throttling).
 */
const MAX_INVOICE_DELIVERY_AGE = Duration.minutes(15);

/** Every queue has `{queue}-oldest-message-age`, `{dlq}-not-empty` and `{dlq}-messages-expiring`. */
export const queueAlarms: Readonly<Record<keyof typeof queues, QueueAlarmDefinition>> = {
  events: {
    // Events still queued when a period's invoice is finalized land on the next invoice as late
    // events. A quarter of the default grace period (1 hour; the catalog may set a longer one)
    // leaves time to act before that happens.
    maxMessageAge: Duration.minutes(15),
    backlogImpact: 'Events still queued when their period is finalized are billed on the next invoice as late events (nothing is lost).',
  },
  invoiceJobs: {
    // Every invoice run enqueues each customer again an hour later; jobs still waiting after half
    // that interval mean close-billing-period is failing or cannot keep up.
    maxMessageAge: Duration.minutes(30),
    backlogImpact: 'Invoices of the waiting customers are drafted or finalized late (the next hourly run enqueues them again).',
    // `billflow dlq redrive` moves event messages only; a job is simply enqueued again.
    deadLetterRemedy:
      'then run "billflow invoices run --period <period of the job>" (the hourly run also enqueues every customer of the last ended period and every open draft again).',
  },
  invoiceDocuments: {
    maxMessageAge: MAX_INVOICE_DELIVERY_AGE,
    deadLetterRemedy: INVOICE_DELIVERY_REMEDY,
    backlogImpact: 'Finalized invoices reach their customers late.',
  },
  invoiceEmails: {
    maxMessageAge: MAX_INVOICE_DELIVERY_AGE,
    deadLetterRemedy: INVOICE_DELIVERY_REMEDY,
    backlogImpact: 'Finalized invoices reach their customers late.',
  },
  invoiceMailEvents: {
    // record-mail-event records bounces and complaints within seconds; an event still waiting
    // after an hour means it is failing (e.g. its email not linked to an invoice).
    maxMessageAge: Duration.hours(1),
    backlogImpact: 'Bounces and complaints are recorded on their invoices late.',
    deadLetterRemedy:
      'then move them back with the SQS console ("Start DLQ redrive") or `aws sqs start-message-move-task`. Recording is idempotent; an event whose email is not (yet) linked to an invoice fails until it is.',
  },
  paymentEvents: {
    // apply-payment-event applies an event within seconds. One still waiting after 15 minutes
    // means it is failing, and an invoice that was paid may still look unpaid to the next
    // dunning run, which would remind the customer of an invoice they paid.
    maxMessageAge: Duration.minutes(15),
    backlogImpact: 'Paid invoices still look unpaid, and the next dunning run may remind a customer who has paid.',
    deadLetterRemedy:
      'then move them back with the SQS console ("Start DLQ redrive") or `aws sqs start-message-move-task --source-arn <DLQ ARN>`: redelivery is safe, because each Stripe event is applied once (idempotent on its event id). A message whose webhook event is not stored fails every time: look for that event id in the receive-stripe-webhook log group.',
  },
  webhookDeliveries: {
    // A failing endpoint keeps its events in the queue for over 3 days on purpose (backoff);
    // an event still there after an hour means an endpoint has been failing for an hour.
    maxMessageAge: Duration.hours(1),
    backlogImpact: 'A webhook endpoint has been failing for an hour or more: its system does not hear of invoices, payments and reminders.',
    deadLetterRemedy:
      'these events were retried for more than 3 days. See "billflow webhooks deliveries" for the failing endpoint and its answers; once it is fixed, "billflow webhooks replay [--endpoint ID] [--since T]" sends them again (subscribers dedupe on webhook-id).',
  },
};

/** What to do about a scheduled run that did not complete: `{functionId}-schedule-dlq-not-empty`. */
export const scheduleAlarms: Readonly<Record<keyof typeof schedules, { readonly remedy: string }>> = {
  startInvoiceRun: {
    remedy: 'The next hourly run catches up; to run it now, use "billflow invoices run --as-of <the scheduled time>".',
  },
  runDunning: {
    remedy:
      'Tomorrow\'s run sends whatever is still due; to run it now, invoke the run-dunning function with {"asOf": "<the scheduled time>"} (reminders already sent are not sent again).',
  },
};

export interface BusinessAlarmDefinition {
  /** Construct id (and so logical id) of the alarm. */
  readonly id: string;
  /** Alarm name after the stack prefix. */
  readonly name: string;
  /** The business metric (namespace Billflow), summed over 5 minutes. */
  readonly metricName: string;
  /** Fires when the sum reaches this. */
  readonly threshold: number;
  readonly description: string;
}

/** Periods of the business alarms: the metrics' sum over 5 minutes. */
export const BUSINESS_ALARM_PERIOD = Duration.minutes(5);
/**
 * A few signature failures are normal while the endpoint secret is rotated (Stripe signs with
 * the new secret before the stack holds it) or from the odd scanner; 20 in 5 minutes means the
 * secret is wrong (every real delivery fails) or someone is probing the endpoint.
 */
const WEBHOOK_SIGNATURE_FAILURES_THRESHOLD = 20;

export const businessAlarms = {
  /** Any customer whose invoice job failed: close-billing-period's errors alarm does not see it (partial batch responses). */
  invoiceJobsFailed: {
    id: 'InvoiceJobsFailedAlarm',
    name: 'invoice-jobs-failed',
    metricName: 'InvoiceJobsFailed',
    threshold: 1,
    description: `A customer's invoice job failed in ${close.functionId} (it is retried, and dead-lettered after ${queues.invoiceJobs.maxReceiveCount} receives): that customer gets no invoice until it is fixed. The log group has "invoice job failed" with the customer, period and reason (a plan, issuer or tax rate missing from the catalog, an amount too large); "billflow invoices run --period YYYY-MM" lists the failing customers. Fix the cause, then run that period again.`,
  },
  /** A payment could not be matched to an invoice. */
  unmatchedPayments: {
    id: 'UnmatchedPaymentsAlarm',
    name: 'unmatched-payments',
    metricName: 'UnmatchedPayments',
    threshold: 1,
    description:
      'A Stripe payment could not be matched to an invoice (no or unknown metadata.invoice_number, or another currency): the money is received but no invoice shows it. List them with "billflow payments unmatched" and apply each with "billflow payments match PAYMENT_ID NUMBER" (or refund it in Stripe).',
  },
  /** A spike of webhook requests with a missing or bad signature. */
  webhookSignatureFailures: {
    id: 'WebhookSignatureFailuresAlarm',
    name: 'webhook-signature-failures',
    metricName: 'WebhookSignatureFailures',
    threshold: WEBHOOK_SIGNATURE_FAILURES_THRESHOLD,
    description: `At least ${WEBHOOK_SIGNATURE_FAILURES_THRESHOLD} webhook requests in 5 minutes had a missing, bad or stale Stripe signature and were refused (400). If Stripe's dashboard shows failing deliveries, the secret is wrong: compare the endpoint's signing secret with the stripeWebhookSecretArn secret (one "whsec_...", or old and new separated by a comma while rotating) and put the right value; Stripe retries refused events. Otherwise someone is probing the endpoint: see the source ips in the API's access log group.`,
  },
  /** Webhook endpoints answering errors or not at all (each attempt is retried, with backoff). */
  webhookDeliveryFailures: {
    id: 'WebhookDeliveryFailuresAlarm',
    name: 'webhook-delivery-failures',
    metricName: 'WebhookDeliveryFailures',
    threshold: 5,
    description:
      'At least 5 webhook deliveries in 5 minutes were refused by their endpoint (non-2xx, a redirect, no answer within the timeout, or an address not allowed). They are retried with backoff for more than 3 days, then dead-lettered. "billflow webhooks deliveries" shows each attempt with its status code; tell the endpoint\'s owner, or remove the endpoint ("billflow webhooks remove ID").',
  },
} as const satisfies Record<string, BusinessAlarmDefinition>;
