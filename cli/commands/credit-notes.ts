/** `billflow invoices credit` and `billflow credit-notes list | show | pdf | resend | deliver` (issue 16). */
import type { Command } from 'commander';
import type { CreditNote, CreditRequest, LineCredit } from '#domain/credit-notes/types.ts';
import { CreditRequestError, InvoiceNotFoundError, InvoiceStateError } from '#domain/errors.ts';
import { writeFileSync } from 'node:fs';
import { sendMessage } from '#adapters/sqs/send-messages.ts';
import { formatMinor } from '#domain/money.ts';
import { renderRequestMessage } from '#messages/render-request.ts';
import { DocumentMissingError } from '#ports/document-store.ts';
import { issueCreditNote } from '#use-cases/issue-credit-note.ts';
import { sendCreditNote } from '#use-cases/send-credit-note.ts';
import { createContext, type CliContext } from '../context.ts';
import { asUsageError, UsageError } from '../errors.ts';
import { emit, pendingFactWarning, table } from '../output.ts';
import { parseInstant, type GlobalOptions } from '../options.ts';

const CREDIT_USAGE = 'give --all, or one or more --line N with --quantity Q or --amount A';

/** `--line`, `--quantity` and `--amount` in the order typed: each quantity or amount belongs to the --line before it. */
type LineToken = { flag: 'line' | 'quantity' | 'amount'; value: string };

export function registerCreditCommand(invoices: Command, globals: () => GlobalOptions): void {
  const tokens: LineToken[] = [];
  const collect = (flag: LineToken['flag']) => (value: string) => {
    tokens.push({ flag, value });
    return value;
  };
  invoices
    .command('credit')
    .description('issue a credit note for a finalized invoice: all of it, or part of its lines')
    .argument('<number>', 'invoice number')
    .requiredOption('--reason <text>', 'why it is credited (printed on the credit note)')
    .option('--all', 'credit what is left of every line')
    .option('--line <n>', 'a line to credit (1-based, as printed); repeatable, each followed by --quantity or --amount', collect('line'))
    .option('--quantity <q>', 'how much of the line before it to credit (decimal)', collect('quantity'))
    .option(
      '--amount <a>',
      'a net amount of the line before it to credit, in the currency (e.g. 12.50): a price reduction',
      collect('amount'),
    )
    .option('--refund', 'the credit is paid back outside billflow (default: to the customer balance)')
    .option('--as-of <instant>', 'RFC 3339 instant the credit note is issued at (its date); default now')
    .action(async (number: string, options: { reason: string; all?: boolean; refund?: boolean; asOf?: string }) => {
      const request: CreditRequest = {
        reason: options.reason,
        settlement: options.refund ? 'refund' : 'balance',
        credit: creditOf(options.all === true, tokens),
      };
      if (options.reason.trim() === '') throw new UsageError('--reason must say why the invoice is credited');
      const at = parseInstant('--as-of', options.asOf, '2026-12-05T10:00:00Z');
      const context = createContext(globals().outputs);
      try {
        const { creditNote, invoice, metricError, outboundError } = await issueCreditNote(number, request, {
          creditNotes: context.creditNotes,
          metrics: context.metrics,
          now: () => at,
          outbound: context.outbound,
        });
        emit(globals(), { creditNote, invoice }, () =>
          [
            `issued ${creditNote.number} for ${number}: ${money(creditNote.total, creditNote.currency)} (${creditNote.settlement})`,
            `${number}: credited ${money(invoice.creditedAmount ?? 0, invoice.currency)}, due ${money(invoice.amountDue, invoice.currency)}, ${invoice.paymentStatus}`,
          ].join('\n'),
        );
        if (metricError !== undefined)
          process.stderr.write(`billflow: ${creditNote.number} is issued, but its metrics were not published: ${metricError}\n`);
        if (outboundError !== undefined)
          process.stderr.write(pendingFactWarning(`${creditNote.number} is issued`, 'credit_note.issued', outboundError));
        await requestDelivery(context, creditNote.number).catch((error: unknown) => {
          process.stderr.write(
            `billflow: ${creditNote.number} is issued, but its PDF and email were not requested (${(error as Error).message}); ` +
              `run billflow credit-notes deliver ${creditNote.number}\n`,
          );
          process.exitCode = 1;
        });
      } catch (error) {
        asUsageError(error, [InvoiceNotFoundError, InvoiceStateError, CreditRequestError]);
      }
    });
}

function creditOf(all: boolean, tokens: readonly LineToken[]): CreditRequest['credit'] {
  if (all) {
    if (tokens.length > 0) throw new UsageError(`--all credits every line: drop --line, --quantity and --amount, or drop --all`);
    return 'all';
  }
  if (tokens.length === 0) throw new UsageError(`say what to credit: ${CREDIT_USAGE}`);
  const credits: LineCredit[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    const next = tokens[index + 1];
    if (token.flag !== 'line') throw new UsageError(`--${token.flag} ${token.value} must follow the --line N it is for: ${CREDIT_USAGE}`);
    const line = Number(token.value);
    if (!/^\d+$/.test(token.value) || line < 1)
      throw new UsageError(`--line ${token.value} must be a line number from 1, as printed on the invoice`);
    if (next === undefined || next.flag === 'line')
      throw new UsageError(`--line ${token.value} needs --quantity Q or --amount A after it: ${CREDIT_USAGE}`);
    credits.push(next.flag === 'quantity' ? { line, quantity: next.value } : { line, amount: next.value });
    index += 1;
  }
  return credits;
}

export function registerCreditNoteCommands(program: Command, globals: () => GlobalOptions): void {
  const creditNotes = program.command('credit-notes').description('credit notes issued for invoices');

  creditNotes
    .command('list')
    .description('credit notes, by number')
    .option('--customer <id>', 'only this customer')
    .option('--invoice <number>', 'only the credit notes of this invoice')
    .action(async (options: { customer?: string; invoice?: string }) => {
      const context = createContext(globals().outputs);
      const notes = await context.creditNotes.list({ customerId: options.customer, invoiceNumber: options.invoice });
      emit(globals(), notes.map(summary), () =>
        notes.length === 0
          ? 'no credit notes'
          : table(
              ['number', 'invoice', 'customer', 'issued', 'total', 'settlement', 'reason'],
              notes.map((note) => [
                note.number,
                note.invoiceNumber,
                note.customerId,
                note.issueDate,
                money(note.total, note.currency),
                note.settlement,
                note.reason,
              ]),
            ),
      );
    });

  creditNotes
    .command('show')
    .description('one credit note with its lines')
    .argument('<number>', 'credit note number, e.g. ACME-CN-2026-000001')
    .action(async (number: string) => {
      const context = createContext(globals().outputs);
      const found = await context.creditNotes.findDelivered(number);
      if (found === undefined) throw new UsageError(`no credit note ${number}: see billflow credit-notes list`);
      const { creditNote: note, delivery } = found;
      // The credit note, and its delivery as the invoice shows its own (status, document, emails, last problem).
      const { deliveryStatus, document, emails, deliveryProblem } = delivery;
      emit(globals(), { ...note, deliveryStatus, document, emails, deliveryProblem }, () =>
        [
          `${note.number}  credit note for ${note.invoiceNumber} of ${note.invoiceIssueDate}, ${note.customerId}, issued ${note.issueDate}`,
          `reason: ${note.reason}; settlement: ${note.settlement}`,
          `delivery: ${deliveryStatus}${document === null ? '' : ` (s3://${document.bucket}/${document.key})`}` +
            (deliveryProblem === null ? '' : `; last problem: ${deliveryProblem.detail}`),
          table(
            ['line', 'description', 'quantity', 'unit price', 'net'],
            note.lines.map((line) => [
              line.invoiceLine,
              line.description,
              line.quantity,
              line.unitPrice,
              money(line.netAmount, note.currency),
            ]),
          ),
          `net ${money(note.netTotal, note.currency)}, VAT ${money(note.taxTotal, note.currency)}, total ${money(note.total, note.currency)}`,
        ].join('\n'),
      );
    });

  creditNotes
    .command('pdf')
    .description("write a credit note's stored PDF to a file")
    .argument('<number>', 'credit note number')
    .requiredOption('--out <file>', 'where to write the PDF')
    .action(async (number: string, options: { out: string }) => {
      const context = createContext(globals().outputs);
      const found = await context.creditNotes.findDelivered(number);
      if (found === undefined) throw new UsageError(`no credit note ${number}: see billflow credit-notes list`);
      const { document, deliveryStatus } = found.delivery;
      if (document === null) {
        throw new UsageError(
          `credit note ${number} has no document yet (delivery ${deliveryStatus}); it is rendered right after it is issued (billflow credit-notes deliver ${number})`,
        );
      }
      const pdf = await context.documents.get(document.key).catch((error: unknown) => {
        if (!(error instanceof DocumentMissingError)) throw error;
        throw new Error(
          `credit note ${number}'s PDF is recorded at s3://${document.bucket}/${document.key} (SHA-256 ${document.sha256}) but the bucket no longer holds it; ` +
            'restore the object from a backup: it is the legal record, and is not rendered again',
        );
      });
      writeFileSync(options.out, pdf);
      emit(
        globals(),
        { number, file: options.out, bytes: pdf.length, sha256: document.sha256, key: document.key },
        () => `wrote ${options.out} (${pdf.length} bytes, s3://${document.bucket}/${document.key})`,
      );
    });

  creditNotes
    .command('resend')
    .description('email a credit note again, on purpose (recorded as a resend)')
    .argument('<number>', 'credit note number')
    .action(async (number: string) => {
      const context = createContext(globals().outputs);
      if ((await context.creditNotes.findByNumber(number)) === undefined)
        throw new UsageError(`no credit note ${number}: see billflow credit-notes list`);
      const outcome = await sendCreditNote(number, 'resend', {
        creditNotes: context.creditNotes,
        emailLinks: context.invoices,
        invoices: context.invoices,
        documents: context.documents,
        mailer: context.mailer,
        now: Date.now,
        claimTimeoutMs: 0,
      });
      if (outcome.action === 'skipped') throw new UsageError(`credit note ${number} was not resent: ${outcome.reason}`);
      emit(globals(), outcome, () =>
        outcome.action === 'failed'
          ? `could not resend ${number}: ${outcome.reason}`
          : `resent ${number} to ${outcome.delivered.creditNote.buyer.email}`,
      );
      if (outcome.action === 'failed') process.exitCode = 1;
    });

  creditNotes
    .command('deliver')
    .description('ask render-invoice again for the PDF and email of a credit note (when `invoices credit` could not); never a second email')
    .argument('<number>', 'credit note number')
    .action(async (number: string) => {
      const context = createContext(globals().outputs);
      const found = await context.creditNotes.findDelivered(number);
      if (found === undefined) throw new UsageError(`no credit note ${number}: see billflow credit-notes list`);
      await requestDelivery(context, number);
      emit(
        globals(),
        { number, deliveryStatus: found.delivery.deliveryStatus, requested: true },
        () => `requested the delivery of ${number}`,
      );
    });
}

/**
 * Hands an issued credit note to render-invoice, which renders and stores its PDF and then asks
 * send-invoice for its one email (both idempotent on the number, so asking twice is harmless).
 */
async function requestDelivery(context: CliContext, number: string): Promise<void> {
  const queueUrl = context.outputs.invoiceDocumentsQueueUrl;
  if (queueUrl === undefined) throw new Error('the outputs name no invoiceDocumentsQueueUrl: start or deploy a pipeline with delivery');
  await sendMessage(
    context.clients.sqs,
    queueUrl,
    renderRequestMessage,
    { number, document: 'credit_note' },
    `credit note ${number} to rendering`,
  );
}

/** The list's rows: CONTRACTS.md section 7's fields without the lines and parties. */
function summary(note: CreditNote) {
  const { number, invoiceNumber, customerId, issueDate, reason, netTotal, taxTotal, total, currency, settlement } = note;
  return { number, invoiceNumber, customerId, issueDate, reason, netTotal, taxTotal, total, currency, settlement };
}

function money(minor: number, currency: string): string {
  return `${formatMinor(minor, currency)} ${currency}`;
}
