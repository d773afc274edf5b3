/**
 * The one handler factory: every deployed function is its body wrapped in the same middy chain
 * with the shared Powertools (`powertools.ts`). A trace segment per invocation (its response not
 * recorded: results name cases and addresses, traces need neither), the Lambda context on every
 * log line, and the metrics flushed as EMF after the body, with the cold start counted.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './powertools.ts';

export function cprHandler<TResult>(body: (event: unknown, context: Context) => Promise<TResult>) {
  return middy(body)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
