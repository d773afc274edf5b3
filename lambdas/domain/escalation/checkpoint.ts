/**
 * What the deadline clock decides at each checkpoint. The schedule is data (the case's
 * `deadlines.checkpoints`, from the versioned policy), so the state machine is one loop:
 * plan the next checkpoint, wait until it, evaluate it, repeat.
 */
import { openObligations } from '../case/notices.ts';
import type {
  AlertTopic,
  Checkpoint,
  Classification,
  CprCase,
  Escalation,
  EscalationLevel,
} from '../case/types.ts';

export interface PlannedCheckpoint extends Checkpoint {
  /** Position in `deadlines.checkpoints`. */
  readonly index: number;
}

/** The clock has nothing left to watch: the case is closed or every obligation is met. */
export function clockDone(c: CprCase): boolean {
  return c.status !== 'open' || openObligations(c.notices).length === 0;
}

/** The escalation recorded for a checkpoint: its level and time are the idempotency key. */
export function escalationAt(
  c: CprCase,
  level: EscalationLevel,
  checkpointAt: string,
): Escalation | undefined {
  return c.escalations.find((e) => e.level === level && e.checkpointAt === checkpointAt);
}

function escalationRecorded(c: CprCase, cp: Checkpoint): boolean {
  return escalationAt(c, cp.level, cp.at)?.status === 'sent';
}

/**
 * The next checkpoint after `afterIndex` whose escalation has not been sent yet. Checkpoints in
 * the past are returned too (their wait ends at once): after a restart, a missed checkpoint fires
 * once, and one already sent is not repeated.
 */
export function nextCheckpoint(c: CprCase, afterIndex: number): PlannedCheckpoint | null {
  if (clockDone(c)) return null;
  const all = c.deadlines.checkpoints;
  for (let i = Math.max(afterIndex + 1, 0); i < all.length; i += 1) {
    const cp = all[i]!;
    if (!escalationRecorded(c, cp)) return { ...cp, index: i };
  }
  return null;
}

export type CheckpointDecision =
  | {
      readonly action: 'none';
      readonly why: 'closed' | 'obligationsMet' | 'alreadySent' | 'notDue';
    }
  | { readonly action: 'escalate'; readonly escalation: Escalation };

/**
 * Evaluates checkpoint `cp` at `now`: escalate, naming each open obligation and its deadline,
 * unless the case is closed, every obligation is met, or this checkpoint was already escalated.
 */
export function evaluateCheckpoint(c: CprCase, cp: Checkpoint, now: Date): CheckpointDecision {
  if (c.status !== 'open') return { action: 'none', why: 'closed' };
  const open = openObligations(c.notices);
  if (open.length === 0) return { action: 'none', why: 'obligationsMet' };
  if (escalationRecorded(c, cp)) return { action: 'none', why: 'alreadySent' };
  if (now.getTime() < new Date(cp.at).getTime()) return { action: 'none', why: 'notDue' };
  const pending = escalationAt(c, cp.level, cp.at);
  return {
    action: 'escalate',
    escalation: pending ?? {
      level: cp.level,
      checkpointAt: cp.at,
      at: now.toISOString(),
      openObligations: open.map((n) => ({ noticeId: n.id, dueAt: n.dueAt })),
      status: 'pending',
      sentAt: null,
    },
  };
}

/** Records the escalation as about to be published (idempotent for the same checkpoint). */
export function recordEscalationPending(c: CprCase, e: Escalation): CprCase | null {
  if (escalationAt(c, e.level, e.checkpointAt)) return null;
  return { ...c, escalations: [...c.escalations, e] };
}

/** Marks the escalation published. */
export function recordEscalationSent(
  c: CprCase,
  level: EscalationLevel,
  checkpointAt: string,
  at: string,
): CprCase | null {
  const existing = escalationAt(c, level, checkpointAt);
  if (!existing || existing.status === 'sent') return null;
  return {
    ...c,
    escalations: c.escalations.map((x) =>
      x === existing ? { ...x, status: 'sent' as const, sentAt: at } : x,
    ),
  };
}

/**
 * Which topics hear of each level: warnings go to the escalation list, pages wake someone.
 * A case classified `notACpr` (an out-of-office reply, a newsletter) still escalates, so a
 * misclassified report cannot vanish, but to the escalation list only: it must not page.
 */
export function escalationRoutes(
  level: EscalationLevel,
  classification: Classification,
): readonly AlertTopic[] {
  return classification === 'notACpr' ? ['escalation'] : ESCALATION_ROUTES[level];
}

export const ESCALATION_ROUTES: Readonly<Record<EscalationLevel, readonly AlertTopic[]>> = {
  warning: ['escalation'],
  page: ['pager'],
  breach: ['pager', 'team'],
  repage: ['pager'],
};
