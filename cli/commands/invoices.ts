/** `billflow invoices run | list | show | pdf | resend | redeliver | link | void | credit | run-dunning`. */
import type { Command } from 'commander';
import { formatMinor } from '#domain/money.ts';
import type { Invoice } from '#domain/invoice/invoice.ts';
import { daysOverdue, isOverdue } from '#domain/dunning/reminder-policy.ts';
import { summarizePayments } from '#domain/payments/payment-summary.ts';
import { voidInvoice } from '#use-cases/void-invoice.ts';
import { sendInvoice } from '#use-cases/send-invoice.ts';
import { writeFileSync } from 'node:fs';
import { periodBounds } from '#domain/period.ts';
import { createContext } from '../context.ts';
import {
  beginRunByHand,
  recoverDeliveriesByHand,
  runDunningByHand,
  startInvoiceRunByHand,
  waitForIngestion,
  waitForInvoiceRun,
  waitForPaymentEvents,
} from '../by-hand.ts';
import { registerRedeliverCommand } from './redeliver.ts';
import { pageLinkOf, registerInvoiceLinkCommand } from './invoice-links.ts';
import { registerEInvoiceCommands } from './einvoice.ts';
import { registerCreditCommand } from './credit-notes.ts';
import { describeDisputes } from './payments.ts';
import { asUsageError, UsageError } from '../errors.ts';
import { InvoiceNotFoundError, InvoiceStateError } from '#domain/errors.ts';
import { DocumentMissingError } from '#ports/document-store.ts';
import { emit, pendingFactWarning, table } from '../output.ts';
import { parseInstant, parsePeriod, parseWholeNumber, periodToRun, type GlobalOptions } from '../options.ts';

export function registerInvoiceCommands(program: Command, globals: () => GlobalOptions): void {
  const invoices = program.command('invoices').description('the invoice run and the invoices it issues');

  invoices
    .command('run')
    .description('run the invoice cycle by hand as of an instant: drafts for ended periods, finalization after the grace period')
    .option('--as-of <instant>', 'RFC 3339 instant the run is as of, e.g. 2026-12-01T02:00:00Z (default: now)')
    .option('--period <YYYY-MM>', 'close this period instead of the last one ended at --as-of (required for one more than 3 periods back)')
    .option('--no-wait', 'enqueue the jobs and return without waiting for them')
    .option('--timeout <seconds>', 'how long to wait for the jobs', '600')
    .action(async (options: { asOf?: string; period?: string; wait: boolean; timeout: string }) => {
      const since = Date.now();
      const asOf = parseInstant('--as-of', options.asOf, '2026-12-01T02:00:00Z');
      const timeoutMs = parseWholeNumber('--timeout', options.timeout, 1, 86_400) * 1000;
      const period = parsePeriod(options.period) ?? periodToRun(asOf, since, options.asOf);
      const context = createContext(globals().outputs);
      // Events still queued would miss the run: let ingestion finish first, and bill everything
      // stored until then on the invoices finalized now.
      const ingestSettledAt = options.wait ? await waitForIngestion(context, timeoutMs) : undefined;
      // Failures recorded from a second before the run: the functions' clock may lag the CLI's.
      const run = await beginRunByHand(context, period, since - 1000);
      // By hand, the last ended period is closed for every customer whatever the date (the
      // hourly schedule does that only during the day after a period ends).
      const started = await startInvoiceRunByHand(context, asOf, period, { ingestSettledAt, periodNamed: options.period !== undefined });
      // As the hourly run does: deliveries stuck past the claim timeout (of any period) go to render-invoice again.
      const deliveries = await recoverDeliveriesByHand(context);
      const recovered =
        deliveries.requeued.length > 0
          ? `; ${deliveries.requeued.length} stuck deliveries handed to render-invoice again (${deliveries.requeued.join(', ')})`
          : '';
      if (deliveries.failed.length > 0) process.exitCode = 1;
      if (!options.wait) {
        emit(
          globals(),
          { ...started, deliveries },
          () => `enqueued ${started.jobs} invoice jobs for ${started.period} as of ${started.asOf}${recovered}`,
        );
        return;
      }
      const failedJobs = await waitForInvoiceRun(context, timeoutMs, run);
      const closed = await context.invoices.list({ billingPeriod: started.period });
      const count = (status: Invoice['status']) => closed.filter((invoice) => invoice.status === status).length;
      // Customers who entered the catalog after the period ended and have no events in it are
      // not billed for it unless the run names the period (close-billing-period): say so.
      const invoiced = new Set(closed.map((invoice) => invoice.customerId));
      const leftOut =
        options.period === undefined
          ? (await context.catalog.listCustomers())
              .filter(
                (customer) =>
                  !invoiced.has(customer.id) &&
                  customer.enteredAt !== undefined &&
                  Date.parse(customer.enteredAt) >= periodBounds(started.period).end,
              )
              .map((customer) => ({ customerId: customer.id, enteredAt: customer.enteredAt! }))
          : [];
      const document = {
        ...started,
        deliveries,
        finalized: count('finalized'),
        drafts: count('draft'),
        notIssued: count('not_issued'),
        void: count('void'),
        failedJobs: failedJobs.map(({ customerId, period: failedPeriod, reason, attempts }) => ({
          customerId,
          period: failedPeriod,
          reason,
          attempts,
        })),
        leftOut,
        invoices: closed.map(summary),
      };
      emit(globals(), document, () =>
        [
          invoiceTable(closed),
          ...failedJobs.map((job) => `FAILED ${job.customerId} ${job.period}: ${job.reason}`),
          ...(leftOut.length === 0
            ? []
            : [
                `not billed for ${started.period}: ${leftOut.map((entry) => `${entry.customerId} (entered the catalog ${entry.enteredAt.slice(0, 10)})`).join(', ')}, ` +
                  `with no events in ${started.period}; to bill them for it anyway, run again with --period ${started.period}`,
              ]),
          `${started.period} as of ${started.asOf}: ${document.finalized} finalized, ${document.drafts} drafts, ${document.notIssued} not issued (zero total)${recovered}` +
            (failedJobs.length > 0 ? `, ${failedJobs.length} customers failed (retried by SQS; fix the cause and run again)` : ''),
        ].join('\n'),
      );
      if (started.failed > 0 || failedJobs.length > 0) process.exitCode = 1;
    });

  invoices
    .command('list')
    .description('invoices and drafts, oldest period first')
    .option('--customer <id>', 'only this customer')
    .option('--period <YYYY-MM>', 'only this billing period')
    .action(async (options: { customer?: string; period?: string }) => {
      const context = createContext(globals().outputs);
      const period = parsePeriod(options.period);
      const found = await context.invoices.list({
        ...(options.customer === undefined ? {} : { customerId: options.customer }),
        ...(period === undefined ? {} : { billingPeriod: period }),
      });
      emit(globals(), found, () => (found.length === 0 ? 'no invoices' : invoiceTable(found)));
    });

  invoices
    .command('show')
    .description('one invoice, with its lines')
    .argument('<number>', 'invoice number, e.g. ACME-2026-000001')
    .option('--as-of <instant>', 'judge `overdue` as of this RFC 3339 instant (default: now)')
    .action(async (number: string, options: { asOf?: string }) => {
      const asOf = parseInstant('--as-of', options.asOf, '2027-01-03T06:00:00Z');
      const context = createContext(globals().outputs);
      await waitForPaymentEvents(context);
      const invoice = await context.invoices.findByNumber(number);
      if (invoice === undefined) throw new UsageError(`no invoice ${number}: see billflow invoices list`);
      const shown = withPaymentView(invoice, asOf);
      emit(globals(), shown, () => describeInvoice(shown));
    });

  invoices
    .command('run-dunning')
    .description('email the overdue reminders due as of an instant (the daily schedule does this at 06:00 UTC)')
    .option('--as-of <instant>', 'RFC 3339 instant the run is as of, e.g. 2027-01-04T06:00:00Z (default: now)')
    .action(async (options: { asOf?: string }) => {
      const asOf = parseInstant('--as-of', options.asOf, '2027-01-03T06:00:00Z');
      const context = createContext(globals().outputs);
      // A payment still queued must stop its reminder: runDunningByHand applies queued webhook events first.
      const { summary, complete } = await runDunningByHand(context, asOf);
      if (!complete) process.exitCode = 1;
      emit(globals(), summary, () =>
        [
          ...summary.sent.map((sent) => `reminded ${sent.number} (day ${sent.stage})`),
          ...summary.failed.map((failed) => `could not remind ${failed.number}: ${failed.reason}`),
          `dunning as of ${summary.asOf} (days ${summary.reminderDays.join(', ')}): ${summary.candidates} overdue, ${summary.sent.length} reminded, ${summary.failed.length} failed`,
        ].join('\n'),
      );
    });

  invoices
    .command('pdf')
    .description("write an invoice's stored PDF to a file")
    .argument('<number>', 'invoice number')
    .requiredOption('--out <file>', 'where to write the PDF')
    .action(async (number: string, options: { out: string }) => {
      const context = createContext(globals().outputs);
      const invoice = await context.invoices.findByNumber(number);
      if (invoice === undefined) throw new UsageError(`no invoice ${number}: see billflow invoices list`);
      if (invoice.document === null) {
        throw new UsageError(
          `invoice ${number} has no document yet (delivery ${invoice.deliveryStatus}); it is rendered right after finalization`,
        );
      }
      const pdf = await context.documents.get(invoice.document.key).catch((error: unknown) => {
        if (!(error instanceof DocumentMissingError)) throw error;
        throw new Error(
          `invoice ${number}'s PDF is recorded at s3://${invoice.document!.bucket}/${invoice.document!.key} (SHA-256 ${invoice.document!.sha256}) but the bucket no longer holds it; ` +
            'locally, was BILLFLOW_HOME/s3 deleted? Restore the object from a backup: it is the legal record, and is not rendered again',
        );
      });
      writeFileSync(options.out, pdf);
      emit(
        globals(),
        { number, file: options.out, bytes: pdf.length, sha256: invoice.document.sha256, key: invoice.document.key },
        () => `wrote ${options.out} (${pdf.length} bytes, s3://${invoice.document!.bucket}/${invoice.document!.key})`,
      );
    });

  invoices
    .command('resend')
    .description('email an invoice again, on purpose (recorded as a resend)')
    .argument('<number>', 'invoice number')
    .action(async (number: string) => {
      const context = createContext(globals().outputs);
      if ((await context.invoices.findByNumber(number)) === undefined)
        throw new UsageError(`no invoice ${number}: see billflow invoices list`);
      const outcome = await sendInvoice(number, 'resend', {
        outbound: context.outbound,
        invoices: context.invoices,
        documents: context.documents,
        mailer: context.mailer,
        now: Date.now,
        claimTimeoutMs: 0,
        ...pageLinkOf(context),
      });
      if (outcome.action === 'skipped') throw new UsageError(`invoice ${number} was not resent: ${outcome.reason}`);
      emit(globals(), outcome, () =>
        outcome.action === 'failed'
          ? `could not resend ${number}: ${outcome.reason}`
          : `resent ${number} to ${outcome.invoice.buyer.email}`,
      );
      if (outcome.action === 'failed') process.exitCode = 1;
    });

  registerRedeliverCommand(invoices, globals);
  registerInvoiceLinkCommand(invoices, globals);
  registerEInvoiceCommands(invoices, globals);
  registerCreditCommand(invoices, globals);

  invoices
    .command('void')
    .description('void a finalized invoice not yet delivered; it keeps its number (once emailed: invoices credit)')
    .argument('<number>', 'invoice number')
    .requiredOption('--reason <text>', 'why it is voided (kept on the invoice)')
    .action(async (number: string, options: { reason: string }) => {
      const context = createContext(globals().outputs);
      if (options.reason.trim() === '') throw new UsageError('--reason must say why the invoice is voided');
      try {
        const {
          invoice: voided,
          metricError,
          outboundError,
        } = await voidInvoice(number, options.reason.trim(), {
          invoices: context.invoices,
          metrics: context.metrics,
          now: Date.now,
          outbound: context.outbound,
        });
        emit(globals(), voided, () => `voided ${number}: ${options.reason.trim()}`);
        if (metricError !== undefined)
          process.stderr.write(`billflow: ${number} is void, but the InvoicesVoided metric was not published: ${metricError}\n`);
        if (outboundError !== undefined) process.stderr.write(pendingFactWarning(`${number} is void`, 'invoice.voided', outboundError));
      } catch (error) {
        asUsageError(error, [InvoiceNotFoundError, InvoiceStateError]);
      }
    });
}

/** The invoice as stored, plus what depends on today: `overdue` (CONTRACTS.md section 3) and the payments per payment. */
function withPaymentView(invoice: Invoice, now: number) {
  const overdue = isOverdue(invoice, now);
  return {
    ...invoice,
    overdue,
    daysOverdue: overdue && invoice.dueDate !== null ? daysOverdue(invoice.dueDate, now) : 0,
    paymentSummary: summarizePayments(invoice.payments),
  };
}

function summary(invoice: Invoice) {
  return {
    number: invoice.number,
    customerId: invoice.customerId,
    billingPeriod: invoice.billingPeriod,
    status: invoice.status,
    currency: invoice.currency,
    total: invoice.total,
  };
}

export function invoiceTable(invoices: readonly Invoice[]): string {
  return table(
    ['NUMBER', 'CUSTOMER', 'PERIOD', 'STATUS', 'DELIVERY', 'PAYMENT', 'TOTAL', 'DUE'],
    invoices.map((invoice) => [
      invoice.number ?? '-',
      invoice.customerId,
      invoice.billingPeriod,
      invoice.status,
      invoice.status === 'finalized' ? invoice.deliveryStatus : '-',
      invoice.status === 'finalized' ? invoice.paymentStatus : '-',
      `${formatMinor(invoice.total, invoice.currency)} ${invoice.currency}`,
      invoice.dueDate ?? '-',
    ]),
  );
}

export function describeInvoice(invoice: Invoice): string {
  const money = (minor: number) => `${formatMinor(minor, invoice.currency)} ${invoice.currency}`;
  return [
    `${invoice.number ?? '(draft)'}  ${invoice.status}  ${invoice.customerId} (${invoice.buyer.name})`,
    `period ${invoice.period.start.slice(0, 10)} - ${invoice.period.end.slice(0, 10)} (end exclusive)  issued ${invoice.issueDate ?? '-'}  due ${invoice.dueDate ?? '-'}`,
    '',
    table(
      ['DESCRIPTION', 'QUANTITY', 'UNIT PRICE', 'NET', 'VAT'],
      invoice.lines.map((line) => [line.description, line.quantity, line.unitPrice, money(line.netAmount), `${line.taxRate} %`]),
    ),
    '',
    `net ${money(invoice.netTotal)}  VAT ${money(invoice.taxTotal)}  total ${money(invoice.total)}` +
      (invoice.balanceApplied === undefined ? '' : `  credit applied ${money(invoice.balanceApplied)}`) +
      `  due ${money(invoice.amountDue)}`,
    `payment ${invoice.paymentStatus}${'overdue' in invoice && invoice.overdue === true ? ' (overdue)' : ''}  paid ${money(invoice.amountPaid)}` +
      (invoice.amountRefunded > 0 ? `  refunded ${money(invoice.amountRefunded)}` : '') +
      ((invoice.amountReversed ?? 0) > 0 ? `  reversed by lost disputes ${money(invoice.amountReversed!)}` : '') +
      (invoice.customerCredit > 0 ? `  customer credit ${money(invoice.customerCredit)}` : ''),
    ...summarizePayments(invoice.payments).map(
      (payment) =>
        `  ${payment.paymentId}  received ${money(payment.received)}  refunded ${money(payment.refunded)}  net ${money(payment.net)}` +
        ((payment.reversedByDisputes ?? 0) > 0 ? `  reversed ${money(payment.reversedByDisputes!)}` : '') +
        (payment.disputes.length > 0 ? `  disputes ${describeDisputes(payment)}` : ''),
    ),
    ...invoice.reminders
      .filter((reminder) => reminder.status === 'sent')
      .map((reminder) => `  reminder day ${reminder.stage} sent ${reminder.at}`),
    ...invoice.legends,
    ...(invoice.voidReason === null ? [] : [`voided: ${invoice.voidReason}`]),
  ].join('\n');
}
