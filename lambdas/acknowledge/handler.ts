/** Deadline clock, step 1: the automatic acknowledgment to the reporter (not the preliminary report). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { readSenderConfig } from '../clock/config.ts';
import { clockDeps } from '../clock/deps.ts';
import { acknowledgeTask } from '../clock/tasks.ts';
import { cprHandler } from '../shared/handler.ts';
import { ACKNOWLEDGE_METRICS } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';

const config = readSenderConfig();
const task = acknowledgeTask(
  clockDeps({
    casesTable: config.casesTable,
    auditTable: config.auditTable,
    configurationSet: config.configurationSet,
    region: config.region,
  }),
  config,
);

export const handler = cprHandler(async (event) => {
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
});
