/**
 * The canary, run by an EventBridge schedule every CANARY_INTERVAL_MINUTES: sends a signed
 * synthetic report through SES to the public CPR address and checks the path around it (see
 * `run.ts`). Thin: configuration at cold start, the run, its metrics (namespace CprIntake,
 * service "canary"), and an error when a check could not run, so Lambda's Errors metric, its
 * retries and the failure queue see a broken canary too.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { documentClient, sesClient, snsClient } from '../adapters/aws-clients.ts';
import { DynamoCaseRepository } from '../adapters/dynamo/case-repository.ts';
import { cprHandler } from '../shared/handler.ts';
import { CANARY_METRICS } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';
import {
  cachedSecret,
  DynamoOpenCases,
  SesCanaryMailer,
  SesReceiptRuleSets,
  SnsTeamAlerts,
  SnsTopicSubscriptions,
  sesV1Client,
} from './aws.ts';
import { readCanaryConfig } from './config.ts';
import type { CanaryDeps } from './ports.ts';
import { type CanaryRunResult, failIfIncomplete, runCanary } from './run.ts';

const config = readCanaryConfig();
const db = documentClient();
const sns = snsClient();
const deps: CanaryDeps = {
  secret: cachedSecret(config.secret),
  mailer: new SesCanaryMailer(sesClient(), config.configurationSet),
  ruleSets: new SesReceiptRuleSets(sesV1Client()),
  subscriptions: new SnsTopicSubscriptions(sns, config.topics),
  heartbeats: new DynamoCaseRepository(db, config.casesTable),
  openCases: new DynamoOpenCases(db, config.casesTable),
  alerts: new SnsTeamAlerts(sns, config.topics.team),
  now: () => new Date(),
};

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
