/**
 * The contract between the deadline state machine (defined in CDK, `infra/constructs/
 * deadline-clock.ts`) and the functions its tasks invoke. State names are part of it: the local
 * runner routes each Lambda task to its handler by state name.
 *
 * Flow: Acknowledge -> NotifyTeam -> PlanClock -> (ClockDone? -> Succeed)
 *       | WaitForCheckpoint (TimestampPath $.next.at) -> EvaluateCheckpoint -> ClockDone? ...
 * Every task retries with backoff; a task that still fails goes to ReportClockFailure (SNS publish
 * to the pager topic) and the execution fails, which the execution-failed alarm also sees.
 */
import { z } from 'zod';
import { CASE_ID_REGEX } from '../domain/case/case-id.ts';
import type { ClockPlan } from '../domain/escalation/run-checkpoint.ts';
import type { acknowledgeReporter, notifyTeam } from '../domain/notices/send-notices.ts';

export const CLOCK_STATES = {
  acknowledge: 'Acknowledge',
  notifyTeam: 'NotifyTeam',
  plan: 'PlanClock',
  done: 'ClockDone',
  wait: 'WaitForCheckpoint',
  evaluate: 'EvaluateCheckpoint',
  stopped: 'ClockStopped',
  reportFailure: 'ReportClockFailure',
  failed: 'ClockFailed',
} as const;

/** Payload of the Acknowledge and NotifyTeam tasks: `{ caseId: $.caseId }`. */
export const caseTaskInputSchema = z.object({ caseId: z.string().regex(CASE_ID_REGEX) });

/**
 * Payload of PlanClock (`{ caseId, afterIndex: -1 }`) and EvaluateCheckpoint
 * (`{ caseId, evaluateIndex: $.next.index }`); both return the next plan, stored at `$.next`.
 */
export const checkpointTaskInputSchema = caseTaskInputSchema.extend({
  /** Evaluate this checkpoint (escalate if obligations are open), then plan the next one. */
  evaluateIndex: z.number().int().min(0).optional(),
  /** Only plan: the first checkpoint after this index that has not been escalated. */
  afterIndex: z.number().int().min(-1).optional(),
});

/** What each task returns is what the domain step returns: one definition, no copy here. */
export type AcknowledgeOutput = Awaited<ReturnType<typeof acknowledgeReporter>>;
export type NotifyTeamOutput = Awaited<ReturnType<typeof notifyTeam>>;
export type CheckpointOutput = ClockPlan;
