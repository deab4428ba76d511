/**
 * Payments (CONTRACTS.md section 5): Stripe webhooks through the HTTP API to receive-stripe-webhook,
 * which verifies, stores and queues each event ({ eventId }); apply-payment-event applies it to
 * its invoice once.
 */
import { Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { businessAlarms } from '../alarms.ts';
import type { BillingFunction } from '../constructs/billing-function.ts';
import { DASHBOARD_PERIOD, type StageRow } from '../constructs/pipeline-dashboard.ts';
import type { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter.ts';
import { WebhookApi } from '../constructs/webhook-api.ts';
import { consumers, httpRoutes, queues, tables } from '../resources.ts';
import { count, deadLetters, money, received, waiting } from './dashboard-metrics.ts';
import { alarmedQueue, businessAlarm, functionFrom, type PipelineStage, type StageContext } from './stage-context.ts';

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

export class PaymentsStage implements PipelineStage {
  /** Accepted Stripe events ({ eventId }) from receive-stripe-webhook to apply-payment-event. */
  public readonly paymentEventsQueue: QueueWithDeadLetter;
  public readonly applyPaymentEventFunction: BillingFunction;
  /** The Stripe webhook endpoint secret(s): one `whsec_...`, or two separated by a comma. */
  public readonly stripeWebhookSecret: Secret;
  public readonly stripeWebhookFunction: BillingFunction;
  /** The HTTP API of `httpRoutes` (POST /webhooks/stripe). */
  public readonly webhookApi: WebhookApi;
  /** A payment could not be matched to an invoice (UnmatchedPayments >= 1 in 5 minutes). */
  public readonly unmatchedPaymentsAlarm: Alarm;
  /** A spike of webhook requests with a missing or bad signature. */
  public readonly webhookSignatureFailuresAlarm: Alarm;
  public readonly dashboardRows: readonly StageRow[];

  public constructor(context: StageContext) {
    const { stack, stage, settings } = context;
    this.paymentEventsQueue = alarmedQueue(context, 'PaymentEventsQueue', 'paymentEvents');

    this.applyPaymentEventFunction = functionFrom(context, consumers.applyPaymentEvent, {
      description: 'Applies each accepted Stripe event to its invoice once (payments, refunds, disputes)',
    })
      .bindTable(
        context.billingTable,
        tables.billing.envVar,
        // WebhookEventStore.get (the stored raw event), PaymentStore.linkOf, and
        // InvoiceRepository.findByNumber and update (number pointer, then the invoice).
        'dynamodb:GetItem',
        // PaymentStore.recordEvent (conditional put), the Puts of linkIfUnlinked's
        // TransactWriteItems (link, unmatched listing; authorized per contained action), and
        // InvoiceRepository.update's conditional put of the invoice, and CustomerBalances.record's
        // put of an overpayment movement (in its TransactWriteItems).
        'dynamodb:PutItem',
        // WebhookEventStore.markProcessed, and the balance item CustomerBalances.record moves.
        'dynamodb:UpdateItem',
        // PaymentStore.eventsOf: every event of the payment; CustomerBalances.record's ledger read.
        'dynamodb:Query',
      )
      .consumeQueue(this.paymentEventsQueue.queue, consumers.applyPaymentEvent);

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
    this.stripeWebhookSecret = new Secret(stack, 'StripeWebhookSecret', {
      description: `billflow (${stage}): Stripe webhook endpoint secret(s), "whsec_..." or "whsec_old,whsec_new" while rotating`,
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
      removalPolicy: settings.dataRemovalPolicy,
    });
    Validations.of(this.stripeWebhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "The endpoint secret is issued by Stripe and rotated in Stripe's dashboard, which no rotation Lambda can drive; during the switch the secret holds the old and the new value (comma-separated), both accepted.",
    });

    const webhook = httpRoutes.receiveStripeWebhook;
    this.stripeWebhookFunction = functionFrom(context, webhook, {
      description: 'POST /webhooks/stripe: verifies the Stripe signature, stores the event once and queues it',
      // The ARN only, never the value: the function reads the value at run time.
      environment: { STRIPE_WEBHOOK_SECRET_ARN: this.stripeWebhookSecret.secretArn },
    })
      // WebhookEventStore.record: one UpdateItem that creates the event or counts a delivery.
      .bindTable(context.billingTable, tables.billing.envVar, 'dynamodb:UpdateItem')
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
    this.webhookApi = new WebhookApi(stack, 'WebhookApi', {
      apiName: `${stack.stackName}-webhooks`,
      description: `billflow (${stage}): payment provider webhooks`,
      throttle: { rateLimit: WEBHOOK_RATE_LIMIT_PER_SECOND, burstLimit: WEBHOOK_BURST_LIMIT },
      accessLogRetention: settings.logRetention,
      accessLogRemovalPolicy: settings.dataRemovalPolicy,
    });
    this.webhookApi.addFunctionRoute(webhook, this.stripeWebhookFunction, WEBHOOK_AUTHENTICATION);

    this.unmatchedPaymentsAlarm = businessAlarm(context, businessAlarms.unmatchedPayments);
    this.webhookSignatureFailuresAlarm = businessAlarm(context, businessAlarms.webhookSignatureFailures);
    this.dashboardRows = [this.row()];
  }

  private row(): StageRow {
    const webhook = httpRoutes.receiveStripeWebhook;
    const applyPayment = consumers.applyPaymentEvent;
    const api = this.webhookApi.api;
    const period = DASHBOARD_PERIOD;
    return {
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
    };
  }
}
