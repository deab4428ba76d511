/**
 * billflow on AWS. The stack creates what the stages share (the tables, the invoices bucket and
 * its access logs, the alarm topic and its key, the schedule group) and one construct per
 * pipeline stage (infra/stages/), each owning its functions, queues, grants, alarms and
 * dashboard rows; then the operators' dashboard and the outputs. Tables, queues, buckets,
 * consumers, schedules and routes are built from infra/resources.ts, alarms from
 * infra/alarms.ts, outputs from shared/outputs.ts; nothing here restates their numbers.
 */
import { CfnParameter, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { addStackOutputs } from './outputs.ts';
import { buckets, tables } from './resources.ts';
import { stageSettings, type Stage } from './stage.ts';
import { DeliveryStage } from './stages/delivery.ts';
import { DunningStage } from './stages/dunning.ts';
import { IngestStage } from './stages/ingest.ts';
import { InvoiceRunStage } from './stages/invoice-run.ts';
import { OperationsStage } from './stages/operations.ts';
import { OutboundStage } from './stages/outbound.ts';
import { PaymentsStage } from './stages/payments.ts';
import { HttpApiStage } from './stages/http-api.ts';
import type { StageContext } from './stages/stage-context.ts';
import { createBuckets, createTable } from './storage.ts';

export interface BillflowStackProps extends StackProps {
  readonly stage: Stage;
}

export class BillflowStack extends Stack {
  public readonly eventsTable: Table;
  public readonly billingTable: Table;
  public readonly alarms: AlarmTopic;
  public readonly invoicesBucket: Bucket;
  public readonly accessLogsBucket: Bucket;
  /** Holds billflow's schedules; schedule execution roles trust only schedules of this group. */
  public readonly scheduleGroup: ScheduleGroup;
  /** Usage events in: the events queue and the ingest function. */
  public readonly ingest: IngestStage;
  /** Rendering and emailing finalized invoices, bounces and complaints, stuck deliveries. */
  public readonly delivery: DeliveryStage;
  /** The hourly invoice run and close-billing-period. */
  public readonly invoiceRun: InvoiceRunStage;
  /** Stripe webhooks and their application to invoices. */
  public readonly payments: PaymentsStage;
  /** The /v1 HTTP API for upstream systems, on the payments stage's HTTP API. */
  public readonly httpApi: HttpApiStage;
  /** The daily overdue reminders. */
  public readonly dunning: DunningStage;
  /** The event bus of outbound events and the webhook deliveries. */
  public readonly outbound: OutboundStage;
  /** The operators' CloudWatch dashboard, named like the stack (docs/operations.md). */
  public readonly operations: OperationsStage;

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
    const storage = createBuckets(this, settings);
    this.invoicesBucket = storage.invoices;
    this.accessLogsBucket = storage.accessLogs;
    // Holds no data: deleted with the stack in every stage, or its schedules would outlive
    // the functions they invoke.
    this.scheduleGroup = new ScheduleGroup(this, 'Schedules', { removalPolicy: RemovalPolicy.DESTROY });

    const context: StageContext = {
      stack: this,
      stage,
      settings,
      alarms: this.alarms,
      eventsTable: this.eventsTable,
      billingTable: this.billingTable,
      invoicesBucket: this.invoicesBucket,
    };
    const { scheduleGroup } = this;
    this.ingest = new IngestStage(context);
    // Before the invoice run, which requests documents from it and recovers stuck deliveries.
    this.delivery = new DeliveryStage(context);
    this.invoiceRun = new InvoiceRunStage(context, { delivery: this.delivery, scheduleGroup });
    this.payments = new PaymentsStage(context);
    this.httpApi = new HttpApiStage(context, { webhookApi: this.payments.webhookApi, ingest: this.ingest });
    // Invoice emails link to the hosted invoice page on this API, `{apiUrl}/i/{token}` (issue 20).
    this.delivery.sendInvoiceFunction.addEnvironment('INVOICE_PAGE_BASE_URL', this.payments.webhookApi.url);
    this.dunning = new DunningStage(context, { delivery: this.delivery, scheduleGroup });
    // After the stages whose functions publish business facts: it grants them PutEvents.
    this.outbound = new OutboundStage(context, {
      publishers: [
        this.ingest.ingestFunction,
        this.invoiceRun.closeBillingPeriodFunction,
        this.delivery.sendInvoiceFunction,
        this.delivery.recordMailEventFunction,
        this.payments.applyPaymentEventFunction,
        this.dunning.dunningRunFunction,
        // The hourly sweep of the outbound outbox (facts whose publish failed).
        this.invoiceRun.invoiceRunFunction,
        // subscription.changed for API subscription changes.
        this.httpApi.serveApiFunction,
      ],
    });
    // Last: the dashboard shows every alarm created above; rows in pipeline order.
    this.operations = new OperationsStage(context, [
      this.ingest,
      this.invoiceRun,
      this.delivery,
      this.payments,
      this.dunning,
      this.httpApi,
      this.outbound,
    ]);

    // What each queue's (and dead-letter queue's) variable holds, as the functions get it.
    const { ingest, invoiceRun, delivery, payments, outbound } = this;
    const pipelineQueues = [
      ingest.eventsQueue,
      invoiceRun.invoiceJobsQueue,
      delivery.invoiceDocumentsQueue,
      delivery.invoiceEmailsQueue,
      payments.paymentEventsQueue,
      outbound.webhookDeliveriesQueue,
    ];
    const queueUrls = pipelineQueues.flatMap(({ definition, queue, deadLetterQueue }): [string, string][] => [
      [definition.envVar, queue.queueUrl],
      [definition.deadLetter.envVar, deadLetterQueue.queueUrl],
    ]);
    addStackOutputs(this, {
      env: {
        [tables.events.envVar]: this.eventsTable.tableName,
        [tables.billing.envVar]: this.billingTable.tableName,
        [buckets.invoices.envVar]: this.invoicesBucket.bucketName,
        ...Object.fromEntries(queueUrls),
        EVENT_BUS_NAME: outbound.eventBus.eventBusName,
      },
      apiUrl: this.payments.webhookApi.url,
      stackOnly: { stripeWebhookSecretArn: this.payments.stripeWebhookSecret.secretArn, dashboardUrl: this.operations.dashboardUrl },
    });
  }
}
