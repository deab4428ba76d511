/**
 * `billflow invoices redeliver [NUMBER]`: a delivery whose next step was lost (a crash between
 * claim and send, a queue message gone with the local emulator) handed to render-invoice
 * again, then waited for. Without NUMBER, every delivery stuck past the claim timeout, as the
 * invoice run's sweep does, credit notes included. Still one email per document: send-invoice's
 * conditional claim decides, and a claim younger than the timeout is left to its sender.
 */
import type { Command } from 'commander';
import type { DocumentDelivery } from '#domain/delivery/document-delivery.ts';
import { DELIVERY_CLAIM_TIMEOUT_MS } from '#use-cases/recover-deliveries.ts';
import { createContext, type CliContext } from '../context.ts';
import { recoverDeliveriesByHand, requestDocumentsByHand, waitForInvoiceRun } from '../by-hand.ts';
import { UsageError } from '../errors.ts';
import { emit } from '../output.ts';
import { parseWholeNumber, type GlobalOptions } from '../options.ts';

export function registerRedeliverCommand(invoices: Command, globals: () => GlobalOptions): void {
  invoices
    .command('redeliver')
    .description('render and email again the invoices whose delivery is stuck (all of them past the claim timeout, or NUMBER)')
    .argument('[number]', 'only this invoice')
    .option('--timeout <seconds>', 'how long to wait for rendering and sending', '300')
    .action(async (number: string | undefined, options: { timeout: string }) => {
      const context = createContext(globals().outputs);
      const timeoutMs = parseWholeNumber('--timeout', options.timeout, 1, 86_400) * 1000;
      const requeued = number === undefined ? await requeueStuck(context) : await requeueOne(context, number);
      await waitForInvoiceRun(context, timeoutMs);
      const after = await Promise.all(requeued.map((each) => deliveryAfter(context, each)));
      const notSent = after.filter((invoice) => invoice.deliveryStatus !== 'sent');
      if (notSent.length > 0) process.exitCode = 1;
      emit(globals(), { requeued, invoices: after }, () =>
        requeued.length === 0
          ? `no delivery is stuck: every finalized invoice is sent, failed or bounced, or its last step is younger than ${DELIVERY_CLAIM_TIMEOUT_MS / 60_000} minutes`
          : [
              ...after.map(
                (invoice) =>
                  `${invoice.number}  ${invoice.deliveryStatus}${invoice.deliveryProblem == null ? '' : `  (${invoice.deliveryProblem.detail})`}`,
              ),
              `handed ${requeued.length} to render-invoice again: ${after.length - notSent.length} sent` +
                (notSent.length > 0 ? `, ${notSent.length} not (see billflow invoices show NUMBER)` : ''),
            ].join('\n'),
      );
    });
}

async function requeueStuck(context: CliContext): Promise<string[]> {
  const recovered = await recoverDeliveriesByHand(context);
  if (recovered.failed.length > 0)
    throw new Error(`could not queue ${recovered.failed.join(', ')} for render-invoice; run the command again`);
  return [...recovered.requeued];
}

async function requeueOne(context: CliContext, number: string): Promise<string[]> {
  const invoice = await context.invoices.findByNumber(number);
  if (invoice === undefined) throw new UsageError(`no invoice ${number}: see billflow invoices list`);
  if (invoice.status !== 'finalized') throw new UsageError(`invoice ${number} is ${invoice.status}: only a finalized invoice is delivered`);
  if (invoice.deliveryStatus === 'sent' || invoice.deliveryStatus === 'bounced' || invoice.deliveryStatus === 'failed') {
    throw new UsageError(
      `invoice ${number} was delivered already (delivery ${invoice.deliveryStatus}); to email it again on purpose: billflow invoices resend ${number}`,
    );
  }
  const claimEnds = Date.parse(invoice.sendingSince ?? '') + DELIVERY_CLAIM_TIMEOUT_MS;
  if (invoice.deliveryStatus === 'sending' && claimEnds > Date.now()) {
    // Its sender may still be running: taking over now could send a second email.
    throw new UsageError(
      `invoice ${number} was claimed for sending at ${invoice.sendingSince}; its sender has until ${new Date(claimEnds).toISOString()}: run this again after that`,
    );
  }
  const { failed } = await requestDocumentsByHand(context, [{ number }]);
  if (failed.length > 0) throw new Error(`could not queue ${number} for render-invoice; run the command again`);
  return [number];
}

/** Where a requeued document's delivery stands now: an invoice's, or (the sweep requeues those too) a credit note's. */
async function deliveryAfter(context: CliContext, number: string) {
  const delivery: DocumentDelivery | undefined =
    (await context.invoices.findByNumber(number)) ?? (await context.creditNotes.findDelivered(number))?.delivery;
  if (delivery === undefined) throw new Error(`${number} was requeued but is neither an invoice nor a credit note`);
  return {
    number,
    deliveryStatus: delivery.deliveryStatus,
    deliveryProblem: delivery.deliveryProblem ?? null,
    emails: delivery.emails,
  };
}
