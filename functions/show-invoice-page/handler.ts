/**
 * Lambda entry point of the hosted invoice page (issue 20): `GET /i/{token}` answers the page,
 * `GET /i/{token}/pdf` (and `/xml` where there is one) the stored document's bytes, behind the
 * HTTP API without an authorizer: the unguessable token is the credential.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaHandler } from '../commons/lambda-handler.ts';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbInvoicePageTokenStore } from '#adapters/dynamodb/invoice-page-token-store.ts';
import { DynamoDbInvoiceRepository } from '#adapters/dynamodb/invoice-repository.ts';
import { renderInvoicePage } from '#adapters/html/invoice-page.ts';
import { S3DocumentStore } from '#adapters/s3/s3-document-store.ts';
import { readInvoicePageConfig } from '#shared/config.ts';
import { tracer } from '#shared/observability.ts';
import { showInvoicePage, type InvoicePageRequest } from '#use-cases/show-invoice-page.ts';
import { documentAnswer, htmlAnswer, NOT_FOUND_PAGE } from './responses.ts';

const REQUESTS: Readonly<Record<string, InvoicePageRequest>> = { pdf: 'pdf', xml: 'xml' };

function build() {
  const config = readInvoicePageConfig();
  const { dynamodb, s3 } = createAwsClients();
  for (const client of [dynamodb, s3]) tracer.captureAWSv3Client(client);
  const deps = {
    pageTokens: new DynamoDbInvoicePageTokenStore(dynamodb, config.billingTable),
    invoices: new DynamoDbInvoiceRepository(dynamodb, config.billingTable),
    documents: new S3DocumentStore(s3, config.invoicesBucket),
    now: Date.now,
  };
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const { token, document } = event.pathParameters ?? {};
    const request = document === undefined ? 'page' : REQUESTS[document];
    if (token === undefined || request === undefined) return htmlAnswer(404, NOT_FOUND_PAGE);
    const answer = await showInvoicePage(token, request, deps);
    if (answer.kind === 'not_found') return htmlAnswer(404, NOT_FOUND_PAGE);
    if (answer.kind === 'page') return htmlAnswer(200, renderInvoicePage(answer.invoice, answer.links, Date.now()));
    return documentAnswer(answer.body, answer.contentType, answer.fileName);
  };
}

export const handler = lambdaHandler(build);
