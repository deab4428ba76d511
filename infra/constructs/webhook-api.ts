/**
 * The HTTP API that inbound webhooks reach (the routes of `httpRoutes` in infra/resources.ts):
 * an API Gateway HTTP API with one stage, throttled, with JSON access logs to a log group of
 * its own.
 *
 * An HTTP API rather than a Lambda function URL: the routes are unauthenticated at the AWS
 * level (a webhook proves itself by its signature, checked in the function), and an HTTP API
 * stage gives what a function URL has neither of: a throttle that rejects a flood before it
 * invokes (and bills) the function, and access logs of every request, including the refused
 * ones.
 *
 * No X-Ray on the API: HTTP APIs do not support tracing (REST APIs do). Each request is
 * traced from the function on (its active tracing); the API's side is in the access log.
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HttpAuthorizerDefinition, HttpRouteDefinition } from '../resources.ts';

export interface WebhookApiProps {
  /** Requests per second (steady state) and burst the stage accepts; more are answered 429. */
  readonly throttle: Required<ThrottleSettings>;
  /** How long access log events are kept. */
  readonly accessLogRetention: RetentionDays;
  /** What happens to the access log group when the API is removed. */
  readonly accessLogRemovalPolicy: RemovalPolicy;
  /** Name of the API in the console, e.g. `billflow-prod-webhooks`. */
  readonly apiName: string;
  readonly description: string;
}

/**
 * One JSON object per request: ids, status and sizes, never headers or bodies (a webhook
 * body carries customer data; the Stripe-Signature header is a credential). `ip` is the
 * caller's address, to tell Stripe's documented sources from someone probing.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationErrorMessage: '$context.integrationErrorMessage',
} as const;

export class WebhookApi extends Construct {
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    // CloudWatch Logs encrypts every log group at rest (service-managed keys); a customer
    // managed key, as for the tables, would only add a key policy to maintain.
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention,
      removalPolicy: props.accessLogRemovalPolicy,
    });
    // Our own stage instead of the default one, which takes no throttle or access log settings.
    this.api = new HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: props.description,
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
  }

  /**
   * Routes `route` to `fn` behind a Lambda authorizer (payload 2.0, simple responses) on the
   * Authorization header: API Gateway answers 401 without the header and 403 when `authorizer`
   * refuses, without invoking `fn`; verdicts are cached `route.authorizer.cacheTtlSeconds` per header.
   */
  public addAuthorizedRoute(
    route: HttpRouteDefinition & { authorizer: HttpAuthorizerDefinition },
    fn: IFunction,
    authorizer: IFunction,
  ): void {
    const lambdaAuthorizer = new HttpLambdaAuthorizer(`${route.authorizer.functionId}-authorizer`, authorizer, {
      authorizerName: route.authorizer.functionId,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(route.authorizer.cacheTtlSeconds),
    });
    const [httpRoute] = this.api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${route.functionId}-integration`, fn, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
      authorizer: lambdaAuthorizer,
    });
    if (httpRoute === undefined) throw new Error(`${this.node.path}: no route created for ${route.method} ${route.path}`);
    for (const invoked of [fn, authorizer]) {
      Validations.of(invoked).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: `Invoked synchronously by the HTTP API (${route.method} ${route.path}) only, so a function DeadLetterConfig would never receive anything: a failure is answered with a 5xx and the caller retries.`,
      });
    }
  }

  /** `https://{api id}.execute-api.{region}.amazonaws.com`, no trailing slash; routes follow it. */
  public get url(): string {
    return this.api.apiEndpoint;
  }

  /**
   * Routes `route.method route.path` to `fn` with the payload format 2.0 event the handlers
   * type (APIGatewayProxyEventV2); the integration lets this API invoke `fn` on that route only.
   * Every route is unauthenticated at the AWS level, acknowledged here with `authenticatedBy`:
   * how the function authenticates the caller instead.
   */
  public addFunctionRoute(route: HttpRouteDefinition, fn: IFunction, authenticatedBy: string): void {
    const [httpRoute] = this.api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${route.functionId}-integration`, fn, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
    if (httpRoute === undefined) throw new Error(`${this.node.path}: no route created for ${route.method} ${route.path}`);
    Validations.of(httpRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: `${route.method} ${route.path} has no IAM, JWT or Lambda authorizer: ${authenticatedBy}`,
    });
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: `Invoked synchronously by the HTTP API (${route.method} ${route.path}) only, so a function DeadLetterConfig would never receive anything: a failure is answered with a 5xx, and the caller retries (Stripe for up to three days).`,
    });
  }
}
