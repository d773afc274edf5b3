/**
 * The Certificate Problem Report case: what we record for every message that reaches a CPR
 * address. Closed sets are string-literal unions with one source of truth (the `as const` arrays).
 */
import type { AuditActor } from '../audit/events.ts';
import type { Evidence } from '../evidence/types.ts';
import type { Triage } from '../revocation/types.ts';

export const CLASSIFICATIONS = [
  'keyCompromise',
  'misissuance',
  'other',
  'notACpr',
  'unparsed',
] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const CASE_STATUSES = ['open', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Why we do not acknowledge a message (RFC 3834 and loop safety). */
// biome-ignore format: a long list of names, packed to read as one block
export const SUPPRESSION_REASONS = [
  'autoSubmitted', 'bounce', 'nullReturnPath', 'bulkPrecedence', 'mailingList', 'ownAddress',
  'missingFrom', 'invalidFrom', 'dmarcFail', 'spfFail', 'multipleFrom', 'duplicate', 'reply',
  'canary', 'rateLimited',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export type AcknowledgmentDecision =
  | { readonly decision: 'send'; readonly reason: null }
  | { readonly decision: 'suppress'; readonly reason: SuppressionReason };

/** SES receipt verdicts, as recorded on the case. Never a reason to drop a message. */
// biome-ignore format: a long list of names, packed to read as one block
export const VERDICT_STATUSES = [
  'PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED', 'NONE',
] as const;
export type VerdictStatus = (typeof VERDICT_STATUSES)[number];
export interface Verdicts {
  readonly spam: VerdictStatus;
  readonly virus: VerdictStatus;
  readonly spf: VerdictStatus;
  readonly dkim: VerdictStatus;
  readonly dmarc: VerdictStatus;
  /** The sender domain's DMARC policy when DMARC failed (`none`, `quarantine`, `reject`). */
  readonly dmarcPolicy: string | null;
}

export const NOTICE_KINDS = ['acknowledgment', 'reporterReport', 'subscriberReport'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * `failed`: SES refused the send, or gave no answer (then it was not tried again, so that it goes
 * out at most once). `undeliverable`: an address SES cannot send to; no call was made. Both are
 * for the automatic acknowledgment; a preliminary report stays owed until a person sends it.
 */
// biome-ignore format: a long list of names, packed to read as one block
export const NOTICE_STATUSES = [
  'pending', 'suppressed', 'sent', 'delivered', 'bounced', 'complained', 'failed', 'undeliverable',
] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/**
 * A notice we owe (or owed) someone. `reporterReport` and each `subscriberReport` are the
 * preliminary reports of BR 4.9.5, each with its own clock; the acknowledgment is not one.
 */
export interface Notice {
  /** Stable within the case: `acknowledgment`, `reporter`, `subscriber:<email>`, `subscriber:unknown`. */
  readonly id: string;
  readonly kind: NoticeKind;
  /** Address the notice goes to; null when unknown (reporter without a valid From, subscriber unknown). */
  readonly recipient: string | null;
  /** Subscriber name from the inventory, for subscriber notices. */
  readonly subscriber: string | null;
  readonly status: NoticeStatus;
  /** ISO 8601 UTC; null for the acknowledgment, which has no regulatory deadline. */
  readonly dueAt: string | null;
  readonly sentAt: string | null;
  readonly messageId: string | null;
  readonly actor: AuditActor | null;
  readonly channel: string | null;
  readonly note: string | null;
  /** Every status change, oldest first: the notice's fate for the incident timeline. */
  readonly history: readonly NoticeChange[];
}

export interface NoticeChange {
  readonly at: string;
  readonly status: NoticeStatus;
  readonly actor: AuditActor;
  /** Channel, SES message id, bounce diagnostic or a person's note. */
  readonly detail: string | null;
}

/** warning (12 h), page (20 h), breach (24 h), then repeated pages until the obligations are met. */
export const ESCALATION_LEVELS = ['warning', 'page', 'breach', 'repage'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/**
 * What a checkpoint watches: the preliminary reports and triage (`report`, the default), the
 * revocation obligations (`revocation`), or both when their times and levels coincide (`all`).
 */
export type CheckpointKind = 'report' | 'revocation' | 'all';

/** The three alert topics, from "a person should look" to "wake someone up". */
export const ALERT_TOPICS = ['team', 'escalation', 'pager'] as const;
export type AlertTopic = (typeof ALERT_TOPICS)[number];

export interface Checkpoint {
  readonly level: EscalationLevel;
  /** ISO 8601 UTC. */
  readonly at: string;
  /** Absent on cases stored before revocation was watched: `report`. */
  readonly kind?: CheckpointKind;
}

export const ESCALATION_STATUSES = ['pending', 'sent'] as const;

/** An escalation the deadline clock raised, recorded once per checkpoint. */
export interface Escalation {
  readonly level: EscalationLevel;
  /** The checkpoint time it belongs to: with `level`, the idempotency key of the escalation. */
  readonly checkpointAt: string;
  /** When the escalation was decided. */
  readonly at: string;
  /**
   * Ids of the obligations that were open, with their due times: notice ids, `triage`, and
   * `revocation:<sha256>` for each certificate still unrevoked (or revoked but not verified).
   */
  readonly openObligations: readonly { readonly noticeId: string; readonly dueAt: string | null }[];
  /** `pending` until the topic accepted the publish, then `sent`. */
  readonly status: (typeof ESCALATION_STATUSES)[number];
  readonly sentAt: string | null;
}

export interface Deadlines {
  /** Version of the deadline policy that computed these. */
  readonly policyVersion: string;
  /** Preliminary report to the reporter, BR 4.9.5. */
  readonly reporterReport: string;
  /** Preliminary report to each affected Subscriber, BR 4.9.5. */
  readonly subscriberReport: string;
  /**
   * BR 4.9.1.1: from the triaged reason; before triage 24 h when the case names a certificate or
   * key (assume the worst); null when it names none.
   */
  readonly revocation: string | null;
  /** When a person must have confirmed the reason (absent on older cases). */
  readonly triage?: string;
  readonly checkpoints: readonly Checkpoint[];
}

export interface EvidenceCounts {
  readonly certificates: number;
  /** Certificates the parser refused or re-encoded (`evidence.unparsedCertificates`). */
  readonly unparsedCertificates: number;
  readonly keys: number;
  readonly csrs: number;
  readonly serials: number;
  /** Digit-only serials neither reading of which the inventory knows (shown both ways). */
  readonly ambiguousSerials: number;
  readonly sha256Fingerprints: number;
  readonly crtshIds: number;
  readonly affected: number;
  readonly subscribers: number;
}

export interface Subscriber {
  readonly name: string;
  readonly email: string;
}

export const MESSAGE_ROLES = ['report', 'duplicate', 'reply'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** One message (SES messageId) that belongs to the case. */
export interface CaseMessage {
  readonly sesMessageId: string;
  readonly receivedAt: string;
  readonly from: string | null;
  readonly subject: string | null;
  /** The sender's Message-ID header (no angle brackets): our notices answer it, for threading. */
  readonly messageIdHeader: string | null;
  /** `report` (opened the case), `duplicate` (same report again), `reply` (threaded follow-up). */
  readonly role: MessageRole;
  readonly rawKey: string;
  /** S3 key of the full evidence JSON extracted from this message. */
  readonly evidenceKey: string | null;
}

export interface LastJoin {
  readonly sesMessageId: string;
  readonly added: EvidenceCounts;
  readonly senderUnknown: boolean;
}

export interface CprCase {
  readonly id: string;
  readonly status: CaseStatus;
  readonly receivedAt: string;
  /** The reporter's address: the From address when valid (never Reply-To, which anyone can set); else null. */
  readonly reporter: string | null;
  readonly subject: string | null;
  readonly classification: Classification;
  /**
   * The signals that decided the classification (`evidence:privateKey`, `lint:<code>`,
   * `text:<lexicon id>:<language>`, `mail:bulkNotOurs`...): why the case is what it is.
   */
  readonly classificationSignals: readonly string[];
  /** Someone asked for revocation; from the Subscriber a BR 4.9.1.1 (1) request. */
  readonly revocationRequested: boolean;
  readonly acknowledgment: AcknowledgmentDecision;
  readonly verdicts: Verdicts;
  /** Bounded sample of the merged evidence; the full sets are in S3 (`messages[].evidenceKey`). */
  readonly evidence: Evidence;
  readonly evidenceCounts: EvidenceCounts;
  /** True when `evidence` or `affected` is a sample of a larger set. */
  readonly evidenceTruncated: boolean;
  /** The case's full merged evidence (every message's), in S3; null for cases stored before it. */
  readonly mergedEvidenceKey: string | null;
  /** sha256 of every certificate the case concerns (bounded sample, see evidenceCounts.affected). */
  readonly affected: readonly string[];
  readonly subscribers: readonly Subscriber[];
  readonly notices: readonly Notice[];
  readonly deadlines: Deadlines;
  readonly messages: readonly CaseMessage[];
  readonly escalations: readonly Escalation[];
  /** Senders of joining messages who are neither the reporter nor a known party (bounded sample). */
  readonly unknownSenders: readonly string[];
  /** What the latest joining message added: what the team is told about it. */
  readonly lastJoin: LastJoin | null;
  /** The message that last reopened the closed case, if any (its clock is named after it). */
  readonly reopenedBy: string | null;
  /** Set for classification `unparsed`: why the message could not be read. */
  readonly parseError: string | null;
  readonly closedAt: string | null;
  readonly closeReason: string | null;
  /** The person's confirmation of the reason; absent or null until triage. */
  readonly triage?: Triage | null;
  /** Earlier triages, oldest first (a later triage can undo notACpr). */
  readonly triageHistory?: readonly Triage[];
  /**
   * When the reporter's reply to a needsInfo triage arrived and restarted the BR 4.9.5 clock
   * (only under a policy with `needsInfoRestartsClock`); absent otherwise.
   */
  readonly infoArrivedAt?: string | null;
  /** Optimistic-concurrency version, incremented by every write. */
  readonly version: number;
}
