/**
 * The /v1 HTTP API in the template (infra/stages/http-api.ts): its routes, the API key
 * authorizer (simple responses, a short cache on the Authorization header), the /v1 throttle,
 * and exactly the grants serve-api and authorize-api-key need.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes } from '#infra/resources.ts';
import { API_BURST_LIMIT, API_RATE_LIMIT_PER_SECOND } from '#infra/stages/http-api.ts';
import type { BillingFunction } from '#infra/constructs/billing-function.ts';
import { arnOf, asArray, build, type Built, logicalId, type PolicyStatement } from './support/synth.ts';

let built: Built;

beforeAll(() => {
  built = build('dev', { bundle: false });
});

/** action -> resources of every Allow statement on `role`. */
function grantsOf(template: Template, role: IRole | undefined): Record<string, unknown[]> {
  if (role === undefined) throw new Error('expected a role');
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: logicalId(role) }]) } });
  const grants: Record<string, unknown[]> = {};
  for (const statement of Object.values(policies).flatMap((policy): PolicyStatement[] => policy.Properties.PolicyDocument.Statement)) {
    expect(statement.Effect).toBe('Allow');
    for (const action of asArray(statement.Action)) (grants[action] ??= []).push(...asArray(statement.Resource));
  }
  return grants;
}

function baseGrants(fn: BillingFunction): Record<string, unknown[]> {
  return {
    'xray:PutTraceSegments': ['*'],
    'xray:PutTelemetryRecords': ['*'],
    'logs:CreateLogStream': [arnOf(fn.functionLogGroup)],
    'logs:PutLogEvents': [arnOf(fn.functionLogGroup)],
  };
}

describe('the /v1 HTTP API', () => {
  it('routes ANY /v1/{proxy+} through the API key authorizer and GET /v1/openapi.json without one, both to serve-api', () => {
    const { stack, template } = built;
    const apiId = logicalId(stack.payments.webhookApi.api);
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    expect(Object.values(authorizers).map((authorizer) => authorizer.Properties)).toEqual([
      expect.objectContaining({
        ApiId: { Ref: apiId },
        AuthorizerType: 'REQUEST',
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: ['$request.header.Authorization'],
        AuthorizerResultTtlInSeconds: httpRoutes.serveApi.authorizer.cacheTtlSeconds,
      }),
    ]);
    const [authorizerId] = Object.keys(authorizers);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: { Ref: apiId },
      RouteKey: 'ANY /v1/{proxy+}',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: { Ref: apiId },
      RouteKey: 'GET /v1/openapi.json',
      AuthorizationType: 'NONE',
    });
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: { IntegrationUri: arnOf(stack.httpApi.serveApiFunction) },
    });
    expect(Object.keys(integrations)).toHaveLength(2);
    expect(httpRoutes.serveApi.authorizer.cacheTtlSeconds).toBeLessThanOrEqual(300);
  });

  it('throttles the /v1 routes per stage, apart from the webhook', () => {
    template().hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: { 'ANY /v1/{proxy+}': { ThrottlingRateLimit: API_RATE_LIMIT_PER_SECOND, ThrottlingBurstLimit: API_BURST_LIMIT } },
    });
  });

  it('lets serve-api use the billing table, query events, send to the events queue, read invoice documents and publish to the bus, nothing more', () => {
    const { stack } = built;
    const fn = stack.httpApi.serveApiFunction;
    const billing = arnOf(stack.billingTable);
    const billingGrants = Object.fromEntries(
      // No Scan: every listing reads the listings index or one partition.
      ['GetItem', 'BatchGetItem', 'Query', 'BatchWriteItem', 'PutItem', 'UpdateItem', 'DeleteItem'].map((action) => [
        `dynamodb:${action}`,
        [billing],
      ]),
    );
    expect(grantsOf(template(), fn.role)).toEqual({
      ...baseGrants(fn),
      ...billingGrants,
      // The listings index (customers and invoices a page at a time), no other index.
      'dynamodb:Query': [billing, { 'Fn::Join': ['', [billing, '/index/listings']] }, arnOf(stack.eventsTable)],
      'sqs:SendMessage': [arnOf(stack.ingest.eventsQueue.queue)],
      // The PDFs it redirects to: invoices and credit notes, not the rest of the bucket.
      's3:GetObject': [
        { 'Fn::Join': ['', [arnOf(stack.invoicesBucket), '/invoices/*']] },
        { 'Fn::Join': ['', [arnOf(stack.invoicesBucket), '/credit-notes/*']] },
      ],
      // subscription.changed, on the stack's bus only.
      'events:PutEvents': [arnOf(stack.outbound.eventBus)],
    });
  });

  it('lets the authorizer read one item of the billing table, nothing more', () => {
    const { stack } = built;
    const fn = stack.httpApi.authorizerFunction;
    expect(grantsOf(template(), fn.role)).toEqual({ ...baseGrants(fn), 'dynamodb:GetItem': [arnOf(stack.billingTable)] });
  });
});

describe('the hosted invoice page (issue 20)', () => {
  it('routes GET /i/{token} and GET /i/{token}/{document} to show-invoice-page without an authorizer (the token is the credential)', () => {
    const { stack } = built;
    for (const route of [httpRoutes.showInvoicePage, httpRoutes.showInvoicePageDocument]) {
      template().hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `GET ${route.path}`, AuthorizationType: 'NONE' });
    }
    const integrations = template().findResources('AWS::ApiGatewayV2::Integration', {
      Properties: { IntegrationUri: arnOf(stack.httpApi.invoicePageFunction) },
    });
    expect(Object.keys(integrations).length).toBeGreaterThanOrEqual(1);
  });

  it('lets show-invoice-page read items of the billing table and invoice documents, nothing more', () => {
    const { stack } = built;
    const fn = stack.httpApi.invoicePageFunction;
    expect(grantsOf(template(), fn.role)).toEqual({
      ...baseGrants(fn),
      'dynamodb:GetItem': [arnOf(stack.billingTable)],
      's3:GetObject': [{ 'Fn::Join': ['', [arnOf(stack.invoicesBucket), '/invoices/*']] }],
    });
  });
});

function template(): Template {
  return built.template;
}
