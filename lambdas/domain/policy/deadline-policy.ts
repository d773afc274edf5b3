/**
 * Deadline rules as a versioned policy, not constants scattered through code: the draft ballot
 * "SC-XX Improve CPRs" (cabforum/servercert PR 622) would move some clocks, and a CA must be able
 * to show which rules a case was measured against.
 */
import type { Checkpoint, Classification, Deadlines, EscalationLevel } from '../case/types.ts';

export const HOUR_MS = 3_600_000;

import type { RevocationTriageReason } from '../revocation/reasons.ts';

/**
 * BR 4.9.1.1 reasons a report itself states that set the revocation deadline whatever the class:
 * (1) the Subscriber requests revocation in writing; (2) the Subscriber says the original
 * certificate request was not authorised.
 */
export const STATED_REVOCATION_REASONS = ['subscriberRequest', 'unauthorisedRequest'] as const;
export type StatedRevocationReason = (typeof STATED_REVOCATION_REASONS)[number];

/** The classifier's lexicon entry for "issued without my authority" (`text:<entry>:<lang>`). */
const UNAUTHORISED_SIGNAL = 'text:unauthorisedIssuance:';

/**
 * The stated reasons of a report, from what the classifier recorded. A revocation request is
 * taken as the Subscriber's: the From header cannot prove who wrote it, and the stricter reading
 * is the safe one. "I never requested this certificate" counts when it made the report a
 * misissuance report (so not in list mail that names nothing of ours).
 */
export function statedRevocationReasons(facts: {
  readonly classification: Classification;
  readonly signals: readonly string[];
  readonly revocationRequested: boolean;
}): StatedRevocationReason[] {
  const unauthorised =
    facts.classification === 'misissuance' &&
    facts.signals.some((s) => s.startsWith(UNAUTHORISED_SIGNAL));
  return [
    ...(facts.revocationRequested ? (['subscriberRequest'] as const) : []),
    ...(unauthorised ? (['unauthorisedRequest'] as const) : []),
  ];
}

/** Checkpoints of one deadline, counted from the start of the period that deadline closes. */
export type CheckpointTable = readonly {
  readonly afterHours: number;
  readonly level: EscalationLevel;
}[];

export interface DeadlinePolicy {
  readonly version: string;
  readonly description: string;
  /** BR 4.9.5: preliminary report to the entity who filed the CPR. */
  readonly reporterReportHours: number;
  /** BR 4.9.5: preliminary report to the Subscriber. */
  readonly subscriberReportHours: number;
  /** BR 4.9.1.1: revocation deadline by classification; absent means unset until known. */
  readonly revocationHours: Partial<Record<Classification, number>>;
  /** BR 4.9.1.1 (1), (2): the deadline when the report states one of these, whatever the class. */
  readonly statedReasonRevocationHours: Readonly<Record<StatedRevocationReason, number>>;
  /** When the clock checks for open obligations, and how loudly it complains. */
  readonly checkpoints: readonly { readonly afterHours: number; readonly level: EscalationLevel }[];
  /** After a breach, page again on a bounded interval until the obligations are met. */
  readonly repage: { readonly everyHours: number; readonly times: number };
  /** A person confirms (or corrects) the classification within this time: triage. */
  readonly triageHours: number;
  /**
   * Before triage, a case naming any certificate or key has this revocation deadline: the
   * strictest of BR 4.9.1.1, so a misread report can only make the clock earlier.
   */
  readonly untriagedRevocationHours: number;
  /** BR 4.9.1.1 deadline for each reason a person can confirm. */
  readonly revocationHoursByReason: Readonly<Record<RevocationTriageReason, number>>;
  /**
   * Revocation checkpoints by deadline length (hours, as a string key): warning, page and
   * breach counted from receipt. A length without a table uses the 24-hour table's distances
   * before the deadline.
   */
  readonly revocationCheckpoints: Readonly<Record<string, CheckpointTable>>;
  /** How often a waiting clock looks again (a triage or a new inventory entry may move things). */
  readonly recheckHours: number;
  /** A case dismissed as notACpr keeps a sleeping clock this long, so a later triage can undo it. */
  readonly dismissedWatchHours: number;
  /**
   * needsInfo: does the information arriving restart the clocks? BR 2.2: no, the reporter's
   * 4.9.5 clock keeps running. The draft ballot (servercert PR 622) would restart them.
   */
  readonly needsInfoRestartsClock: boolean;
}

/** TLS Baseline Requirements v2.2.x, the default. */
export const BR_2_2: DeadlinePolicy = Object.freeze({
  version: 'br-2.2',
  description: 'CA/Browser Forum TLS Baseline Requirements v2.2.x, sections 4.9.1.1 and 4.9.5',
  reporterReportHours: 24,
  subscriberReportHours: 24,
  revocationHours: Object.freeze({
    // BR 4.9.1.1 (1)-(5): key compromise is a 24-hour revocation.
    keyCompromise: 24,
    // BR 4.9.1.1 (6)-(12): misissuance and the like allow 5 days.
    misissuance: 5 * 24,
  }),
  statedReasonRevocationHours: Object.freeze({
    // BR 4.9.1.1 (1): the Subscriber requests in writing that the CA revoke.
    subscriberRequest: 24,
    // BR 4.9.1.1 (2): the Subscriber notifies the CA that the request was not authorised.
    unauthorisedRequest: 24,
  }),
  checkpoints: Object.freeze([
    Object.freeze({ afterHours: 12, level: 'warning' as const }),
    Object.freeze({ afterHours: 20, level: 'page' as const }),
    Object.freeze({ afterHours: 24, level: 'breach' as const }),
  ]),
  repage: Object.freeze({ everyHours: 4, times: 6 }),
  triageHours: 12,
  untriagedRevocationHours: 24,
  revocationHoursByReason: Object.freeze({
    // BR 4.9.1.1 (3): key compromise, 24 hours.
    keyCompromise: 24,
    // BR 4.9.1.1, 5-day list (7): not issued in accordance with the BRs.
    misissuance: 5 * 24,
    // Subscriber's request or failed validation (BR 4.9.1.1 (1), (5)): 24 hours, the strictest.
    superseded: 24,
    // 5-day list (4): the Subscriber no longer may use the name.
    cessationOfOperation: 5 * 24,
    // 5-day list (6): a material change of the certificate's information.
    affiliationChanged: 5 * 24,
    // 5-day list (2), (3): misuse, agreement violated.
    privilegeWithdrawn: 5 * 24,
  }),
  revocationCheckpoints: Object.freeze({
    '24': Object.freeze([
      Object.freeze({ afterHours: 12, level: 'warning' as const }),
      Object.freeze({ afterHours: 20, level: 'page' as const }),
      Object.freeze({ afterHours: 24, level: 'breach' as const }),
    ]),
    '120': Object.freeze([
      Object.freeze({ afterHours: 72, level: 'warning' as const }),
      Object.freeze({ afterHours: 108, level: 'page' as const }),
      Object.freeze({ afterHours: 120, level: 'breach' as const }),
    ]),
  }),
  recheckHours: 4,
  dismissedWatchHours: 7 * 24,
  needsInfoRestartsClock: false,
});

/**
 * BR 2.2 with the draft ballot's restart (cabforum/servercert PR 622, not adopted): when the
 * information a needsInfo report lacked arrives from the reporter, the preliminary reports'
 * clock starts again from its arrival. Everything else is BR 2.2.
 */
export const BR_2_2_NEEDS_INFO_RESTART: DeadlinePolicy = Object.freeze({
  ...BR_2_2,
  version: 'br-2.2-needsinfo-restart',
  description:
    'BR v2.2.x, with the clock restart of draft ballot "Improve CPRs" (servercert PR 622) when a needsInfo report gets its missing information',
  needsInfoRestartsClock: true,
});

/** The policy a deployment uses unless its configuration names another. */
export const DEFAULT_DEADLINE_POLICY_VERSION = BR_2_2.version;

export const DEADLINE_POLICIES: Readonly<Record<string, DeadlinePolicy>> = Object.freeze({
  [BR_2_2.version]: BR_2_2,
  [BR_2_2_NEEDS_INFO_RESTART.version]: BR_2_2_NEEDS_INFO_RESTART,
});

export class UnknownDeadlinePolicyError extends Error {
  override readonly name = 'UnknownDeadlinePolicyError';
  constructor(version: string) {
    super(
      `unknown deadline policy "${version}"; known: ${Object.keys(DEADLINE_POLICIES).join(', ')}`,
    );
  }
}

/** Looks a policy up by version; fails loudly so a typo in config stops a cold start. */
export function deadlinePolicy(version: string): DeadlinePolicy {
  const policy = DEADLINE_POLICIES[version];
  if (!policy) throw new UnknownDeadlinePolicyError(version);
  return policy;
}

function plusHours(receivedAt: Date, hours: number): string {
  return new Date(receivedAt.getTime() + hours * HOUR_MS).toISOString();
}

/**
 * Every deadline of a case, counted from receipt (SES's timestamp, never the Date header: the
 * BR clock starts when the CA receives the report). All UTC, ISO 8601.
 */
export function computeDeadlines(
  policy: DeadlinePolicy,
  receivedAt: Date,
  classification: Classification,
  namesCertificateOrKey = false,
  statedReasons: readonly StatedRevocationReason[] = [],
): Deadlines {
  // Before triage assume the worst: a case that names a certificate or key gets the strictest
  // revocation deadline, whatever the automatic classification guessed. A reason the report
  // states (BR 4.9.1.1 (1), (2)) sets its own deadline, with or without a certificate named.
  const candidates = [
    policy.revocationHours[classification],
    ...(namesCertificateOrKey ? [policy.untriagedRevocationHours] : []),
    ...statedReasons.map((r) => policy.statedReasonRevocationHours[r]),
  ].filter((h): h is number => h !== undefined);
  const revocationHours = candidates.length > 0 ? Math.min(...candidates) : undefined;
  const checkpoints = reportCheckpoints(policy, receivedAt);
  return {
    policyVersion: policy.version,
    reporterReport: plusHours(receivedAt, policy.reporterReportHours),
    subscriberReport: plusHours(receivedAt, policy.subscriberReportHours),
    revocation: revocationHours === undefined ? null : plusHours(receivedAt, revocationHours),
    triage: plusHours(receivedAt, policy.triageHours),
    checkpoints: withRevocationCheckpoints(
      checkpoints,
      policy,
      receivedAt,
      revocationHours === undefined ? [] : [revocationHours],
    ),
  };
}

/** The preliminary reports' checkpoints (and the re-pages after the breach), from `start`. */
function reportCheckpoints(policy: DeadlinePolicy, start: Date): Checkpoint[] {
  const checkpoints: Checkpoint[] = policy.checkpoints.map((c) => ({
    level: c.level,
    at: plusHours(start, c.afterHours),
  }));
  const last = policy.checkpoints.at(-1)?.afterHours ?? 0;
  for (let i = 1; i <= policy.repage.times; i += 1) {
    checkpoints.push({
      level: 'repage',
      at: plusHours(start, last + i * policy.repage.everyHours),
    });
  }
  return checkpoints;
}

/**
 * The deadlines with the BR 4.9.5 preliminary reports' clock restarted at `start` (the missing
 * information of a needsInfo report arrived, under a policy with `needsInfoRestartsClock`). The
 * revocation deadline and its checkpoints stay; report checkpoints already escalated stay listed
 * (their escalation records name them); the others are counted again from `start`.
 */
export function restartReportClock(
  deadlines: Deadlines,
  policy: DeadlinePolicy,
  start: Date,
  escalated: (cp: Checkpoint) => boolean,
): Deadlines {
  const kept: Checkpoint[] = deadlines.checkpoints.flatMap((cp): Checkpoint[] => {
    if (cp.kind === 'revocation' || escalated(cp)) return [cp];
    return cp.kind === 'all' ? [{ ...cp, kind: 'revocation' }] : [];
  });
  for (const cp of reportCheckpoints(policy, start)) {
    const same = kept.findIndex((x) => x.at === cp.at && x.level === cp.level);
    if (same < 0) kept.push(cp);
    else if (kept[same]!.kind === 'revocation') kept[same] = { ...kept[same]!, kind: 'all' };
  }
  return {
    ...deadlines,
    reporterReport: plusHours(start, policy.reporterReportHours),
    subscriberReport: plusHours(start, policy.subscriberReportHours),
    checkpoints: kept.sort((a, b) => a.at.localeCompare(b.at)),
  };
}

/** The checkpoint table of a revocation deadline `hours` after its start. */
export function revocationCheckpointTable(policy: DeadlinePolicy, hours: number): CheckpointTable {
  const table = policy.revocationCheckpoints[String(hours)];
  if (table) return table;
  const base = policy.revocationCheckpoints['24'] ?? [];
  return base.map((c) => ({ level: c.level, afterHours: hours - (24 - c.afterHours) }));
}

/**
 * Adds the revocation checkpoints of each deadline (hours after `start`) to the report's
 * checkpoints. One at the same time and level as an existing one is that one (a 24-hour case
 * has one warning, one page, one breach). Sorted by time; report checkpoints keep no kind.
 */
export function withRevocationCheckpoints(
  existing: readonly Checkpoint[],
  policy: DeadlinePolicy,
  start: Date,
  deadlineHours: readonly number[],
): Checkpoint[] {
  const out: Checkpoint[] = existing.filter((c) => c.kind !== 'revocation');
  for (const hours of new Set(deadlineHours)) {
    for (const c of revocationCheckpointTable(policy, hours)) {
      const at = plusHours(start, c.afterHours);
      const same = out.findIndex((x) => x.at === at && x.level === c.level);
      if (same >= 0) {
        const x = out[same]!;
        if (x.kind !== 'revocation' && x.kind !== 'all') out[same] = { ...x, kind: 'all' };
      } else {
        out.push({ level: c.level, at, kind: 'revocation' });
      }
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}
