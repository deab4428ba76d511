/**
 * Invoices and credit notes, read-only: listed a cursor page at a time, one by number, and a
 * document's PDF as a 302 to a presigned S3 URL valid 5 minutes (the bytes never pass through
 * the function, so API Gateway's 10 MB and Lambda's 6 MB limits never apply).
 */
import { z } from 'zod';
import type { Invoice } from '#domain/invoice/invoice.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { operation, type Operation } from '../operation.ts';
import { pageQuery, pageSchema, storedPage } from '../pages.ts';
import { ProblemError } from '../problems.ts';
import { creditNoteView, invoiceView } from '../schemas.ts';

export const PDF_URL_SECONDS = 5 * 60;

const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM, e.g. 2026-11');
const numberParams = (what: string) =>
  z.object({
    number: z
      .string()
      .min(1)
      .meta({ description: `${what} number` }),
  });

const invoiceQuery = z.object({
  customer: z.string().min(1).optional().meta({ description: 'Only this customer' }),
  period: period.optional().meta({ description: 'Only this billing period, YYYY-MM' }),
  status: z.enum(['draft', 'finalized', 'void', 'not_issued']).optional(),
  ...pageQuery,
});
const creditNoteQuery = z.object({
  customer: z.string().min(1).optional().meta({ description: 'Only this customer' }),
  invoice: z.string().min(1).optional().meta({ description: 'Only credit notes of this invoice number' }),
  ...pageQuery,
});

/** Oldest period first, then by customer: stable however often invoices are rewritten (the listings index's order). */
const invoiceOrder = (invoice: Invoice) => `${invoice.billingPeriod}|${invoice.customerId}`;

export function invoiceOperations(deps: ApiDependencies): Operation[] {
  const invoiceOf = async (number: string) => {
    const invoice = await deps.invoices.findByNumber(number);
    if (invoice === undefined) throw new ProblemError('not-found', `no invoice ${number}: see GET /v1/invoices`);
    return invoice;
  };
  return [
    operation({
      method: 'GET',
      path: '/v1/invoices',
      operationId: 'listInvoices',
      summary: 'Invoices (drafts included), oldest period first, a page at a time',
      tag: 'invoices',
      scope: 'read',
      query: invoiceQuery,
      responses: { 200: { description: 'A page of invoices', schema: pageSchema(invoiceView, 'InvoicePage') } },
      handle: async ({ query }) => ({
        status: 200,
        body: await storedPage(
          async ({ limit, after }) => {
            const { invoices, more } = await deps.invoices.invoicesPage({
              limit,
              ...(after === undefined ? {} : { after }),
              ...(query.customer === undefined ? {} : { customerId: query.customer }),
              ...(query.period === undefined ? {} : { billingPeriod: query.period }),
              ...(query.status === undefined ? {} : { status: query.status }),
            });
            return { items: invoices, more };
          },
          invoiceOrder,
          query,
        ),
      }),
    }),
    operation({
      method: 'GET',
      path: '/v1/invoices/{number}',
      operationId: 'getInvoice',
      summary: 'One invoice by number',
      tag: 'invoices',
      scope: 'read',
      params: numberParams('Invoice'),
      responses: { 200: { description: 'The invoice', schema: invoiceView }, 404: { description: 'No such invoice' } },
      handle: async ({ params }) => ({ status: 200, body: await invoiceOf(params.number) }),
    }),
    operation({
      method: 'GET',
      path: '/v1/invoices/{number}/pdf',
      operationId: 'getInvoicePdf',
      summary: "Redirects to the invoice's PDF (a presigned URL valid 5 minutes)",
      tag: 'invoices',
      scope: 'read',
      params: numberParams('Invoice'),
      responses: pdfResponses('invoice', 'right after finalization'),
      handle: async ({ params }) => {
        const invoice = await invoiceOf(params.number);
        if (invoice.document === null) {
          throw new ProblemError(
            'conflict',
            `invoice ${params.number} has no PDF yet (delivery ${invoice.deliveryStatus}); it is rendered right after finalization: retry shortly`,
          );
        }
        return pdfRedirect(deps, invoice.document.key);
      },
    }),
    operation({
      method: 'GET',
      path: '/v1/credit-notes',
      operationId: 'listCreditNotes',
      summary: 'Credit notes by number, a page at a time',
      tag: 'credit notes',
      scope: 'read',
      query: creditNoteQuery,
      responses: { 200: { description: 'A page of credit notes', schema: pageSchema(creditNoteView, 'CreditNotePage') } },
      handle: async ({ query }) => ({
        status: 200,
        body: await storedPage(
          async ({ limit, after }) => {
            const { creditNotes, more } = await deps.creditNotes.creditNotesPage({
              limit,
              ...(after === undefined ? {} : { after }),
              ...(query.customer === undefined ? {} : { customerId: query.customer }),
              ...(query.invoice === undefined ? {} : { invoiceNumber: query.invoice }),
            });
            return { items: creditNotes, more };
          },
          (note) => note.number,
          query,
        ),
      }),
    }),
    operation({
      method: 'GET',
      path: '/v1/credit-notes/{number}',
      operationId: 'getCreditNote',
      summary: 'One credit note by number',
      tag: 'credit notes',
      scope: 'read',
      params: numberParams('Credit note'),
      responses: { 200: { description: 'The credit note', schema: creditNoteView }, 404: { description: 'No such credit note' } },
      handle: async ({ params }) => {
        const note = await deps.creditNotes.findByNumber(params.number);
        if (note === undefined) throw new ProblemError('not-found', `no credit note ${params.number}: see GET /v1/credit-notes`);
        return { status: 200, body: note };
      },
    }),
    operation({
      method: 'GET',
      path: '/v1/credit-notes/{number}/pdf',
      operationId: 'getCreditNotePdf',
      summary: "Redirects to the credit note's PDF (a presigned URL valid 5 minutes)",
      tag: 'credit notes',
      scope: 'read',
      params: numberParams('Credit note'),
      responses: pdfResponses('credit note', 'right after the credit note is issued'),
      handle: async ({ params }) => {
        const delivered = await deps.creditNotes.findDelivered(params.number);
        if (delivered === undefined) throw new ProblemError('not-found', `no credit note ${params.number}: see GET /v1/credit-notes`);
        const { document, deliveryStatus } = delivered.delivery;
        if (document === null) {
          throw new ProblemError(
            'conflict',
            `credit note ${params.number} has no PDF yet (delivery ${deliveryStatus}); it is rendered right after it is issued: retry shortly`,
          );
        }
        return pdfRedirect(deps, document.key);
      },
    }),
  ];
}

function pdfResponses(what: string, renderedWhen: string) {
  return {
    302: { description: 'The PDF is at `Location`', headers: { location: 'Presigned S3 URL, valid 5 minutes' } },
    404: { description: `No such ${what}` },
    409: { description: `Not rendered yet (it is, ${renderedWhen})` },
  };
}

/** The document's bytes stay in S3: the client follows a URL this function's role signs. */
async function pdfRedirect(deps: ApiDependencies, key: string) {
  const url = await deps.presignDocument(key, PDF_URL_SECONDS);
  return { status: 302 as const, headers: { location: url, 'cache-control': 'no-store' } };
}
