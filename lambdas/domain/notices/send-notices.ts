/**
 * The deadline clock's first two steps and the team's own actions on notices: acknowledge the
 * reporter, tell the team, record a preliminary report, apply SES delivery events.
 * Each is safe to retry: state is checked before acting and recorded after.
 */

import {
  applyDeliveryEvent,
  type DeliveryOutcome,
  markNoticeNotSent,
  markNoticeSent,
  NoticeTransitionError,
  type NotSentStatus,
  type SentRecord,
} from '../case/notice-transitions.ts';
import { ACK_NOTICE_ID } from '../case/notices.ts';
import type { AuditEvent, CprCase, NoticeKind } from '../case/types.ts';
import {
  acknowledgmentMail,
  deliveryProblemNotice,
  type Locations,
  teamNotice,
} from '../escalation/messages.ts';
import type { CaseRepository } from '../intake/ports.ts';
import { CaseNotFoundError } from '../intake/ports.ts';
import type { RateLimiter } from '../ports/rate-limits.ts';
import { acknowledgmentClaimKey, type SendClaims } from '../ports/send-claims.ts';
import { type AcknowledgmentLimits, acknowledgmentRateLimits } from './acknowledgment-limits.ts';
import { outboundAddress } from './outbound.ts';
import { type Mailer, MailRefusedError, type Notifier, type TopicName } from './ports.ts';

export interface NoticeDeps {
  readonly cases: CaseRepository;
  readonly now: () => Date;
}

export interface SenderSettings {
  /** The verified SES identity notices come from. */
  readonly senderAddress: string;
  /** Where replies go: the CPR address, so replies thread into the case. */
  readonly replyTo: string;
  readonly caName: string;
}

export interface AcknowledgeSettings extends SenderSettings {
  /** Per-recipient limits of the automatic acknowledgment. */
  readonly acknowledgmentLimits: AcknowledgmentLimits;
}

/** SES rewrites Message-ID to `<id@region.amazonses.com>`; replies may reference either form. */
export const SES_MESSAGE_ID_DOMAINS = ['email.amazonses.com'] as const;

async function loadCase(cases: CaseRepository, caseId: string): Promise<CprCase> {
  const c = await cases.getCase(caseId);
  if (!c) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  return c;
}

function event(
  c: CprCase,
  at: string,
  actor: string,
  type: string,
  eventId: string,
  description: string,
): AuditEvent {
  return { caseId: c.id, at, actor, type, eventId, description };
}

/**
 * Records a notice that went out and makes later delivery events and replies find the case:
 * the SES message id maps to the notice, and SES's Message-ID header maps to the case.
 */
async function recordSent(
  deps: NoticeDeps,
  c: CprCase,
  noticeId: string,
  sent: SentRecord,
  region: string | null,
): Promise<CprCase> {
  if (sent.messageId) {
    await deps.cases.registerOutbound(sent.messageId, { caseId: c.id, noticeId });
    const domains = region
      ? [...SES_MESSAGE_ID_DOMAINS, `${region}.amazonses.com`]
      : SES_MESSAGE_ID_DOMAINS;
    for (const domain of domains) {
      await deps.cases.registerMessageIdHeader(`${sent.messageId}@${domain}`, {
        caseId: c.id,
        from: null,
      });
    }
  }
  const updated = await deps.cases.updateCase(c.id, (current) =>
    markNoticeSent(current, noticeId, sent),
  );
  const notice = updated.notices.find((n) => n.id === noticeId);
  await deps.cases.appendEvents([
    event(
      updated,
      sent.at,
      sent.actor,
      noticeId === ACK_NOTICE_ID ? 'acknowledged' : 'noticeSent',
      `${c.id}:sent:${noticeId}:${sent.messageId ?? sent.at}`,
      `${notice?.kind ?? 'notice'} to ${notice?.recipient ?? 'unknown'} sent via ${sent.channel}${sent.messageId ? ` (SES message ${sent.messageId})` : ''}${sent.note ? `: ${sent.note}` : ''}`,
    ),
  ]);
  return updated;
}

export const ACKNOWLEDGE_STATUSES = [
  'sent',
  'alreadySent',
  'suppressed',
  'noRecipient',
  'caseClosed',
  'failed',
  'undeliverable',
  'rateLimited',
] as const;
export type AcknowledgeStatus = (typeof ACKNOWLEDGE_STATUSES)[number];

export interface AcknowledgeDeps extends NoticeDeps {
  readonly mailer: Mailer;
  readonly claims: SendClaims;
  readonly rateLimiter: RateLimiter;
  readonly region: string | null;
}

export interface AcknowledgeResult {
  readonly status: AcknowledgeStatus;
  readonly messageId: string | null;
  /** For `sent`: seconds from the report's receipt to this send (a dashboard figure). */
  readonly secondsSinceReceipt?: number;
  /** For `failed`, `undeliverable` and `rateLimited`: why, as recorded on the notice. */
  readonly reason?: string;
}

const ACK_ACTOR = 'system:acknowledge';

/** Records on the acknowledgment notice (and in the audit trail) why it did not go out. */
async function recordNotSent(
  deps: NoticeDeps,
  c: CprCase,
  status: NotSentStatus,
  detail: string,
): Promise<void> {
  const at = deps.now().toISOString();
  await deps.cases.updateCase(c.id, (current) => {
    const next = markNoticeNotSent(current, ACK_NOTICE_ID, {
      status,
      at,
      actor: ACK_ACTOR,
      detail,
    });
    // Held back at send time: the case shows the same reason as an intake suppression would.
    return next && status === 'suppressed'
      ? { ...next, acknowledgment: { decision: 'suppress', reason: 'rateLimited' } }
      : next;
  });
  await deps.cases.appendEvents([
    event(
      c,
      at,
      ACK_ACTOR,
      `acknowledgment.${status}`,
      `${c.id}:acknowledgment:${status}`,
      `acknowledgment to ${c.reporter ?? 'unknown'} ${status}: ${detail}`,
    ),
  ]);
}

/**
 * Step 1 of the clock: the automatic acknowledgment, unless intake suppressed it. It goes out at
 * most once: the send is claimed with a conditional write before SES is called, and a retry that
 * finds the claim never calls SES again (it completes the records of a send that succeeded, or
 * records the acknowledgment `failed`). No outcome here throws, except storage failing: a refused
 * or unanswered send is recorded on the notice, and the clock goes on.
 */
export async function acknowledgeReporter(
  caseId: string,
  deps: AcknowledgeDeps,
  settings: AcknowledgeSettings,
): Promise<AcknowledgeResult> {
  const c = await loadCase(deps.cases, caseId);
  const ack = c.notices.find((n) => n.id === ACK_NOTICE_ID);
  if (c.status !== 'open') return { status: 'caseClosed', messageId: null };
  if (!ack || ack.status === 'suppressed') return { status: 'suppressed', messageId: null };
  if (ack.status === 'failed' || ack.status === 'undeliverable') {
    return { status: ack.status, messageId: null, reason: ack.note ?? ack.status };
  }
  if (ack.status !== 'pending') return { status: 'alreadySent', messageId: ack.messageId };
  if (!ack.recipient) return { status: 'noRecipient', messageId: null };

  const to = outboundAddress(ack.recipient);
  if (!to.deliverable) {
    const reason = `SES cannot send to ${ack.recipient} (${to.reason}); no send was tried`;
    await recordNotSent(deps, c, 'undeliverable', reason);
    return { status: 'undeliverable', messageId: null, reason };
  }

  // BR-independent courtesy, so it yields to the per-recipient limits; the case does not.
  const limits = acknowledgmentRateLimits(to.address, to.domain, settings.acknowledgmentLimits);
  const admission = await deps.rateLimiter.admit(
    limits,
    c.id,
    deps.now(),
    settings.acknowledgmentLimits.windowHours * 3_600_000,
  );
  if (!admission.admitted) {
    const reason = `rateLimited: ${admission.limit} acknowledgments to ${admission.key.replace(/^\w+:/, '')} in ${settings.acknowledgmentLimits.windowHours} h already`;
    await recordNotSent(deps, c, 'suppressed', reason);
    return { status: 'rateLimited', messageId: null, reason };
  }

  const claimKey = acknowledgmentClaimKey(c.id);
  const claim = await deps.claims.claim(claimKey, deps.now().toISOString());
  if (!claim.taken) {
    const earlier = claim.existing;
    if (earlier.state === 'sent' && earlier.messageId) {
      // SES accepted it on an earlier attempt that stopped before its records: finish them.
      return finishSent(deps, c, earlier.messageId);
    }
    const reason =
      earlier.state === 'refused'
        ? `refused by SES: ${earlier.error ?? 'unknown error'}`
        : `an earlier attempt claimed the send at ${earlier.claimedAt} and stopped before recording SES's answer; not sent again, so that it goes out at most once`;
    await recordNotSent(deps, c, 'failed', reason);
    return { status: 'failed', messageId: null, reason };
  }

  const mail = acknowledgmentMail(c, { name: settings.caName });
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({
      from: settings.senderAddress,
      to: to.address,
      replyTo: settings.replyTo,
      subject: mail.subject,
      text: mail.text,
      inReplyTo: c.messages[0]?.messageIdHeader ?? null,
      autoSubmitted: 'auto-replied',
    }));
  } catch (error) {
    if (error instanceof MailRefusedError) {
      const reason = `refused by SES: ${error.code}: ${error.message}`;
      await deps.claims.settle(claimKey, {
        state: 'refused',
        error: `${error.code}: ${error.message}`,
      });
      await recordNotSent(deps, c, 'failed', reason);
      return { status: 'failed', messageId: null, reason };
    }
    // No answer: SES may have sent it. The claim stays; it is not tried again.
    const reason = `no answer from SES (${(error as Error).name}: ${(error as Error).message}); it may or may not have gone out, and is not sent again`;
    await recordNotSent(deps, c, 'failed', reason);
    return { status: 'failed', messageId: null, reason };
  }
  await deps.claims.settle(claimKey, { state: 'sent', messageId });
  return finishSent(deps, c, messageId);
}

async function finishSent(
  deps: AcknowledgeDeps,
  c: CprCase,
  messageId: string,
): Promise<AcknowledgeResult> {
  const sentAt = deps.now();
  await recordSent(
    deps,
    c,
    ACK_NOTICE_ID,
    { at: sentAt.toISOString(), actor: ACK_ACTOR, channel: 'ses', messageId, note: null },
    deps.region,
  );
  return {
    status: 'sent',
    messageId,
    secondsSinceReceipt: Math.max(0, (sentAt.getTime() - Date.parse(c.receivedAt)) / 1000),
  };
}

/** Step 2 of the clock: the team notice, published at most once per case. */
export async function notifyTeam(
  caseId: string,
  deps: NoticeDeps & { readonly notifier: Notifier },
  where: Locations,
): Promise<{ status: 'sent' | 'alreadySent' }> {
  const c = await loadCase(deps.cases, caseId);
  const eventId = `${c.id}:teamNotified`;
  if (await deps.cases.hasEvent(c.id, eventId)) return { status: 'alreadySent' };
  const { messageId } = await deps.notifier.publish('team', teamNotice(c, where));
  await deps.cases.appendEvents([
    event(
      c,
      deps.now().toISOString(),
      'system:notify-team',
      'teamNotified',
      eventId,
      `team notified (SNS message ${messageId})`,
    ),
  ]);
  return { status: 'sent' };
}

/**
 * Records a preliminary report sent outside the system (by phone, from a personal mailbox).
 * Guarded: the case must be open and the obligation must exist and still be owed.
 * @throws NoticeTransitionError
 */
export async function recordPreliminaryReport(
  caseId: string,
  noticeId: string,
  sent: SentRecord,
  deps: NoticeDeps,
): Promise<CprCase> {
  const c = await deps.cases.getCase(caseId);
  if (!c) throw new NoticeTransitionError('caseNotFound', `case ${caseId} does not exist`);
  if (!c.notices.some((n) => n.id === noticeId && n.kind !== 'acknowledgment')) {
    throw new NoticeTransitionError(
      'noSuchNotice',
      `case ${caseId} has no preliminary-report obligation "${noticeId}" (it has: ${c.notices
        .filter((n) => n.kind !== 'acknowledgment')
        .map((n) => n.id)
        .join(', ')})`,
    );
  }
  return recordSent(deps, c, noticeId, sent, null);
}

/** Sends a preliminary report written by a person through SES, threaded and tracked. */
export async function sendPreliminaryReport(
  caseId: string,
  noticeId: string,
  report: { readonly text: string; readonly actor: string },
  deps: NoticeDeps & { readonly mailer: Mailer; readonly region: string | null },
  settings: SenderSettings,
): Promise<{ messageId: string }> {
  const c = await deps.cases.getCase(caseId);
  if (!c) throw new NoticeTransitionError('caseNotFound', `case ${caseId} does not exist`);
  const notice = c.notices.find((n) => n.id === noticeId && n.kind !== 'acknowledgment');
  if (!notice)
    throw new NoticeTransitionError(
      'noSuchNotice',
      `case ${caseId} has no obligation "${noticeId}"`,
    );
  // Check the guard before sending, so a refused transition never leaves a mail behind.
  markNoticeSent(c, noticeId, {
    at: deps.now().toISOString(),
    actor: report.actor,
    channel: 'ses',
    messageId: null,
    note: null,
  });
  if (!notice.recipient) {
    throw new NoticeTransitionError(
      'invalidTransition',
      `notice "${noticeId}" has no recipient address`,
    );
  }
  const to = outboundAddress(notice.recipient);
  if (!to.deliverable) {
    throw new NoticeTransitionError(
      'invalidTransition',
      `SES cannot send to ${notice.recipient} (${to.reason}): send the report another way and record it with cpr notice`,
    );
  }
  const { messageId } = await deps.mailer.send({
    from: settings.senderAddress,
    to: to.address,
    replyTo: settings.replyTo,
    subject: `[${c.id}] Preliminary report on your certificate problem report`,
    text: report.text,
    inReplyTo: notice.kind === 'reporterReport' ? (c.messages[0]?.messageIdHeader ?? null) : null,
    autoSubmitted: 'no',
  });
  await recordSent(
    deps,
    c,
    noticeId,
    { at: deps.now().toISOString(), actor: report.actor, channel: 'ses', messageId, note: null },
    deps.region,
  );
  return { messageId };
}

/** Who hears of a bounce or complaint, by the kind of notice that bounced. */
export const DELIVERY_ALERT_ROUTES: Readonly<Record<NoticeKind, readonly TopicName[]>> = {
  acknowledgment: ['team'],
  reporterReport: ['team', 'pager'],
  subscriberReport: ['team', 'pager'],
};

export interface DeliveryEvent {
  readonly sesMessageId: string;
  readonly outcome: DeliveryOutcome;
  readonly at: string;
  readonly diagnostic: string | null;
}

/**
 * Applies an SES delivery event. A bounce or complaint reopens the obligation and alerts the team
 * and the pager at once (D-Trust, bug 1893610: the bounce went unnoticed for a day).
 */
export async function handleDeliveryEvent(
  e: DeliveryEvent,
  deps: NoticeDeps & { readonly notifier: Notifier },
): Promise<{
  status: 'applied' | 'unchanged' | 'unknownMessage';
  caseId: string | null;
  /** For an applied delivery: the notice's kind and the seconds from the report's receipt. */
  delivered?: { readonly kind: NoticeKind; readonly secondsSinceReceipt: number };
}> {
  const ref = await deps.cases.findOutbound(e.sesMessageId);
  if (!ref) return { status: 'unknownMessage', caseId: null };
  const before = await loadCase(deps.cases, ref.caseId);
  const after = await deps.cases.updateCase(ref.caseId, (c) =>
    applyDeliveryEvent(c, e.sesMessageId, e.outcome, e.at, e.diagnostic),
  );
  if (after === before || after.version === before.version)
    return { status: 'unchanged', caseId: ref.caseId };
  const notice = after.notices.find((n) => n.messageId === e.sesMessageId);
  const eventId = `${after.id}:delivery:${e.sesMessageId}:${e.outcome}`;
  if ((e.outcome === 'bounced' || e.outcome === 'complained') && notice) {
    const alertId = `${eventId}:alerted`;
    if (!(await deps.cases.hasEvent(after.id, alertId))) {
      const message = deliveryProblemNotice(after, notice, e.outcome, e.diagnostic);
      // A bounced acknowledgment is a courtesy lost, often to a forged From: the team hears of
      // it, nobody is woken. A bounced preliminary report is an obligation reopened: it pages.
      const topics = DELIVERY_ALERT_ROUTES[notice.kind];
      for (const topic of topics) await deps.notifier.publish(topic, message);
      await deps.cases.appendEvents([
        event(
          after,
          deps.now().toISOString(),
          'system:delivery-events',
          'deliveryAlert',
          alertId,
          `${topics.join(' and ')} alerted: ${notice.id} ${e.outcome}`,
        ),
      ]);
    }
  }
  await deps.cases.appendEvents([
    event(
      after,
      e.at,
      'system:ses',
      `notice${e.outcome[0]!.toUpperCase()}${e.outcome.slice(1)}`,
      eventId,
      `${notice?.kind ?? 'notice'} to ${notice?.recipient ?? 'unknown'} ${e.outcome}${e.diagnostic ? `: ${e.diagnostic}` : ''}`,
    ),
  ]);
  const delivered =
    e.outcome === 'delivered' && notice
      ? {
          kind: notice.kind,
          secondsSinceReceipt: Math.max(
            0,
            (Date.parse(e.at) - Date.parse(after.receivedAt)) / 1000,
          ),
        }
      : undefined;
  return { status: 'applied', caseId: after.id, ...(delivered ? { delivered } : {}) };
}
