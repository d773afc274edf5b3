/**
 * SES delivery events (configuration-set event destination -> SNS -> here): delivery marks a
 * notice delivered; a bounce or complaint reopens the obligation and alerts team and pager at once.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { readTopicConfig } from '../clock/config.ts';
import { clockDeps } from '../clock/deps.ts';
import { deliveryEventsTask } from '../clock/tasks.ts';
import {
  DELIVERY_EVENT_METRICS,
  METRIC_SERVICES,
  METRICS_NAMESPACE,
} from '../shared/metric-names.ts';

const config = readTopicConfig(['team', 'pager']);
const task = deliveryEventsTask(
  clockDeps({ casesTable: config.casesTable, topics: config.topics }),
);
const logger = new Logger({ serviceName: 'cpr-delivery-events' });
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: METRIC_SERVICES.deliveryEvents,
});

export const handler = middy(async (event: unknown) => {
  const results = await task(event);
  for (const r of results) {
    metrics.addMetric(DELIVERY_EVENT_METRICS.deliveryEvent(r.status), MetricUnit.Count, 1);
    if ('delivered' in r && r.delivered) {
      metrics.addMetric(
        DELIVERY_EVENT_METRICS.timeToNoticeDelivered(r.delivered.kind),
        MetricUnit.Seconds,
        r.delivered.secondsSinceReceipt,
      );
    }
    if (r.status === 'unknownMessage')
      logger.warn('delivery event for a message we did not send as a notice');
  }
  logger.info('delivery events', { results });
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
