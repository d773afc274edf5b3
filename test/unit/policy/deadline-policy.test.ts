import { describe, expect, test } from 'vitest';
import {
  BR_2_2,
  computeDeadlines,
  deadlinePolicy,
  statedRevocationReasons,
  UnknownDeadlinePolicyError,
} from '../../../lambdas/domain/policy/deadline-policy.ts';

const received = new Date('2024-04-09T22:31:07.000Z');

describe('deadline policy br-2.2', () => {
  test('reporter and subscriber reports are due 24 h after receipt (BR 4.9.5)', () => {
    const d = computeDeadlines(BR_2_2, received, 'other');
    expect(d.reporterReport).toBe('2024-04-10T22:31:07.000Z');
    expect(d.subscriberReport).toBe('2024-04-10T22:31:07.000Z');
    expect(d.policyVersion).toBe('br-2.2');
  });

  test('checkpoints at 12 h warning, 20 h page, 24 h breach, then 6 re-pages 4 h apart', () => {
    const d = computeDeadlines(BR_2_2, received, 'other');
    expect(d.checkpoints.slice(0, 4)).toEqual([
      { level: 'warning', at: '2024-04-10T10:31:07.000Z' },
      { level: 'page', at: '2024-04-10T18:31:07.000Z' },
      { level: 'breach', at: '2024-04-10T22:31:07.000Z' },
      { level: 'repage', at: '2024-04-11T02:31:07.000Z' },
    ]);
    expect(d.checkpoints).toHaveLength(9);
    expect(d.checkpoints.at(-1)).toEqual({ level: 'repage', at: '2024-04-11T22:31:07.000Z' });
  });

  test('revocation: 24 h for key compromise, 5 days for misissuance, unset otherwise (BR 4.9.1.1)', () => {
    expect(computeDeadlines(BR_2_2, received, 'keyCompromise').revocation).toBe(
      '2024-04-10T22:31:07.000Z',
    );
    expect(computeDeadlines(BR_2_2, received, 'misissuance').revocation).toBe(
      '2024-04-14T22:31:07.000Z',
    );
    for (const c of ['other', 'notACpr', 'unparsed'] as const) {
      expect(computeDeadlines(BR_2_2, received, c).revocation).toBeNull();
    }
  });

  test('a Subscriber’s written request and an unauthorised request are 24-hour reasons (BR 4.9.1.1 (1), (2))', () => {
    const day = '2024-04-10T22:31:07.000Z';
    expect(
      computeDeadlines(BR_2_2, received, 'other', false, ['subscriberRequest']).revocation,
    ).toBe(day);
    expect(
      computeDeadlines(BR_2_2, received, 'misissuance', false, ['unauthorisedRequest']).revocation,
    ).toBe(day);
    // A stated reason never lengthens a deadline.
    expect(
      computeDeadlines(BR_2_2, received, 'keyCompromise', true, ['subscriberRequest']).revocation,
    ).toBe(day);
  });

  test('which reasons a report states, from what the classifier recorded', () => {
    const unauthorised = ['text:unauthorisedIssuance:de'];
    expect(
      statedRevocationReasons({
        classification: 'misissuance',
        signals: unauthorised,
        revocationRequested: true,
      }),
    ).toEqual(['subscriberRequest', 'unauthorisedRequest']);
    // List mail that names nothing of ours is at most `other`: its words decide no deadline.
    expect(
      statedRevocationReasons({
        classification: 'other',
        signals: [...unauthorised, 'mail:bulkNotOurs'],
        revocationRequested: false,
      }),
    ).toEqual([]);
  });

  test('the clock does not pause over a weekend or a DST change', () => {
    const saturday = new Date('2026-03-28T23:30:00.000Z');
    expect(computeDeadlines(BR_2_2, saturday, 'keyCompromise').revocation).toBe(
      '2026-03-29T23:30:00.000Z',
    );
  });

  test('an unknown policy version is refused by name', () => {
    expect(deadlinePolicy('br-2.2')).toBe(BR_2_2);
    expect(() => deadlinePolicy('br-9')).toThrow(UnknownDeadlinePolicyError);
    expect(() => deadlinePolicy('br-9')).toThrow(/br-9.*known: br-2.2/);
  });
});
