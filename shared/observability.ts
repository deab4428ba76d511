/**
 * One Logger, Metrics and Tracer per container (Powertools for AWS Lambda). Service name and
 * namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE set by the stack.
 * Logs carry ids and counts, never event payloads or customer personal data.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ serviceName: 'billflow' });

/**
 * Metrics' own warnings go through the Logger (structured, level-filtered). "No application
 * metrics to publish" is normal here, not a warning: a duplicate delivery or a run with nothing
 * to do emits no business metric, by design.
 */
const metricsLogger = {
  debug: (...args: unknown[]) => logger.debug(String(args[0]), ...args.slice(1).map((arg) => ({ detail: arg }))),
  info: (...args: unknown[]) => logger.info(String(args[0]), ...args.slice(1).map((arg) => ({ detail: arg }))),
  error: (...args: unknown[]) => logger.error(String(args[0]), ...args.slice(1).map((arg) => ({ detail: arg }))),
  warn: (...args: unknown[]) => {
    const message = String(args[0]);
    if (message.startsWith('No application metrics to publish')) logger.debug(message);
    else logger.warn(message, ...args.slice(1).map((arg) => ({ detail: arg })));
  },
};

export const metrics = new Metrics({ namespace: 'Billflow', serviceName: 'billflow', logger: metricsLogger });
export const tracer = new Tracer({ serviceName: 'billflow' });

export { MetricUnit } from '@aws-lambda-powertools/metrics';
