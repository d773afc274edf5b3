/**
 * The contract between the deadline state machine (defined in CDK, `infra/constructs/
 * deadline-clock.ts`) and the functions its tasks invoke. State names are part of it: the local
 * runner routes each Lambda task to its handler by state name.
 *
 * Flow: Acknowledge -> NotifyTeam -> PlanClock -> (ClockDone? -> Succeed)
 *       | WaitForCheckpoint (TimestampPath $.next.at) -> EvaluateCheckpoint -> ClockDone? ...
 * Every task retries with backoff. No task's failure stops the clock: a task that still fails
 * pages once (its own Report...Failure state, an SNS publish to the pager topic) and the
 * execution goes on: after Acknowledge to NotifyTeam, after NotifyTeam to PlanClock, after
 * PlanClock or EvaluateCheckpoint to the next checkpoint of the schedule the execution was
 * started with. Only a pager that cannot be reached ends in ClockFailed.
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
  reportAcknowledgeFailure: 'ReportAcknowledgeFailure',
  reportNotifyTeamFailure: 'ReportNotifyTeamFailure',
  reportPlanFailure: 'ReportPlanFailure',
  reportCheckpointFailure: 'ReportCheckpointFailure',
  /** After a failed plan: the schedule from its start (index -1, then +1). */
  fromFirstCheckpoint: 'FromFirstCheckpoint',
  /** After a failed plan or evaluation: the next index of the execution's schedule. */
  skipCheckpoint: 'SkipCheckpoint',
  checkpointLeft: 'CheckpointLeft',
  scheduledCheckpoint: 'ScheduledCheckpoint',
  nextFromSchedule: 'NextFromSchedule',
  failed: 'ClockFailed',
} as const;

/** The SNS publishes that page when a task keeps failing; each goes on to the next step. */
export const CLOCK_FAILURE_REPORTS = [
  CLOCK_STATES.reportAcknowledgeFailure,
  CLOCK_STATES.reportNotifyTeamFailure,
  CLOCK_STATES.reportPlanFailure,
  CLOCK_STATES.reportCheckpointFailure,
] as const;

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
