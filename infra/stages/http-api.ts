/**
 * The HTTP API for upstream systems (issue 18, docs/api.md): `ANY /v1/{proxy+}` behind the
 * authorize-api-key Lambda authorizer, and `GET /v1/openapi.json` without a key, both to the
 * one serve-api function, on the HTTP API the webhooks already use (one `apiUrl`).
 *
 * Throttling, two layers (docs/api.md, "Throttling"): the stage's default throttle applies to
 * every route and the /v1 routes get their own (route settings of the stage); over it API
 * Gateway answers 429 without invoking anything, which protects the account. HTTP APIs have no
 * usage plans (those are REST APIs'), so the limit per API key is serve-api's own: a token
 * bucket per key in the billing table (functions/serve-api/throttle.ts), 429 with Retry-After.
 */
import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { BillingFunction } from '../constructs/billing-function.ts';
import { DASHBOARD_PERIOD, type StageRow } from '../constructs/pipeline-dashboard.ts';
import type { WebhookApi } from '../constructs/webhook-api.ts';
import { buckets, httpRoutes, pipelineSettings, queues, tables } from '../resources.ts';
import { count } from './dashboard-metrics.ts';
import { CREDIT_NOTE_DOCUMENT_KEYS, INVOICE_DOCUMENT_KEYS } from './delivery.ts';
import type { IngestStage } from './ingest.ts';
import { functionFrom, type PipelineStage, type StageContext } from './stage-context.ts';

/** Requests per second (steady) and burst for all /v1 routes together, per stage. */
export const API_RATE_LIMIT_PER_SECOND = 50;
export const API_BURST_LIMIT = 100;

export class HttpApiStage implements PipelineStage {
  public readonly serveApiFunction: BillingFunction;
  public readonly authorizerFunction: BillingFunction;
  public readonly invoicePageFunction: BillingFunction;
  public readonly dashboardRows: readonly StageRow[];

  public constructor(context: StageContext, { webhookApi, ingest }: { webhookApi: WebhookApi; ingest: IngestStage }) {
    const { serveApi, serveApiDocument } = httpRoutes;
    this.serveApiFunction = functionFrom(context, serveApi, {
      description: '/v1: the HTTP API for upstream systems (events, customers, subscriptions, usage, invoices)',
      // Event shards and retention, as ingest-events reads them (the usage preview reads the events it wrote).
      environment: pipelineSettings,
    })
      .bindTable(
        context.billingTable,
        tables.billing.envVar,
        // Catalog head and customers, invoices and credit notes by number, idempotency keys (claim re-read).
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        // Invoices of a customer, credit notes of an invoice (listings across them: the listings index, no Scan).
        'dynamodb:Query',
        // Customers upserted (batch), their version item, idempotency claims.
        'dynamodb:BatchWriteItem',
        'dynamodb:PutItem',
        // An idempotency key's response stored, a failed request's claim released; a token taken from the key's bucket.
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      )
      // GET /v1/customers and /v1/invoices: a page of keys from the listings index, then those items.
      .queriesIndex(context.billingTable, 'listings')
      // GET usage reads the customer's stored events (EventStore queries), nothing else.
      .bindTable(context.eventsTable, tables.events.envVar, 'dynamodb:Query')
      // POST /v1/events queues each body on the events queue, as upstream systems do directly.
      .sendsTo(ingest.eventsQueue.queue, queues.events.envVar)
      // The PDF's presigned URL is signed by this role: GetObject on invoice and credit-note documents only.
      .bindBucket(context.invoicesBucket, buckets.invoices.envVar, INVOICE_DOCUMENT_KEYS, 's3:GetObject')
      .bindBucket(context.invoicesBucket, buckets.invoices.envVar, CREDIT_NOTE_DOCUMENT_KEYS, 's3:GetObject');

    this.authorizerFunction = functionFrom(context, serveApi.authorizer, {
      description: 'Lambda authorizer of /v1: the API key (Authorization: Bearer bf_...) looked up by its SHA-256',
    })
      // One GetItem of the key's hash: the authorizer reads nothing else.
      .bindTable(context.billingTable, tables.billing.envVar, 'dynamodb:GetItem');

    webhookApi.addAuthorizedRoute(serveApi, this.serveApiFunction, this.authorizerFunction);
    webhookApi.addFunctionRoute(
      serveApiDocument,
      this.serveApiFunction,
      'the OpenAPI document is public on purpose (it holds no data, and clients fetch it to generate SDKs); every other /v1 route has the API key authorizer',
    );
    this.invoicePageFunction = this.invoicePage(context, webhookApi);
    const stage = webhookApi.stage.node.defaultChild as CfnStage;
    // RouteSettings is raw CloudFormation (JSON), hence the CloudFormation property names.
    stage.routeSettings = {
      [`${serveApi.method} ${serveApi.path}`]: { ThrottlingRateLimit: API_RATE_LIMIT_PER_SECOND, ThrottlingBurstLimit: API_BURST_LIMIT },
    };
    this.dashboardRows = [this.row(webhookApi)];
  }

  /** The hosted invoice page (issue 20): reads a token, its invoice and the invoice's documents, nothing else. */
  private invoicePage(context: StageContext, webhookApi: WebhookApi): BillingFunction {
    const { showInvoicePage, showInvoicePageDocument } = httpRoutes;
    const page = functionFrom(context, showInvoicePage, {
      description: 'The hosted invoice page /i/{token} the invoice email links to, and its PDF and XML downloads',
    })
      // The token by its hash, then the invoice by number (GetItem each): no Query, no Scan, no write.
      .bindTable(context.billingTable, tables.billing.envVar, 'dynamodb:GetItem')
      // The invoice's PDF and e-invoice XML, answered as bytes.
      .bindBucket(context.invoicesBucket, buckets.invoices.envVar, INVOICE_DOCUMENT_KEYS, 's3:GetObject');
    const credential =
      'the unguessable token in the path (256 random bits, stored hashed, revocable) is the credential of the hosted invoice page, which customers open from their email without an account';
    webhookApi.addFunctionRoute(showInvoicePage, page, credential);
    webhookApi.addFunctionRoute(showInvoicePageDocument, page, credential);
    return page;
  }

  private row(webhookApi: WebhookApi): StageRow {
    const { serveApi } = httpRoutes;
    const period = DASHBOARD_PERIOD;
    return {
      title: 'HTTP API',
      description: `Upstream systems through /v1 (${serveApi.functionId}, keys checked by ${serveApi.authorizer.functionId}); events go on to the ${queues.events.id} queue like any other.`,
      throughput: [
        this.serveApiFunction.metricInvocations({ label: `${serveApi.functionId} invocations`, period, statistic: 'Sum' }),
        count('ApiEventsReceived', 'events received over HTTP'),
      ],
      functions: [
        { label: serveApi.functionId, fn: this.serveApiFunction },
        { label: serveApi.authorizer.functionId, fn: this.authorizerFunction },
        { label: httpRoutes.showInvoicePage.functionId, fn: this.invoicePageFunction },
      ],
      deadLetterQueues: [],
      queues: [],
      instead: {
        title: 'HTTP API: latency',
        metrics: [this.serveApiFunction.metricDuration({ label: `${serveApi.functionId} duration (p99)`, period, statistic: 'p99' })],
        unit: 'ms',
      },
      figures: [
        {
          title: 'Refused API requests',
          metrics: [
            count('ApiKeysRefused', 'API keys refused (unknown, revoked, out of scope)'),
            count('ApiRequestsThrottled', "requests over their key's limit (429 from serve-api)"),
            count('ApiEventBodiesRefused', 'event bodies refused (not JSON, too large)'),
            webhookApi.api.metricClientError({ label: 'API 4xx (incl. 401 and 429)', period, statistic: 'Sum' }),
          ],
          unit: 'requests / 5 min',
        },
      ],
    };
  }
}
