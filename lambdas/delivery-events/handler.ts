/**
 * SES delivery events (configuration-set event destination -> SNS -> here): delivery marks a
 * notice delivered; a bounce or complaint reopens the obligation and alerts team and pager at once.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { readTopicConfig } from '../clock/config.ts';
import { clockDeps } from '../clock/deps.ts';
import { deliveryEventsTask } from '../clock/tasks.ts';
import { cprHandler } from '../shared/handler.ts';
import { DELIVERY_EVENT_METRICS } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';

const config = readTopicConfig(['team', 'pager']);
const task = deliveryEventsTask(
  clockDeps({
    casesTable: config.casesTable,
    auditTable: config.auditTable,
    topics: config.topics,
  }),
);

export const handler = cprHandler(async (event) => {
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
});
