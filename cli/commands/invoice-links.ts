/**
 * `billflow invoices link NUMBER [--revoke]`: a new link to the invoice's hosted page
 * (`{apiUrl}/i/{token}`, issue 20), e.g. for a customer who lost the email; `--revoke` makes
 * every link to it answer 404 (a link forwarded too widely). Only the token's hash is stored,
 * so an existing link cannot be printed again: a new one is made, which is also the remedy for
 * a link that expired (180 days after it was made, or `--valid-days`).
 */
import type { Command } from 'commander';
import { DynamoDbInvoicePageTokenStore } from '#adapters/dynamodb/invoice-page-token-store.ts';
import { DEFAULT_PAGE_LINK_DAYS, MAX_PAGE_LINK_DAYS } from '#domain/invoice/page-link.ts';
import { createInvoicePageLink, issueInvoicePageLink, revokeInvoicePageLinks } from '#use-cases/invoice-page-links.ts';
import { createContext, type CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit } from '../output.ts';
import { parseWholeNumber, type GlobalOptions } from '../options.ts';

export function registerInvoiceLinkCommand(invoices: Command, globals: () => GlobalOptions): void {
  invoices
    .command('link')
    .description("print a new link to an invoice's hosted page, or revoke every link to it (--revoke)")
    .argument('<number>', 'invoice number')
    .option('--revoke', 'revoke every link to the page instead (they answer 404)')
    .option('--valid-days <days>', `days the new link opens the page (1 to ${MAX_PAGE_LINK_DAYS})`, String(DEFAULT_PAGE_LINK_DAYS))
    .action(async (number: string, options: { revoke?: boolean; validDays: string }) => {
      const validDays = parseWholeNumber('--valid-days', options.validDays, 1, MAX_PAGE_LINK_DAYS);
      const context = createContext(globals().outputs);
      const invoice = await context.invoices.findByNumber(number);
      if (invoice === undefined) throw new UsageError(`no invoice ${number}: see billflow invoices list`);
      const deps = pageLinkDependencies(context);
      if (options.revoke === true) {
        const revoked = await revokeInvoicePageLinks(number, deps);
        emit(globals(), { number, revoked }, () => `revoked ${revoked} link(s) to the page of ${number}: they now answer 404`);
        return;
      }
      if (invoice.status !== 'finalized' && invoice.status !== 'void')
        throw new UsageError(`invoice ${number} is ${invoice.status}: only an issued invoice has a page`);
      const { apiUrl } = context.outputs;
      if (apiUrl === undefined)
        throw new UsageError('the outputs file has no apiUrl: deploy or start (npm start) a pipeline with the HTTP API');
      const { url, expiresAt } = await issueInvoicePageLink(number, apiUrl, { ...deps, validDays });
      // The text is the URL alone (scripts pass it on); --json adds when it expires.
      emit(globals(), { number, url, expiresAt }, () => url);
    });
}

function pageLinkDependencies(context: CliContext) {
  return { pageTokens: new DynamoDbInvoicePageTokenStore(context.clients.dynamodb, context.outputs.billingTable), now: Date.now };
}

/** A resent email links the page too, as send-invoice's do, when the outputs know the HTTP API's URL. */
export function pageLinkOf(context: CliContext): { pageLink?: (number: string) => Promise<string> } {
  const { apiUrl } = context.outputs;
  if (apiUrl === undefined) return {};
  return { pageLink: (number) => createInvoicePageLink(number, apiUrl, pageLinkDependencies(context)) };
}
