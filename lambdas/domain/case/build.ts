/**
 * Pure functions that create a case from its first report and fold later messages into it.
 * Storage applies them under optimistic locking; returning `null` means "nothing to change",
 * which keeps retried and duplicated deliveries idempotent.
 */
import { MAX_CLASSIFICATION_SIGNALS } from '../classify/classify.ts';
import { type Evidence, keyProvesPossession } from '../evidence/types.ts';
import { MATCH_KINDS, type MatchKind, type Resolution } from '../inventory/resolve.ts';
import {
  computeDeadlines,
  type DeadlinePolicy,
  statedRevocationReasons,
} from '../policy/deadline-policy.ts';
import {
  CASE_ITEM_SAMPLE,
  mergeEvidence,
  sampleEvidence,
  sampleIsPartial,
} from './evidence-set.ts';
import { infoArrival, restartedForInfo } from './info-arrival.ts';
import { recentMessages } from './item-budget.ts';
import {
  acknowledgmentNotice,
  OPEN_NOTICE_STATUSES,
  REPORTER_NOTICE_ID,
  reporterNotice,
  subscriberNoticeId,
  subscriberNotices,
  UNKNOWN_SUBSCRIBER_NOTICE_ID,
  withSubscribers,
} from './notices.ts';
import type {
  CaseMessage,
  Checkpoint,
  Classification,
  CprCase,
  Deadlines,
  EvidenceCounts,
  Notice,
  Subscriber,
} from './types.ts';

/** Does the report name any certificate or key (so assume a 24-hour revocation until triage)? */
export function namesCertificateOrKey(full: CaseEvidence): boolean {
  const e = full.evidence;
  return (
    full.affected.length > 0 ||
    e.certificates.length > 0 ||
    e.unparsedCertificates.length > 0 ||
    e.keys.some((k) => k.proof !== false) ||
    e.csrs.some((c) => c.signatureValid) ||
    e.serials.length > 0 ||
    e.sha256Fingerprints.length > 0 ||
    e.crtshIds.length > 0
  );
}

/** Keeps the existing checkpoints (their escalations refer to them) and adds the new ones. */
function mergeCheckpoints(a: readonly Checkpoint[], b: readonly Checkpoint[]): Checkpoint[] {
  const out = [...a];
  for (const c of b) {
    const i = out.findIndex((x) => x.at === c.at && x.level === c.level);
    if (i < 0) out.push(c);
    else if ((out[i]!.kind ?? 'report') !== (c.kind ?? 'report'))
      out[i] = { ...out[i]!, kind: 'all' };
  }
  return out.sort((x, y) => x.at.localeCompare(y.at));
}

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
    unparsedCertificates: full.evidence.unparsedCertificates.length,
    keys: full.evidence.keys.length,
    csrs: full.evidence.csrs.length,
    serials: full.evidence.serials.length,
    ambiguousSerials: full.evidence.ambiguousSerials.length,
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

export interface NewCaseInput
  extends Pick<
    CprCase,
    | 'id'
    | 'reporter'
    | 'subject'
    | 'classification'
    | 'classificationSignals'
    | 'revocationRequested'
    | 'acknowledgment'
    | 'verdicts'
  > {
  readonly receivedAt: Date;
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
  const deadlines = computeDeadlines(
    input.policy,
    input.receivedAt,
    input.classification,
    namesCertificateOrKey(input.full),
    statedRevocationReasons({
      classification: input.classification,
      signals: input.classificationSignals,
      revocationRequested: input.revocationRequested,
    }),
  );
  const sample = sampleEvidence(input.full.evidence);
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
    evidence: sample,
    evidenceCounts: countsOf(input.full),
    evidenceTruncated: isTruncated(input.full, sample),
    // The first message's own evidence is the whole case's.
    mergedEvidenceKey: input.message.evidenceKey,
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
    unknownSenders: [],
    lastJoin: null,
    reopenedBy: null,
    parseError: input.parseError,
    closedAt: null,
    closeReason: null,
    version: 0,
  };
}

function isTruncated(full: CaseEvidence, sample: Evidence): boolean {
  return (
    sampleIsPartial(full.evidence, sample) ||
    full.affected.length > CASE_ITEM_SAMPLE.affected ||
    full.subscribers.length > CASE_ITEM_SAMPLE.subscriberNotices
  );
}

/** How much `full` holds beyond `prior`, list by list (both are unions, so never negative). */
export function evidenceAdded(prior: CaseEvidence, full: CaseEvidence): EvidenceCounts {
  const a = countsOf(prior);
  const b = countsOf(full);
  return {
    certificates: b.certificates - a.certificates,
    unparsedCertificates: b.unparsedCertificates - a.unparsedCertificates,
    keys: b.keys - a.keys,
    csrs: b.csrs - a.csrs,
    serials: b.serials - a.serials,
    ambiguousSerials: b.ambiguousSerials - a.ambiguousSerials,
    sha256Fingerprints: b.sha256Fingerprints - a.sha256Fingerprints,
    crtshIds: b.crtshIds - a.crtshIds,
    affected: b.affected - a.affected,
    subscribers: b.subscribers - a.subscribers,
  };
}

/** Anything a person must look at again: new evidence, affected certificates or Subscribers. */
export function addsSomething(added: EvidenceCounts): boolean {
  return Object.values(added).some((n) => n > 0);
}

/** Unknown senders listed on the case; more are in the audit log. */
export const MAX_UNKNOWN_SENDERS = 20;

export interface JoinInput {
  readonly message: CaseMessage;
  /** Full evidence of the case before this message. */
  readonly prior: CaseEvidence;
  /** Full evidence of the case including this message. */
  readonly full: CaseEvidence;
  /** The Subscribers this message concerns (its own inventory resolution). */
  readonly messageSubscribers: readonly Subscriber[];
  /** Where the merged evidence of the case including this message is stored. */
  readonly mergedEvidenceKey: string | null;
  readonly classification: Classification;
  /** The signals behind this message's classification. */
  readonly classificationSignals: readonly string[];
  readonly revocationRequested: boolean;
  /** The sender is neither the reporter, a Subscriber of the case nor one of our addresses. */
  readonly senderUnknown: boolean;
  readonly policy: DeadlinePolicy;
}

/**
 * Folds a reply or a duplicate into its case: the message is listed, the evidence merged, new
 * Subscribers get their own notices and a more serious classification sets the revocation
 * deadline. Deadlines still count from the first receipt (the earliest, hence safest, start).
 *
 * A closed case that gets new evidence, a new affected certificate or a new Subscriber is
 * reopened: the reporter and the Subscribers this message concerns are owed a preliminary report
 * again (BR 4.9.5), with deadlines and checkpoints from this message's receipt.
 * Returns null when the case already reflects all of it.
 */
export function joinCase(current: CprCase, input: JoinInput): CprCase | null {
  const known = current.messages.some((m) => m.sesMessageId === input.message.sesMessageId);
  const messages = known ? current.messages : recentMessages([...current.messages, input.message]);
  const classification =
    current.classification === 'unparsed' && input.classification !== 'unparsed'
      ? input.classification
      : strongerClassification(current.classification, input.classification);
  // A person's triage decides the revocation deadline; before it, the stricter guess wins.
  const names = namesCertificateOrKey(input.full);
  const stated = statedRevocationReasons({
    classification,
    signals: [...current.classificationSignals, ...input.classificationSignals],
    revocationRequested: current.revocationRequested || input.revocationRequested,
  });
  const recomputed = computeDeadlines(
    input.policy,
    new Date(current.receivedAt),
    classification,
    names,
    stated,
  );
  const added = evidenceAdded(input.prior, input.full);
  const reopen = current.status === 'closed' && addsSomething(added);
  let deadlines =
    current.triage || recomputed.revocation === current.deadlines.revocation
      ? current.deadlines
      : {
          ...current.deadlines,
          revocation: recomputed.revocation,
          checkpoints: recomputed.checkpoints.filter(
            (c) => c.kind === 'revocation' || c.kind === 'all',
          ).length
            ? mergeCheckpoints(current.deadlines.checkpoints, recomputed.checkpoints)
            : current.deadlines.checkpoints,
        };
  let notices = current.notices;
  if (reopen) {
    const receivedAt = new Date(input.message.receivedAt);
    deadlines = computeDeadlines(input.policy, receivedAt, classification, names, stated);
    notices = reopenedNotices(current.notices, input, deadlines);
  }
  const arrival = known ? null : infoArrival(current, input.message);
  if (arrival) {
    ({ deadlines, notices } = restartedForInfo(
      current,
      deadlines,
      notices,
      input.message,
      arrival,
    ));
  }
  const from = input.message.from;
  const unknownSenders =
    input.senderUnknown && from && !current.unknownSenders.includes(from)
      ? [...current.unknownSenders, from].slice(0, MAX_UNKNOWN_SENDERS)
      : current.unknownSenders;
  const sample = sampleEvidence(input.full.evidence);
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
    ...(reopen
      ? {
          status: 'open' as const,
          closedAt: null,
          closeReason: null,
          reopenedBy: input.message.sesMessageId,
        }
      : {}),
    classification,
    classificationSignals,
    revocationRequested: current.revocationRequested || input.revocationRequested,
    deadlines,
    messages,
    evidence: sample,
    evidenceCounts: countsOf(input.full),
    evidenceTruncated: isTruncated(input.full, sample),
    mergedEvidenceKey: input.mergedEvidenceKey ?? current.mergedEvidenceKey,
    affected: input.full.affected.slice(0, CASE_ITEM_SAMPLE.affected),
    subscribers: input.full.subscribers.slice(0, CASE_ITEM_SAMPLE.subscriberNotices),
    notices: withSubscribers(notices, input.full.subscribers, deadlines),
    unknownSenders,
    lastJoin: known
      ? current.lastJoin
      : { sesMessageId: input.message.sesMessageId, added, senderUnknown: input.senderUnknown },
    parseError: classification === 'unparsed' ? current.parseError : null,
    ...(arrival ? { infoArrivedAt: arrival.toISOString() } : {}),
  };
  const same = (x: CprCase) => JSON.stringify({ ...x, mergedEvidenceKey: null });
  return same(next) === same(current) ? null : next;
}

/** The obligations a reopening creates, owed again from the message's receipt. */
function reopenedNotices(
  notices: readonly Notice[],
  input: JoinInput,
  deadlines: Deadlines,
): Notice[] {
  const change = {
    at: input.message.receivedAt,
    status: 'pending' as const,
    actor: 'system:intake' as const,
    detail: `case reopened by message ${input.message.sesMessageId}`,
  };
  const owedAgain = new Set([
    REPORTER_NOTICE_ID,
    ...(input.messageSubscribers.length > 0
      ? input.messageSubscribers.map((s) => subscriberNoticeId(s.email))
      : [UNKNOWN_SUBSCRIBER_NOTICE_ID]),
  ]);
  const reset = notices.map((n) =>
    owedAgain.has(n.id)
      ? {
          ...n,
          status: 'pending' as const,
          dueAt:
            n.kind === 'reporterReport' ? deadlines.reporterReport : deadlines.subscriberReport,
          history: [...n.history, change],
        }
      : n,
  );
  const have = new Set(reset.map((n) => n.id));
  const fresh = subscriberNotices(input.messageSubscribers, deadlines).filter(
    (n) => !have.has(n.id),
  );
  return [...reset, ...fresh];
}
