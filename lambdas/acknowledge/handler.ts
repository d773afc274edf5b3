/** Deadline clock, step 1: the automatic acknowledgment to the reporter (not the preliminary report). */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readSenderConfig } from '../clock/config.ts';
import { clockDeps } from '../clock/deps.ts';
import { acknowledgeTask } from '../clock/tasks.ts';

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
const metrics = new Metrics({ namespace: 'CprIntake', serviceName: 'acknowledge' });

export const handler = middy(async (event: unknown) => {
  const result = await task(event);
  metrics.addMetric(
    result.status === 'sent' ? 'AcknowledgmentsSent' : 'AcknowledgmentsNotSent',
    MetricUnit.Count,
    1,
  );
  logger.info('acknowledgment', { status: result.status, messageId: result.messageId });
  return result;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
