/** `billflow payments list | unmatched | match`. */
import type { Command } from 'commander';
import { formatMinor } from '#domain/money.ts';
import { summarizePayments, type PaymentSummary } from '#domain/payments/payment-summary.ts';
import type { PaymentLink } from '#ports/payment-store.ts';
import { matchPaymentToInvoice } from '#use-cases/match-payment.ts';
import { PaymentMatchError } from '#use-cases/errors.ts';
import { InvoiceNotFoundError, PaymentNotUnmatchedError } from '#domain/errors.ts';
import { createContext, type CliContext } from '../context.ts';
import { waitForPaymentEvents } from '../by-hand.ts';
import { asUsageError, UsageError } from '../errors.ts';
import { emit, table } from '../output.ts';
import type { GlobalOptions } from '../options.ts';

interface PaymentRow extends PaymentSummary {
  readonly status: 'matched' | 'unmatched' | 'pending';
  readonly invoiceNumber: string | null;
  readonly namedInvoice: string | null;
  readonly reason: string | null;
}

export function registerPaymentCommands(program: Command, globals: () => GlobalOptions): void {
  const payments = program.command('payments').description('payments reported by Stripe and the invoices they settle');

  payments
    .command('list')
    .description('payments with their invoice, amounts and disputes')
    .option('--invoice <number>', 'only the payments applied to this invoice')
    .action(async (options: { invoice?: string }) => {
      const context = createContext(globals().outputs);
      await waitForPaymentEvents(context);
      let rows: PaymentRow[];
      if (options.invoice !== undefined) {
        const invoice = await context.invoices.findByNumber(options.invoice);
        if (invoice === undefined) throw new UsageError(`no invoice ${options.invoice}: see billflow invoices list`);
        rows = summarizePayments(invoice.payments).map((summary) => ({
          ...summary,
          status: 'matched',
          invoiceNumber: invoice.number,
          namedInvoice: invoice.number,
          reason: null,
        }));
      } else {
        rows = await rowsFor(context, await context.payments.listLinks());
      }
      emit(globals(), rows, () => (rows.length === 0 ? 'no payments' : paymentTable(rows)));
    });

  payments
    .command('unmatched')
    .description('payments no invoice could be matched to (no or unknown invoice number, other currency, void invoice)')
    .action(async () => {
      const context = createContext(globals().outputs);
      await waitForPaymentEvents(context);
      const rows = await rowsFor(context, await context.payments.listUnmatched());
      emit(globals(), rows, () => (rows.length === 0 ? 'no unmatched payments' : paymentTable(rows, true)));
    });

  payments
    .command('match')
    .description('apply an unmatched payment to an invoice')
    .argument('<paymentId>', 'the payment (Stripe PaymentIntent id, pi_...) as listed by `payments unmatched`')
    .argument('<number>', 'the invoice to apply it to')
    .action(async (paymentId: string, number: string) => {
      const context = createContext(globals().outputs);
      await waitForPaymentEvents(context);
      try {
        const outcome = await matchPaymentToInvoice(paymentId, number, {
          payments: context.payments,
          invoices: context.invoices,
          balances: context.balances,
          now: Date.now,
        });
        const invoice = outcome.invoice;
        const money = (minor: number) => `${formatMinor(minor, invoice.currency)} ${invoice.currency}`;
        emit(
          globals(),
          {
            paymentId,
            number,
            paymentStatus: invoice.paymentStatus,
            amountPaid: invoice.amountPaid,
            amountDue: invoice.amountDue,
            customerCredit: invoice.customerCredit,
          },
          () =>
            `applied ${paymentId} to ${number}: ${invoice.paymentStatus}, paid ${money(invoice.amountPaid)}, due ${money(invoice.amountDue)}` +
            (invoice.customerCredit > 0 ? `, customer credit ${money(invoice.customerCredit)}` : ''),
        );
      } catch (error) {
        asUsageError(error, [PaymentMatchError, PaymentNotUnmatchedError, InvoiceNotFoundError]);
      }
    });
}

async function rowsFor(context: CliContext, links: readonly PaymentLink[]): Promise<PaymentRow[]> {
  const rows: PaymentRow[] = [];
  for (const link of links) {
    const [summary] = summarizePayments(await context.payments.eventsOf(link.paymentId));
    if (summary === undefined) continue;
    rows.push({ ...summary, status: link.status, invoiceNumber: link.invoiceNumber, namedInvoice: link.namedInvoice, reason: link.reason });
  }
  return rows;
}

function paymentTable(rows: readonly PaymentRow[], withReason = false): string {
  const money = (minor: number, currency: string) => `${formatMinor(minor, currency)} ${currency}`;
  return table(
    [
      'PAYMENT',
      'STATUS',
      'INVOICE',
      'RECEIVED',
      'REFUNDED',
      'DISPUTED',
      'REVERSED',
      'NET',
      'FAILED',
      'DISPUTES',
      ...(withReason ? ['REASON'] : []),
    ],
    rows.map((row) => [
      row.paymentId,
      row.status,
      row.invoiceNumber ?? (row.namedInvoice === null ? '-' : `(${row.namedInvoice})`),
      money(row.received, row.currency),
      money(row.refunded, row.currency),
      money(row.withdrawnByDisputes, row.currency),
      money(row.reversedByDisputes ?? 0, row.currency),
      money(row.net, row.currency),
      row.failedAttempts,
      describeDisputes(row),
      ...(withReason ? [row.reason ?? ''] : []),
    ]),
  );
}

/** Each dispute with its outcome (`open`, `won`, `lost`) and amount, e.g. `dp_1 lost 119.00 EUR`; `-` when none. */
export function describeDisputes(payment: PaymentSummary): string {
  if (payment.disputes.length === 0) return '-';
  return payment.disputes
    .map((dispute) => `${dispute.disputeId} ${dispute.status} ${formatMinor(dispute.amount, payment.currency)} ${payment.currency}`)
    .join(', ');
}
