import { describe, expect, test } from 'vitest';
import {
  type AuditEvent,
  type AuditEventType,
  auditActorOf,
  personActor,
} from '../../../lambdas/domain/audit/events.ts';
import { markClosed } from '../../../lambdas/domain/case/close-case.ts';
import {
  applyDeliveryEvent,
  markNoticeSent,
} from '../../../lambdas/domain/case/notice-transitions.ts';
import {
  buildTimeline,
  minuteUtc,
  timelineMarkdown,
} from '../../../lambdas/domain/case/timeline.ts';
import type { CprCase } from '../../../lambdas/domain/case/types.ts';
import { sampleCase } from '../../support/case-factory.ts';

const ID = 'CPR-20261127-TEST01';
const ev = (
  at: string,
  type: AuditEventType,
  description: string,
  actor: string = 'system:intake',
): AuditEvent => ({
  caseId: ID,
  at,
  type,
  description,
  actor: auditActorOf(actor),
  eventId: `${ID}:${type}:${at}`,
});

/** A notice recorded as sent through SES, with no note. */
function sentBySes(
  c: CprCase,
  noticeId: string,
  at: string,
  actor: Parameters<typeof markNoticeSent>[2]['actor'],
  messageId: string,
): CprCase {
  const sent = markNoticeSent(c, noticeId, { at, actor, channel: 'ses', messageId, note: null });
  if (!sent) throw new Error(`notice ${noticeId} could not be marked sent`);
  return sent;
}

function storyCase(): { c: CprCase; events: AuditEvent[] } {
  let c = sampleCase();
  c = sentBySes(c, 'acknowledgment', '2026-11-27T09:00:41.000Z', 'system:acknowledge', 'ack-1');
  c = sentBySes(
    c,
    'subscriber:rsa-admin@subscriber.example',
    '2026-11-27T15:20:00.000Z',
    personActor('alice'),
    'sub-1',
  );
  c = applyDeliveryEvent(
    c,
    'sub-1',
    'bounced',
    '2026-11-27T15:21:30.000Z',
    '550 5.1.1 user unknown',
  )!;
  c = markNoticeSent(c, 'reporter', {
    at: '2026-11-28T10:05:00.000Z',
    actor: personActor('bob'),
    channel: 'phone',
    messageId: null,
    note: 'called\nRita',
  })!;
  c = {
    ...c,
    escalations: [
      {
        level: 'warning',
        checkpointAt: '2026-11-27T21:00:00.000Z',
        at: '2026-11-27T21:00:02.000Z',
        openObligations: [{ noticeId: 'reporter', dueAt: c.deadlines.reporterReport }],
        status: 'sent',
        sentAt: '2026-11-27T21:00:03.000Z',
      },
    ],
  };
  c = markClosed(c, '2026-11-28T12:00:00.000Z', 'revoked both certificates')!;
  const events = [
    // Out of order on purpose: the builder sorts.
    ev(
      '2026-11-27T09:00:05.000Z',
      'teamNotified',
      'team notified (SNS message 1)',
      'system:notify-team',
    ),
    ev(
      '2026-11-27T09:00:00.500Z',
      'opened',
      'case opened as keyCompromise; acknowledgment to be sent',
    ),
    ev('2026-11-27T09:00:00.000Z', 'received', 'message ses-1 received (report)'),
    ev('2026-11-27T09:00:41.000Z', 'acknowledged', 'acknowledgment sent'),
    ev('2026-11-27T21:00:03.000Z', 'escalation.warning', 'warning escalation'),
    ev('2026-11-28T12:00:00.000Z', 'closed', 'case closed: revoked both certificates', 'carol'),
  ];
  return { c, events };
}

describe('incident timeline', () => {
  test('every step once, in time order, UTC to the minute', () => {
    const { c, events } = storyCase();
    const entries = buildTimeline(c, events, new Date('2026-11-29T00:00:00.000Z'));
    expect(entries.map((e) => `${minuteUtc(e.at)} ${e.kind}`)).toEqual([
      '2026-11-27 09:00 UTC received',
      '2026-11-27 09:00 UTC opened',
      '2026-11-27 09:00 UTC teamNotified',
      '2026-11-27 09:00 UTC acknowledged',
      '2026-11-27 15:20 UTC noticeSent',
      '2026-11-27 15:21 UTC noticeBounced',
      '2026-11-27 21:00 UTC escalation',
      '2026-11-28 09:00 UTC deadline',
      '2026-11-28 09:00 UTC deadline',
      '2026-11-28 09:00 UTC deadline',
      '2026-11-28 10:05 UTC noticeSent',
      '2026-11-28 12:00 UTC closed',
    ]);
  });

  test('Markdown names who acted, bounces, missed and met deadlines and the closure', () => {
    const { c, events } = storyCase();
    const md = timelineMarkdown(c, buildTimeline(c, events, new Date('2026-11-29T00:00:00.000Z')));
    expect(md).toContain('### Timeline of CPR-20261127-TEST01 (all times UTC)');
    expect(md).toContain(
      '- 2026-11-27 09:00 UTC: CPR received from `rita@researcher.example` (SES message `ses-1`)',
    );
    expect(md).toContain(
      '- 2026-11-27 15:21 UTC: Preliminary report (BR 4.9.5) to the Subscriber Example RSA Ltd to `rsa-admin@subscriber.example` **bounced**',
    );
    expect(md).toContain('Escalation: 12-hour warning to the team; open obligations: `reporter`');
    expect(md).toContain(
      'Deadline: preliminary report to the reporter (BR 4.9.5): **missed**: sent late at 2026-11-28 10:05 UTC',
    );
    expect(md).toContain('met at 2026-11-27 15:20 UTC, last sending bounced');
    expect(md).toContain(
      'to the reporter sent to `rita@researcher.example` by `bob` (phone; called Rita)',
    );
    expect(md).toContain(
      '- 2026-11-28 12:00 UTC: Case closed by `carol`: revoked both certificates',
    );
    // One line per entry: mail-derived text cannot break the list.
    expect(md.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(12);
  });

  test('an unmet deadline is open before it passes and missed after', () => {
    const c = sampleCase();
    const before = buildTimeline(c, [], new Date('2026-11-28T08:59:00.000Z')).find((e) =>
      e.text.includes('to the reporter'),
    );
    const after = buildTimeline(c, [], new Date('2026-11-28T09:00:01.000Z')).find((e) =>
      e.text.includes('to the reporter'),
    );
    expect(before?.text).toMatch(/: open$/);
    expect(after?.text).toContain('**missed**: not sent');
  });

  test('hostile text stays on its line and inside its code span', () => {
    const c = {
      ...sampleCase(),
      messages: [{ ...sampleCase().messages[0]!, from: 'a`b\n- 2020-01-01 00:00 UTC: forged@x' }],
    };
    const md = timelineMarkdown(c, buildTimeline(c, [], new Date('2026-11-27T10:00:00.000Z')));
    expect(md).not.toContain('\n- 2020-01-01');
    expect(md).toContain("`a'b - 2020-01-01 00:00 UTC: forged@x`");
  });

  test('a hostile bounce diagnostic and Subscriber name stay text in the Markdown', () => {
    // A remote server writes the diagnostic; an inventory name can come from a CSR or a CSV.
    const hostile =
      '550 [click here](https://evil.example/x) <img src=x onerror=alert(1)> **urgent** ' +
      '`code` www.evil.example \u202egnp.exe|cell';
    let c = sampleCase();
    c = {
      ...c,
      notices: c.notices.map((n) =>
        n.kind === 'subscriberReport'
          ? { ...n, subscriber: `Evil ![x](https://t.example/p.png)` }
          : n,
      ),
    };
    c = sentBySes(
      c,
      'subscriber:rsa-admin@subscriber.example',
      '2026-11-27T15:20:00.000Z',
      personActor('alice'),
      'sub-1',
    );
    c = applyDeliveryEvent(c, 'sub-1', 'bounced', '2026-11-27T15:21:30.000Z', hostile)!;
    const md = timelineMarkdown(c, buildTimeline(c, [], new Date('2026-11-27T16:00:00.000Z')));
    const bounced = md.split('\n').find((l) => l.includes('**bounced**'));
    expect(bounced).toBeDefined();
    const diagnostic = bounced?.slice(bounced.indexOf('open again (') + 'open again ('.length);
    expect(diagnostic?.startsWith('550 ')).toBe(true);
    // No link, image, HTML, emphasis, code span, autolink, table cell or bidi override survives.
    expect(diagnostic).not.toMatch(/[^\\][[<`|*]|https:\/\/|\u202e/);
    expect(diagnostic).not.toContain('www.evil');
    expect(bounced?.match(/\*\*/g)).toHaveLength(2); // only our own **bounced**
    expect(bounced).toContain('\\[click here\\](https\\://evil.example/x)');
    expect(bounced).toContain('Evil \\!\\[x\\](https\\://t.example/p.png)');
  });
});
