/**
 * Obligations of a case as notices. BR 4.9.5 owes a preliminary report to the reporter and one
 * to each affected Subscriber, each with its own clock (VikingCloud, bug 1888667: the reporter
 * was answered, the Subscriber forgotten for three days).
 */
import { CASE_ITEM_SAMPLE } from './evidence-set.ts';
import type {
  AcknowledgmentDecision,
  Deadlines,
  Notice,
  NoticeStatus,
  Subscriber,
} from './types.ts';

export const ACK_NOTICE_ID = 'acknowledgment';
export const REPORTER_NOTICE_ID = 'reporter';
export const UNKNOWN_SUBSCRIBER_NOTICE_ID = 'subscriber:unknown';
export const BULK_SUBSCRIBER_NOTICE_ID = 'subscriber:bulk';

/** Statuses that leave a preliminary-report obligation open (not sent, or sent and bounced). */
export const OPEN_NOTICE_STATUSES: ReadonlySet<NoticeStatus> = new Set([
  'pending',
  'bounced',
  'complained',
]);

export function subscriberNoticeId(email: string): string {
  return `subscriber:${email.toLowerCase()}`;
}

function notice(
  fields: Pick<Notice, 'id' | 'kind' | 'recipient' | 'status' | 'dueAt'> & Partial<Notice>,
): Notice {
  return {
    subscriber: null,
    sentAt: null,
    messageId: null,
    actor: null,
    channel: null,
    note: null,
    history: [],
    ...fields,
  };
}

/** The acknowledgment: a courtesy with no deadline, never the preliminary report. */
export function acknowledgmentNotice(
  reporter: string | null,
  decision: AcknowledgmentDecision,
): Notice {
  return notice({
    id: ACK_NOTICE_ID,
    kind: 'acknowledgment',
    recipient: reporter,
    status: decision.decision === 'send' ? 'pending' : 'suppressed',
    dueAt: null,
    note: decision.decision === 'suppress' ? `suppressed: ${decision.reason}` : null,
  });
}

export function reporterNotice(reporter: string | null, deadlines: Deadlines): Notice {
  return notice({
    id: REPORTER_NOTICE_ID,
    kind: 'reporterReport',
    recipient: reporter,
    status: 'pending',
    dueAt: deadlines.reporterReport,
    note: reporter === null ? 'reporter address unknown: find it in the raw message' : null,
  });
}

/**
 * One notice per Subscriber; none known is itself an open obligation ("subscriber unknown").
 * Past the item's sample size, the remaining Subscribers share one bulk notice so the item stays
 * bounded while the obligation stays visible.
 */
export function subscriberNotices(
  subscribers: readonly Subscriber[],
  deadlines: Deadlines,
): Notice[] {
  if (subscribers.length === 0) {
    return [
      notice({
        id: UNKNOWN_SUBSCRIBER_NOTICE_ID,
        kind: 'subscriberReport',
        recipient: null,
        status: 'pending',
        dueAt: deadlines.subscriberReport,
        note: 'no affected certificate found in the inventory: identify the Subscriber',
      }),
    ];
  }
  const max = CASE_ITEM_SAMPLE.subscriberNotices;
  const listed = subscribers.slice(0, max).map((s) =>
    notice({
      id: subscriberNoticeId(s.email),
      kind: 'subscriberReport',
      recipient: s.email,
      subscriber: s.name,
      status: 'pending',
      dueAt: deadlines.subscriberReport,
    }),
  );
  if (subscribers.length > max) {
    listed.push(
      notice({
        id: BULK_SUBSCRIBER_NOTICE_ID,
        kind: 'subscriberReport',
        recipient: null,
        status: 'pending',
        dueAt: deadlines.subscriberReport,
        note: `${subscribers.length - max} more Subscribers: see the case evidence file`,
      }),
    );
  }
  return listed;
}

/**
 * Adds notices for Subscribers found by a follow-up message. Once any Subscriber is known, a
 * still-pending "subscriber unknown" notice is replaced by the concrete ones.
 */
export function withSubscribers(
  notices: readonly Notice[],
  subscribers: readonly Subscriber[],
  deadlines: Deadlines,
): Notice[] {
  if (subscribers.length === 0) return [...notices];
  const have = new Set(notices.map((n) => n.id));
  const fresh = subscriberNotices(subscribers, deadlines).filter((n) => !have.has(n.id));
  const kept = notices.filter(
    (n) => !(n.id === UNKNOWN_SUBSCRIBER_NOTICE_ID && n.status === 'pending'),
  );
  return [...kept, ...fresh];
}

/** Notices whose obligation is still open: preliminary reports not sent, or sent and bounced. */
export function openObligations(notices: readonly Notice[]): Notice[] {
  return notices.filter((n) => n.kind !== 'acknowledgment' && OPEN_NOTICE_STATUSES.has(n.status));
}
