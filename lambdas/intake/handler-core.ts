/**
 * The intake handler's logic with its dependencies passed in: what `handler.ts` runs in Lambda,
 * and what the tests and the local stack call directly.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import type { IntakeDeps, IntakeSettings } from '../domain/intake/intake-deps.ts';
import { type IntakeResult, processMessage } from '../domain/intake/process-message.ts';
import { replayMessage } from '../domain/intake/replay.ts';
import { INTAKE_METRICS } from '../shared/metric-names.ts';
import { envelopeOf, parseSesEvent } from './ses-event.ts';

export interface IntakeContext {
  readonly deps: IntakeDeps;
  readonly settings: IntakeSettings;
  readonly inboundPrefix: string;
}

/** Checks the SES event and runs intake for each record (SES sends one per invocation). */
export async function handleSesEvent(
  event: unknown,
  intake: IntakeContext,
  deadline?: Date,
): Promise<IntakeResult[]> {
  const parsed = parseSesEvent(event);
  const results: IntakeResult[] = [];
  const options = deadline ? { deadline } : {};
  for (const record of parsed.Records) {
    const envelope = envelopeOf(record, intake.inboundPrefix);
    results.push(await processMessage(envelope, intake.deps, intake.settings, options));
  }
  return results;
}

const replayEventSchema = z.object({ replay: z.string().regex(/^[A-Za-z0-9._=+-]{1,200}$/) });

/**
 * The intake function's two event shapes: the SES receipt event, and `{ "replay": "<SES
 * messageId>" }`, which re-runs intake for a message already in the inbound bucket (after a
 * failure or a parser fix). `deadline` is when the invocation must be done (Lambda's remaining
 * time, on `deps.now`'s clock); without it extraction is bounded by its size limits only.
 */
export async function handleIntakeEvent(
  event: unknown,
  intake: IntakeContext,
  deadline?: Date,
): Promise<IntakeResult[]> {
  const replay = replayEventSchema.safeParse(event);
  if (replay.success) {
    const id = replay.data.replay;
    const key = `${intake.inboundPrefix}${id}`;
    const options = deadline ? { deadline } : {};
    return [await replayMessage(id, key, intake.deps, intake.settings, options)];
  }
  return handleSesEvent(event, intake, deadline);
}

/** Counts what happened; never the content (no bodies or key material reach logs or metrics). */
export function recordOutcome(result: IntakeResult, metrics: Metrics, logger: Logger): void {
  if (result.outcome === 'alreadyProcessed') {
    metrics.addMetric(INTAKE_METRICS.duplicateDeliveries, MetricUnit.Count, 1);
  } else if (result.outcome === 'canary') {
    metrics.addMetric(INTAKE_METRICS.canaryHeartbeats, MetricUnit.Count, 1);
  } else {
    metrics.addMetric(INTAKE_METRICS.reportsReceived, MetricUnit.Count, 1);
    metrics.addMetric(INTAKE_METRICS.classified(result.classification), MetricUnit.Count, 1);
    metrics.addMetric(
      INTAKE_METRICS.acknowledgmentsSuppressed,
      MetricUnit.Count,
      result.acknowledgment.decision === 'suppress' ? 1 : 0,
    );
    metrics.addMetric(INTAKE_METRICS.parseFailures, MetricUnit.Count, result.parseFailed ? 1 : 0);
    metrics.addMetric(
      INTAKE_METRICS.evidenceCertificates,
      MetricUnit.Count,
      result.evidence.certificates,
    );
    metrics.addMetric(INTAKE_METRICS.evidenceKeys, MetricUnit.Count, result.evidence.keys);
    metrics.addMetric(INTAKE_METRICS.evidenceCsrs, MetricUnit.Count, result.evidence.csrs);
    metrics.addMetric(
      INTAKE_METRICS.affectedCertificates,
      MetricUnit.Count,
      result.evidence.affected,
    );
  }
  logger.info('intake done', {
    caseId: result.caseId,
    role: result.role,
    outcome: result.outcome,
    classification: result.classification,
    acknowledgment: result.acknowledgment,
    parseFailed: result.parseFailed,
    evidence: result.evidence,
  });
}
