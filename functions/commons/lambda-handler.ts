/**
 * The Lambda entry point every billflow function shares: Powertools Tracer, Logger and Metrics
 * through middy, and the function's handler built once per container, on first use, so
 * configuration is read and validated inside the invocation that can report it.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from '#shared/observability.ts';

export function lambdaHandler<TEvent, TResult>(build: () => (event: TEvent, context: Context) => Promise<TResult>) {
  let handle: ((event: TEvent, context: Context) => Promise<TResult>) | undefined;
  return middy<TEvent, TResult>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      handle ??= build();
      return handle(event, context);
    });
}
