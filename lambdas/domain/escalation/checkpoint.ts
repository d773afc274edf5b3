/**
 * What the deadline clock decides at each checkpoint. The schedule is data (the case's
 * `deadlines.checkpoints`, from the versioned policy), so the state machine is one loop:
 * plan the next checkpoint, wait until it, evaluate it, repeat.
 *
 * Three kinds of obligation are watched: the BR 4.9.5 preliminary reports and the triage
 * (`report` checkpoints, counted from receipt), and one revocation per affected certificate
 * (`revocation` checkpoints, counted from its deadline, BR 4.9.1.1). A revocation is met only
 * when it is verified from outside; one recorded but not visible is named at every checkpoint.
 */
import { openObligations } from '../case/notices.ts';
import type {
  AlertTopic,
  Checkpoint,
  CheckpointKind,
  Classification,
  CprCase,
  Escalation,
  EscalationLevel,
} from '../case/types.ts';
import { OPEN_REVOCATION_STATUSES, type Revocation } from '../revocation/types.ts';

export interface PlannedCheckpoint extends Checkpoint {
  /** Position in `deadlines.checkpoints`. */
  readonly index: number;
}

/** The id an escalation gives the triage obligation, and each certificate's revocation. */
export const TRIAGE_OBLIGATION_ID = 'triage';
export const revocationObligationId = (sha256: string) => `revocation:${sha256}`;

/** notACpr: the case's obligations are ended by a person (a later triage can undo it). */
export function dismissed(c: CprCase): boolean {
  return c.triage?.reason === 'notACpr';
}

/** The triage is owed on cases that have a triage deadline and no triage yet. */
export function triageOwed(c: CprCase): boolean {
  return c.status === 'open' && !c.triage && Boolean(c.deadlines.triage);
}

/** Open report-side obligations: preliminary reports still owed, and the triage. */
export function openReportObligations(c: CprCase): { noticeId: string; dueAt: string | null }[] {
  if (c.status !== 'open' || dismissed(c)) return [];
  const out = openObligations(c.notices).map((n) => ({ noticeId: n.id, dueAt: n.dueAt }));
  if (triageOwed(c))
    out.push({ noticeId: TRIAGE_OBLIGATION_ID, dueAt: c.deadlines.triage ?? null });
  return out;
}

/** Revocations still open: not revoked, or recorded and not (yet) visible from outside. */
export function openRevocations(c: CprCase, revocations: readonly Revocation[]): Revocation[] {
  if (c.status !== 'open' || dismissed(c)) return [];
  return revocations.filter((r) => OPEN_REVOCATION_STATUSES.has(r.status));
}

/** Recorded as revoked by the CA, yet not revoked as relying parties see it. */
export function notVisible(revocations: readonly Revocation[]): Revocation[] {
  return revocations.filter((r) => r.status === 'recorded' && r.problems.length > 0);
}

/** The clock has nothing left to watch: the case is closed or every obligation is met. */
export function clockDone(c: CprCase, revocations: readonly Revocation[] = []): boolean {
  if (c.status !== 'open') return true;
  if (dismissed(c)) return false;
  return openReportObligations(c).length === 0 && openRevocations(c, revocations).length === 0;
}

function kindOf(cp: Checkpoint): CheckpointKind {
  return cp.kind ?? 'report';
}

function covers(kind: CheckpointKind, side: 'report' | 'revocation'): boolean {
  return kind === 'all' || kind === side;
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

/** Does this checkpoint watch something that is open now? */
function relevant(c: CprCase, cp: Checkpoint, revocations: readonly Revocation[]): boolean {
  const kind = kindOf(cp);
  return (
    (covers(kind, 'report') && openReportObligations(c).length > 0) ||
    (covers(kind, 'revocation') && openRevocations(c, revocations).length > 0)
  );
}

/**
 * A checkpoint the clock should still fire: not escalated yet, watching something open, and no
 * later checkpoint of its side already escalated (a warning missed while down is not sent after
 * the page went out).
 */
function pickable(c: CprCase, index: number, revocations: readonly Revocation[]): boolean {
  const all = c.deadlines.checkpoints;
  const cp = all[index];
  if (!cp || escalationRecorded(c, cp) || !relevant(c, cp, revocations)) return false;
  const kind = kindOf(cp);
  for (let j = index + 1; j < all.length; j += 1) {
    const later = all[j]!;
    const shares =
      (covers(kind, 'report') && covers(kindOf(later), 'report')) ||
      (covers(kind, 'revocation') && covers(kindOf(later), 'revocation'));
    if (shares && escalationRecorded(c, later)) return false;
  }
  return true;
}

/**
 * The earliest checkpoint the clock should still fire. Checkpoints in the past are returned too
 * (their wait ends at once): after a restart, or after a triage made a deadline earlier, a missed
 * checkpoint fires once, and one already sent is not repeated.
 */
export function nextCheckpoint(
  c: CprCase,
  _afterIndex: number,
  revocations: readonly Revocation[] = [],
): PlannedCheckpoint | null {
  if (c.status !== 'open' || dismissed(c)) return null;
  const all = c.deadlines.checkpoints;
  for (let i = 0; i < all.length; i += 1) {
    if (pickable(c, i, revocations)) return { ...all[i]!, index: i };
  }
  return null;
}

export type CheckpointDecision =
  | {
      readonly action: 'none';
      readonly why: 'closed' | 'dismissed' | 'obligationsMet' | 'alreadySent' | 'notDue';
    }
  | { readonly action: 'escalate'; readonly escalation: Escalation };

/** The obligations a checkpoint names: those of its side, and every revocation not visible. */
export function namedObligations(
  c: CprCase,
  cp: Checkpoint,
  revocations: readonly Revocation[],
): { noticeId: string; dueAt: string | null }[] {
  const kind = kindOf(cp);
  const out = covers(kind, 'report') ? openReportObligations(c) : [];
  const revs = covers(kind, 'revocation')
    ? openRevocations(c, revocations)
    : notVisible(revocations);
  for (const r of revs)
    out.push({ noticeId: revocationObligationId(r.certificate), dueAt: r.dueAt });
  return out;
}

/**
 * Evaluates checkpoint `cp` at `now`: escalate, naming each open obligation and its deadline,
 * unless the case is closed or dismissed, what it watches is met, or it was already escalated.
 */
export function evaluateCheckpoint(
  c: CprCase,
  cp: Checkpoint,
  now: Date,
  revocations: readonly Revocation[] = [],
): CheckpointDecision {
  if (c.status !== 'open') return { action: 'none', why: 'closed' };
  if (dismissed(c)) return { action: 'none', why: 'dismissed' };
  if (escalationRecorded(c, cp)) return { action: 'none', why: 'alreadySent' };
  const index = c.deadlines.checkpoints.findIndex((x) => x.at === cp.at && x.level === cp.level);
  if (!relevant(c, cp, revocations) || (index >= 0 && !pickable(c, index, revocations))) {
    return { action: 'none', why: 'obligationsMet' };
  }
  if (now.getTime() < new Date(cp.at).getTime()) return { action: 'none', why: 'notDue' };
  const pending = escalationAt(c, cp.level, cp.at);
  return {
    action: 'escalate',
    escalation: pending ?? {
      level: cp.level,
      checkpointAt: cp.at,
      at: now.toISOString(),
      openObligations: namedObligations(c, cp, revocations),
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
 * A case classified `notACpr` (an out-of-office reply, a newsletter) still escalates until a
 * person dismisses it, so a misclassified report cannot vanish, but to the escalation list
 * only: it must not page.
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
