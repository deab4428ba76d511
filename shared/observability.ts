/**
 * One Logger, Metrics and Tracer per container (Powertools for AWS Lambda). Service name and
 * namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE set by the stack.
 * Logs carry ids and counts, never event payloads or customer personal data.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ serviceName: 'billflow' });
export const metrics = new Metrics({ namespace: 'Billflow', serviceName: 'billflow' });
export const tracer = new Tracer({ serviceName: 'billflow' });

export { MetricUnit } from '@aws-lambda-powertools/metrics';
