import { describe, expect, test } from 'vitest';
// biome-ignore format: one line, as the other imports
import { AUDIT_EVENT_TYPES, auditActorOf, caseClosed, escalationSent, InvalidActorError, messageReceived, noticeSent, personActor } from '../../../lambdas/domain/audit/events.ts';

describe('audit actors', () => {
  test('a person is anyone but the system', () => {
    expect(personActor(' alice ')).toBe('alice');
    expect(personActor('arn:aws:iam::123456789012:user/bob')).toBe(
      'arn:aws:iam::123456789012:user/bob',
    );
  });

  test.each(['', '   ', 'system:intake', 'system:anything', 'a\nb', 'x'.repeat(513)])(
    '%j is not a person',
    (name) => {
      expect(() => personActor(name)).toThrow(InvalidActorError);
    },
  );

  test('stored actors read back as system actors or persons', () => {
    expect(auditActorOf('system:clock')).toBe('system:clock');
    expect(auditActorOf('carol')).toBe('carol');
    expect(() => auditActorOf('system:forged')).toThrow(InvalidActorError);
  });
});

describe('event factories own the ids', () => {
  test('the same step builds the same id, so a retried write is a no-op', () => {
    const at = '2026-11-27T09:00:00.000Z';
    const input = {
      caseId: 'CPR-20261127-TEST01',
      sesMessageId: 'ses-1',
      at,
      role: 'report',
    } as const;
    expect(messageReceived(input)).toEqual(messageReceived(input));
    expect(messageReceived(input).eventId).toBe('ses-1:received');
  });

  test('a notice sent twice with two SES ids is two events; the acknowledgment has its own type', () => {
    const base = {
      caseId: 'C',
      noticeId: 'reporter',
      acknowledgment: false,
      kind: 'reporterReport',
      recipient: 'r@x.example',
      at: '2026-11-27T10:00:00.000Z',
      actor: personActor('alice'),
      channel: 'ses',
      note: null,
    } as const;
    const a = noticeSent({ ...base, messageId: 'm-1' });
    const b = noticeSent({ ...base, messageId: 'm-2' });
    expect(a.eventId).not.toBe(b.eventId);
    expect(a.type).toBe('noticeSent');
    expect(noticeSent({ ...base, acknowledgment: true, messageId: 'm-3' }).type).toBe(
      'acknowledged',
    );
  });

  test('every factory makes a type of the closed set', () => {
    const events = [
      escalationSent({
        caseId: 'C',
        level: 'repage',
        checkpointAt: 't',
        at: 't',
        routes: ['pager'],
        openObligations: [],
      }),
      caseClosed({
        caseId: 'C',
        at: 't',
        actor: personActor('bob'),
        reason: 'done',
        stillOpen: [],
      }),
    ];
    for (const e of events) expect(AUDIT_EVENT_TYPES).toContain(e.type);
    expect(events[0]!.eventId).toBe('C:escalation:repage:t');
    expect(events[1]!.eventId).toBe('C:closed');
  });
});
