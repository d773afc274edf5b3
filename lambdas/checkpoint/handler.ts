/** Deadline clock, the loop: evaluate a checkpoint, escalate open obligations, plan the next. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { readTopicConfig } from '../clock/config.ts';
import { clockDeps } from '../clock/deps.ts';
import { checkpointTask } from '../clock/tasks.ts';
import { ALERT_TOPICS } from '../domain/case/types.ts';
import { requireEnv } from '../shared/env.ts';
import { ENV } from '../shared/env-names.ts';
import { cprHandler } from '../shared/handler.ts';
import { CHECKPOINT_METRICS } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';

const config = readTopicConfig(ALERT_TOPICS);
const task = checkpointTask(
  clockDeps({
    casesTable: config.casesTable,
    auditTable: config.auditTable,
    topics: config.topics,
    // Revocation obligations: the evidence, the inventory and the blocklist's copy.
    revocation: {
      inventoryTable: requireEnv(ENV.inventoryTable),
      evidenceBucket: requireEnv(ENV.evidenceBucket),
      evidencePrefix: requireEnv(ENV.evidencePrefix),
      blocklistBucket: requireEnv(ENV.blocklistBucket),
    },
  }),
);

export const handler = cprHandler(async (event) => {
  const plan = await task(event);
  metrics.addMetric(CHECKPOINT_METRICS.runs, MetricUnit.Count, 1);
  if (plan.done) metrics.addMetric(CHECKPOINT_METRICS.clockDone(plan.reason), MetricUnit.Count, 1);
  if (plan.escalated) {
    // Escalation_breach is a missed BR 4.9.5 deadline: the breach alarm watches it.
    metrics.addMetric(CHECKPOINT_METRICS.escalation(plan.escalated), MetricUnit.Count, 1);
  }
  logger.info('checkpoint', { plan });
  return plan;
});
