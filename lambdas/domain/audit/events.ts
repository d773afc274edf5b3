/**
 * The audit trail of a case (BR 5.4.1: date and time, who acted, what happened). Event types and
 * actors are closed sets, and each event is made by one factory here that owns its
 * deterministic id: a retried step builds the same id, and the append-only log keeps the first.
 */
import type { CaseMessage, Classification, EscalationLevel, NoticeKind } from '../case/types.ts';

// biome-ignore format: a long list of names, packed to read as one block
export const AUDIT_EVENT_TYPES = [
  'received', 'opened', 'joined', 'joinAnnounced', 'senderFlagged', 'reopened', 'verdictFlagged',
  'parseFailed', 'acknowledged', 'acknowledgment.failed', 'acknowledgment.undeliverable',
  'acknowledgment.suppressed', 'noticeSent', 'teamNotified', 'deliveryAlert', 'noticeDelivered',
  'noticeBounced', 'noticeComplained', 'noticeDelayed', 'escalation.warning', 'escalation.page',
  'escalation.breach', 'escalation.repage', 'closed',
  // Triage and revocation (lambdas/domain/revocation/use-cases.ts).
  'triaged', 'infoRequested', 'keyBlocked', 'revocationObligation', 'revocationRecorded',
  'revocationVerified', 'revocationNotVisible',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** The functions that act on a case, and SES itself for delivery outcomes. */
// biome-ignore format: a long list of names, packed to read as one block
export const SYSTEM_ACTORS = [
  'system:intake', 'system:acknowledge', 'system:notify-team', 'system:clock',
  'system:delivery-events', 'system:ses', 'system:revocation',
] as const;
export type SystemActor = (typeof SYSTEM_ACTORS)[number];

/** A person (the local user, or the AWS caller's ARN): made only by `personActor`. */
export type PersonActor = string & { readonly __person: true };
export type AuditActor = SystemActor | PersonActor;

export class InvalidActorError extends Error {
  override readonly name = 'InvalidActorError';
}

const SYSTEM_PREFIX = 'system:';
/** Names and ARNs fit easily; anything longer is not a caller identity. */
const MAX_PERSON_ACTOR_CHARS = 512;

/** A person acting through the CLI. A name that looks like a system actor is refused. */
export function personActor(name: string): PersonActor {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > MAX_PERSON_ACTOR_CHARS || /[\p{Cc}]/u.test(trimmed)) {
    throw new InvalidActorError(`"${name}" is not a person's name or caller identity`);
  }
  if (trimmed.startsWith(SYSTEM_PREFIX)) {
    throw new InvalidActorError(`"${name}" is reserved for the system's own actors`);
  }
  return trimmed as PersonActor;
}

export function isSystemActor(actor: string): actor is SystemActor {
  return (SYSTEM_ACTORS as readonly string[]).includes(actor);
}

/** Reads a stored actor back: a system actor, or a person's name as `personActor` accepts it. */
export function auditActorOf(value: string): AuditActor {
  return isSystemActor(value) ? value : personActor(value);
}

/** An append-only audit event. */
export interface AuditEvent {
  readonly caseId: string;
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly actor: AuditActor;
  readonly type: AuditEventType;
  readonly description: string;
  /** Deterministic: a retried step writes the same event once. */
  readonly eventId: string;
}

/** Builds an event; every factory below goes through here. */
function auditEvent(
  on: { readonly caseId: string; readonly at: string },
  actor: AuditActor,
  type: AuditEventType,
  eventId: string,
  description: string,
): AuditEvent {
  return { caseId: on.caseId, at: on.at, actor, type, eventId, description };
}

// Intake: one set per message, keyed by the SES messageId (a retried delivery writes each once).

/** What every intake event is about: a message of a case, at a time. */
interface IntakeRef {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly at: string;
}

function intakeEvent(m: IntakeRef, type: AuditEventType, description: string): AuditEvent {
  return auditEvent(m, 'system:intake', type, `${m.sesMessageId}:${type}`, description);
}

export function messageReceived(m: IntakeRef & { readonly role: CaseMessage['role'] }): AuditEvent {
  return intakeEvent(m, 'received', `message ${m.sesMessageId} received (${m.role})`);
}

export function caseOpened(
  m: IntakeRef & {
    readonly classification: Classification;
    /** The signals that decided the classification (`classificationSignals`). */
    readonly signals?: readonly string[];
    readonly revocationRequested?: boolean;
    readonly acknowledgment: {
      readonly decision: 'send' | 'suppress';
      readonly reason: string | null;
    };
  },
): AuditEvent {
  const ack =
    m.acknowledgment.decision === 'send' ? 'to be sent' : `suppressed (${m.acknowledgment.reason})`;
  const signals = m.signals ? ` (signals: ${m.signals.join(', ') || 'none'})` : '';
  const requested = m.revocationRequested ? '; revocation requested' : '';
  return intakeEvent(
    m,
    'opened',
    `case opened as ${m.classification}${signals}${requested}; acknowledgment ${ack}`,
  );
}

export function messageJoined(
  m: IntakeRef & {
    readonly role: CaseMessage['role'];
    readonly classification: Classification;
    readonly caseClosed: boolean;
  },
): AuditEvent {
  const closed = m.caseClosed ? '; the case is closed' : '';
  return intakeEvent(
    m,
    'joined',
    `${m.role} joined the case; classification now ${m.classification}${closed}`,
  );
}

/** A joining message is announced to the team once: its event id is the guard. */
export function joinAnnouncedEventId(sesMessageId: string): string {
  return `${sesMessageId}:joinAnnounced`;
}

export function joinAnnounced(
  m: IntakeRef & { readonly snsMessageId: string; readonly added: string },
): AuditEvent {
  return intakeEvent(
    m,
    'joinAnnounced',
    `team told of message ${m.sesMessageId} (added: ${m.added}; SNS message ${m.snsMessageId})`,
  );
}

export function senderFlagged(m: IntakeRef & { readonly from: string }): AuditEvent {
  return intakeEvent(
    m,
    'senderFlagged',
    `message ${m.sesMessageId} from ${m.from}, who is neither the reporter nor a known party to the case`,
  );
}

export function caseReopened(
  m: IntakeRef & { readonly added: string; readonly reporterDueAt: string },
): AuditEvent {
  return intakeEvent(
    m,
    'reopened',
    `closed case reopened by message ${m.sesMessageId} (${m.added}); preliminary reports due again by ${m.reporterDueAt}`,
  );
}

export function verdictsFlagged(m: IntakeRef & { readonly failed: readonly string[] }): AuditEvent {
  return intakeEvent(
    m,
    'verdictFlagged',
    `SES verdicts failed: ${m.failed.join(', ')}; kept for a person to review`,
  );
}

export function parseFailed(m: IntakeRef & { readonly error: string }): AuditEvent {
  return intakeEvent(m, 'parseFailed', `message could not be parsed: ${m.error}`);
}

// Notices.

/** " (SES message X)" or nothing, and ": note" or nothing, as descriptions end. */
const suffix = (prefix: string, value: string | null, end = '') =>
  value ? `${prefix}${value}${end}` : '';

export function noticeSent(m: {
  readonly caseId: string;
  readonly noticeId: string;
  readonly acknowledgment: boolean;
  readonly kind: NoticeKind | null;
  readonly recipient: string | null;
  readonly at: string;
  readonly actor: AuditActor;
  readonly channel: string;
  readonly messageId: string | null;
  readonly note: string | null;
}): AuditEvent {
  return auditEvent(
    m,
    m.actor,
    m.acknowledgment ? 'acknowledged' : 'noticeSent',
    `${m.caseId}:sent:${m.noticeId}:${m.messageId ?? m.at}`,
    `${m.kind ?? 'notice'} to ${m.recipient ?? 'unknown'} sent via ${m.channel}${suffix(
      ' (SES message ',
      m.messageId,
      ')',
    )}${suffix(': ', m.note)}`,
  );
}

/** The acknowledgment did not go out: SES refused it, SES cannot send there, or a rate limit. */
export function acknowledgmentNotSent(m: {
  readonly caseId: string;
  readonly status: 'failed' | 'undeliverable' | 'suppressed';
  readonly recipient: string | null;
  readonly at: string;
  readonly detail: string;
}): AuditEvent {
  return auditEvent(
    m,
    'system:acknowledge',
    `acknowledgment.${m.status}`,
    `${m.caseId}:acknowledgment:${m.status}`,
    `acknowledgment to ${m.recipient ?? 'unknown'} ${m.status}: ${m.detail}`,
  );
}

/** The team notice goes out once per case: its event id is the guard. */
export function teamNotifiedEventId(caseId: string): string {
  return `${caseId}:teamNotified`;
}

export function teamNotified(m: {
  readonly caseId: string;
  readonly at: string;
  readonly snsMessageId: string;
}): AuditEvent {
  return auditEvent(
    m,
    'system:notify-team',
    'teamNotified',
    teamNotifiedEventId(m.caseId),
    `team notified (SNS message ${m.snsMessageId})`,
  );
}

export type DeliveryOutcomeName = 'delivered' | 'bounced' | 'complained' | 'delayed';

const DELIVERY_EVENT_TYPES: Readonly<Record<DeliveryOutcomeName, AuditEventType>> = {
  delivered: 'noticeDelivered',
  bounced: 'noticeBounced',
  complained: 'noticeComplained',
  delayed: 'noticeDelayed',
};

function deliveryEventId(caseId: string, sesMessageId: string, outcome: DeliveryOutcomeName) {
  return `${caseId}:delivery:${sesMessageId}:${outcome}`;
}

/** What a delivery event is about: one outbound message's outcome. */
interface DeliveryRef {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly outcome: DeliveryOutcomeName;
  readonly at: string;
}

export function deliveryRecorded(
  m: DeliveryRef & {
    readonly kind: NoticeKind | null;
    readonly recipient: string | null;
    readonly diagnostic: string | null;
  },
): AuditEvent {
  return auditEvent(
    m,
    'system:ses',
    DELIVERY_EVENT_TYPES[m.outcome],
    deliveryEventId(m.caseId, m.sesMessageId, m.outcome),
    `${m.kind ?? 'notice'} to ${m.recipient ?? 'unknown'} ${m.outcome}${suffix(': ', m.diagnostic)}`,
  );
}

/** A bounce or complaint alerts once per outbound message and outcome: its event id is the guard. */
export function deliveryAlertEventId(
  caseId: string,
  sesMessageId: string,
  outcome: DeliveryOutcomeName,
): string {
  return `${deliveryEventId(caseId, sesMessageId, outcome)}:alerted`;
}

export function deliveryAlerted(
  m: DeliveryRef & {
    readonly noticeId: string;
    /** The topics told (a bounced acknowledgment tells the team only). */
    readonly topics: readonly string[];
  },
): AuditEvent {
  return auditEvent(
    m,
    'system:delivery-events',
    'deliveryAlert',
    deliveryAlertEventId(m.caseId, m.sesMessageId, m.outcome),
    `${m.topics.join(' and ')} alerted: ${m.noticeId} ${m.outcome}`,
  );
}

// The clock and the team.

export function escalationSent(m: {
  readonly caseId: string;
  readonly level: EscalationLevel;
  readonly checkpointAt: string;
  readonly at: string;
  readonly routes: readonly string[];
  readonly openObligations: readonly { readonly noticeId: string; readonly dueAt: string | null }[];
}): AuditEvent {
  const open = m.openObligations.map((o) => `${o.noticeId} (due ${o.dueAt ?? 'n/a'})`).join(', ');
  return auditEvent(
    m,
    'system:clock',
    `escalation.${m.level}`,
    `${m.caseId}:escalation:${m.level}:${m.checkpointAt}`,
    `${m.level} escalation to ${m.routes.join(' and ')}: open ${open}`,
  );
}

export function caseClosed(m: {
  readonly caseId: string;
  readonly at: string;
  readonly actor: AuditActor;
  readonly reason: string;
  readonly stillOpen: readonly string[];
}): AuditEvent {
  const open = m.stillOpen.length > 0 ? ` (obligations still open: ${m.stillOpen.join(', ')})` : '';
  return auditEvent(m, m.actor, 'closed', `${m.caseId}:closed`, `case closed: ${m.reason}${open}`);
}
