/** Deadline clock, step 2: the team notice on the team topic. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { readTopicConfig } from '../clock/config.ts';
import { clockDeps } from '../clock/deps.ts';
import { consoleLocations, notifyTeamTask } from '../clock/tasks.ts';
import { cprHandler } from '../shared/handler.ts';
import { TEAM_NOTICE_METRICS } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';

const config = readTopicConfig(['team']);
const region = process.env.AWS_REGION ?? null;
const task = notifyTeamTask(
  clockDeps({
    casesTable: config.casesTable,
    auditTable: config.auditTable,
    topics: config.topics,
    region,
  }),
  consoleLocations(config.inboundBucket, region),
);

export const handler = cprHandler(async (event) => {
  const result = await task(event);
  metrics.addMetric(TEAM_NOTICE_METRICS.sent, MetricUnit.Count, result.status === 'sent' ? 1 : 0);
  logger.info('team notice', { status: result.status });
  return result;
});
