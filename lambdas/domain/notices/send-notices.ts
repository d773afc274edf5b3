/**
 * The deadline clock's first two steps and the team's own actions on notices: acknowledge the
 * reporter, tell the team, record a preliminary report, apply SES delivery events.
 * Each is safe to retry: state is checked before acting and recorded after.
 */

import {
  type AuditActor,
  acknowledgmentNotSent,
  deliveryAlertEventId,
  deliveryAlerted,
  deliveryRecorded,
  noticeSent,
  teamNotified,
  teamNotifiedEventId,
} from '../audit/events.ts';
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
import type { AlertTopic, CprCase, NoticeKind, NoticeStatus } from '../case/types.ts';
import {
  acknowledgmentMail,
  deliveryProblemNotice,
  type Locations,
  teamNotice,
} from '../escalation/messages.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import { CaseNotFoundError, type CaseStore } from '../ports/case-store.ts';
import { type Mailer, MailRefusedError, type OutboundMail } from '../ports/mailer.ts';
import type { MessageIdIndex } from '../ports/message-id-index.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { OutboundRegistry } from '../ports/outbound-registry.ts';
import type { RateLimiter } from '../ports/rate-limits.ts';
import {
  acknowledgmentClaimKey,
  preliminaryReportClaimKey,
  type SendClaims,
  SendInDoubtError,
} from '../ports/send-claims.ts';
import {
  type AcknowledgmentLimits,
  admitMail,
  admitPersonMail,
  type PersonMailLimits,
} from './acknowledgment-limits.ts';
import { outboundAddress } from './outbound.ts';

export interface NoticeDeps {
  readonly cases: CaseStore;
  readonly audit: AuditLog;
  /** Where an outbound message's id leads back to its notice (for delivery events). */
  readonly outbound: OutboundRegistry;
  /** Where SES's Message-ID of a notice leads back to the case (for replies to it). */
  readonly messageIds: MessageIdIndex;
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

async function loadCase(cases: CaseStore, caseId: string): Promise<CprCase> {
  const c = await cases.get(caseId);
  if (!c) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  return c;
}

/**
 * Makes a reply to a mail we sent find its case by In-Reply-To or References, whatever its
 * subject: SES's Message-ID header is the SES message id at one of SES's domains.
 */
export async function registerReplyTarget(
  messageIds: MessageIdIndex,
  sesMessageId: string,
  caseId: string,
  region: string | null,
): Promise<void> {
  const domains = region
    ? [...SES_MESSAGE_ID_DOMAINS, `${region}.amazonses.com`]
    : SES_MESSAGE_ID_DOMAINS;
  for (const domain of domains) {
    await messageIds.register(`${sesMessageId}@${domain}`, { caseId, from: null });
  }
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
    await deps.outbound.register(sent.messageId, { caseId: c.id, noticeId });
    await registerReplyTarget(deps.messageIds, sent.messageId, c.id, region);
  }
  const updated = await deps.cases.update(c.id, (current) =>
    markNoticeSent(current, noticeId, sent),
  );
  const notice = updated.notices.find((n) => n.id === noticeId);
  await deps.audit.append([
    noticeSent({
      caseId: updated.id,
      noticeId,
      acknowledgment: noticeId === ACK_NOTICE_ID,
      kind: notice?.kind ?? null,
      recipient: notice?.recipient ?? null,
      ...sent,
    }),
  ]);
  return updated;
}

// biome-ignore format: a long list of names, packed to read as one block
export const ACKNOWLEDGE_STATUSES = [
  'sent', 'alreadySent', 'suppressed', 'noRecipient', 'caseClosed', 'failed', 'undeliverable',
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

const ACK_ACTOR = 'system:acknowledge' as const;

/** Records on the acknowledgment notice (and in the audit trail) why it did not go out. */
async function recordNotSent(
  deps: NoticeDeps,
  c: CprCase,
  status: NotSentStatus,
  detail: string,
): Promise<void> {
  const at = deps.now().toISOString();
  await deps.cases.update(c.id, (current) => {
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
  await deps.audit.append([
    acknowledgmentNotSent({ caseId: c.id, status, recipient: c.reporter, at, detail }),
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
  const admission = await admitMail(
    deps.rateLimiter,
    to,
    c.id,
    deps.now(),
    settings.acknowledgmentLimits,
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
    messageId = await sendUnderClaim(deps, claimKey, {
      from: settings.senderAddress,
      to: to.address,
      replyTo: settings.replyTo,
      subject: mail.subject,
      text: mail.text,
      inReplyTo: c.messages[0]?.messageIdHeader ?? null,
      autoSubmitted: 'auto-replied',
    });
  } catch (error) {
    if (error instanceof MailRefusedError) {
      const reason = `refused by SES: ${error.code}: ${error.message}`;
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

/**
 * Sends `mail` under the claim `key` (taken by the caller); settles it `refused` when SES said no
 * (the MailRefusedError is passed on). Any other error leaves the claim as it is: SES may have
 * sent the mail, so it is never sent again. The caller settles it `sent` (outside its own error
 * handling: a failing settle is storage failing, not SES).
 */
async function sendUnderClaim(
  deps: { readonly mailer: Mailer; readonly claims: SendClaims },
  key: string,
  mail: OutboundMail,
): Promise<string> {
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(mail));
  } catch (error) {
    if (error instanceof MailRefusedError) {
      await deps.claims.settle(key, { state: 'refused', error: `${error.code}: ${error.message}` });
    }
    throw error;
  }
  return messageId;
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
  if (await deps.audit.has(c.id, teamNotifiedEventId(c.id))) return { status: 'alreadySent' };
  const { messageId } = await deps.notifier.publish('team', teamNotice(c, where));
  await deps.audit.append([
    teamNotified({ caseId: c.id, at: deps.now().toISOString(), snsMessageId: messageId }),
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
  const c = await deps.cases.get(caseId);
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

export interface PreliminaryReportDeps extends NoticeDeps, PersonMailLimits {
  readonly mailer: Mailer;
  readonly claims: SendClaims;
  readonly region: string | null;
}

/**
 * Sends a preliminary report written by a person through SES, threaded and tracked, at most once
 * per attempt: the send is claimed before SES is called (`preliminaryReportClaimKey`), so a rerun
 * after a crash or of the same command never mails twice; it says the report was sent. The mail
 * counts against the per-recipient limits shared with the acknowledgments.
 * @throws NoticeTransitionError, MailRateLimitedError, SendInDoubtError, MailRefusedError
 */
export async function sendPreliminaryReport(
  caseId: string,
  noticeId: string,
  report: { readonly text: string; readonly actor: AuditActor },
  deps: PreliminaryReportDeps,
  settings: SenderSettings,
): Promise<{ readonly messageId: string; readonly alreadySent: boolean }> {
  const c = await deps.cases.get(caseId);
  if (!c) throw new NoticeTransitionError('caseNotFound', `case ${caseId} does not exist`);
  const notice = c.notices.find((n) => n.id === noticeId && n.kind !== 'acknowledgment');
  if (!notice)
    throw new NoticeTransitionError(
      'noSuchNotice',
      `case ${caseId} has no obligation "${noticeId}"`,
    );
  if (notice.channel === 'ses' && notice.messageId && SENT_STATUSES.has(notice.status)) {
    return { messageId: notice.messageId, alreadySent: true };
  }
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
  const otherwise = `send the report another way and record it with cpr notice ${c.id} --to ${noticeId} --sent --note TEXT`;
  const attempt = notice.history.filter((h) => h.status === 'sent').length;
  const claimKey = preliminaryReportClaimKey(c.id, noticeId, attempt);
  await admitPersonMail(deps, to, claimKey, deps.now(), otherwise);
  const claimedAt = deps.now().toISOString();
  const claim = await deps.claims.claim(claimKey, claimedAt);
  if (!claim.taken) {
    const earlier = claim.existing;
    if (earlier.state === 'sent' && earlier.messageId) {
      // SES took it on an earlier run that stopped before its records: finish them, no new mail.
      await recordSentReport(deps, c, noticeId, report.actor, earlier.messageId);
      return { messageId: earlier.messageId, alreadySent: true };
    }
    // A refusal sent nothing, so it may be tried again; an unanswered claim may have gone out.
    if (earlier.state !== 'refused' || !(await deps.claims.retake(claimKey, claimedAt))) {
      throw new SendInDoubtError(
        `an earlier cpr send of this report claimed the send at ${earlier.claimedAt} and stopped before SES answered: it may have gone out, so it is not sent again; ask the recipient, and if it did not arrive, ${otherwise}`,
      );
    }
  }
  const messageId = await sendUnderClaim(deps, claimKey, {
    from: settings.senderAddress,
    to: to.address,
    replyTo: settings.replyTo,
    subject: `[${c.id}] Preliminary report on your certificate problem report`,
    text: report.text,
    inReplyTo: notice.kind === 'reporterReport' ? (c.messages[0]?.messageIdHeader ?? null) : null,
    autoSubmitted: 'no',
  });
  await deps.claims.settle(claimKey, { state: 'sent', messageId });
  await recordSentReport(deps, c, noticeId, report.actor, messageId);
  return { messageId, alreadySent: false };
}

/** A notice SES took: sent, or since then delivered. */
const SENT_STATUSES: ReadonlySet<NoticeStatus> = new Set(['sent', 'delivered']);

function recordSentReport(
  deps: PreliminaryReportDeps,
  c: CprCase,
  noticeId: string,
  actor: AuditActor,
  messageId: string,
): Promise<CprCase> {
  const sent = { at: deps.now().toISOString(), actor, channel: 'ses', messageId, note: null };
  return recordSent(deps, c, noticeId, sent, deps.region);
}

/** Who hears of a bounce or complaint, by the kind of notice that bounced. */
export const DELIVERY_ALERT_ROUTES: Readonly<Record<NoticeKind, readonly AlertTopic[]>> = {
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
  const ref = await deps.outbound.find(e.sesMessageId);
  if (!ref) return { status: 'unknownMessage', caseId: null };
  const before = await loadCase(deps.cases, ref.caseId);
  const after = await deps.cases.update(ref.caseId, (c) =>
    applyDeliveryEvent(c, e.sesMessageId, e.outcome, e.at, e.diagnostic),
  );
  if (after === before || after.version === before.version)
    return { status: 'unchanged', caseId: ref.caseId };
  const notice = after.notices.find((n) => n.messageId === e.sesMessageId);
  if ((e.outcome === 'bounced' || e.outcome === 'complained') && notice) {
    const alertId = deliveryAlertEventId(after.id, e.sesMessageId, e.outcome);
    if (!(await deps.audit.has(after.id, alertId))) {
      const message = deliveryProblemNotice(after, notice, e.outcome, e.diagnostic);
      // A bounced acknowledgment is a courtesy lost, often to a forged From: the team hears of
      // it, nobody is woken. A bounced preliminary report is an obligation reopened: it pages.
      const topics = DELIVERY_ALERT_ROUTES[notice.kind];
      for (const topic of topics) await deps.notifier.publish(topic, message);
      await deps.audit.append([
        deliveryAlerted({
          caseId: after.id,
          sesMessageId: e.sesMessageId,
          outcome: e.outcome,
          noticeId: notice.id,
          topics,
          at: deps.now().toISOString(),
        }),
      ]);
    }
  }
  await deps.audit.append([
    deliveryRecorded({
      caseId: after.id,
      sesMessageId: e.sesMessageId,
      outcome: e.outcome,
      at: e.at,
      kind: notice?.kind ?? null,
      recipient: notice?.recipient ?? null,
      diagnostic: e.diagnostic,
    }),
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
