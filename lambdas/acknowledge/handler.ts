/** Deadline clock, step 1: the automatic acknowledgment to the reporter (not the preliminary report). */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readSenderConfig } from '../clock/config.ts';
import { clockDeps } from '../clock/deps.ts';
import { acknowledgeTask } from '../clock/tasks.ts';
import { ACKNOWLEDGE_METRICS, METRIC_SERVICES, METRICS_NAMESPACE } from '../shared/metric-names.ts';

const config = readSenderConfig();
const task = acknowledgeTask(
  clockDeps({
    casesTable: config.casesTable,
    configurationSet: config.configurationSet,
    region: config.region,
  }),
  config,
);
const logger = new Logger({ serviceName: 'cpr-acknowledge' });
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: METRIC_SERVICES.acknowledge,
});

export const handler = middy(async (event: unknown) => {
  const result = await task(event);
  metrics.addMetric(
    result.status === 'sent' ? ACKNOWLEDGE_METRICS.sent : ACKNOWLEDGE_METRICS.notSent,
    MetricUnit.Count,
    1,
  );
  if (result.secondsSinceReceipt !== undefined) {
    metrics.addMetric(
      ACKNOWLEDGE_METRICS.timeToAcknowledgment,
      MetricUnit.Seconds,
      result.secondsSinceReceipt,
    );
  }
  logger.info('acknowledgment', { status: result.status, messageId: result.messageId });
  return result;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
