/** A realistic case built through the domain's own constructor, for unit tests of later steps. */
import { buildNewCase } from '../../lambdas/domain/case/build.ts';
import type { CprCase, Subscriber, Verdicts } from '../../lambdas/domain/case/types.ts';
import { EMPTY_EVIDENCE } from '../../lambdas/domain/evidence/types.ts';
import { BR_2_2, type DeadlinePolicy } from '../../lambdas/domain/policy/deadline-policy.ts';

export const RECEIVED = new Date('2026-11-27T09:00:00.000Z');

/** SES verdicts of a clean message: every check passed. */
export const PASSING_VERDICTS: Verdicts = Object.freeze({
  spam: 'PASS',
  virus: 'PASS',
  spf: 'PASS',
  dkim: 'PASS',
  dmarc: 'PASS',
  dmarcPolicy: null,
});

export function sampleCase(
  overrides: {
    subscribers?: Subscriber[];
    reporter?: string | null;
    id?: string;
    policy?: DeadlinePolicy;
  } = {},
): CprCase {
  const reporter =
    overrides.reporter === undefined ? 'rita@researcher.example' : overrides.reporter;
  return buildNewCase({
    id: overrides.id ?? 'CPR-20261127-TEST01',
    receivedAt: RECEIVED,
    reporter,
    subject: 'Key compromise for rsa.example.test',
    classification: 'keyCompromise',
    classificationSignals: ['evidence:privateKey'],
    revocationRequested: false,
    acknowledgment: { decision: 'send', reason: null },
    verdicts: PASSING_VERDICTS,
    full: {
      evidence: EMPTY_EVIDENCE,
      affected: ['a'.repeat(64)],
      subscribers: overrides.subscribers ?? [
        { name: 'Example RSA Ltd', email: 'rsa-admin@subscriber.example' },
      ],
    },
    message: {
      sesMessageId: 'ses-1',
      receivedAt: RECEIVED.toISOString(),
      from: reporter,
      subject: 'Key compromise',
      messageIdHeader: 'kc-1@researcher.example',
      role: 'report',
      rawKey: 'inbound/ses-1',
      evidenceKey: 'evidence/x/ses-1.json',
    },
    parseError: null,
    policy: overrides.policy ?? BR_2_2,
  });
}
