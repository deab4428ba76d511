/**
 * Outbound events (issue 19): the stack's EventBridge bus, where the publishing functions put
 * every business fact (events:PutEvents on this bus only, each), and the webhook deliveries:
 * a rule on the bus feeds the webhook-deliveries queue with each event's CloudEvent (the
 * entry's detail), and deliver-webhooks posts it, signed, to every subscribed endpoint.
 * Operators attach their own rules to the bus (README, "Outbound events").
 */
import { RuleTargetInput, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { eventBusNameOf, outboundSource } from '#domain/outbound/envelope.ts';
import { businessAlarms } from '../alarms.ts';
import type { BillingFunction } from '../constructs/billing-function.ts';
import type { StageRow } from '../constructs/pipeline-dashboard.ts';
import type { QueueWithDeadLetter } from '../constructs/queue-with-dead-letter.ts';
import { consumers, queues, tables } from '../resources.ts';
import { count, deadLetters, received, waiting } from './dashboard-metrics.ts';
import { alarmedQueue, businessAlarm, functionFrom, type PipelineStage, type StageContext } from './stage-context.ts';

/** The variables a publishing function reads (shared/config.ts readOutboundConfig). */
export const EVENT_BUS_ENV = 'EVENT_BUS_NAME';
export const OUTBOUND_SOURCE_ENV = 'OUTBOUND_SOURCE';

export class OutboundStage implements PipelineStage {
  public readonly eventBus: EventBus;
  /** CloudEvents `source` and EventBridge `Source` of every billflow event of this stack. */
  public readonly source: string;
  /** Every billflow event of this stack to the webhook-deliveries queue. */
  public readonly webhookRule: Rule;
  public readonly webhookDeliveriesQueue: QueueWithDeadLetter;
  public readonly deliverWebhooksFunction: BillingFunction;
  public readonly webhookDeliveryFailuresAlarm: Alarm;
  public readonly dashboardRows: readonly StageRow[];

  public constructor(context: StageContext, props: { readonly publishers: readonly BillingFunction[] }) {
    const { stack } = context;
    this.source = outboundSource(stack.stackName);
    this.eventBus = new EventBus(stack, 'OutboundEventBus', {
      eventBusName: eventBusNameOf(stack.stackName),
      description: `billflow: invoices, payments, reminders and rejected events of ${stack.stackName} (CloudEvents in detail)`,
    });
    for (const fn of props.publishers) this.publishesFrom(fn);

    this.webhookDeliveriesQueue = alarmedQueue(context, 'WebhookDeliveriesQueue', 'webhookDeliveries');
    this.webhookRule = new Rule(stack, 'WebhookDeliveriesRule', {
      eventBus: this.eventBus,
      description: 'Every billflow event of this stack to the webhook deliveries queue',
      eventPattern: { source: [this.source] },
      // The CloudEvent itself, the same body the local adapter queues.
      // What EventBridge cannot put on the queue (after its own retries, 24 hours) goes to the
      // queue's dead-letter queue, as the whole EventBridge event: `webhooks replay` unwraps it.
      targets: [
        new SqsQueue(this.webhookDeliveriesQueue.queue, {
          message: RuleTargetInput.fromEventPath('$.detail'),
          deadLetterQueue: this.webhookDeliveriesQueue.deadLetterQueue,
        }),
      ],
    });

    const deliver = consumers.deliverWebhooks;
    this.deliverWebhooksFunction = functionFrom(context, deliver, {
      description: 'Posts each billflow event, signed (Standard Webhooks), to the webhook endpoints subscribed to it',
      // https only, never to a private, loopback or link-local address (shared/adapters/http).
      environment: { WEBHOOK_URL_POLICY: 'public-https', [queues.webhookDeliveries.envVar]: this.webhookDeliveriesQueue.queue.queueUrl },
    })
      .bindTable(
        context.billingTable,
        tables.billing.envVar,
        // WebhookEndpointStore.wasDelivered.
        'dynamodb:GetItem',
        // recordAttempt and markDelivered.
        'dynamodb:PutItem',
        // list: the endpoints.
        'dynamodb:Query',
      )
      // The event source grants ChangeMessageVisibility, with which the backoff is set.
      .consumeQueue(this.webhookDeliveriesQueue.queue, deliver);

    this.webhookDeliveryFailuresAlarm = businessAlarm(context, businessAlarms.webhookDeliveryFailures);
    this.dashboardRows = [this.row()];
  }

  /** The bus's name and the source in the function's environment, and PutEvents on this bus only. */
  private publishesFrom(fn: BillingFunction): void {
    fn.addEnvironment(EVENT_BUS_ENV, this.eventBus.eventBusName);
    fn.addEnvironment(OUTBOUND_SOURCE_ENV, this.source);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [this.eventBus.eventBusArn] }));
  }

  private row(): StageRow {
    const deliver = consumers.deliverWebhooks;
    return {
      title: 'Outbound events',
      description: `Business facts on the ${this.eventBus.node.id} bus; its rule feeds the ${queues.webhookDeliveries.id} queue, and ${deliver.functionId} posts each event to the subscribed webhook endpoints (retried with backoff for over 3 days, then dead-lettered: \`billflow webhooks replay\`).`,
      throughput: [received(this.webhookDeliveriesQueue), count('WebhooksDelivered', 'webhooks delivered')],
      functions: [{ label: deliver.functionId, fn: this.deliverWebhooksFunction }],
      deadLetterQueues: [deadLetters(this.webhookDeliveriesQueue)],
      queues: [waiting(this.webhookDeliveriesQueue)],
      figures: [
        {
          title: 'Webhook delivery failures',
          metrics: [count('WebhookDeliveryFailures', 'failed attempts')],
          annotations: [this.webhookDeliveryFailuresAlarm.toAnnotation()],
          unit: 'attempts / 5 min',
        },
      ],
    };
  }
}
