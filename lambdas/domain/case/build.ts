/**
 * Pure functions that create a case from its first report and fold later messages into it.
 * Storage applies them under optimistic locking; returning `null` means "nothing to change",
 * which keeps retried and duplicated deliveries idempotent.
 */
import { MAX_CLASSIFICATION_SIGNALS } from '../classify/classify.ts';
import { type Evidence, keyProvesPossession } from '../evidence/types.ts';
import { MATCH_KINDS, type MatchKind, type Resolution } from '../inventory/resolve.ts';
import { computeDeadlines, type DeadlinePolicy } from '../policy/deadline-policy.ts';
import { CASE_ITEM_SAMPLE, exceedsSample, mergeEvidence, sampleEvidence } from './evidence-set.ts';
import {
  acknowledgmentNotice,
  OPEN_NOTICE_STATUSES,
  reporterNotice,
  subscriberNotices,
  withSubscribers,
} from './notices.ts';
import type {
  AcknowledgmentDecision,
  CaseMessage,
  Classification,
  CprCase,
  EvidenceCounts,
  Subscriber,
  Verdicts,
} from './types.ts';

/** Severity order used when a follow-up changes what a case is about. */
const CLASSIFICATION_RANK: Readonly<Record<Classification, number>> = {
  unparsed: 0,
  notACpr: 1,
  other: 2,
  misissuance: 3,
  keyCompromise: 4,
};

/** The more serious of two classifications; an unparsed case takes whatever is learnt later. */
export function strongerClassification(a: Classification, b: Classification): Classification {
  return CLASSIFICATION_RANK[b] > CLASSIFICATION_RANK[a] ? b : a;
}

/** The full evidence of a case with everything the inventory resolved. */
export interface CaseEvidence {
  readonly evidence: Evidence;
  readonly affected: readonly string[];
  readonly subscribers: readonly Subscriber[];
  /** How each inventory certificate was matched; `serialOnly` alone is the weakest link. */
  readonly matchedBy?: Readonly<Record<string, readonly MatchKind[]>>;
}

/** Affected certificates matched only by a serial written in the text (no certificate). */
export function serialOnlyMatches(full: CaseEvidence): string[] {
  return Object.entries(full.matchedBy ?? {})
    .filter(([, kinds]) => kinds.length === 1 && kinds[0] === 'serialOnly')
    .map(([sha256]) => sha256)
    .sort();
}

export function countsOf(full: CaseEvidence): EvidenceCounts {
  return {
    certificates: full.evidence.certificates.length,
    keys: full.evidence.keys.length,
    csrs: full.evidence.csrs.length,
    serials: full.evidence.serials.length,
    sha256Fingerprints: full.evidence.sha256Fingerprints.length,
    crtshIds: full.evidence.crtshIds.length,
    affected: full.affected.length,
    subscribers: full.subscribers.length,
  };
}

export function mergeCaseEvidence(a: CaseEvidence, b: CaseEvidence): CaseEvidence {
  const subscribers = new Map<string, Subscriber>();
  for (const s of [...a.subscribers, ...b.subscribers]) {
    if (!subscribers.has(s.email)) subscribers.set(s.email, s);
  }
  const matchedBy: Record<string, MatchKind[]> = {};
  for (const m of [a.matchedBy ?? {}, b.matchedBy ?? {}]) {
    for (const [sha256, kinds] of Object.entries(m)) {
      matchedBy[sha256] = MATCH_KINDS.filter(
        (k) => kinds.includes(k) || (matchedBy[sha256] ?? []).includes(k),
      );
    }
  }
  return {
    evidence: mergeEvidence(a.evidence, b.evidence),
    affected: [...new Set([...a.affected, ...b.affected])],
    subscribers: [...subscribers.values()],
    ...(a.matchedBy || b.matchedBy ? { matchedBy } : {}),
  };
}

/** Adds the inventory's SPKI matches to the keys and CSRs that proved them. */
export function withInventoryMatches(evidence: Evidence, resolution: Resolution): Evidence {
  const add = <T extends { spkiSha256: string; matches: readonly string[] }>(x: T): T => {
    const more = resolution.spkiMatches.get(x.spkiSha256);
    return more ? { ...x, matches: [...new Set([...x.matches, ...more])] } : x;
  };
  return {
    ...evidence,
    keys: evidence.keys.map((k) => (keyProvesPossession(k) ? add(k) : k)),
    csrs: evidence.csrs.map((c) => (c.signatureValid ? add(c) : c)),
  };
}

export interface NewCaseInput {
  readonly id: string;
  readonly receivedAt: Date;
  readonly reporter: string | null;
  readonly subject: string | null;
  readonly classification: Classification;
  readonly classificationSignals: readonly string[];
  readonly revocationRequested: boolean;
  readonly acknowledgment: AcknowledgmentDecision;
  readonly verdicts: Verdicts;
  readonly full: CaseEvidence;
  readonly message: CaseMessage;
  readonly parseError: string | null;
  readonly policy: DeadlinePolicy;
}

/** The earliest deadline still ahead of the team: the sort key of "open cases by deadline". */
export function nextDeadline(c: Pick<CprCase, 'status' | 'notices' | 'deadlines'>): string | null {
  if (c.status !== 'open') return null;
  const due = c.notices
    .filter((n) => n.kind !== 'acknowledgment' && OPEN_NOTICE_STATUSES.has(n.status))
    .map((n) => n.dueAt)
    .filter((d): d is string => d !== null);
  if (c.deadlines.revocation) due.push(c.deadlines.revocation);
  return due.sort()[0] ?? null;
}

export function buildNewCase(input: NewCaseInput): CprCase {
  const deadlines = computeDeadlines(input.policy, input.receivedAt, input.classification);
  return {
    id: input.id,
    status: 'open',
    receivedAt: input.receivedAt.toISOString(),
    reporter: input.reporter,
    subject: input.subject,
    classification: input.classification,
    classificationSignals: input.classificationSignals,
    revocationRequested: input.revocationRequested,
    acknowledgment: input.acknowledgment,
    verdicts: input.verdicts,
    evidence: sampleEvidence(input.full.evidence),
    evidenceCounts: countsOf(input.full),
    evidenceTruncated: isTruncated(input.full),
    affected: input.full.affected.slice(0, CASE_ITEM_SAMPLE.affected),
    subscribers: input.full.subscribers.slice(0, CASE_ITEM_SAMPLE.subscriberNotices),
    notices: [
      acknowledgmentNotice(input.reporter, input.acknowledgment),
      reporterNotice(input.reporter, deadlines),
      ...subscriberNotices(input.full.subscribers, deadlines),
    ],
    deadlines,
    messages: [input.message],
    escalations: [],
    parseError: input.parseError,
    closedAt: null,
    closeReason: null,
    version: 0,
  };
}

function isTruncated(full: CaseEvidence): boolean {
  return (
    exceedsSample(full.evidence) ||
    full.affected.length > CASE_ITEM_SAMPLE.affected ||
    full.subscribers.length > CASE_ITEM_SAMPLE.subscriberNotices
  );
}

export interface JoinInput {
  readonly message: CaseMessage;
  /** Full evidence of the case including this message. */
  readonly full: CaseEvidence;
  readonly classification: Classification;
  /** The signals behind this message's classification. */
  readonly classificationSignals: readonly string[];
  readonly revocationRequested: boolean;
  readonly policy: DeadlinePolicy;
}

/**
 * Folds a reply or a duplicate into its case: the message is listed, the evidence merged, new
 * Subscribers get their own notices and a more serious classification sets the revocation
 * deadline. Deadlines still count from the first receipt (the earliest, hence safest, start).
 * Returns null when the case already reflects all of it.
 */
export function joinCase(current: CprCase, input: JoinInput): CprCase | null {
  const known = current.messages.some((m) => m.sesMessageId === input.message.sesMessageId);
  const messages = known ? current.messages : [...current.messages, input.message];
  const classification =
    current.classification === 'unparsed' && input.classification !== 'unparsed'
      ? input.classification
      : strongerClassification(current.classification, input.classification);
  const deadlines =
    classification === current.classification
      ? current.deadlines
      : {
          ...current.deadlines,
          revocation: computeDeadlines(input.policy, new Date(current.receivedAt), classification)
            .revocation,
        };
  // The signals explain the classification the case has: a message that changed it brings its
  // own; one that did not adds to them (bounded).
  const classificationSignals =
    classification === current.classification
      ? [...new Set([...current.classificationSignals, ...input.classificationSignals])].slice(
          0,
          MAX_CLASSIFICATION_SIGNALS,
        )
      : input.classificationSignals;
  const next: CprCase = {
    ...current,
    classification,
    classificationSignals,
    revocationRequested: current.revocationRequested || input.revocationRequested,
    deadlines,
    messages,
    evidence: sampleEvidence(input.full.evidence),
    evidenceCounts: countsOf(input.full),
    evidenceTruncated: isTruncated(input.full),
    affected: input.full.affected.slice(0, CASE_ITEM_SAMPLE.affected),
    subscribers: input.full.subscribers.slice(0, CASE_ITEM_SAMPLE.subscriberNotices),
    notices: withSubscribers(current.notices, input.full.subscribers, deadlines),
    parseError: classification === 'unparsed' ? current.parseError : null,
  };
  return JSON.stringify(next) === JSON.stringify(current) ? null : next;
}
