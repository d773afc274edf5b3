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
import type { DeadlineClockInput } from '../domain/ports/deadline-clock.ts';

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

/** The execution input is what intake starts it with. */
export type ClockExecutionInput = DeadlineClockInput;

/** Payload of the Acknowledge task: `{ caseId: $.caseId }`. */
export interface AcknowledgeInput {
  readonly caseId: string;
}
export interface AcknowledgeOutput {
  readonly status: 'sent' | 'alreadySent' | 'suppressed' | 'noRecipient' | 'caseClosed';
  readonly messageId: string | null;
  /** For `sent`: seconds from the report's receipt to this send (a dashboard figure). */
  readonly secondsSinceReceipt?: number;
}

/** Payload of the NotifyTeam task: `{ caseId: $.caseId }`. */
export interface NotifyTeamInput {
  readonly caseId: string;
}
export interface NotifyTeamOutput {
  readonly status: 'sent' | 'alreadySent';
}

/**
 * Payload of PlanClock (`{ caseId, afterIndex: -1 }`) and EvaluateCheckpoint
 * (`{ caseId, evaluateIndex: $.next.index }`); both return the next plan, stored at `$.next`.
 */
export interface CheckpointInput {
  readonly caseId: string;
  /** Evaluate this checkpoint (escalate if obligations are open), then plan the next one. */
  readonly evaluateIndex?: number;
  /** Only plan: the first checkpoint after this index that has not been escalated. */
  readonly afterIndex?: number;
}
export type CheckpointOutput = (
  | { readonly done: true; readonly reason: 'closed' | 'obligationsMet' | 'noMoreCheckpoints' }
  | { readonly done: false; readonly index: number; readonly level: string; readonly at: string }
) & {
  /** Set when this evaluation escalated: for metrics only. */
  readonly escalated?: string;
};
