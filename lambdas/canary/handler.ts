/**
 * The canary, run by an EventBridge schedule every CANARY_INTERVAL_MINUTES: sends a signed
 * synthetic report through SES to the public CPR address and checks the path around it (see
 * `domain/canary/run.ts`). Thin: configuration at cold start, the run, its metrics (namespace CprIntake,
 * service "canary"), and an error when a check could not run, so Lambda's Errors metric, its
 * retries and the failure queue see a broken canary too.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type CanaryRunResult, failIfIncomplete, runCanary } from '../domain/canary/run.ts';
import { cprHandler } from '../shared/handler.ts';
import { CANARY_METRICS } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { readCanaryConfig } from './config.ts';
import { canaryDeps } from './deps.ts';

const config = readCanaryConfig();
const deps = canaryDeps(config);

/** Publishes what the run measured; what it could not measure stays absent. */
function recordMetrics(result: CanaryRunResult): void {
  for (const [name, value] of Object.entries(result.assessment.metrics)) {
    if (value === undefined) continue;
    const unit = name === CANARY_METRICS.heartbeatAge ? MetricUnit.Seconds : MetricUnit.Count;
    metrics.addMetric(name, unit, value);
  }
}

export const handler = cprHandler(async (): Promise<CanaryRunResult> => {
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
});
