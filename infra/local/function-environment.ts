/**
 * The environment a function gets locally: the same variables the CDK stack sets in Lambda
 * (table names, queue URLs, pipeline settings), plus endpoints pointing the SDK at the
 * emulators instead of AWS.
 */
import { pipelineSettings, queues } from '../resources.ts';
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

/** The outputs file contents for a local pipeline (CONTRACTS.md section 6). */
export function localOutputs(
  resources: ProvisionedResources,
  endpoints: LocalEndpoints,
  region: string,
  mailViewerUrl: string,
  tableEnv: { events: string; billing: string },
  /** The webhook secret is written only when it was generated (not taken from STRIPE_WEBHOOK_SECRET). */
  api?: { url: string; stripeWebhookSecret?: string },
) {
  return {
    region,
    eventsQueueUrl: resources.eventsQueueUrl,
    eventsDlqUrl: resources.eventsDlqUrl,
    invoiceJobsQueueUrl: resources.env[queues.invoiceJobs.envVar]!,
    invoiceJobsDlqUrl: resources.env[queues.invoiceJobs.deadLetter.envVar]!,
    invoiceDocumentsQueueUrl: resources.env[queues.invoiceDocuments.envVar]!,
    invoiceEmailsQueueUrl: resources.env[queues.invoiceEmails.envVar]!,
    paymentEventsQueueUrl: resources.env[queues.paymentEvents.envVar]!,
    invoicesBucket: resources.invoicesBucket,
    eventsTable: resources.env[tableEnv.events]!,
    billingTable: resources.env[tableEnv.billing]!,
    eventWriteShards: Number(pipelineSettings.EVENT_WRITE_SHARDS),
    finalizationSettleSeconds: Number(pipelineSettings.FINALIZATION_SETTLE_SECONDS),
    mailViewerUrl,
    ...(api === undefined ? {} : { apiUrl: api.url }),
    ...(api?.stripeWebhookSecret === undefined ? {} : { stripeWebhookSecret: api.stripeWebhookSecret }),
    endpoints,
  };
}
