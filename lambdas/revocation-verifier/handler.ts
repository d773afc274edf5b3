/**
 * The scheduled verifier (EventBridge Scheduler, every few minutes): one bounded round of looking
 * at recorded revocations from outside, as a relying party would. The event carries nothing.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { readIssuersFile } from '../adapters/fs/issuers-file.ts';
import { readTopicConfig } from '../clock/config.ts';
import { verifyRound } from '../domain/revocation/verify-round.ts';
import { optionalEnv } from '../shared/env.ts';
import { ENV } from '../shared/env-names.ts';
import { cprHandler } from '../shared/handler.ts';
import { VERIFIER_METRICS } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { verifierDeps } from './deps.ts';

export class VerifyRoundFailedError extends Error {
  override readonly name = 'VerifyRoundFailedError';
}

const { casesTable, auditTable, topics } = readTopicConfig(['team', 'pager']);
const deps = verifierDeps({
  casesTable,
  auditTable,
  topics: { team: topics.team!, pager: topics.pager! },
  issuers: readIssuersFile(optionalEnv(ENV.issuersFile, '') || undefined),
});

export const handler = cprHandler(async () => {
  const round = await verifyRound(deps);
  metrics.addMetric(VERIFIER_METRICS.checked, MetricUnit.Count, round.checked);
  metrics.addMetric(VERIFIER_METRICS.verified, MetricUnit.Count, round.verified);
  metrics.addMetric(VERIFIER_METRICS.notVisible, MetricUnit.Count, round.alerted);
  metrics.addMetric(VERIFIER_METRICS.deferred, MetricUnit.Count, round.deferred);
  logger.info('verify round', { round });
  if (round.failed.length > 0) {
    // After every other case was looked at: the function's error makes it visible (and retried).
    throw new VerifyRoundFailedError(
      `${round.failed.length} case(s) could not be checked: ${round.failed.map((f) => `${f.caseId}: ${f.error}`).join('; ')}`,
    );
  }
  return round;
});
