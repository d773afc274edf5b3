/**
 * The one handler factory: every deployed function is its body wrapped in the same middy chain
 * with the shared Powertools (`powertools.ts`). A trace segment per invocation (its response not
 * recorded: results name cases and addresses, traces need neither), the Lambda context on every
 * log line, and the metrics flushed as EMF after the body, with the cold start counted.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './powertools.ts';

/** The trace middleware, loaded only where there is a Tracer (it loads the X-Ray SDK). */
const captureInvocation = tracer
  ? (await import('@aws-lambda-powertools/tracer/middleware')).captureLambdaHandler(tracer, {
      captureResponse: false,
    })
  : null;

export function cprHandler<TResult>(body: (event: unknown, context: Context) => Promise<TResult>) {
  const handler = middy(body);
  if (captureInvocation) handler.use(captureInvocation);
  return handler
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
