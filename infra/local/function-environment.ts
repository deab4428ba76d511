/**
 * The environment a function gets locally: the same variables the CDK stack sets in Lambda
 * (table names, queue URLs, pipeline settings), plus endpoints pointing the SDK at the
 * emulators instead of AWS.
 */
import { outputDefinitions, outputsSchema, type OutputDefinition, type OutputName, type Outputs } from '#shared/outputs.ts';
import { pipelineSettings } from '../resources.ts';
import { localCredentials } from './credentials.ts';
import type { ProvisionedResources } from './provision.ts';
import type { LocalEndpoints } from './services.ts';

export function localFunctionEnvironment(
  resources: ProvisionedResources,
  endpoints: LocalEndpoints,
  region: string,
  options: { verbose: boolean; stripeWebhookSecret?: string },
): Record<string, string> {
  return {
    ...resources.env,
    // Locally the webhook secret is the value itself; in AWS functions get a Secrets Manager ARN.
    ...(options.stripeWebhookSecret === undefined ? {} : { STRIPE_WEBHOOK_SECRET: options.stripeWebhookSecret }),
    ...pipelineSettings,
    // Locally webhooks may go to http and 127.0.0.1 (a receiver on this machine); AWS: https, public only.
    WEBHOOK_URL_POLICY: 'local',
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    POWERTOOLS_SERVICE_NAME: 'billflow',
    POWERTOOLS_METRICS_NAMESPACE: 'Billflow',
    // Locally the EMF metric lines and info logs would drown the terminal; verbose shows them.
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? (options.verbose ? 'INFO' : 'WARN'),
    POWERTOOLS_METRICS_DISABLED: options.verbose ? 'false' : 'true',
  };
}

/**
 * The outputs file contents for a local pipeline (CONTRACTS.md section 6), from the outputs
 * definition (shared/outputs.ts): every output but the stack-only ones, validated with the
 * schema the CLI reads it with.
 */
export function localOutputs(
  resources: ProvisionedResources,
  endpoints: LocalEndpoints,
  region: string,
  mailViewerUrl: string,
  /** The webhook secret is written only when it was generated (not taken from STRIPE_WEBHOOK_SECRET). */
  api?: { url: string; stripeWebhookSecret?: string },
): Outputs {
  const localOnly: Partial<Record<OutputName, unknown>> = { mailViewerUrl, endpoints, stripeWebhookSecret: api?.stripeWebhookSecret };
  const outputs: Partial<Record<OutputName, unknown>> = {};
  for (const [output, definition] of Object.entries(outputDefinitions) as [OutputName, OutputDefinition][]) {
    const { source } = definition;
    if (source === 'stack') continue;
    const value =
      source === 'region'
        ? region
        : source === 'apiUrl'
          ? api?.url
          : source === 'local'
            ? localOnly[output]
            : 'env' in source
              ? resources.env[source.env]
              : Number(pipelineSettings[source.setting]);
    if (value !== undefined) outputs[output] = value;
  }
  return outputsSchema.parse(outputs);
}
