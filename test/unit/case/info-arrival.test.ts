/**
 * needsInfo and the clock: whether the reporter's missing information restarts the BR 4.9.5
 * clock is the policy's `needsInfoRestartsClock`, tested with both settings.
 */
import { describe, expect, test } from 'vitest';
import { joinCase } from '../../../lambdas/domain/case/build.ts';
import type { CaseMessage, CprCase } from '../../../lambdas/domain/case/types.ts';
import { EMPTY_EVIDENCE } from '../../../lambdas/domain/evidence/types.ts';
import {
  BR_2_2,
  BR_2_2_NEEDS_INFO_RESTART,
  type DeadlinePolicy,
} from '../../../lambdas/domain/policy/deadline-policy.ts';
import { RECEIVED, sampleCase } from '../../support/case-factory.ts';

const at = (hours: number) => new Date(RECEIVED.getTime() + hours * 3_600_000).toISOString();
const REPORTER = 'rita@researcher.example';

/** A case triaged needsInfo at 2 h, its 12 h warning already escalated. */
function needsInfoCase(policy: DeadlinePolicy): CprCase {
  const c = sampleCase({ policy });
  return {
    ...c,
    triage: {
      reason: 'needsInfo',
      reasonCode: null,
      by: 'alice',
      at: at(2),
      note: 'no certificate named',
      previous: 'classification:keyCompromise',
    },
    escalations: [
      {
        level: 'warning',
        checkpointAt: at(12),
        at: at(12),
        openObligations: [{ noticeId: 'reporter', dueAt: at(24) }],
        status: 'sent',
        sentAt: at(12),
      },
    ],
  };
}

function reply(hours: number, from = REPORTER, id = `reply-${hours}`): CaseMessage {
  return {
    sesMessageId: id,
    receivedAt: at(hours),
    from,
    subject: 'Re: more information needed',
    messageIdHeader: `${id}@researcher.example`,
    role: 'reply',
    rawKey: `inbound/${id}`,
    evidenceKey: `evidence/${id}.json`,
  };
}

function join(c: CprCase, message: CaseMessage, policy: DeadlinePolicy): CprCase {
  const full = { evidence: EMPTY_EVIDENCE, affected: c.affected, subscribers: c.subscribers };
  const next = joinCase(c, {
    message,
    prior: full,
    full,
    messageSubscribers: [],
    mergedEvidenceKey: null,
    classification: c.classification,
    classificationSignals: [],
    revocationRequested: false,
    senderUnknown: message.from !== REPORTER,
    policy,
  });
  return next ?? c;
}

const reportNotices = (c: CprCase) =>
  c.notices.filter((n) => n.kind !== 'acknowledgment').map((n) => [n.id, n.dueAt]);
const reportCheckpoints = (c: CprCase) =>
  c.deadlines.checkpoints.filter((cp) => cp.kind !== 'revocation').map((cp) => [cp.level, cp.at]);

describe('needsInfo under BR 2.2 (needsInfoRestartsClock: false)', () => {
  test("the reporter's reply changes no deadline: the 4.9.5 clock runs from receipt", () => {
    expect(BR_2_2.needsInfoRestartsClock).toBe(false);
    const before = needsInfoCase(BR_2_2);
    const after = join(before, reply(10), BR_2_2);
    expect(after.messages.map((m) => m.sesMessageId)).toContain('reply-10');
    expect(after.deadlines).toEqual(before.deadlines);
    expect(reportNotices(after)).toEqual(reportNotices(before));
    expect(after.infoArrivedAt).toBeUndefined();
  });
});

describe('needsInfo under the draft ballot (needsInfoRestartsClock: true)', () => {
  const policy = BR_2_2_NEEDS_INFO_RESTART;

  test("the reporter's reply restarts the preliminary reports' deadlines and checkpoints from its arrival", () => {
    const before = needsInfoCase(policy);
    const after = join(before, reply(10), policy);
    expect(after.infoArrivedAt).toBe(at(10));
    expect(after.deadlines.reporterReport).toBe(at(34));
    expect(after.deadlines.subscriberReport).toBe(at(34));
    // Every report still owed is due 24 h after the arrival, and says why in its history.
    for (const [, dueAt] of reportNotices(after)) expect(dueAt).toBe(at(34));
    const reporter = after.notices.find((n) => n.kind === 'reporterReport')!;
    expect(reporter.history.at(-1)?.detail).toContain('BR 4.9.5 clock restarted');
    // The escalated 12 h warning stays listed; the rest is counted again from 10 h.
    expect(reportCheckpoints(after)).toEqual([
      ['warning', at(12)],
      ['warning', at(22)],
      ['page', at(30)],
      ['breach', at(34)],
      ...[38, 42, 46, 50, 54, 58].map((h) => ['repage', at(h)]),
    ]);
    // The revocation deadline (BR 4.9.1.1) is not a 4.9.5 clock: it and its checkpoints stay.
    expect(after.deadlines.revocation).toBe(before.deadlines.revocation);
    const revocationSide = (c: CprCase) =>
      c.deadlines.checkpoints
        .filter((cp) => cp.kind === 'revocation' || cp.kind === 'all')
        .map((cp) => [cp.level, cp.at]);
    expect(revocationSide(after)).toEqual(revocationSide(before));
  });

  test('once per needsInfo triage: a second reply does not push the deadline again', () => {
    const once = join(needsInfoCase(policy), reply(10), policy);
    const twice = join(once, reply(20), policy);
    expect(twice.deadlines).toEqual(once.deadlines);
    expect(twice.infoArrivedAt).toBe(at(10));
  });

  test('a reply from anyone but the reporter moves nothing (a stranger cannot delay the clock)', () => {
    const before = needsInfoCase(policy);
    const after = join(before, reply(10, 'mallory@elsewhere.example'), policy);
    expect(after.deadlines).toEqual(before.deadlines);
    expect(after.infoArrivedAt).toBeUndefined();
  });

  test('without a needsInfo triage, or for a report sent before it, nothing restarts', () => {
    const untriaged = { ...needsInfoCase(policy), triage: null };
    expect(join(untriaged, reply(10), policy).deadlines).toEqual(untriaged.deadlines);
    const early = needsInfoCase(policy);
    expect(join(early, reply(1), policy).deadlines).toEqual(early.deadlines);
  });
});
