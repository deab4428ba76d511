/**
 * AWS list prices for the cost model (test/bench/cost-model.ts): the one place they live.
 *
 * Region eu-central-1 (Europe, Frankfurt), USD, on-demand / pay-per-request, first volume
 * tier, free tiers ignored (a cost model that counts on the free tier describes an account,
 * not the design).
 *
 * Where they come from: each price names its public pricing page. They are the figures those
 * pages listed for Frankfurt as of PRICES_TAKEN, as known to the author; they were NOT fetched
 * when a benchmark ran (the build machine has no access to aws.amazon.com). `note` says where a
 * figure is less certain. Re-check them against the pages before quoting the model's output,
 * and update PRICES_TAKEN with the figures.
 */

/** When the figures below were read from the pricing pages (month). */
export const PRICES_TAKEN = '2025-06';
export const PRICES_REGION = 'eu-central-1';

export interface Price {
  /** USD for `per` units. */
  readonly usd: number;
  readonly per: number;
  /** What one unit is, for the printout ("requests", "GB-s", ...). */
  readonly unit: string;
  readonly source: string;
  readonly note?: string;
}

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const SQS = 'https://aws.amazon.com/sqs/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const SES = 'https://aws.amazon.com/ses/pricing/';
const SECRETS = 'https://aws.amazon.com/secrets-manager/pricing/';
const API_GATEWAY = 'https://aws.amazon.com/api-gateway/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const XRAY = 'https://aws.amazon.com/xray/pricing/';
const EVENTBRIDGE = 'https://aws.amazon.com/eventbridge/pricing/';

export const prices = {
  /** billflow's functions are arm64 (infra/constructs/billing-function.ts). First 7.5 billion GB-s a month. */
  lambdaGbSecond: { usd: 0.0000133334, per: 1, unit: 'GB-s', source: LAMBDA, note: 'Arm, first tier; billed per 1 ms of duration' },
  lambdaRequests: { usd: 0.2, per: 1_000_000, unit: 'requests', source: LAMBDA },
  /**
   * Standard queue, after the first million requests of the month. Every 64 KB chunk of a
   * request's payload is billed as one request (a 256 KB SendMessageBatch is 4 requests).
   */
  sqsRequests: {
    usd: 0.4,
    per: 1_000_000,
    unit: 'requests',
    source: SQS,
    note: 'standard queue; each 64 KB chunk of a payload is one request',
  },
  /** On-demand, Standard table class, after the 50 % on-demand price cut of 2024-11-01. */
  dynamodbWriteUnits: {
    usd: 0.7625,
    per: 1_000_000,
    unit: 'write request units',
    source: DYNAMODB,
    note: 'on-demand, after the 2024-11-01 price cut ($1.525 before)',
  },
  dynamodbReadUnits: {
    usd: 0.1525,
    per: 1_000_000,
    unit: 'read request units',
    source: DYNAMODB,
    note: 'on-demand, after the 2024-11-01 price cut ($0.305 before)',
  },
  dynamodbStorage: { usd: 0.306, per: 1, unit: 'GB-month', source: DYNAMODB, note: 'Standard table class; item size + 100 bytes per item' },
  s3PutRequests: { usd: 0.0054, per: 1_000, unit: 'PUT/COPY/POST/LIST requests', source: S3, note: 'S3 Standard' },
  s3GetRequests: { usd: 0.00043, per: 1_000, unit: 'GET/HEAD and other requests', source: S3, note: 'S3 Standard' },
  s3Storage: { usd: 0.0245, per: 1, unit: 'GB-month', source: S3, note: 'S3 Standard, first 50 TB' },
  sesEmails: { usd: 0.1, per: 1_000, unit: 'emails', source: SES, note: 'outbound, pay as you go' },
  sesAttachments: { usd: 0.12, per: 1, unit: 'GB of attachments', source: SES },
  secretsManagerApiCalls: { usd: 0.05, per: 10_000, unit: 'API calls', source: SECRETS },
  secretsManagerSecrets: { usd: 0.4, per: 1, unit: 'secret-months', source: SECRETS },
  apiGatewayHttpRequests: {
    usd: 1.2,
    per: 1_000_000,
    unit: 'requests',
    source: API_GATEWAY,
    note: 'HTTP API, first 300 million a month; least certain figure here (us-east-1 lists $1.00)',
  },
  cloudwatchLogsIngestion: { usd: 0.63, per: 1, unit: 'GB ingested', source: CLOUDWATCH, note: 'Standard log class' },
  xrayTraces: { usd: 5.0, per: 1_000_000, unit: 'traces recorded', source: XRAY },
  schedulerInvocations: {
    usd: 1.0,
    per: 1_000_000,
    unit: 'invocations',
    source: EVENTBRIDGE,
    note: 'EventBridge Scheduler, after 14 million free a month',
  },
} as const satisfies Record<string, Price>;

/** USD for `quantity` units at `price`. */
export function costOf(price: Price, quantity: number): number {
  return (quantity / price.per) * price.usd;
}
