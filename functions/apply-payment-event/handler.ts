/**
 * Lambda entry point of apply-payment-event: one accepted Stripe event per SQS message
 * ({ eventId }), applied to its invoice's payment ledger once.
 */
import type { SQSRecord } from 'aws-lambda';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbCustomerBalances } from '#adapters/dynamodb/customer-balance-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { DynamoDbPaymentStore } from '#adapters/dynamodb/payment-store.ts';
import { DynamoDbWebhookEventStore } from '#adapters/dynamodb/webhook-event-store.ts';
import { readBillingTableConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { readStripePaymentEvent } from '#formats/stripe-events.ts';
import { paymentEventMessage } from '#messages/payment-event.ts';
import { applyPaymentEvent, type ApplyPaymentOutcome } from '#use-cases/apply-payment-event.ts';
import { sqsRecordHandler } from '../commons/sqs-record-handler.ts';
import { outboundEventsOf } from '../commons/outbound-events.ts';

function build() {
  const { billingTable } = readBillingTableConfig();
  const { dynamodb, sqs } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  const deps = {
    webhookEvents: new DynamoDbWebhookEventStore(dynamodb, billingTable),
    payments: new DynamoDbPaymentStore(dynamodb, billingTable),
    invoices: new DynamoDbInvoiceRepository(dynamodb, billingTable),
    balances: new DynamoDbCustomerBalances(dynamodb, billingTable),
    paymentEventOf: (stored: { readonly body: string }) => readStripePaymentEvent(stored.body),
    now: Date.now,
    outbound: outboundEventsOf(sqs),
  };
  return async (record: SQSRecord) => {
    const { eventId } = paymentEventMessage.parse(record.body);
    const outcome = await applyPaymentEvent(eventId, deps);
    countOutcome(outcome);
    logger.info('payment event', { eventId, action: outcome.action, ...('paymentId' in outcome ? { paymentId: outcome.paymentId } : {}) });
    return outcome.action;
  };
}

/** One metric per business outcome; money in minor units per currency. */
function countOutcome(outcome: ApplyPaymentOutcome): void {
  if (outcome.action === 'unmatched' && outcome.newlyUnmatched) metrics.addMetric('UnmatchedPayments', MetricUnit.Count, 1);
  if (outcome.action !== 'applied' || outcome.added.length === 0) return;
  metrics.addMetric('PaymentEventsApplied', MetricUnit.Count, outcome.added.length);
  const collected = outcome.invoice.amountPaid - outcome.before.amountPaid;
  if (collected === 0) return;
  // A single-metric object: the Currency dimension must not leak onto the counts above.
  const money = metrics.singleMetric();
  money.addDimension('Currency', outcome.invoice.currency);
  money.addMetric(collected > 0 ? 'AmountCollected' : 'AmountReversed', MetricUnit.Count, Math.abs(collected));
}

export const handler = sqsRecordHandler(build);
