/**
 * The audit trail of a case (BR 5.4.1: date and time, who acted, what happened). Event types and
 * actors are closed sets, and each event is made by one factory here that owns its
 * deterministic id: a retried step builds the same id, and the append-only log keeps the first.
 */
import type { CaseMessage, Classification, EscalationLevel, NoticeKind } from '../case/types.ts';

export const AUDIT_EVENT_TYPES = [
  'received',
  'opened',
  'joined',
  'joinAnnounced',
  'senderFlagged',
  'reopened',
  'verdictFlagged',
  'parseFailed',
  'acknowledged',
  'acknowledgment.failed',
  'acknowledgment.undeliverable',
  'acknowledgment.suppressed',
  'noticeSent',
  'teamNotified',
  'deliveryAlert',
  'noticeDelivered',
  'noticeBounced',
  'noticeComplained',
  'noticeDelayed',
  'escalation.warning',
  'escalation.page',
  'escalation.breach',
  'escalation.repage',
  'closed',
  // Triage and revocation (lambdas/domain/revocation/use-cases.ts).
  'triaged',
  'infoRequested',
  'keyBlocked',
  'revocationObligation',
  'revocationRecorded',
  'revocationVerified',
  'revocationNotVisible',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** The functions that act on a case, and SES itself for delivery outcomes. */
export const SYSTEM_ACTORS = [
  'system:intake',
  'system:acknowledge',
  'system:notify-team',
  'system:clock',
  'system:delivery-events',
  'system:ses',
  'system:revocation',
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

// Intake: one set per message, keyed by the SES messageId (a retried delivery writes each once).

export function messageReceived(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly receivedAt: string;
  readonly role: CaseMessage['role'];
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.receivedAt,
    actor: 'system:intake',
    type: 'received',
    eventId: `${m.sesMessageId}:received`,
    description: `message ${m.sesMessageId} received (${m.role})`,
  };
}

export function caseOpened(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly at: string;
  readonly classification: Classification;
  /** The signals that decided the classification (`classificationSignals`). */
  readonly signals?: readonly string[];
  readonly revocationRequested?: boolean;
  readonly acknowledgment: {
    readonly decision: 'send' | 'suppress';
    readonly reason: string | null;
  };
}): AuditEvent {
  const ack =
    m.acknowledgment.decision === 'send' ? 'to be sent' : `suppressed (${m.acknowledgment.reason})`;
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:intake',
    type: 'opened',
    eventId: `${m.sesMessageId}:opened`,
    description: `case opened as ${m.classification}${
      m.signals ? ` (signals: ${m.signals.join(', ') || 'none'})` : ''
    }${m.revocationRequested ? '; revocation requested' : ''}; acknowledgment ${ack}`,
  };
}

export function messageJoined(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly at: string;
  readonly role: CaseMessage['role'];
  readonly classification: Classification;
  readonly caseClosed: boolean;
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:intake',
    type: 'joined',
    eventId: `${m.sesMessageId}:joined`,
    description: `${m.role} joined the case; classification now ${m.classification}${
      m.caseClosed ? '; the case is closed' : ''
    }`,
  };
}

/** A joining message is announced to the team once: its event id is the guard. */
export function joinAnnouncedEventId(sesMessageId: string): string {
  return `${sesMessageId}:joinAnnounced`;
}

export function joinAnnounced(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly at: string;
  readonly snsMessageId: string;
  readonly added: string;
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:intake',
    type: 'joinAnnounced',
    eventId: joinAnnouncedEventId(m.sesMessageId),
    description: `team told of message ${m.sesMessageId} (added: ${m.added}; SNS message ${m.snsMessageId})`,
  };
}

export function senderFlagged(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly at: string;
  readonly from: string;
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:intake',
    type: 'senderFlagged',
    eventId: `${m.sesMessageId}:senderFlagged`,
    description: `message ${m.sesMessageId} from ${m.from}, who is neither the reporter nor a known party to the case`,
  };
}

export function caseReopened(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly at: string;
  readonly added: string;
  readonly reporterDueAt: string;
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:intake',
    type: 'reopened',
    eventId: `${m.sesMessageId}:reopened`,
    description: `closed case reopened by message ${m.sesMessageId} (${m.added}); preliminary reports due again by ${m.reporterDueAt}`,
  };
}

export function verdictsFlagged(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly at: string;
  readonly failed: readonly string[];
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:intake',
    type: 'verdictFlagged',
    eventId: `${m.sesMessageId}:verdictFlagged`,
    description: `SES verdicts failed: ${m.failed.join(', ')}; kept for a person to review`,
  };
}

export function parseFailed(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly at: string;
  readonly error: string;
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:intake',
    type: 'parseFailed',
    eventId: `${m.sesMessageId}:parseFailed`,
    description: `message could not be parsed: ${m.error}`,
  };
}

// Notices.

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
  return {
    caseId: m.caseId,
    at: m.at,
    actor: m.actor,
    type: m.acknowledgment ? 'acknowledged' : 'noticeSent',
    eventId: `${m.caseId}:sent:${m.noticeId}:${m.messageId ?? m.at}`,
    description: `${m.kind ?? 'notice'} to ${m.recipient ?? 'unknown'} sent via ${m.channel}${
      m.messageId ? ` (SES message ${m.messageId})` : ''
    }${m.note ? `: ${m.note}` : ''}`,
  };
}

/** The acknowledgment did not go out: SES refused it, SES cannot send there, or a rate limit. */
export function acknowledgmentNotSent(m: {
  readonly caseId: string;
  readonly status: 'failed' | 'undeliverable' | 'suppressed';
  readonly recipient: string | null;
  readonly at: string;
  readonly detail: string;
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:acknowledge',
    type: `acknowledgment.${m.status}`,
    eventId: `${m.caseId}:acknowledgment:${m.status}`,
    description: `acknowledgment to ${m.recipient ?? 'unknown'} ${m.status}: ${m.detail}`,
  };
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
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:notify-team',
    type: 'teamNotified',
    eventId: teamNotifiedEventId(m.caseId),
    description: `team notified (SNS message ${m.snsMessageId})`,
  };
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

export function deliveryRecorded(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly outcome: DeliveryOutcomeName;
  readonly at: string;
  readonly kind: NoticeKind | null;
  readonly recipient: string | null;
  readonly diagnostic: string | null;
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:ses',
    type: DELIVERY_EVENT_TYPES[m.outcome],
    eventId: deliveryEventId(m.caseId, m.sesMessageId, m.outcome),
    description: `${m.kind ?? 'notice'} to ${m.recipient ?? 'unknown'} ${m.outcome}${
      m.diagnostic ? `: ${m.diagnostic}` : ''
    }`,
  };
}

/** A bounce or complaint alerts once per outbound message and outcome: its event id is the guard. */
export function deliveryAlertEventId(
  caseId: string,
  sesMessageId: string,
  outcome: DeliveryOutcomeName,
): string {
  return `${deliveryEventId(caseId, sesMessageId, outcome)}:alerted`;
}

export function deliveryAlerted(m: {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly outcome: DeliveryOutcomeName;
  readonly noticeId: string;
  /** The topics told (a bounced acknowledgment tells the team only). */
  readonly topics: readonly string[];
  readonly at: string;
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:delivery-events',
    type: 'deliveryAlert',
    eventId: deliveryAlertEventId(m.caseId, m.sesMessageId, m.outcome),
    description: `${m.topics.join(' and ')} alerted: ${m.noticeId} ${m.outcome}`,
  };
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
  return {
    caseId: m.caseId,
    at: m.at,
    actor: 'system:clock',
    type: `escalation.${m.level}`,
    eventId: `${m.caseId}:escalation:${m.level}:${m.checkpointAt}`,
    description: `${m.level} escalation to ${m.routes.join(' and ')}: open ${m.openObligations
      .map((o) => `${o.noticeId} (due ${o.dueAt ?? 'n/a'})`)
      .join(', ')}`,
  };
}

export function caseClosed(m: {
  readonly caseId: string;
  readonly at: string;
  readonly actor: AuditActor;
  readonly reason: string;
  readonly stillOpen: readonly string[];
}): AuditEvent {
  return {
    caseId: m.caseId,
    at: m.at,
    actor: m.actor,
    type: 'closed',
    eventId: `${m.caseId}:closed`,
    description: `case closed: ${m.reason}${
      m.stillOpen.length > 0 ? ` (obligations still open: ${m.stillOpen.join(', ')})` : ''
    }`,
  };
}
