/**
 * The Lambda authorizer of the HTTP API's /v1 routes (payload 2.0, simple responses): a key
 * that is missing, malformed, unknown or revoked is refused before the API function runs
 * (API Gateway answers 401 without a key, 403 for a refused one); a valid key passes its id and
 * scopes and request limit on, and serve-api checks the scope its route needs and takes a token
 * from the key's bucket. API Gateway caches the verdict per
 * Authorization header for a short while (infra/stages/http-api.ts), so revoking takes effect
 * within that time.
 */
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { rateLimitOf } from '#domain/api-keys/api-key.ts';
import { createAwsClients } from '#adapters/aws/clients.ts';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/api-key-store.ts';
import { readAuthorizerConfig } from '#shared/config.ts';
import { logger, metrics, MetricUnit, tracer } from '#shared/observability.ts';
import { authenticateApiKey } from '#use-cases/manage-api-keys.ts';
import { lambdaHandler } from '../commons/lambda-handler.ts';

/** What serve-api is told of an admitted key: its id, its scopes (space-separated) and its request limit (0: refused). */
export type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<{
  keyId: string;
  scopes: string;
  ratePerSecond: number;
  burst: number;
}>;

function build() {
  const { billingTable } = readAuthorizerConfig();
  const { dynamodb } = createAwsClients();
  tracer.captureAWSv3Client(dynamodb);
  const keys = new DynamoDbApiKeyStore(dynamodb, billingTable);
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> => {
    const verdict = await authenticateApiKey(event.headers?.authorization, undefined, keys);
    if (!verdict.ok) {
      metrics.addMetric('ApiKeysRefused', MetricUnit.Count, 1);
      logger.warn('api key refused', { refusal: verdict.refusal, routeKey: event.routeKey });
      return { isAuthorized: false, context: { keyId: '', scopes: '', ratePerSecond: 0, burst: 0 } };
    }
    const { ratePerSecond, burst } = rateLimitOf(verdict.record);
    return { isAuthorized: true, context: { keyId: verdict.record.id, scopes: verdict.record.scopes.join(' '), ratePerSecond, burst } };
  };
}

export const handler = lambdaHandler<APIGatewayRequestAuthorizerEventV2, AuthorizerResult>(build);
