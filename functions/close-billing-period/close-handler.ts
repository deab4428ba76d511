/**
 * One invoice job: parse it, close the period, count the outcome. Throwing fails only this
 * record (partial batch response), which SQS retries and dead-letters after 5 receives; a job
 * that fails is logged, counted and recorded first, so the failing customer is known.
 */
import type { SQSRecord } from 'aws-lambda';
import { invoiceJobMessage } from '#messages/invoice-job.ts';
import { recordFailureOf } from '../commons/record-failures.ts';
import { logger, metrics, MetricUnit } from '#shared/observability.ts';
import type { InvoiceJobFailures } from '#ports/invoice-job-failures.ts';
import { closeBillingPeriod, type CloseBillingPeriodDependencies, type CloseOutcome } from '#use-cases/close-billing-period.ts';

export interface JobFailureDependencies {
  readonly jobFailures: InvoiceJobFailures;
  readonly now: () => number;
}

export function createCloseBillingPeriodHandler(deps: CloseBillingPeriodDependencies, failures: JobFailureDependencies) {
  return async (record: SQSRecord): Promise<CloseOutcome> => {
    const job = invoiceJobMessage.parse(record.body);
    let outcome: CloseOutcome;
    try {
      outcome = await closeBillingPeriod(job, deps);
    } catch (error) {
      await reportFailure(job, error, failures);
      throw error;
    }
    recordOutcome(outcome);
    logger.info('billing period closed', {
      customerId: job.customerId,
      period: job.period,
      action: outcome.action,
      ...('invoice' in outcome ? { number: outcome.invoice.number, total: outcome.invoice.total } : {}),
    });
    return outcome;
  };
}

/**
 * A customer without an invoice must not go unnoticed: the failure is logged, counted
 * (InvoiceJobsFailed, alarmed) and recorded for `billflow invoices run` before the job is
 * retried. Recording is best effort: the job is retried and dead-lettered whether or not it worked.
 */
async function reportFailure(job: { customerId: string; period: string }, error: unknown, failures: JobFailureDependencies): Promise<void> {
  const { reason } = recordFailureOf(error);
  logger.error('invoice job failed', { customerId: job.customerId, period: job.period, reason, error: error as Error });
  metrics.addMetric('InvoiceJobsFailed', MetricUnit.Count, 1);
  try {
    await failures.jobFailures.record({
      customerId: job.customerId,
      period: job.period,
      reason,
      failedAt: new Date(failures.now()).toISOString(),
    });
  } catch (recordError) {
    logger.error('invoice job failure not recorded', { customerId: job.customerId, period: job.period, error: recordError as Error });
  }
}

function recordOutcome(outcome: CloseOutcome): void {
  if (outcome.action === 'finalized' || outcome.action === 'not_issued') {
    // The read side of the accounting identity, once per customer period as it closes:
    // ingestion counts EventsReceived and EventsRejected as events arrive; which stored
    // deliveries were distinct is only known when reading (docs/storage.md).
    metrics.addMetric('EventsAccepted', MetricUnit.Count, outcome.invoice.eventCount);
    metrics.addMetric('EventsDuplicate', MetricUnit.Count, outcome.invoice.duplicateDeliveries);
  }
  switch (outcome.action) {
    case 'drafted':
      metrics.addMetric('InvoicesDrafted', MetricUnit.Count, 1);
      return;
    case 'finalized': {
      metrics.addMetric('InvoicesFinalized', MetricUnit.Count, 1);
      // Amount per currency: a single-metric line carries its own currency dimension.
      const single = metrics.singleMetric();
      single.addDimension('currency', outcome.invoice.currency);
      single.addMetric('AmountInvoiced', MetricUnit.Count, outcome.invoice.total);
      return;
    }
    case 'not_issued':
      metrics.addMetric('InvoicesNotIssuedZeroTotal', MetricUnit.Count, 1);
      return;
    default:
      return;
  }
}
