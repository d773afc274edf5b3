/**
 * The intake function, invoked by the SES receipt rule asynchronously after the raw message is in
 * S3. Thin on purpose: configuration is read once at cold start (a missing variable fails it,
 * named), the event is checked, the domain does the work, metrics are emitted. An error
 * propagates, so Lambda retries twice and then hands the event to the failure queue; the raw
 * message stays in S3 and `replayHandler` runs it again.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import type { IntakeResult } from '../domain/intake/process-message.ts';
import { replayMessage } from '../domain/intake/replay.ts';
import { readIntakeConfig } from './config.ts';
import { intakeDeps, intakeSettings } from './deps.ts';
import { handleSesEvent, recordOutcome } from './handler-core.ts';

const config = readIntakeConfig();
const intake = {
  deps: intakeDeps(config),
  settings: intakeSettings(config),
  inboundPrefix: config.inboundPrefix,
};
const logger = new Logger({ serviceName: 'cpr-intake' });
const metrics = new Metrics({ namespace: 'CprIntake', serviceName: 'intake' });

export const handler = middy(async (event: unknown): Promise<void> => {
  const results = await handleSesEvent(event, intake);
  for (const result of results) recordOutcome(result, metrics, logger);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));

const replayEventSchema = z.object({ sesMessageId: z.string().regex(/^[A-Za-z0-9._=+-]{1,200}$/) });

/** `{ "sesMessageId": "..." }`: re-runs intake for a message stored in the inbound bucket. */
export const replayHandler = middy(async (event: unknown): Promise<IntakeResult> => {
  const { sesMessageId } = replayEventSchema.parse(event);
  const result = await replayMessage(
    sesMessageId,
    `${config.inboundPrefix}${sesMessageId}`,
    intake.deps,
    intake.settings,
  );
  recordOutcome(result, metrics, logger);
  return result;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
