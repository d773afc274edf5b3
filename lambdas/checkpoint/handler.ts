/** Deadline clock, the loop: evaluate a checkpoint, escalate open obligations, plan the next. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readTopicConfig } from '../clock/config.ts';
import { clockDeps } from '../clock/deps.ts';
import { checkpointTask } from '../clock/tasks.ts';
import { ALERT_TOPICS } from '../domain/case/types.ts';
import { CHECKPOINT_METRICS, METRIC_SERVICES, METRICS_NAMESPACE } from '../shared/metric-names.ts';

const config = readTopicConfig(ALERT_TOPICS);
const task = checkpointTask(clockDeps({ casesTable: config.casesTable, topics: config.topics }));
const logger = new Logger({ serviceName: 'cpr-checkpoint' });
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: METRIC_SERVICES.checkpoint,
});

export const handler = middy(async (event: unknown) => {
  const plan = await task(event);
  if (plan.done) metrics.addMetric(CHECKPOINT_METRICS.clockDone(plan.reason), MetricUnit.Count, 1);
  if (plan.escalated) {
    // Escalation_breach is a missed BR 4.9.5 deadline: the breach alarm watches it.
    metrics.addMetric(CHECKPOINT_METRICS.escalation(plan.escalated), MetricUnit.Count, 1);
  }
  logger.info('checkpoint', { plan });
  return plan;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
