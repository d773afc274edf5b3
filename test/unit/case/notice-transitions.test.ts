import { describe, expect, test } from 'vitest';
import { personActor } from '../../../lambdas/domain/audit/events.ts';
import { markClosed } from '../../../lambdas/domain/case/close-case.ts';
import {
  applyDeliveryEvent,
  markNoticeSent,
  NoticeTransitionError,
} from '../../../lambdas/domain/case/notice-transitions.ts';
import { openObligations } from '../../../lambdas/domain/case/notices.ts';
import { sampleCase } from '../../support/case-factory.ts';

const sent = {
  at: '2026-11-27T11:00:00.000Z',
  actor: personActor('alice'),
  channel: 'ses',
  messageId: 'm-1',
  note: null,
};

/** The case with the reporter's notice sent as `sent` says. */
const sentCase = () => markNoticeSent(sampleCase(), 'reporter', sent)!;

/** The sent case after one delivery event; it must apply. */
function deliveredAfterSend(
  ...event: Parameters<typeof applyDeliveryEvent> extends [unknown, ...infer R] ? R : never
) {
  const c = applyDeliveryEvent(sentCase(), ...event);
  if (!c) throw new Error('the delivery event did not apply');
  return c;
}

describe('recording a preliminary report', () => {
  test('closes that obligation only, with actor, time, channel and history', () => {
    const c = markNoticeSent(sampleCase(), 'reporter', sent)!;
    const n = c.notices.find((x) => x.id === 'reporter')!;
    expect(n).toMatchObject({
      status: 'sent',
      sentAt: sent.at,
      actor: personActor('alice'),
      channel: 'ses',
      messageId: 'm-1',
    });
    expect(n.history).toEqual([
      { at: sent.at, status: 'sent', actor: personActor('alice'), detail: 'ses; m-1' },
    ]);
    expect(openObligations(c.notices).map((x) => x.id)).toEqual([
      'subscriber:rsa-admin@subscriber.example',
    ]);
  });

  test('is idempotent for the same message id', () => {
    const c = markNoticeSent(sampleCase(), 'reporter', sent)!;
    expect(markNoticeSent(c, 'reporter', sent)).toBeNull();
  });

  test('is refused on a closed case, for an unknown notice, or twice with another message', () => {
    const closed = markClosed(
      sampleCase(),
      '2026-11-27T10:00:00.000Z',
      'duplicate of another case',
    )!;
    expect(() => markNoticeSent(closed, 'reporter', sent)).toThrow(NoticeTransitionError);
    expect(() => markNoticeSent(sampleCase(), 'subscriber:nobody@x.example', sent)).toThrow(
      /has no notice/,
    );
    const once = markNoticeSent(sampleCase(), 'reporter', sent)!;
    try {
      markNoticeSent(once, 'reporter', { ...sent, messageId: 'm-2' });
      expect.unreachable();
    } catch (e) {
      expect((e as NoticeTransitionError).refusal).toBe('invalidTransition');
    }
  });
});

describe('delivery events', () => {
  test('delivery marks the notice delivered; the obligation stays met', () => {
    const c = applyDeliveryEvent(sentCase(), 'm-1', 'delivered', '2026-11-27T11:01:00.000Z', null)!;
    expect(c.notices.find((n) => n.id === 'reporter')?.status).toBe('delivered');
    expect(openObligations(c.notices).map((n) => n.id)).not.toContain('reporter');
  });

  test('a bounce reopens the obligation, keeps the diagnostic, and a later resend is allowed', () => {
    const c = deliveredAfterSend(
      'm-1',
      'bounced',
      '2026-11-27T11:02:00.000Z',
      '550 5.1.1 no such user',
    );
    const n = c.notices.find((x) => x.id === 'reporter')!;
    expect(n.status).toBe('bounced');
    expect(n.history.at(-1)).toMatchObject({
      status: 'bounced',
      actor: 'system:ses',
      detail: '550 5.1.1 no such user',
    });
    expect(openObligations(c.notices).map((x) => x.id)).toContain('reporter');
    expect(
      markNoticeSent(c, 'reporter', { ...sent, messageId: 'm-2' })?.notices.find(
        (x) => x.id === 'reporter',
      )?.status,
    ).toBe('sent');
  });

  test('a delivery after a bounce does not hide it; unknown messages change nothing', () => {
    const bounced = deliveredAfterSend('m-1', 'bounced', '2026-11-27T11:02:00.000Z', null);
    expect(
      applyDeliveryEvent(bounced, 'm-1', 'delivered', '2026-11-27T11:03:00.000Z', null),
    ).toBeNull();
    expect(
      applyDeliveryEvent(sentCase(), 'other', 'bounced', '2026-11-27T11:03:00.000Z', null),
    ).toBeNull();
  });
});
