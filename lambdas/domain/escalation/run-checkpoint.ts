/**
 * The clock's loop body: evaluate the checkpoint the execution just woke up for, escalate what is
 * still open, and plan the next wake-up. An escalation is recorded as pending before it is
 * published and as sent after, so a retried step publishes at most once unless it died between
 * the publish and the record (then at least once, never silently zero).
 *
 * A waiting clock wakes at least every `recheckHours` of the policy: a triage may have made a
 * deadline earlier, and a case with a blocked key re-checks the inventory for new certificates
 * on it while it is open.
 */
import { escalationSent } from '../audit/events.ts';
import type { Classification, CprCase, EscalationLevel } from '../case/types.ts';
import { deadlinePolicy, HOUR_MS } from '../policy/deadline-policy.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import { CaseNotFoundError, type CaseStore } from '../ports/case-store.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { Revocation } from '../revocation/types.ts';
import { type RevocationDeps, syncObligations } from '../revocation/use-cases.ts';
import {
  clockDone,
  dismissed,
  escalationAt,
  escalationRoutes,
  evaluateCheckpoint,
  nextCheckpoint,
  openRevocations,
  recordEscalationPending,
  recordEscalationSent,
} from './checkpoint.ts';
import { escalationNotice } from './messages.ts';

export interface CheckpointDeps {
  readonly cases: CaseStore;
  readonly audit: AuditLog;
  readonly notifier: Notifier;
  readonly now: () => Date;
  /** Revocation obligations and the inventory re-check; absent: only notices are watched. */
  readonly revocation?: RevocationDeps | null;
}

export type ClockPlan = (
  | {
      readonly done: true;
      readonly reason: 'closed' | 'obligationsMet' | 'noMoreCheckpoints' | 'dismissed';
    }
  | { readonly done: false; readonly index: number; readonly level: string; readonly at: string }
) & {
  /** The level escalated by this evaluation, if any (for metrics; the state machine ignores it). */
  readonly escalated?: EscalationLevel;
};

/** Does the case prove a key compromised (so the inventory is re-checked while it is open)? */
function watchesKeys(c: CprCase): boolean {
  return (
    (c.evidenceCounts?.keys ?? 0) > 0 || (c.evidence?.csrs ?? []).some((x) => x.signatureValid)
  );
}

function plan(
  c: CprCase,
  revocations: readonly Revocation[],
  now: Date,
  withRevocation: boolean,
): ClockPlan {
  if (c.status !== 'open') return { done: true, reason: 'closed' };
  const policy = deadlinePolicy(c.deadlines.policyVersion);
  const recheckAt = new Date(now.getTime() + policy.recheckHours * HOUR_MS).toISOString();
  const lastIndex = Math.max(c.deadlines.checkpoints.length - 1, 0);
  if (dismissed(c)) {
    const until = Date.parse(c.triage!.at) + policy.dismissedWatchHours * HOUR_MS;
    if (now.getTime() >= until) return { done: true, reason: 'dismissed' };
    return { done: false, index: lastIndex, level: 'recheck', at: recheckAt };
  }
  const keepWatching = withRevocation && watchesKeys(c);
  if (clockDone(c, revocations) && !keepWatching) return { done: true, reason: 'obligationsMet' };
  // Only a case with a revocation side can have its deadlines moved by a triage or a new
  // certificate: the others wait for their checkpoints as they are.
  const recheck = withRevocation && (openRevocations(c, revocations).length > 0 || keepWatching);
  const next = nextCheckpoint(c, -1, revocations);
  if (next && (!recheck || next.at <= recheckAt)) {
    return { done: false, index: next.index, level: next.level, at: next.at };
  }
  if (!recheck) return { done: true, reason: 'noMoreCheckpoints' };
  // Nothing due before the next look: wake then (an obligation with no checkpoint left, a
  // blocked key's inventory re-check, or a triage that may move a deadline).
  return { done: false, index: next?.index ?? lastIndex, level: 'recheck', at: recheckAt };
}

async function view(
  caseId: string,
  deps: CheckpointDeps,
): Promise<{ c: CprCase; revocations: readonly Revocation[] }> {
  const first = await deps.cases.get(caseId);
  if (!first) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  if (!deps.revocation) return { c: first, revocations: [] };
  const revocations = await syncObligations(caseId, deps.revocation);
  // Syncing may have added checkpoints for a late-found certificate.
  return { c: (await deps.cases.get(caseId)) ?? first, revocations };
}

/** Plans the first checkpoint still to fire (`afterIndex` is kept for the task contract). */
export async function planClock(
  caseId: string,
  _afterIndex: number,
  deps: CheckpointDeps,
): Promise<ClockPlan> {
  const { c, revocations } = await view(caseId, deps);
  return plan(c, revocations, deps.now(), Boolean(deps.revocation));
}

/** Who is told: a case a person triaged as a real problem pages whatever intake guessed. */
function routingClassification(c: CprCase): Classification {
  return c.triage && c.triage.reason !== 'notACpr' && c.classification === 'notACpr'
    ? 'other'
    : c.classification;
}

/** Evaluates checkpoint `index` now, escalating if needed, and returns the next plan. */
export async function runCheckpoint(
  caseId: string,
  index: number,
  deps: CheckpointDeps,
): Promise<ClockPlan> {
  const loaded = await view(caseId, deps);
  let c = loaded.c;
  const { revocations } = loaded;
  const withRevocation = Boolean(deps.revocation);
  const cp = c.deadlines.checkpoints[index];
  const now = deps.now();
  if (!cp) return plan(c, revocations, now, withRevocation);
  const decision = evaluateCheckpoint(c, cp, now, revocations);
  if (decision.action === 'none' && decision.why === 'notDue') {
    // Woken early (a recheck, a clock skew): plan again.
    return plan(c, revocations, now, withRevocation);
  }
  let escalated: EscalationLevel | undefined;
  if (decision.action === 'escalate') {
    const e = decision.escalation;
    escalated = e.level;
    c = await deps.cases.update(caseId, (current) => recordEscalationPending(current, e));
    const recorded = escalationAt(c, e.level, e.checkpointAt) ?? e;
    const message = escalationNotice(c, recorded, revocations, cp.kind ?? 'report');
    const routes = escalationRoutes(e.level, routingClassification(c));
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
  const next = plan(c, revocations, deps.now(), withRevocation);
  return escalated ? { ...next, escalated } : next;
}
