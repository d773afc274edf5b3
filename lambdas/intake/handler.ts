/**
 * The intake function, invoked by the SES receipt rule asynchronously after the raw message is in
 * S3. Thin on purpose: configuration is read once at cold start (a missing variable fails it,
 * named), the event is checked, the domain does the work, metrics are emitted. An error
 * propagates, so Lambda retries twice and then hands the event to the failure queue; the raw
 * message stays in S3 and a `{ "replay": messageId }` invocation runs it again.
 */
import type { IntakeResult } from '../domain/intake/process-message.ts';
import { cprHandler } from '../shared/handler.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { readIntakeConfig } from './config.ts';
import { canarySecretOf, intakeDeps, intakeSettings } from './deps.ts';
import { handleIntakeEvent, recordOutcome } from './handler-core.ts';

const config = readIntakeConfig();
const intake = {
  deps: intakeDeps(config),
  // Read once per cold start; without it a canary would open a case, so a failure is loud.
  settings: intakeSettings(config, await canarySecretOf(config)),
  inboundPrefix: config.inboundPrefix,
};

/**
 * An SES receipt event, or `{ "replay": "<SES messageId>" }`. Returns the results, so an operator
 * invoking it synchronously (`cpr ingest`, `cpr replay`) sees the case.
 */
export const handler = cprHandler(async (event, context): Promise<IntakeResult[]> => {
  // The invocation's own deadline: extraction stops before it so the case is still written.
  const deadline = new Date(intake.deps.now().getTime() + context.getRemainingTimeInMillis());
  const results = await handleIntakeEvent(event, intake, deadline);
  for (const result of results) recordOutcome(result, metrics, logger);
  return results;
});
