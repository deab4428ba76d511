/**
 * The scheduled work run by hand against a pipeline's outputs: the invoice run and dunning,
 * and the waits that make their answers complete. Shared by the CLI commands and the local
 * demo (cli/demo), so both drive the pipeline the same way.
 */
import { sendMessages } from '#adapters/sqs/send-messages.ts';
import { invoiceJobMessage } from '#messages/invoice-job.ts';
import type { InvoiceNumberMessage } from '#messages/invoice-number.ts';
import { renderRequestMessage } from '#messages/render-request.ts';
import { queueCounts, waitUntilEmpty, waitUntilSettled } from '#adapters/sqs/queue-depth.ts';
import type { InvoiceJobFailure } from '#ports/invoice-job-failures.ts';
import type { CatalogRepository } from '#ports/catalog-repository.ts';
import { runDunning, type DunningDependencies, type DunningSummary } from '#use-cases/run-dunning.ts';
import { DunningRunError } from '#use-cases/errors.ts';
import { startInvoiceRun, type InvoiceRunStarted } from '#use-cases/start-invoice-run.ts';
import { recoverStuckDeliveries, type DeliveriesRecovered } from '#use-cases/recover-deliveries.ts';
import type { CliContext } from './context.ts';

/** Enqueues the close-billing-period jobs of `period` as of `asOf`, as the hourly run would. */
export function startInvoiceRunByHand(
  context: CliContext,
  asOf: number,
  period: string,
  options: { catalog?: CatalogRepository; ingestSettledAt?: number; periodNamed?: boolean } = {},
): Promise<InvoiceRunStarted> {
  return startInvoiceRun(
    asOf,
    {
      catalog: options.catalog ?? context.catalog,
      invoices: context.invoices,
      runs: context.invoiceRuns,
      enqueue: async (jobs) => ({
        failed: (await sendMessages(context.clients.sqs, context.outputs.invoiceJobsQueueUrl, invoiceJobMessage, jobs)).failed.length,
      }),
    },
    {
      period,
      periodNamed: options.periodNamed === true,
      ...(options.ingestSettledAt === undefined ? {} : { ingestSettledAt: options.ingestSettledAt }),
    },
  );
}

/** Hands documents to render-invoice (the invoice-documents queue); returns the numbers that could not be sent. */
export async function requestDocumentsByHand(
  context: CliContext,
  requests: readonly InvoiceNumberMessage[],
): Promise<{ failed: string[] }> {
  const queueUrl = context.outputs.invoiceDocumentsQueueUrl;
  if (queueUrl === undefined)
    throw new Error('the outputs name no invoiceDocumentsQueueUrl: deploy or start a pipeline with invoice delivery');
  const result = await sendMessages(context.clients.sqs, queueUrl, renderRequestMessage, requests);
  return { failed: result.failed.map((failure) => failure.value.number) };
}

/** The invoice run's delivery sweep: stuck deliveries (past the claim timeout) to render-invoice again. */
export function recoverDeliveriesByHand(context: CliContext): Promise<DeliveriesRecovered> {
  return recoverStuckDeliveries({
    invoices: context.invoices,
    creditNotes: context.creditNotes,
    requestDocuments: (requests) => requestDocumentsByHand(context, requests),
    now: Date.now,
  });
}

/**
 * Waits until ingestion is idle and returns since when: the invoices of a run by hand then
 * bill every event stored until that instant (without it, the cut is the settle time before
 * the job runs, and events sent a moment ago would be billed on the next invoice as late).
 */
export function waitForIngestion(context: CliContext, timeoutMs: number): Promise<number> {
  return waitUntilEmpty(context.clients.sqs, context.outputs.eventsQueueUrl, timeoutMs, 'the events queue');
}

/** Where a run by hand starts from: its period, when it began, and the jobs already in flight then. */
export interface RunByHand {
  readonly period: string;
  /** Epoch ms; failures recorded from then on are this run's. */
  readonly since: number;
  /** Jobs in flight before this run enqueued its own (e.g. an earlier run's failed job awaiting its retry). */
  readonly inFlightBefore: number;
}

/** What waitForInvoiceRun needs to know before the run enqueues its jobs. */
export async function beginRunByHand(context: CliContext, period: string, since: number): Promise<RunByHand> {
  const { inFlight } = await queueCounts(context.clients.sqs, context.outputs.invoiceJobsQueueUrl);
  return { period, since, inFlightBefore: inFlight };
}

/**
 * Waits for the jobs, then rendering and sending where the outputs name their queues. Returns
 * the jobs of `run.period` that failed during the run: a failed job is retried only after the
 * queue's visibility timeout (12 minutes), so the wait ends once every job still in flight is
 * one that failed (or was in flight before the run), and the caller reports them.
 */
export async function waitForInvoiceRun(context: CliContext, timeoutMs: number, run?: RunByHand): Promise<InvoiceJobFailure[]> {
  const { sqs } = context.clients;
  let failures: InvoiceJobFailure[] = [];
  const failed = async () => {
    if (run === undefined) return 0;
    failures = await context.invoiceJobFailures.listSince(run.period, run.since);
    return run.inFlightBefore + failures.length;
  };
  await waitUntilSettled(sqs, context.outputs.invoiceJobsQueueUrl, timeoutMs, 'the invoice jobs queue', failed);
  // Rendering feeds sending: wait for both, twice, so a message passed on late is seen too.
  const delivery = [context.outputs.invoiceDocumentsQueueUrl, context.outputs.invoiceEmailsQueueUrl].filter(
    (url): url is string => url !== undefined,
  );
  for (const url of [...delivery, ...delivery]) await waitUntilEmpty(sqs, url, timeoutMs, 'invoice delivery');
  await failed();
  return failures;
}

/** Webhook events still queued would be missing from a payment state or let a paid invoice be reminded. */
export async function waitForPaymentEvents(context: CliContext, timeoutMs = 60_000): Promise<void> {
  const queueUrl = context.outputs.paymentEventsQueueUrl;
  if (queueUrl !== undefined) await waitUntilEmpty(context.clients.sqs, queueUrl, timeoutMs, 'the payment events queue');
}

/**
 * Dunning as of `asOf`, after queued webhook events are applied. A run with failed reminders
 * still reports what it did (`complete: false`); the failed ones are retried by the next run.
 */
export async function runDunningByHand(
  context: CliContext,
  asOf: number,
  invoices: DunningDependencies['invoices'] = context.invoices,
): Promise<{ summary: DunningSummary; complete: boolean }> {
  await waitForPaymentEvents(context);
  try {
    const summary = await runDunning(asOf, {
      invoices,
      catalog: context.catalog,
      documents: context.documents,
      mailer: context.mailer,
      now: Date.now,
      // By hand, a claim older than a minute is a run that died (the CLI sends in seconds).
      claimTimeoutMs: 60_000,
      outbound: context.outbound,
    });
    return { summary, complete: true };
  } catch (error) {
    if (!(error instanceof DunningRunError)) throw error;
    return { summary: error.summary, complete: false };
  }
}
