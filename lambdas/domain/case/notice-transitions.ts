/**
 * Guarded changes of a notice's status. Each returns the changed case, `null` when the change is
 * already recorded (so retries are harmless), or throws a NoticeTransitionError naming why the
 * change is refused. Storage applies them under optimistic locking.
 */
import type { AuditActor } from '../audit/events.ts';
import type { CprCase, Notice, NoticeChange, NoticeStatus } from './types.ts';

export const NOTICE_REFUSALS = [
  'caseNotFound',
  'caseClosed',
  'noSuchNotice',
  'invalidTransition',
] as const;
export type NoticeRefusal = (typeof NOTICE_REFUSALS)[number];

export class NoticeTransitionError extends Error {
  override readonly name = 'NoticeTransitionError';
  constructor(
    readonly refusal: NoticeRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** From which statuses a notice may be (re)sent: a bounced report must be sent again. */
const SENDABLE: ReadonlySet<NoticeStatus> = new Set(['pending', 'bounced', 'complained']);

export interface SentRecord {
  readonly at: string;
  readonly actor: AuditActor;
  /** `ses`, `email (outside the system)`, `phone`, ... */
  readonly channel: string;
  readonly messageId: string | null;
  readonly note: string | null;
}

function replaceNotice(c: CprCase, id: string, change: (n: Notice) => Notice): CprCase {
  return { ...c, notices: c.notices.map((n) => (n.id === id ? change(n) : n)) };
}

function findNotice(c: CprCase, id: string): Notice {
  const notice = c.notices.find((n) => n.id === id);
  if (!notice) {
    throw new NoticeTransitionError(
      'noSuchNotice',
      `case ${c.id} has no notice "${id}" (it has: ${c.notices.map((n) => n.id).join(', ')})`,
    );
  }
  return notice;
}

function withChange(n: Notice, change: NoticeChange, fields: Partial<Notice>): Notice {
  return { ...n, ...fields, status: change.status, history: [...n.history, change] };
}

/**
 * Records that a notice went out: only on an open case, only for a notice that exists and is
 * still owed (pending, or bounced and being sent again).
 */
export function markNoticeSent(c: CprCase, noticeId: string, sent: SentRecord): CprCase | null {
  if (c.status !== 'open') {
    throw new NoticeTransitionError('caseClosed', `case ${c.id} is ${c.status}`);
  }
  const notice = findNotice(c, noticeId);
  if (notice.status === 'sent' && sent.messageId !== null && notice.messageId === sent.messageId) {
    return null;
  }
  if (!SENDABLE.has(notice.status)) {
    throw new NoticeTransitionError(
      'invalidTransition',
      `notice "${noticeId}" of case ${c.id} is ${notice.status}; only pending or bounced notices can be sent`,
    );
  }
  const detail = [sent.channel, sent.messageId, sent.note].filter(Boolean).join('; ');
  return replaceNotice(c, noticeId, (n) =>
    withChange(
      n,
      { at: sent.at, status: 'sent', actor: sent.actor, detail },
      {
        sentAt: sent.at,
        actor: sent.actor,
        channel: sent.channel,
        messageId: sent.messageId,
        note: sent.note ?? n.note,
      },
    ),
  );
}

/** How an automatic notice ended without going out. */
export type NotSentStatus = 'failed' | 'undeliverable' | 'suppressed';

/**
 * Records that a pending notice did not go out (SES refused it, the address cannot be sent to,
 * a rate limit held it back), with the reason. Null when it is no longer pending (a retry that
 * finds it recorded, or a notice that went out after all).
 */
export function markNoticeNotSent(
  c: CprCase,
  noticeId: string,
  change: {
    readonly status: NotSentStatus;
    readonly at: string;
    readonly actor: AuditActor;
    readonly detail: string;
  },
): CprCase | null {
  const notice = findNotice(c, noticeId);
  if (notice.status !== 'pending') return null;
  return replaceNotice(c, noticeId, (n) =>
    withChange(
      n,
      { at: change.at, status: change.status, actor: change.actor, detail: change.detail },
      { note: `${change.status}: ${change.detail}` },
    ),
  );
}

export type DeliveryOutcome = 'delivered' | 'bounced' | 'complained' | 'delayed';

/**
 * Applies an SES delivery event to the notice that carried `messageId`. A bounce or complaint
 * reopens the obligation (the report did not reach anyone). A DELIVERY after a bounce of the same
 * message does not hide the bounce. Returns null when nothing changes.
 */
export function applyDeliveryEvent(
  c: CprCase,
  messageId: string,
  outcome: DeliveryOutcome,
  at: string,
  detail: string | null,
): CprCase | null {
  const notice = c.notices.find((n) => n.messageId === messageId);
  if (!notice) return null;
  const target: NoticeStatus | null =
    outcome === 'delivered'
      ? notice.status === 'sent'
        ? 'delivered'
        : null
      : outcome === 'bounced'
        ? notice.status === 'bounced'
          ? null
          : 'bounced'
        : outcome === 'complained'
          ? notice.status === 'complained'
            ? null
            : 'complained'
          : null;
  if (target === null) return null;
  return replaceNotice(c, notice.id, (n) =>
    withChange(n, { at, status: target, actor: 'system:ses', detail }, {}),
  );
}
