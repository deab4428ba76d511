/**
 * billflow on AWS. Tables (with their indexes), queues, buckets, queue consumers, schedules and
 * HTTP routes are built from infra/resources.ts, the definition the local stack uses too;
 * nothing here restates its numbers.
 */
import { ArnFormat, Aws, CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ContextAttribute, ScheduleGroup, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type BucketProps } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailSendingEvent } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { BillingFunction, type BillingFunctionProps } from './constructs/billing-function.ts';
import { businessMetric, businessSearch } from './constructs/business-metric.ts';
import { FunctionSchedule } from './constructs/function-schedule.ts';
import { MailEvents } from './constructs/mail-events.ts';
import { notifyingAlarm } from './constructs/notifying-alarm.ts';
import { DASHBOARD_PERIOD, PipelineDashboard } from './constructs/pipeline-dashboard.ts';
import { QueueWithDeadLetter } from './constructs/queue-with-dead-letter.ts';
import { WebhookApi } from './constructs/webhook-api.ts';
import {
  buckets,
  consumers,
  httpRoutes,
  pipelineSettings,
  queues,
  schedules,
  tables,
  type QueueDefinition,
  type TableDefinition,
} from './resources.ts';
import { stageSettings, type Stage, type StageSettings } from './stage.ts';

export interface BillflowStackProps extends StackProps {
  readonly stage: Stage;
}

/**
 * Events still queued when a period's invoice is finalized land on the next invoice as late
 * events. Alarming at a quarter of the default grace period (1 hour; the catalog may set a
 * longer one) leaves time to act before that happens.
 */
const MAX_EVENT_QUEUE_AGE = Duration.minutes(15);
/**
 * Every invoice run enqueues each customer again an hour later; jobs still waiting after half
 * that interval mean close-billing-period is failing or cannot keep up.
 */
const MAX_INVOICE_JOB_AGE = Duration.minutes(30);
/**
 * An invoice run that Scheduler could not deliver within an hour is superseded by the next
 * hourly run, which does the same work (the run is idempotent); until then Scheduler retries.
 */
const INVOICE_RUN_MAX_EVENT_AGE = Duration.hours(1);
const INVOICE_RUN_RETRY_ATTEMPTS = 10;
/**
 * Rendering and sending take seconds per invoice; a document or email request still waiting
 * after 15 minutes means render-invoice or send-invoice is failing (or SES is throttling).
 */
const MAX_INVOICE_DELIVERY_AGE = Duration.minutes(15);
/** What to do with dead-lettered render or send requests once the cause is fixed. */
const INVOICE_DELIVERY_REMEDY =
  'then move them back: redelivery is safe, because rendering and sending are idempotent on the invoice number (a stored document is not rendered again, a sent invoice is not emailed again). Use the SQS console ("Start DLQ redrive") or `aws sqs start-message-move-task --source-arn <DLQ ARN>`.';
/**
 * record-mail-event records bounces and complaints within seconds; an event still waiting
 * after an hour means it is failing (e.g. its email not linked to an invoice): alarm.
 */
const MAX_MAIL_EVENT_AGE = Duration.hours(1);
/**
 * Keys of invoice documents in the invoices bucket: `invoices/{prefix}/{YYYY}/{number}.pdf`
 * (documentKey in shared/domain/invoice/email-content.ts). The delivery functions may only
 * touch these objects.
 */
const INVOICE_DOCUMENT_KEYS = 'invoices/*';
/** Invoices are written once; an older version only exists after a mistaken overwrite. */
const NONCURRENT_INVOICE_RETENTION = Duration.days(90);
/** Access logs are written once too; a deleted or overwritten one is kept this long. */
const NONCURRENT_ACCESS_LOG_RETENTION = Duration.days(30);
/**
 * apply-payment-event applies an event within seconds. One still waiting after 15 minutes
 * means it is failing, and an invoice that was paid may still look unpaid to the next
 * dunning run, which would remind the customer of an invoice they paid.
 */
const MAX_PAYMENT_EVENT_AGE = Duration.minutes(15);
/**
 * Throttle of the webhook API stage. Stripe delivers a few events per payment, far below
 * these rates even in a burst of retries after an outage. The route is open to anyone (only
 * the signature, checked in the function, authenticates it), so the limit is what caps the
 * Lambda and DynamoDB cost of a flood of unsigned requests: beyond it API Gateway answers 429
 * without invoking the function, and Stripe retries a 429 later.
 */
const WEBHOOK_RATE_LIMIT_PER_SECOND = 100;
const WEBHOOK_BURST_LIMIT = 200;
/** What the route's missing AWS authorizer is replaced by (cdk-nag acknowledgement). */
const WEBHOOK_AUTHENTICATION =
  'the caller is authenticated by its Stripe-Signature header (HMAC-SHA256 of the raw body with the endpoint secret, CONTRACTS.md section 5), verified by the function before anything is stored; Stripe cannot sign AWS (SigV4) requests nor present a JWT.';
/**
 * A few signature failures are normal while the endpoint secret is rotated (Stripe signs with
 * the new secret before the stack holds it) or from the odd scanner; 20 in 5 minutes means the
 * secret is wrong (every real delivery fails) or someone is probing the endpoint.
 */
const WEBHOOK_SIGNATURE_FAILURES_THRESHOLD = 20;
const BUSINESS_ALARM_PERIOD = Duration.minutes(5);
/**
 * A dunning run Scheduler could not deliver is retried for six hours: reminders a few hours
 * late are harmless, and the next day's run sends whatever is still due (every stage is
 * decided from the invoice as stored, so nothing is sent twice).
 */
const DUNNING_RUN_MAX_EVENT_AGE = Duration.hours(6);
const DUNNING_RUN_RETRY_ATTEMPTS = 10;

export class BillflowStack extends Stack {
  public readonly eventsTable: Table;
  public readonly billingTable: Table;
  public readonly eventsQueue: QueueWithDeadLetter;
  public readonly alarms: AlarmTopic;
  public readonly invoicesBucket: Bucket;
  public readonly accessLogsBucket: Bucket;
  public readonly ingestFunction: BillingFunction;
  public readonly invoiceJobsQueue: QueueWithDeadLetter;
  public readonly closeBillingPeriodFunction: BillingFunction;
  public readonly invoiceRunFunction: BillingFunction;
  /** Holds billflow's schedules; schedule execution roles trust only schedules of this group. */
  public readonly scheduleGroup: ScheduleGroup;
  public readonly invoiceRunSchedule: FunctionSchedule;
  public readonly invoiceDocumentsQueue: QueueWithDeadLetter;
  public readonly invoiceEmailsQueue: QueueWithDeadLetter;
  public readonly renderInvoiceFunction: BillingFunction;
  public readonly sendInvoiceFunction: BillingFunction;
  public readonly recordMailEventFunction: BillingFunction;
  /** SES configuration set of invoice emails, and the queue its bounces and complaints reach. */
  public readonly mailEvents: MailEvents;
  /** Accepted Stripe events ({ eventId }) from stripe-webhook to apply-payment-event. */
  public readonly paymentEventsQueue: QueueWithDeadLetter;
  public readonly applyPaymentEventFunction: BillingFunction;
  /** The Stripe webhook endpoint secret(s): one `whsec_...`, or two separated by a comma. */
  public readonly stripeWebhookSecret: Secret;
  public readonly stripeWebhookFunction: BillingFunction;
  /** The HTTP API of `httpRoutes` (POST /webhooks/stripe). */
  public readonly webhookApi: WebhookApi;
  public readonly dunningRunFunction: BillingFunction;
  public readonly dunningRunSchedule: FunctionSchedule;
  /** A payment could not be matched to an invoice (UnmatchedPayments >= 1 in 5 minutes). */
  public readonly unmatchedPaymentsAlarm: Alarm;
  /** Any customer whose invoice job failed: close-billing-period's errors alarm does not see it (partial batch responses). */
  public readonly invoiceJobsFailedAlarm: Alarm;
  /** A spike of webhook requests with a missing or bad signature. */
  public readonly webhookSignatureFailuresAlarm: Alarm;
  /** The operators' CloudWatch dashboard, named like the stack (docs/operations.md). */
  public readonly dashboard: PipelineDashboard;

  public constructor(scope: Construct, id: string, props: BillflowStackProps) {
    const { stage, ...stackProps } = props;
    const settings = stageSettings(stage);
    super(scope, id, {
      description: `billflow (${stage}): usage events in, invoices out`,
      terminationProtection: settings.terminationProtection,
      ...stackProps,
    });

    this.eventsTable = createTable(this, tables.events, settings);
    this.billingTable = createTable(this, tables.billing, settings);

    const alarmEmail = new CfnParameter(this, 'AlarmEmail', {
      type: 'String',
      default: '',
      allowedPattern: '^$|^[^@\\s]+@[^@\\s]+$',
      description: 'Email address notified of billflow alarms (confirm the subscription mail). Empty: no email.',
    });
    this.alarms = new AlarmTopic(this, 'Alarms', {
      email: alarmEmail.valueAsString,
      alarmNamePrefix: `${this.stackName}-`,
      keyRemovalPolicy: settings.dataRemovalPolicy,
    });

    this.eventsQueue = new QueueWithDeadLetter(this, 'EventsQueue', { definition: queues.events });
    this.eventsQueue.addAlarms({
      namePrefix: `${this.stackName}-`,
      action: this.alarms.action,
      maxMessageAge: MAX_EVENT_QUEUE_AGE,
      backlogImpact:
        'Events still queued when their period is finalized are billed on the next invoice as late events (nothing is lost).',
    });

    const storage = createBuckets(this, settings);
    this.invoicesBucket = storage.invoices;
    this.accessLogsBucket = storage.accessLogs;

    const ingest = consumers.ingest;
    this.ingestFunction = functionFrom(this, ingest, settings, {
      description: 'Validates, deduplicates and stores usage events from the events queue',
      // The same settings the local workers get (write shards, event retention).
      environment: pipelineSettings,
    })
      // Event chunks, rejected events and late-event markers: writes only, no reads or deletes.
      .bindTable(this.eventsTable, tables.events.envVar, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem')
      // Catalog lookups (customers, meters): reads only, never a Scan.
      .bindTable(this.billingTable, tables.billing.envVar, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query')
      // consumers.ingest.queueId is queues.events.id.
      .consumeQueue(this.eventsQueue.queue, ingest);

    this.invoiceJobsQueue = new QueueWithDeadLetter(this, 'InvoiceJobsQueue', { definition: queues.invoiceJobs });
    this.invoiceJobsQueue.addAlarms({
      namePrefix: `${this.stackName}-`,
      action: this.alarms.action,
      maxMessageAge: MAX_INVOICE_JOB_AGE,
      backlogImpact: 'Invoices of the waiting customers are drafted or finalized late (the next hourly run enqueues them again).',
      // `billflow dlq redrive` moves event messages only; a job is simply enqueued again.
      deadLetterRemedy:
        'then run "billflow invoices run --period <period of the job>" (the hourly run also enqueues every customer of the last ended period and every open draft again).',
    });

    // Finalized invoices to render (from close-billing-period), and rendered ones to email
    // (from render-invoice).
    this.invoiceDocumentsQueue = new QueueWithDeadLetter(this, 'InvoiceDocumentsQueue', {
      definition: queues.invoiceDocuments,
    });
    this.invoiceEmailsQueue = new QueueWithDeadLetter(this, 'InvoiceEmailsQueue', { definition: queues.invoiceEmails });
    for (const deliveryQueue of [this.invoiceDocumentsQueue, this.invoiceEmailsQueue]) {
      deliveryQueue.addAlarms({
        namePrefix: `${this.stackName}-`,
        action: this.alarms.action,
        maxMessageAge: MAX_INVOICE_DELIVERY_AGE,
        deadLetterRemedy: INVOICE_DELIVERY_REMEDY,
        backlogImpact: 'Finalized invoices reach their customers late.',
      });
    }

    // Both invoicing functions read their configuration with readInvoicingConfig
    // (shared/config.ts), which requires both table names, the jobs queue URL and the
    // documents queue URL.
    const close = consumers.closeBillingPeriod;
    this.closeBillingPeriodFunction = functionFrom(this, close, settings, {
      description: 'Drafts or finalizes one customer invoice per job from the invoice-jobs queue',
      environment: pipelineSettings,
    })
      // Query only: EventStore.readShard (the period's chunks, and late chunks of earlier
      // periods, per write shard) and EventStore.latePeriods (the customer's late markers).
      .bindTable(this.eventsTable, tables.events.envVar, 'dynamodb:Query')
      .bindTable(
        this.billingTable,
        tables.billing.envVar,
        // InvoiceRepository.get (the period's and the previous period's invoice, re-reads after
        // a lost race), CatalogRepository.readHead, and finalize's read of the number sequence.
        'dynamodb:GetItem',
        // CatalogRepository.findCustomers (the job's customer).
        'dynamodb:BatchGetItem',
        // InvoiceRepository.listCustomerFrom: the customer's invoices from the oldest period
        // with late events on, for the cuts that start its late window (its own partition).
        'dynamodb:Query',
        // saveDraft and markNotIssued (conditional puts), and the two Puts in finalize's
        // TransactWriteItems (numbered invoice, number claim): a transaction is authorized
        // per contained action, so TransactWriteItems needs no permission of its own.
        'dynamodb:PutItem',
        // The Update of the number sequence in finalize's TransactWriteItems, and
        // InvoiceJobFailures.record (a failed job, for `billflow invoices run`).
        'dynamodb:UpdateItem',
      )
      // The event source's grant: receive, delete and change visibility on the jobs queue only.
      .consumeQueue(this.invoiceJobsQueue.queue, close)
      // requestDocument: one { number } per finalized invoice, to render-invoice.
      .sendsTo(this.invoiceDocumentsQueue.queue, queues.invoiceDocuments.envVar);
    // The URL only, because readInvoicingConfig requires it: this function never sends jobs.
    this.closeBillingPeriodFunction.addEnvironment(queues.invoiceJobs.envVar, this.invoiceJobsQueue.queue.queueUrl);

    const run = schedules.invoiceRun;
    this.invoiceRunFunction = functionFrom(this, run, settings, {
      description: 'Hourly invoice run: enqueues one close-billing-period job per customer and open draft',
      environment: pipelineSettings,
    })
      .bindTable(
        this.billingTable,
        tables.billing.envVar,
        // CatalogRepository.version: the head's and the customers' versions, in one request.
        'dynamodb:BatchGetItem',
        // InvoiceRunLog: whether every customer of the period was enqueued at this version.
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        // CatalogRepository.listCustomers, a filtered scan: only at the first run after a
        // period ends, or when the catalog changed during the day after.
        'dynamodb:Scan',
      )
      // InvoiceRepository.listOpenDrafts: the drafts still to close, from the sparse index.
      .queriesIndex(this.billingTable, 'open-drafts')
      // InvoiceRepository.listStuckDeliveries: deliveries stuck past the claim timeout.
      .queriesIndex(this.billingTable, 'open-deliveries')
      // sendBodies: SendMessageBatch of the jobs, authorized by sqs:SendMessage.
      .sendsTo(this.invoiceJobsQueue.queue, queues.invoiceJobs.envVar)
      // recoverStuckDeliveries: { number } of each stuck delivery, to render-invoice again.
      .sendsTo(this.invoiceDocumentsQueue.queue, queues.invoiceDocuments.envVar);
    // The name only, because readInvoicingConfig requires it: the run never touches events,
    // so it gets no permission on the events table.
    this.invoiceRunFunction.addEnvironment(tables.events.envVar, this.eventsTable.tableName);

    // SES sends as this identity only (IAM resource identity/{SenderIdentity}): the invoice
    // issuer's verified domain or address. No "*", so no other identity of the account.
    const senderIdentity = new CfnParameter(this, 'SenderIdentity', {
      type: 'String',
      allowedPattern: '^([^@\\s*]+@)?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$',
      constraintDescription: 'a domain (acme.example) or email address (billing@acme.example), no wildcards',
      description:
        'SES identity invoices are sent from: the verified domain (acme.example) or email address of the issuer\'s From address.',
    });
    const senderIdentityArn = this.formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: senderIdentity.valueAsString,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.mailEvents = new MailEvents(this, 'MailEvents', {
      queue: queues.invoiceMailEvents,
      events: [
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.DELIVERY_DELAY,
      ],
      keyRemovalPolicy: settings.dataRemovalPolicy,
    });
    this.mailEvents.addAlarms({ namePrefix: `${this.stackName}-`, action: this.alarms.action });
    // Consumed by record-mail-event (below), which records bounces and complaints on the invoice.
    this.mailEvents.events.addAlarms({
      namePrefix: `${this.stackName}-`,
      action: this.alarms.action,
      maxMessageAge: MAX_MAIL_EVENT_AGE,
      backlogImpact: 'Bounces and complaints are recorded on their invoices late.',
      deadLetterRemedy:
        'then move them back with the SQS console ("Start DLQ redrive") or `aws sqs start-message-move-task`. Recording is idempotent; an event whose email is not (yet) linked to an invoice fails until it is.',
    });

    // Both delivery functions read their configuration with readDeliveryConfig.
    const render = consumers.renderInvoice;
    this.renderInvoiceFunction = functionFrom(this, render, settings, {
      description: 'Renders each finalized invoice to PDF once, stores it in S3 and requests its email',
      // Files the renderer loads at run time, which esbuild cannot inline:
      // - shared/adapters/pdf/fonts.ts reads the DejaVu TTFs through
      //   require.resolve('dejavu-fonts-ttf/ttf/...') from the bundle's directory (the license
      //   must accompany the fonts);
      // - pdfkit loads its standard fonts through require('#standard-fonts/...'); billflow's
      //   renderer passes `font: ''` so none is loaded today, but any call that falls back to
      //   a standard font would, so they stay shipped: a subpath import of pdfkit's package.json. In
      //   the bundle that require is resolved against the asset's package.json, so the asset
      //   gets one mapping it to pdfkit's exported `pdfkit/standard-fonts/*` (Node does not
      //   allow an imports target inside node_modules), and pdfkit's package.json (its
      //   exports) with the font metrics they point to.
      packageFiles: [
        { packageName: 'dejavu-fonts-ttf', files: ['ttf/DejaVuSans.ttf', 'ttf/DejaVuSans-Bold.ttf', 'LICENSE'] },
        { packageName: 'pdfkit', files: ['js/standard-fonts', 'LICENSE'] },
      ],
      packageImports: { '#standard-fonts/*': 'pdfkit/standard-fonts/*' },
    })
      .bindTable(
        this.billingTable,
        tables.billing.envVar,
        // InvoiceRepository.findByNumber (number pointer, then the invoice) and the read of update.
        'dynamodb:GetItem',
        // InvoiceRepository.update: the conditional put recording the document.
        'dynamodb:PutItem',
      )
      .bindBucket(
        this.invoicesBucket,
        buckets.invoices.envVar,
        INVOICE_DOCUMENT_KEYS,
        // S3DocumentStore.putOnce: HeadObject (authorized by s3:GetObject), the conditional
        // PutObject, and GetObject of a document that already exists.
        's3:GetObject',
        's3:PutObject',
        // Without it S3 answers HeadObject of a missing key with 403 instead of 404, and
        // putOnce (which expects NotFound before the first render) would fail every new invoice.
        's3:ListBucket',
      )
      // requestEmail: one { number } per rendered invoice, to send-invoice.
      .sendsTo(this.invoiceEmailsQueue.queue, queues.invoiceEmails.envVar)
      .consumeQueue(this.invoiceDocumentsQueue.queue, render);

    const send = consumers.sendInvoice;
    this.sendInvoiceFunction = functionFrom(this, send, settings, {
      description: 'Emails each rendered invoice once through SES, with its PDF attached',
    })
      // findByNumber (two GetItems) and update (GetItem, conditional PutItem): the claim, its
      // release after a failure, and the record of the sent email.
      .bindTable(this.billingTable, tables.billing.envVar, 'dynamodb:GetItem', 'dynamodb:PutItem')
      // S3DocumentStore.get: the PDF to attach.
      .bindBucket(this.invoicesBucket, buckets.invoices.envVar, INVOICE_DOCUMENT_KEYS, 's3:GetObject')
      .sendsEmail(senderIdentityArn, this.mailEvents.configurationSet, 'SES_CONFIGURATION_SET')
      .consumeQueue(this.invoiceEmailsQueue.queue, send);
    // The URL only, because readDeliveryConfig requires it: send-invoice never sends to it.
    this.sendInvoiceFunction.addEnvironment(queues.invoiceEmails.envVar, this.invoiceEmailsQueue.queue.queueUrl);

    const mailEvent = consumers.recordMailEvent;
    this.recordMailEventFunction = functionFrom(this, mailEvent, settings, {
      description: 'Records SES bounces and complaints of invoice emails on the invoices',
    })
      // findNumberByEmail (GetItem of the EMAIL# link) and update (GetItem, conditional PutItem).
      .bindTable(this.billingTable, tables.billing.envVar, 'dynamodb:GetItem', 'dynamodb:PutItem')
      .consumeQueue(this.mailEvents.events.queue, mailEvent);

    // Payments (CONTRACTS.md section 5): stripe-webhook verifies, stores and queues each event
    // ({ eventId }); apply-payment-event applies it to its invoice once.
    this.paymentEventsQueue = new QueueWithDeadLetter(this, 'PaymentEventsQueue', { definition: queues.paymentEvents });
    this.paymentEventsQueue.addAlarms({
      namePrefix: `${this.stackName}-`,
      action: this.alarms.action,
      maxMessageAge: MAX_PAYMENT_EVENT_AGE,
      backlogImpact: 'Paid invoices still look unpaid, and the next dunning run may remind a customer who has paid.',
      deadLetterRemedy:
        'then move them back with the SQS console ("Start DLQ redrive") or `aws sqs start-message-move-task --source-arn <DLQ ARN>`: redelivery is safe, because each Stripe event is applied once (idempotent on its event id). A message whose webhook event is not stored fails every time: look for that event id in the stripe-webhook log group.',
    });

    const applyPayment = consumers.applyPaymentEvent;
    this.applyPaymentEventFunction = functionFrom(this, applyPayment, settings, {
      description: 'Applies each accepted Stripe event to its invoice once (payments, refunds, disputes)',
    })
      .bindTable(
        this.billingTable,
        tables.billing.envVar,
        // WebhookEventStore.get (the stored raw event), PaymentStore.linkOf, and
        // InvoiceRepository.findByNumber and update (number pointer, then the invoice).
        'dynamodb:GetItem',
        // PaymentStore.recordEvent (conditional put), the Puts of linkIfUnlinked's
        // TransactWriteItems (link, unmatched listing; authorized per contained action), and
        // InvoiceRepository.update's conditional put of the invoice.
        'dynamodb:PutItem',
        // WebhookEventStore.markProcessed.
        'dynamodb:UpdateItem',
        // PaymentStore.eventsOf: every event of the payment.
        'dynamodb:Query',
      )
      .consumeQueue(this.paymentEventsQueue.queue, applyPayment);

    // Secrets Manager, so the endpoint secret is in no template, environment variable or
    // deployment log: CloudFormation creates the secret with a random placeholder (no comma,
    // so it parses as one secret that no signature can match: every delivery is refused with
    // 400 and the signature alarm fires until the operator sets the real value). Set it, from
    // the Stripe dashboard's webhook endpoint, with
    //   aws secretsmanager put-secret-value --secret-id <stripeWebhookSecretArn output> --secret-string whsec_...
    // To rotate: put "whsec_old,whsec_new", roll the secret in Stripe's dashboard, and once
    // Stripe signs with the new one only, put "whsec_new". The function reads the secret
    // through Powertools Parameters with a 5-minute cache, so a change reaches every container
    // within 5 minutes.
    this.stripeWebhookSecret = new Secret(this, 'StripeWebhookSecret', {
      description: `billflow (${stage}): Stripe webhook endpoint secret(s), "whsec_..." or "whsec_old,whsec_new" while rotating`,
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
      removalPolicy: settings.dataRemovalPolicy,
    });
    Validations.of(this.stripeWebhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "The endpoint secret is issued by Stripe and rotated in Stripe's dashboard, which no rotation Lambda can drive; during the switch the secret holds the old and the new value (comma-separated), both accepted.",
    });

    const webhook = httpRoutes.stripeWebhook;
    this.stripeWebhookFunction = functionFrom(this, webhook, settings, {
      description: 'POST /webhooks/stripe: verifies the Stripe signature, stores the event once and queues it',
      // The ARN only, never the value: the function reads the value at run time.
      environment: { STRIPE_WEBHOOK_SECRET_ARN: this.stripeWebhookSecret.secretArn },
    })
      // WebhookEventStore.record: one UpdateItem that creates the event or counts a delivery.
      .bindTable(this.billingTable, tables.billing.envVar, 'dynamodb:UpdateItem')
      // enqueue: one { eventId } per accepted event, to apply-payment-event.
      .sendsTo(this.paymentEventsQueue.queue, queues.paymentEvents.envVar);
    // GetSecretValue only, on this secret only (no DescribeSecret as grantRead adds). The
    // secret uses the AWS managed key aws/secretsmanager, so no kms:Decrypt grant is needed.
    this.stripeWebhookFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.stripeWebhookSecret.secretArn] }),
    );

    // An API Gateway HTTP API, not a Lambda function URL: its stage throttles (a flood of
    // unsigned requests is refused before it invokes and bills the function) and writes access
    // logs; a function URL has neither (see infra/constructs/webhook-api.ts).
    this.webhookApi = new WebhookApi(this, 'WebhookApi', {
      apiName: `${this.stackName}-webhooks`,
      description: `billflow (${stage}): payment provider webhooks`,
      throttle: { rateLimit: WEBHOOK_RATE_LIMIT_PER_SECOND, burstLimit: WEBHOOK_BURST_LIMIT },
      accessLogRetention: settings.logRetention,
      accessLogRemovalPolicy: settings.dataRemovalPolicy,
    });
    this.webhookApi.addFunctionRoute(webhook, this.stripeWebhookFunction, WEBHOOK_AUTHENTICATION);

    // Holds no data: deleted with the stack in every stage, or its schedules would outlive
    // the functions they invoke.
    this.scheduleGroup = new ScheduleGroup(this, 'Schedules', { removalPolicy: RemovalPolicy.DESTROY });
    this.invoiceRunSchedule = new FunctionSchedule(this, 'InvoiceRunSchedule', {
      name: run.functionId,
      fn: this.invoiceRunFunction,
      expression: run.expression,
      description: 'billflow invoice run: drafts for ended periods, finalization after the grace period',
      group: this.scheduleGroup,
      // The run is "as of" the scheduled time, also when a retry delivers it later.
      input: ScheduleTargetInput.fromObject({ asOf: ContextAttribute.scheduledTime }),
      retryAttempts: INVOICE_RUN_RETRY_ATTEMPTS,
      maxEventAge: INVOICE_RUN_MAX_EVENT_AGE,
    });
    this.invoiceRunSchedule.addAlarms({
      namePrefix: `${this.stackName}-`,
      action: this.alarms.action,
      remedy:
        'The next hourly run catches up; to run it now, use "billflow invoices run --as-of <the scheduled time>".',
    });

    const dunning = schedules.dunningRun;
    this.dunningRunFunction = functionFrom(this, dunning, settings, {
      description: 'Daily dunning run: emails the overdue reminders due that day, once each',
    })
      .bindTable(
        this.billingTable,
        tables.billing.envVar,
        // CatalogRepository.readHead (reminder days), InvoiceRepository.update's reads.
        'dynamodb:GetItem',
        // listOpenReceivables: the invoices whose keys the keys-only index returned.
        'dynamodb:BatchGetItem',
        // InvoiceRepository.update's conditional put (claim, sent, skipped) and linkEmail
        // (the reminder's message id, so its bounces are recorded like the invoice email's).
        'dynamodb:PutItem',
      )
      // listOpenReceivables: the due invoices' keys, from the sparse index. No Query on the
      // table and no Scan: the run reads nothing else in bulk.
      .queriesIndex(this.billingTable, 'open-receivables')
      // S3DocumentStore.get: the invoice PDF attached to the reminder.
      .bindBucket(this.invoicesBucket, buckets.invoices.envVar, INVOICE_DOCUMENT_KEYS, 's3:GetObject')
      // Like send-invoice: as the issuer's identity, with the configuration set whose bounce
      // and complaint events record-mail-event records on the invoice.
      .sendsEmail(senderIdentityArn, this.mailEvents.configurationSet, 'SES_CONFIGURATION_SET');

    this.dunningRunSchedule = new FunctionSchedule(this, 'DunningRunSchedule', {
      name: dunning.functionId,
      fn: this.dunningRunFunction,
      expression: dunning.expression,
      description: 'billflow dunning run: overdue reminders for unpaid invoices',
      group: this.scheduleGroup,
      // "Days overdue" are judged as of the scheduled time, also when a retry delivers it later.
      input: ScheduleTargetInput.fromObject({ asOf: ContextAttribute.scheduledTime }),
      retryAttempts: DUNNING_RUN_RETRY_ATTEMPTS,
      maxEventAge: DUNNING_RUN_MAX_EVENT_AGE,
    });
    this.dunningRunSchedule.addAlarms({
      namePrefix: `${this.stackName}-`,
      action: this.alarms.action,
      remedy:
        'Tomorrow\'s run sends whatever is still due; to run it now, invoke the dunning-run function with {"asOf": "<the scheduled time>"} (reminders already sent are not sent again).',
    });

    this.closeBillingPeriodFunction.addErrorsAlarm({
      alarmName: `${this.stackName}-${close.functionId}-errors`,
      alarmDescription: `${close.functionId} failed whole invocations (crash, timeout or configuration error); failed jobs are retried and end in ${queues.invoiceJobs.deadLetter.id}. See its log group.`,
      action: this.alarms.action,
    });
    this.renderInvoiceFunction.addErrorsAlarm({
      alarmName: `${this.stackName}-${render.functionId}-errors`,
      alarmDescription: `${render.functionId} failed whole invocations (crash, timeout or configuration error, e.g. the fonts missing from the bundle); failed requests are retried and end in ${queues.invoiceDocuments.deadLetter.id}. See its log group.`,
      action: this.alarms.action,
    });
    this.sendInvoiceFunction.addErrorsAlarm({
      alarmName: `${this.stackName}-${send.functionId}-errors`,
      alarmDescription: `${send.functionId} failed whole invocations (crash, timeout or configuration error); failed requests are retried and end in ${queues.invoiceEmails.deadLetter.id}. See its log group.`,
      action: this.alarms.action,
    });
    this.recordMailEventFunction.addErrorsAlarm({
      alarmName: `${this.stackName}-${mailEvent.functionId}-errors`,
      alarmDescription: `${mailEvent.functionId} failed whole invocations; failed events are retried and end in ${queues.invoiceMailEvents.deadLetter.id}. See its log group.`,
      action: this.alarms.action,
    });
    this.invoiceRunFunction.addErrorsAlarm({
      alarmName: `${this.stackName}-${run.functionId}-errors`,
      alarmDescription: `The invoice run failed (some jobs could not be enqueued, or the catalog could not be read). The next hourly run retries; see its log group.`,
      action: this.alarms.action,
    });
    this.applyPaymentEventFunction.addErrorsAlarm({
      alarmName: `${this.stackName}-${applyPayment.functionId}-errors`,
      alarmDescription: `${applyPayment.functionId} failed whole invocations (crash, timeout or configuration error); failed events are retried and end in ${queues.paymentEvents.deadLetter.id}, and their invoices stay unpaid meanwhile. See its log group.`,
      action: this.alarms.action,
    });
    this.stripeWebhookFunction.addErrorsAlarm({
      alarmName: `${this.stackName}-${webhook.functionId}-errors`,
      alarmDescription: `${webhook.functionId} failed requests with 500 (crash, timeout, DynamoDB or SQS unavailable, or the secret unreadable or malformed, e.g. more than two comma-separated values). Stripe retries for up to three days, so nothing is lost yet: fix the cause (see its log group).`,
      action: this.alarms.action,
    });
    this.dunningRunFunction.addErrorsAlarm({
      alarmName: `${this.stackName}-${dunning.functionId}-errors`,
      alarmDescription: `The dunning run failed or some reminders could not be sent for now (its log group lists the invoice numbers and reasons). Lambda retries the run twice; reminders already sent are not sent again, and tomorrow's run sends what is still due.`,
      action: this.alarms.action,
    });

    this.ingestFunction.addErrorsAlarm({
      alarmName: `${this.stackName}-${ingest.functionId}-errors`,
      alarmDescription: `${ingest.functionId} failed whole invocations (crash, timeout, configuration error, or DynamoDB failing beyond its retries); the batch's messages return to the ${queues.events.id} queue and are retried, and end in ${queues.events.deadLetter.id} after ${queues.events.maxReceiveCount} receives. Events rejected for their content are not errors (see EventsRejected and "billflow events rejected"). See its log group.`,
      action: this.alarms.action,
    });

    // Every function: throttling means the account's Lambda concurrency is exhausted. What
    // happens to the throttled work depends on how the function is invoked.
    const requeued = (queue: QueueDefinition) =>
      `Throttled batches return to the ${queue.id} queue and are retried; a message received ${queue.maxReceiveCount} times goes to ${queue.deadLetter.id}.`;
    const retriedAsync = (schedule: FunctionSchedule) =>
      `Lambda retries a throttled scheduled run for up to 6 hours; after that it goes to ${schedule.deadLetterName}.`;
    const throttled: readonly (readonly [BillingFunction, string, string])[] = [
      [this.ingestFunction, ingest.functionId, requeued(queues.events)],
      [this.invoiceRunFunction, run.functionId, retriedAsync(this.invoiceRunSchedule)],
      [this.closeBillingPeriodFunction, close.functionId, requeued(queues.invoiceJobs)],
      [this.renderInvoiceFunction, render.functionId, requeued(queues.invoiceDocuments)],
      [this.sendInvoiceFunction, send.functionId, requeued(queues.invoiceEmails)],
      [this.recordMailEventFunction, mailEvent.functionId, requeued(queues.invoiceMailEvents)],
      [this.stripeWebhookFunction, webhook.functionId, 'API Gateway answers the webhook with a 5xx and Stripe retries it for up to three days.'],
      [this.applyPaymentEventFunction, applyPayment.functionId, requeued(queues.paymentEvents)],
      [this.dunningRunFunction, dunning.functionId, retriedAsync(this.dunningRunSchedule)],
    ];
    for (const [fn, name, whatHappens] of throttled) {
      fn.addThrottlesAlarm({
        alarmName: `${this.stackName}-${name}-throttles`,
        alarmDescription: `Invocations of ${name} were throttled: the account's Lambda concurrency is used up (by this stack or other functions of the account). ${whatHappens} Look at ConcurrentExecutions and Throttles per function in the Lambda console; if the load is legitimate, request a higher concurrent executions quota (Service Quotas), or give other functions reserved concurrency limits.`,
        action: this.alarms.action,
      });
    }

    this.invoiceJobsFailedAlarm = notifyingAlarm(this, 'InvoiceJobsFailedAlarm', {
      alarmName: `${this.stackName}-invoice-jobs-failed`,
      alarmDescription:
        `A customer's invoice job failed in ${close.functionId} (it is retried, and dead-lettered after ${queues.invoiceJobs.maxReceiveCount} receives): that customer gets no invoice until it is fixed. The log group has "invoice job failed" with the customer, period and reason (a plan, issuer or tax rate missing from the catalog, an amount too large); "billflow invoices run --period YYYY-MM" lists the failing customers. Fix the cause, then run that period again.`,
      metric: businessMetric('InvoiceJobsFailed', BUSINESS_ALARM_PERIOD),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      action: this.alarms.action,
    });
    this.unmatchedPaymentsAlarm = notifyingAlarm(this, 'UnmatchedPaymentsAlarm', {
      alarmName: `${this.stackName}-unmatched-payments`,
      alarmDescription:
        'A Stripe payment could not be matched to an invoice (no or unknown metadata.invoice_number, or another currency): the money is received but no invoice shows it. List them with "billflow payments unmatched" and apply each with "billflow payments match PAYMENT_ID NUMBER" (or refund it in Stripe).',
      metric: businessMetric('UnmatchedPayments', BUSINESS_ALARM_PERIOD),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      action: this.alarms.action,
    });
    this.webhookSignatureFailuresAlarm = notifyingAlarm(this, 'WebhookSignatureFailuresAlarm', {
      alarmName: `${this.stackName}-webhook-signature-failures`,
      alarmDescription: `At least ${WEBHOOK_SIGNATURE_FAILURES_THRESHOLD} webhook requests in 5 minutes had a missing, bad or stale Stripe signature and were refused (400). If Stripe's dashboard shows failing deliveries, the secret is wrong: compare the endpoint's signing secret with the stripeWebhookSecretArn secret (one "whsec_...", or old and new separated by a comma while rotating) and put the right value; Stripe retries refused events. Otherwise someone is probing the endpoint: see the source ips in the API's access log group.`,
      metric: businessMetric('WebhookSignatureFailures', BUSINESS_ALARM_PERIOD),
      threshold: WEBHOOK_SIGNATURE_FAILURES_THRESHOLD,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      action: this.alarms.action,
    });

    // Last: it shows every alarm created above.
    this.dashboard = this.addDashboard(stage);

    // Names fixed by CONTRACTS.md section 6 (same keys as the local outputs.json).
    new CfnOutput(this, 'region', { value: this.region, description: 'AWS region of the pipeline' });
    new CfnOutput(this, 'apiUrl', {
      value: this.webhookApi.url,
      description: 'Base URL of the HTTP API (no trailing slash): Stripe webhooks go to {apiUrl}/webhooks/stripe',
    });
    new CfnOutput(this, 'eventsQueueUrl', {
      value: this.eventsQueue.queue.queueUrl,
      description: 'Publish billing events (CloudEvents JSON) here',
    });
    new CfnOutput(this, 'eventsDlqUrl', {
      value: this.eventsQueue.deadLetterQueue.queueUrl,
      description: 'Events that failed every retry; `billflow dlq redrive` moves them back',
    });
    new CfnOutput(this, 'invoiceJobsQueueUrl', {
      value: this.invoiceJobsQueue.queue.queueUrl,
      description: 'Invoice run fan-out: one close-billing-period job per customer and period (CLI)',
    });
    new CfnOutput(this, 'invoiceJobsDlqUrl', {
      value: this.invoiceJobsQueue.deadLetterQueue.queueUrl,
      description: 'Invoice jobs that failed every retry (`billflow invoices run --period` enqueues them again)',
    });
    new CfnOutput(this, 'invoiceDocumentsQueueUrl', {
      value: this.invoiceDocumentsQueue.queue.queueUrl,
      description: 'Finalized invoices to render (one { number } per message)',
    });
    new CfnOutput(this, 'invoiceEmailsQueueUrl', {
      value: this.invoiceEmailsQueue.queue.queueUrl,
      description: 'Rendered invoices to email (one { number } per message)',
    });
    new CfnOutput(this, 'paymentEventsQueueUrl', {
      value: this.paymentEventsQueue.queue.queueUrl,
      description: 'Accepted Stripe events waiting to be applied (`billflow payments` waits for it to drain)',
    });
    new CfnOutput(this, 'stripeWebhookSecretArn', {
      value: this.stripeWebhookSecret.secretArn,
      description: 'Put the Stripe webhook signing secret here: aws secretsmanager put-secret-value --secret-id <this> --secret-string whsec_...',
    });
    new CfnOutput(this, 'dashboardUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.stackName}`,
      description: 'CloudWatch dashboard of the pipeline: one row per stage (docs/operations.md)',
    });
    new CfnOutput(this, 'invoicesBucket', {
      value: this.invoicesBucket.bucketName,
      description: 'Rendered invoice documents',
    });
    // Not in the contract, but required by shared/outputs.ts: the CLI reads the tables directly
    // and must use the functions' shard count, so `cdk deploy --outputs-file` works as --outputs.
    new CfnOutput(this, 'eventsTable', { value: this.eventsTable.tableName, description: 'Events table (CLI)' });
    new CfnOutput(this, 'billingTable', { value: this.billingTable.tableName, description: 'Billing table (CLI)' });
    new CfnOutput(this, 'eventWriteShards', {
      value: pipelineSettings.EVENT_WRITE_SHARDS,
      description: 'EVENT_WRITE_SHARDS of the functions (CLI)',
    });
    new CfnOutput(this, 'finalizationSettleSeconds', {
      value: pipelineSettings.FINALIZATION_SETTLE_SECONDS,
      description: 'FINALIZATION_SETTLE_SECONDS of the functions (CLI)',
    });
  }

  /**
   * The operators' dashboard: every alarm's state, then one row per stage with throughput,
   * errors and throttles, dead-letter queues and queue age, and the stage's business figures
   * (each metric name the functions emit appears here; test/infra checks it).
   */
  private addDashboard(stage: Stage): PipelineDashboard {
    const period = DASHBOARD_PERIOD;
    const count = (metricName: string, label?: string) => businessMetric(metricName, period, label === undefined ? {} : { label });
    const received = (queue: QueueWithDeadLetter) =>
      queue.queue.metricNumberOfMessagesReceived({ label: `${queue.name} messages received`, period, statistic: 'Sum' });
    const invocations = (name: string, fn: BillingFunction) => fn.metricInvocations({ label: `${name} invocations`, period, statistic: 'Sum' });
    const waiting = (queue: QueueWithDeadLetter) => ({ label: queue.name, queue: queue.queue, alarm: queue.alarms?.oldestMessage });
    const deadLetters = (queue: QueueWithDeadLetter) => ({ label: queue.deadLetterName, queue: queue.deadLetterQueue });
    const failedRuns = (schedule: FunctionSchedule) => ({ label: schedule.deadLetterName, queue: schedule.deadLetterQueue });
    // Money is invoiced once a month: hourly sums over the last 31 days show every run.
    const money = (title: string, metricName: string, dimension: string) => ({
      title,
      metrics: [businessSearch(metricName, dimension, Duration.hours(1))],
      unit: 'minor units / hour',
      start: '-P31D',
    });
    const { ingest, closeBillingPeriod: close, renderInvoice: render, sendInvoice: send, recordMailEvent: mailEvent, applyPaymentEvent: applyPayment } =
      consumers;
    const { invoiceRun: run, dunningRun: dunning } = schedules;
    const webhook = httpRoutes.stripeWebhook;

    const dashboard = new PipelineDashboard(this, 'Dashboard', {
      dashboardName: this.stackName,
      header: `# billflow (${stage})\nOne row per pipeline stage: throughput, errors and throttles, dead-letter queues and queue age, then the stage's business figures. What each alarm means and what to do: docs/operations.md.`,
    });
    dashboard.addAlarmOverview(
      this.node.findAll().filter((construct): construct is Alarm => construct instanceof Alarm),
      {
        title: 'Alarm emails not delivered',
        metrics: [
          this.alarms.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: this.alarms.deadLetterName, period, statistic: 'Maximum' }),
        ],
        unit: 'messages',
      },
    );

    dashboard.addStage({
      title: 'Ingest',
      description: `Usage events from the ${queues.events.id} queue, validated, deduplicated and stored by ${ingest.functionId}.`,
      throughput: [received(this.eventsQueue), invocations(ingest.functionId, this.ingestFunction), count('EventChunksWritten', 'event chunks written')],
      functions: [{ label: ingest.functionId, fn: this.ingestFunction }],
      otherFailures: [count('MessagesRetried', 'messages retried (partial batch failures)')],
      deadLetterQueues: [deadLetters(this.eventsQueue)],
      queues: [waiting(this.eventsQueue)],
      figures: [
        {
          title: 'Events',
          metrics: ['EventsReceived', 'EventsStored', 'EventsDuplicateInBatch', 'EventsRejected', 'EventsLate'].map((name) => count(name)),
          unit: 'events / 5 min',
        },
        {
          title: 'Events over the time range: received = accepted + duplicate + rejected (over whole billing periods)',
          metrics: ['EventsReceived', 'EventsAccepted', 'EventsDuplicate', 'EventsRejected'].map((name) => count(name)),
          kind: 'totals',
        },
      ],
    });

    dashboard.addStage({
      title: 'Invoice run',
      description: `Hourly, ${run.functionId} enqueues one job per customer period on the ${queues.invoiceJobs.id} queue; ${close.functionId} drafts each invoice and finalizes it after the grace period.`,
      throughput: [
        invocations(run.functionId, this.invoiceRunFunction),
        count('InvoiceJobsEnqueued', 'jobs enqueued'),
        received(this.invoiceJobsQueue),
        invocations(close.functionId, this.closeBillingPeriodFunction),
      ],
      functions: [
        { label: run.functionId, fn: this.invoiceRunFunction },
        { label: close.functionId, fn: this.closeBillingPeriodFunction },
      ],
      deadLetterQueues: [deadLetters(this.invoiceJobsQueue), failedRuns(this.invoiceRunSchedule)],
      queues: [waiting(this.invoiceJobsQueue)],
      figures: [
        {
          title: 'Invoices',
          metrics: [
            count('InvoicesDrafted', 'drafted'),
            count('InvoicesFinalized', 'finalized'),
            count('InvoicesNotIssuedZeroTotal', 'not issued (zero total)'),
            // Published by `billflow invoices void`, by currency.
            businessSearch('InvoicesVoided', 'currency', period, 'voided '),
          ],
          unit: 'invoices / 5 min',
        },
        {
          title: 'Failed invoice jobs',
          metrics: [count('InvoiceJobsFailed', 'failed jobs')],
          annotations: [this.invoiceJobsFailedAlarm.toAnnotation()],
          unit: 'jobs / 5 min',
        },
        {
          title: 'Events billed as periods close',
          metrics: [count('EventsAccepted', 'accepted'), count('EventsDuplicate', 'duplicate deliveries')],
          unit: 'events / 5 min',
        },
        money('Amount invoiced by currency (last 31 days)', 'AmountInvoiced', 'currency'),
      ],
    });

    dashboard.addStage({
      title: 'Render',
      description: `Each finalized invoice from the ${queues.invoiceDocuments.id} queue rendered to PDF once by ${render.functionId} and stored in the invoices bucket.`,
      throughput: [received(this.invoiceDocumentsQueue), invocations(render.functionId, this.renderInvoiceFunction)],
      functions: [{ label: render.functionId, fn: this.renderInvoiceFunction }],
      deadLetterQueues: [deadLetters(this.invoiceDocumentsQueue)],
      queues: [waiting(this.invoiceDocumentsQueue)],
      figures: [
        { title: 'Documents rendered', metrics: [count('DocumentsRendered', 'rendered')], unit: 'documents / 5 min' },
        {
          title: 'Render time',
          metrics: [
            businessMetric('DocumentRenderTime', period, { statistic: 'p50', label: 'render p50' }),
            businessMetric('DocumentRenderTime', period, { statistic: 'p99', label: 'render p99' }),
            this.renderInvoiceFunction.metricDuration({ label: `${render.functionId} duration p99`, period, statistic: 'p99' }),
          ],
          unit: 'ms',
        },
      ],
    });

    dashboard.addStage({
      title: 'Send',
      description: `Each rendered invoice from the ${queues.invoiceEmails.id} queue emailed once by ${send.functionId} (SES); bounces and complaints come back through the ${queues.invoiceMailEvents.id} queue to ${mailEvent.functionId}.`,
      throughput: [
        received(this.invoiceEmailsQueue),
        invocations(send.functionId, this.sendInvoiceFunction),
        received(this.mailEvents.events),
        invocations(mailEvent.functionId, this.recordMailEventFunction),
      ],
      functions: [
        { label: send.functionId, fn: this.sendInvoiceFunction },
        { label: mailEvent.functionId, fn: this.recordMailEventFunction },
      ],
      deadLetterQueues: [
        deadLetters(this.invoiceEmailsQueue),
        deadLetters(this.mailEvents.events),
        { label: this.mailEvents.subscriptionDeadLetterName, queue: this.mailEvents.subscriptionDeadLetterQueue },
      ],
      queues: [waiting(this.invoiceEmailsQueue), waiting(this.mailEvents.events)],
      figures: [
        {
          title: 'Invoice emails',
          metrics: [
            count('InvoiceEmailsSent', 'sent'),
            count('InvoiceEmailFailures', 'refused for good'),
            // Published by invoice-run: deliveries stuck past the claim timeout, handed to render-invoice again.
            count('InvoiceDeliveriesRecovered', 'stuck deliveries recovered'),
          ],
          unit: 'emails / 5 min',
        },
        {
          title: 'Delivery problems reported by SES',
          metrics: [count('InvoiceEmailBounces', 'bounces'), count('InvoiceEmailProblems', 'complaints, rejects, delays')],
          unit: 'events / 5 min',
        },
      ],
    });

    const api = this.webhookApi.api;
    dashboard.addStage({
      title: 'Payments',
      description: `Stripe webhooks through the HTTP API (POST ${webhook.path}) to ${webhook.functionId}, which stores and queues each event on the ${queues.paymentEvents.id} queue; ${applyPayment.functionId} applies it to its invoice once.`,
      throughput: [
        api.metricCount({ label: 'API requests', period, statistic: 'Sum' }),
        count('WebhookEventsAccepted', 'webhook events accepted'),
        count('WebhookDuplicates', 'webhook duplicates'),
        received(this.paymentEventsQueue),
        count('PaymentEventsApplied', 'payment events applied'),
      ],
      functions: [
        { label: webhook.functionId, fn: this.stripeWebhookFunction },
        { label: applyPayment.functionId, fn: this.applyPaymentEventFunction },
      ],
      otherFailures: [api.metricServerError({ label: 'API 5xx', period, statistic: 'Sum' })],
      deadLetterQueues: [deadLetters(this.paymentEventsQueue)],
      queues: [waiting(this.paymentEventsQueue)],
      figures: [
        {
          title: 'Refused webhooks',
          metrics: [
            count('WebhookSignatureFailures', 'signature failures'),
            count('WebhookBodiesRefused', 'bodies refused'),
            api.metricClientError({ label: 'API 4xx (incl. 429 throttled)', period, statistic: 'Sum' }),
          ],
          annotations: [this.webhookSignatureFailuresAlarm.toAnnotation()],
          unit: 'requests / 5 min',
        },
        {
          title: 'Unmatched payments',
          metrics: [count('UnmatchedPayments', 'unmatched')],
          annotations: [this.unmatchedPaymentsAlarm.toAnnotation()],
          unit: 'payments / 5 min',
        },
        money('Amount collected by currency (last 31 days)', 'AmountCollected', 'Currency'),
        money('Amount reversed (refunds, disputes) by currency (last 31 days)', 'AmountReversed', 'Currency'),
      ],
    });

    dashboard.addStage({
      title: 'Dunning',
      description: `Daily, ${dunning.functionId} (EventBridge Scheduler) emails the overdue reminders due that day, once each.`,
      throughput: [invocations(dunning.functionId, this.dunningRunFunction)],
      functions: [{ label: dunning.functionId, fn: this.dunningRunFunction }],
      deadLetterQueues: [failedRuns(this.dunningRunSchedule)],
      queues: [],
      instead: {
        title: 'Dunning: run duration',
        metrics: [this.dunningRunFunction.metricDuration({ label: `${dunning.functionId} duration (max)`, period, statistic: 'Maximum' })],
        annotations: [{ value: dunning.timeoutSeconds * 1000, label: 'timeout' }],
        unit: 'ms',
      },
      figures: [{ title: 'Reminders sent', metrics: [count('RemindersSent', 'reminders sent')], unit: 'emails / 5 min' }],
    });
    return dashboard;
  }
}

function createTable(scope: Construct, definition: TableDefinition, settings: StageSettings): Table {
  const table = new Table(scope, `${pascalCase(definition.id)}Table`, {
    partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
    sortKey: { name: definition.sortKey, type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: definition.timeToLiveAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // AWS managed key (aws/dynamodb): every use is in CloudTrail and nothing needs a key
    // policy or kms: grants. A customer managed key would add cost and a policy to maintain
    // and only pays off for cross-account access or crypto-shredding, neither needed here.
    encryption: TableEncryption.AWS_MANAGED,
    deletionProtection: settings.deletionProtection,
    removalPolicy: settings.dataRemovalPolicy,
  });
  for (const index of definition.globalIndexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      sortKey: { name: index.sortKey, type: AttributeType.STRING },
      // Sparse, so only the items carrying the key attributes are copied; keys only, for the
      // reason given with TableDefinition.globalIndexes in infra/resources.ts.
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }
  return table;
}

function createBuckets(scope: Construct, settings: StageSettings): { invoices: Bucket; accessLogs: Bucket } {
  // Both buckets are kept when the stack is deleted, in every stage: invoices are legal
  // records and the access logs are their audit trail; an empty leftover bucket costs nothing.
  const secure: BucketProps = {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    // S3-managed keys: the access-log target cannot use SSE-KMS, and invoice documents
    // need no separate key policy while only this account's functions read them.
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
  };
  const accessLogs = new Bucket(scope, 'AccessLogsBucket', {
    ...secure,
    // Versioned like the invoices: a log object overwritten or deleted by mistake can be
    // restored within the noncurrent retention. Logs are written once, so it costs ~nothing.
    versioned: true,
    lifecycleRules: [
      {
        id: 'expire-access-logs',
        expiration: Duration.days(settings.accessLogRetentionDays),
        noncurrentVersionExpiration: NONCURRENT_ACCESS_LOG_RETENTION,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  Validations.of(accessLogs).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This is the server access log target of the invoices bucket; logging it too would need yet another log bucket (or log into itself, which loops). Only the S3 logging service writes to it.',
  });
  const invoices = new Bucket(scope, `${pascalCase(buckets.invoices.id)}Bucket`, {
    ...secure,
    versioned: true,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: `${buckets.invoices.id}/`,
    lifecycleRules: [
      {
        id: 'expire-noncurrent-versions',
        noncurrentVersionExpiration: NONCURRENT_INVOICE_RETENTION,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  return { invoices, accessLogs };
}

/** `events-dlq` -> `EventsDlq`, for readable logical ids. */
/** A BillingFunction from its infra/resources.ts definition, with the stage's log settings. */
function functionFrom(
  scope: Construct,
  definition: { readonly functionId: string; readonly entry: string; readonly memorySize: number; readonly timeoutSeconds: number },
  settings: StageSettings,
  props: Omit<BillingFunctionProps, 'entry' | 'memorySize' | 'timeout' | 'logRetention' | 'logRemovalPolicy'>,
): BillingFunction {
  return new BillingFunction(scope, `${pascalCase(definition.functionId)}Function`, {
    entry: definition.entry,
    memorySize: definition.memorySize,
    timeout: Duration.seconds(definition.timeoutSeconds),
    logRetention: settings.logRetention,
    logRemovalPolicy: settings.dataRemovalPolicy,
    ...props,
  });
}

function pascalCase(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
