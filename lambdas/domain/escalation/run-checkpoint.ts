/**
 * The clock's loop body: evaluate the checkpoint the execution just woke up for, escalate what is
 * still open, and plan the next wake-up. An escalation is recorded as pending before it is
 * published and as sent after, so a retried step publishes at most once unless it died between
 * the publish and the record (then at least once, never silently zero).
 */
import { escalationSent } from '../audit/events.ts';
import type { CprCase, EscalationLevel } from '../case/types.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import { CaseNotFoundError, type CaseStore } from '../ports/case-store.ts';
import type { Notifier } from '../ports/notifier.ts';
import {
  clockDone,
  escalationAt,
  escalationRoutes,
  evaluateCheckpoint,
  nextCheckpoint,
  recordEscalationPending,
  recordEscalationSent,
} from './checkpoint.ts';
import { escalationNotice } from './messages.ts';

export interface CheckpointDeps {
  readonly cases: CaseStore;
  readonly audit: AuditLog;
  readonly notifier: Notifier;
  readonly now: () => Date;
}

export type ClockPlan = (
  | { readonly done: true; readonly reason: 'closed' | 'obligationsMet' | 'noMoreCheckpoints' }
  | { readonly done: false; readonly index: number; readonly level: string; readonly at: string }
) & {
  /** The level escalated by this evaluation, if any (for metrics; the state machine ignores it). */
  readonly escalated?: EscalationLevel;
};

function plan(c: CprCase, afterIndex: number): ClockPlan {
  if (c.status !== 'open') return { done: true, reason: 'closed' };
  if (clockDone(c)) return { done: true, reason: 'obligationsMet' };
  const next = nextCheckpoint(c, afterIndex);
  return next
    ? { done: false, index: next.index, level: next.level, at: next.at }
    : { done: true, reason: 'noMoreCheckpoints' };
}

/** Plans the first checkpoint not yet escalated after `afterIndex` (-1: from the start). */
export async function planClock(
  caseId: string,
  afterIndex: number,
  deps: CheckpointDeps,
): Promise<ClockPlan> {
  const c = await deps.cases.get(caseId);
  if (!c) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  return plan(c, afterIndex);
}

/** Evaluates checkpoint `index` now, escalating if needed, and returns the next plan. */
export async function runCheckpoint(
  caseId: string,
  index: number,
  deps: CheckpointDeps,
): Promise<ClockPlan> {
  let c = await deps.cases.get(caseId);
  if (!c) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  const cp = c.deadlines.checkpoints[index];
  if (!cp) return plan(c, index);
  const now = deps.now();
  const decision = evaluateCheckpoint(c, cp, now);
  if (decision.action === 'none' && decision.why === 'notDue') {
    // Woken early (a clock skew, a local speed-up rounding): wait for the same checkpoint again.
    return { done: false, index, level: cp.level, at: cp.at };
  }
  let escalated: EscalationLevel | undefined;
  if (decision.action === 'escalate') {
    const e = decision.escalation;
    escalated = e.level;
    c = await deps.cases.update(caseId, (current) => recordEscalationPending(current, e));
    const recorded = escalationAt(c, e.level, e.checkpointAt) ?? e;
    const message = escalationNotice(c, recorded);
    const routes = escalationRoutes(e.level, c.classification);
    for (const topic of routes) {
      await deps.notifier.publish(topic, message);
    }
    const sentAt = deps.now().toISOString();
    c = await deps.cases.update(caseId, (current) =>
      recordEscalationSent(current, e.level, e.checkpointAt, sentAt),
    );
    await deps.audit.append([
      escalationSent({
        caseId,
        level: e.level,
        checkpointAt: e.checkpointAt,
        at: sentAt,
        routes,
        openObligations: recorded.openObligations,
      }),
    ]);
  }
  const next = plan(c, index);
  return escalated ? { ...next, escalated } : next;
}
