/**
 * AWS SDK v3 clients, built once per container and injected into adapters.
 *
 * Endpoints come from the SDK's own AWS_ENDPOINT_URL_{SERVICE} variables, so the same code
 * talks to AWS in Lambda and to the emulators locally; only S3 needs path-style addressing
 * when an endpoint is set (the emulator has no per-bucket host names).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';

export interface AwsClients {
  readonly dynamodb: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly ses: SESv2Client;
}

export interface AwsClientOptions {
  readonly region?: string;
  /** Explicit endpoints (the CLI reads them from outputs.json); else the SDK's env variables. */
  readonly endpoints?: Partial<Record<'dynamodb' | 'sqs' | 's3' | 'ses', string>>;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  /** SDK retry attempts; the ingest path relies on these for throttling before failing records. */
  readonly maxAttempts?: number;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const base = {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  const endpoint = (service: 'dynamodb' | 'sqs' | 's3' | 'ses') => {
    const value = options.endpoints?.[service];
    return value === undefined ? {} : { endpoint: value };
  };
  const s3Endpoint = options.endpoints?.s3 ?? process.env.AWS_ENDPOINT_URL_S3;
  return {
    dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient({ ...base, ...endpoint('dynamodb') }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    // With an endpoint from AWS_ENDPOINT_URL_SQS the SDK would still send each request to the
    // queue URL's host (sqs.{region}.localhost locally, which need not resolve): use the endpoint.
    sqs: new SQSClient({
      ...base,
      ...endpoint('sqs'),
      ...((options.endpoints?.sqs ?? process.env.AWS_ENDPOINT_URL_SQS) ? { useQueueUrlAsEndpoint: false } : {}),
    }),
    s3: new S3Client({ ...base, ...endpoint('s3'), forcePathStyle: s3Endpoint !== undefined }),
    ses: new SESv2Client({ ...base, ...endpoint('ses') }),
  };
}
