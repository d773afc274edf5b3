import { describe, expect, test } from 'vitest';
import {
  acknowledgmentMail,
  escalationNotice,
  SNS_SUBJECT_MAX,
  teamNotice,
} from '../../../lambdas/domain/escalation/messages.ts';
import { sampleCase } from '../../support/case-factory.ts';

const where = { rawMail: (k: string) => `s3://inbound/${k}` };

describe('acknowledgment mail', () => {
  const mail = acknowledgmentMail(sampleCase(), { name: 'Example CA' });

  test('threads by case id and says when the preliminary report is due, in UTC', () => {
    expect(mail.subject).toBe('[CPR-20261127-TEST01] Certificate problem report received');
    expect(mail.text).toContain('2026-11-27 09:00 UTC');
    expect(mail.text).toContain('by 2026-11-28 09:00 UTC');
    expect(mail.text).toContain('not our findings');
  });

  test('never claims a revocation or an outcome', () => {
    expect(mail.text).not.toMatch(/\brevoked\b|we have revoked|will be revoked/i);
  });
});

describe('team notice', () => {
  test('carries what a person needs to act', () => {
    const c = { ...sampleCase(), verdicts: { ...sampleCase().verdicts, spam: 'FAIL' as const } };
    const n = teamNotice(c, where);
    expect(n.subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX);
    expect(n.subject).toContain('CPR-20261127-TEST01');
    for (const part of [
      'rita@researcher.example',
      'keyCompromise',
      'SPAM verdict',
      'Example RSA Ltd <rsa-admin@subscriber.example>',
      'revocation: 2026-11-28 09:00 UTC',
      's3://inbound/inbound/ses-1',
    ]) {
      expect(n.message).toContain(part);
    }
    expect(n.attributes).toMatchObject({ severity: 'high', type: 'newCase' });
  });

  test('says "unknown" when no Subscriber was found', () => {
    expect(teamNotice(sampleCase({ subscribers: [] }), where).message).toMatch(
      /unknown: no affected certificate/,
    );
  });

  test('strips bidi controls: a right-to-left override cannot disguise a subject or a name', () => {
    // U+202E makes "moc.elpmaxe" display as "example.com"; U+2066..2069 isolate runs.
    const c = {
      ...sampleCase(),
      subject: 'Revoke \u202emoc.elpmaxe\u202c now \u2067x\u2069',
      subscribers: [{ name: 'Ex\u200fample \u202bRSA', email: 'rsa-admin@subscriber.example' }],
    } as ReturnType<typeof sampleCase>;
    const message = teamNotice(c, where).message;
    expect(message).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u);
    expect(message).toContain('Subject:         Revoke moc.elpmaxe now x');
    expect(message).toContain('Example RSA <rsa-admin@subscriber.example>');
  });

  test('renders a hostile subject on one line', () => {
    const c = { ...sampleCase(), subject: 'hi\r\nBcc: victim@example.com' };
    expect(teamNotice(c, where).message).toContain('Subject:         hi Bcc: victim@example.com');
  });
});

describe('escalation notice', () => {
  test('names each open obligation and its deadline', () => {
    const c = sampleCase();
    const n = escalationNotice(c, {
      level: 'page',
      checkpointAt: '2026-11-28T05:00:00.000Z',
      at: '2026-11-28T05:00:00.000Z',
      openObligations: [
        { noticeId: 'subscriber:rsa-admin@subscriber.example', dueAt: '2026-11-28T09:00:00.000Z' },
      ],
      status: 'pending',
      sentAt: null,
    });
    expect(n.subject).toContain('PAGE');
    expect(n.message).toContain(
      'subscriber rsa-admin@subscriber.example: pending, due 2026-11-28 09:00 UTC',
    );
    expect(n.message).not.toContain('reporter rita');
  });
});
