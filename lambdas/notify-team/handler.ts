/** Deadline clock, step 2: the team notice on the team topic. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { readTopicConfig } from '../clock/config.ts';
import { clockDeps } from '../clock/deps.ts';
import { consoleLocations, notifyTeamTask } from '../clock/tasks.ts';

const config = readTopicConfig(['team']);
const region = process.env.AWS_REGION ?? null;
const task = notifyTeamTask(
  clockDeps({ casesTable: config.casesTable, topics: config.topics, region }),
  consoleLocations(config.inboundBucket, region),
);
const logger = new Logger({ serviceName: 'cpr-notify-team' });

export const handler = middy(async (event: unknown) => {
  const result = await task(event);
  logger.info('team notice', { status: result.status });
  return result;
}).use(injectLambdaContext(logger));
