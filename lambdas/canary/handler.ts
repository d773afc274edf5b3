/**
 * The canary, run by an EventBridge schedule every CANARY_INTERVAL_MINUTES: sends a signed
 * synthetic report through SES to the public CPR address and checks the path around it (see
 * `domain/canary/run.ts`). Thin: configuration at cold start, the run, its metrics (namespace CprIntake,
 * service "canary"), and an error when a check could not run, so Lambda's Errors metric, its
 * retries and the failure queue see a broken canary too.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { type CanaryRunResult, failIfIncomplete, runCanary } from '../domain/canary/run.ts';
import { CANARY_METRICS, METRIC_SERVICES, METRICS_NAMESPACE } from '../shared/metric-names.ts';
import { readCanaryConfig } from './config.ts';
import { canaryDeps } from './deps.ts';

const config = readCanaryConfig();
const deps = canaryDeps(config);
const logger = new Logger({ serviceName: 'cpr-canary' });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRIC_SERVICES.canary });

/** Publishes what the run measured; what it could not measure stays absent. */
function recordMetrics(result: CanaryRunResult): void {
  for (const [name, value] of Object.entries(result.assessment.metrics)) {
    if (value === undefined) continue;
    const unit = name === CANARY_METRICS.heartbeatAge ? MetricUnit.Seconds : MetricUnit.Count;
    metrics.addMetric(name, unit, value);
  }
}

export const handler = middy(async (): Promise<CanaryRunResult> => {
  const result = await runCanary(deps, config.settings);
  recordMetrics(result);
  const log = result.assessment.problems.length > 0 ? logger.warn : logger.info;
  log.call(logger, 'canary run', {
    messageId: result.messageId,
    problems: result.assessment.problems,
    metrics: result.assessment.metrics,
    alerted: result.alerted,
  });
  failIfIncomplete(result);
  return result;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
