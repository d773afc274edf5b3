import { describe, expect, test } from 'vitest';
import {
  buildNewCase,
  joinCase,
  nextDeadline,
  strongerClassification,
} from '../../../lambdas/domain/case/build.ts';
import {
  CASE_ITEM_SAMPLE,
  linkKeysToCertificates,
} from '../../../lambdas/domain/case/evidence-set.ts';
import { openObligations } from '../../../lambdas/domain/case/notices.ts';
import type { CaseMessage, CprCase } from '../../../lambdas/domain/case/types.ts';
import type { CertificateEvidence, Evidence } from '../../../lambdas/domain/evidence/types.ts';
import { EMPTY_EVIDENCE } from '../../../lambdas/domain/evidence/types.ts';
import { resolveAffected } from '../../../lambdas/domain/inventory/resolve.ts';
import { BR_2_2 } from '../../../lambdas/domain/policy/deadline-policy.ts';
import { PASSING_VERDICTS } from '../../support/case-factory.ts';

const h = (c: string) => c.repeat(64);
const received = new Date('2026-11-27T09:00:00.000Z');

function cert(sha: string, spki: string, serial = '01'): CertificateEvidence {
  return {
    sha256: sha,
    serial,
    issuer: 'CN=Test CA',
    subject: 'CN=leaf',
    sans: ['DNS:leaf.example'],
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    spkiSha256: spki,
    keyCompromised: false,
    source: 'body',
  };
}

function message(id: string, role: CaseMessage['role'] = 'report'): CaseMessage {
  return {
    sesMessageId: id,
    receivedAt: received.toISOString(),
    from: 'r@x.example',
    subject: 's',
    messageIdHeader: null,
    role,
    rawKey: id,
    evidenceKey: `e/${id}`,
  };
}

function newCase(
  evidence: Evidence,
  subscribers = [] as { name: string; email: string }[],
): CprCase {
  return buildNewCase({
    id: 'CPR-20261127-AAAAAA',
    receivedAt: received,
    reporter: 'r@x.example',
    subject: 'key compromise',
    classification: 'keyCompromise',
    classificationSignals: ['evidence:privateKey'],
    revocationRequested: false,
    acknowledgment: { decision: 'send', reason: null },
    verdicts: PASSING_VERDICTS,
    full: { evidence, affected: evidence.certificates.map((c) => c.sha256), subscribers },
    message: message('m1'),
    parseError: null,
    policy: BR_2_2,
  });
}

describe('new case', () => {
  test('owes a reporter report and, with no Subscriber known, a "subscriber unknown" notice', () => {
    const c = newCase(EMPTY_EVIDENCE);
    expect(c.notices.map((n) => [n.id, n.kind, n.status])).toEqual([
      ['acknowledgment', 'acknowledgment', 'pending'],
      ['reporter', 'reporterReport', 'pending'],
      ['subscriber:unknown', 'subscriberReport', 'pending'],
    ]);
    expect(openObligations(c.notices).map((n) => n.id)).toEqual(['reporter', 'subscriber:unknown']);
    expect(c.deadlines.revocation).toBe('2026-11-28T09:00:00.000Z');
  });

  test('each Subscriber is a separate obligation with its own due time', () => {
    const c = newCase(EMPTY_EVIDENCE, [
      { name: 'A', email: 'a@a.example' },
      { name: 'B', email: 'b@b.example' },
    ]);
    const subs = c.notices.filter((n) => n.kind === 'subscriberReport');
    expect(subs.map((n) => n.recipient)).toEqual(['a@a.example', 'b@b.example']);
    expect(subs.every((n) => n.dueAt === '2026-11-28T09:00:00.000Z')).toBe(true);
  });

  test('a mass report keeps a bounded sample in the item and exact counts', () => {
    const certs = Array.from({ length: 2000 }, (_, i) =>
      cert(i.toString(16).padStart(64, '0'), h('f'), i.toString(16)),
    );
    const c = newCase({ ...EMPTY_EVIDENCE, certificates: certs });
    expect(c.evidence.certificates).toHaveLength(CASE_ITEM_SAMPLE.certificates);
    expect(c.evidenceCounts.certificates).toBe(2000);
    expect(c.affected).toHaveLength(CASE_ITEM_SAMPLE.affected);
    expect(c.evidenceCounts.affected).toBe(2000);
    expect(c.evidenceTruncated).toBe(true);
    expect(JSON.stringify(c).length).toBeLessThan(300_000);
  });

  test('thousands of Subscribers share one bulk notice past the sample size', () => {
    const subs = Array.from({ length: 450 }, (_, i) => ({
      name: `S${i}`,
      email: `s${i}@x.example`,
    }));
    const c = newCase(EMPTY_EVIDENCE, subs);
    const subNotices = c.notices.filter((n) => n.kind === 'subscriberReport');
    expect(subNotices).toHaveLength(CASE_ITEM_SAMPLE.subscriberNotices + 1);
    expect(subNotices.at(-1)?.id).toBe('subscriber:bulk');
    expect(subNotices.at(-1)?.note).toMatch(/250 more/);
  });
});

describe('joining a case', () => {
  test('the same message again changes nothing (idempotent)', () => {
    const c = newCase(EMPTY_EVIDENCE);
    const full = { evidence: EMPTY_EVIDENCE, affected: [], subscribers: [] };
    expect(
      joinCase(c, {
        message: message('m1'),
        prior: full,
        full,
        messageSubscribers: [],
        mergedEvidenceKey: null,
        classification: 'keyCompromise',
        classificationSignals: ['evidence:privateKey'],
        revocationRequested: false,
        senderUnknown: false,
        policy: BR_2_2,
      }),
    ).toBeNull();
  });

  test('a reply adds its message, merges evidence and replaces "subscriber unknown"', () => {
    const c = {
      ...newCase(EMPTY_EVIDENCE),
      classification: 'other' as const,
      deadlines: { ...newCase(EMPTY_EVIDENCE).deadlines, revocation: null },
    };
    const evidence = { ...EMPTY_EVIDENCE, certificates: [cert(h('1'), h('2'))] };
    const joined = joinCase(c, {
      message: message('m2', 'reply'),
      prior: { evidence: EMPTY_EVIDENCE, affected: [], subscribers: [] },
      full: { evidence, affected: [h('1')], subscribers: [{ name: 'A', email: 'a@a.example' }] },
      messageSubscribers: [{ name: 'A', email: 'a@a.example' }],
      mergedEvidenceKey: null,
      classification: 'misissuance',
      classificationSignals: ['lint:dnsNameUnderscore'],
      revocationRequested: true,
      senderUnknown: false,
      policy: BR_2_2,
    });
    expect(joined?.messages.map((m) => m.sesMessageId)).toEqual(['m1', 'm2']);
    expect(joined?.classification).toBe('misissuance');
    // The message that changed the classification brings the signals that explain it.
    expect(joined?.classificationSignals).toEqual(['lint:dnsNameUnderscore']);
    expect(joined?.revocationRequested).toBe(true);
    // Counted from the first receipt, not from the reply.
    // Before triage, a case naming a certificate assumes the strictest deadline (24 h), not the
    // 5 days misissuance would allow: a misread report can only make the clock earlier.
    expect(joined?.deadlines.revocation).toBe('2026-11-28T09:00:00.000Z');
    expect(joined?.notices.map((n) => n.id)).toEqual([
      'acknowledgment',
      'reporter',
      'subscriber:a@a.example',
    ]);
    expect(joined?.evidenceCounts.certificates).toBe(1);
  });

  test('a weaker classification never downgrades the case', () => {
    expect(strongerClassification('keyCompromise', 'notACpr')).toBe('keyCompromise');
    expect(strongerClassification('unparsed', 'other')).toBe('other');
  });
});

describe('next deadline', () => {
  test('is the earliest open obligation, and none once the case is closed', () => {
    const c = newCase(EMPTY_EVIDENCE);
    expect(nextDeadline(c)).toBe('2026-11-28T09:00:00.000Z');
    expect(nextDeadline({ ...c, status: 'closed' })).toBeNull();
  });
});

describe('key and inventory matching', () => {
  test('a key marks the certificate with its SPKI in the same report', () => {
    const evidence: Evidence = {
      ...EMPTY_EVIDENCE,
      certificates: [cert(h('1'), h('a')), cert(h('2'), h('b'))],
      keys: [
        {
          spkiSha256: h('a'),
          format: 'pkcs8',
          algorithm: 'rsa',
          matches: [],
          source: 'body',
          proof: true,
          proofFailure: null,
        },
      ],
    };
    const linked = linkKeysToCertificates(evidence);
    expect(linked.certificates.map((c) => c.keyCompromised)).toEqual([true, false]);
    expect(linked.keys[0]?.matches).toEqual([h('1')]);
  });

  test('an invalid CSR proves nothing', () => {
    const evidence: Evidence = {
      ...EMPTY_EVIDENCE,
      certificates: [cert(h('1'), h('a'))],
      csrs: [
        {
          spkiSha256: h('a'),
          subject: 'CN=x',
          signatureValid: false,
          attestation: true,
          matches: [],
          source: 'body',
        },
      ],
    };
    expect(linkKeysToCertificates(evidence).certificates[0]?.keyCompromised).toBe(false);
  });

  test('a key matches every inventory certificate with its SPKI, and serials resolve Subscribers', () => {
    const evidence: Evidence = {
      ...EMPTY_EVIDENCE,
      keys: [
        {
          spkiSha256: h('a'),
          format: 'pkcs1',
          algorithm: 'rsa',
          matches: [],
          source: 'body',
          proof: true,
          proofFailure: null,
        },
      ],
      serials: ['beef'],
    };
    const resolution = resolveAffected(evidence, [
      { sha256: h('1'), serial: '01', spkiSha256: h('a'), subscriber: 'A', email: 'a@a.example' },
      { sha256: h('2'), serial: '02', spkiSha256: h('a'), subscriber: 'A', email: 'a@a.example' },
      { sha256: h('3'), serial: 'beef', spkiSha256: h('c'), subscriber: 'C', email: 'c@c.example' },
      { sha256: h('4'), serial: '04', spkiSha256: h('d'), subscriber: 'D', email: 'd@d.example' },
    ]);
    expect([...resolution.affected].sort()).toEqual([h('1'), h('2'), h('3')]);
    expect(resolution.subscribers.map((s) => s.email)).toEqual(['a@a.example', 'c@c.example']);
    expect([...resolution.keyCompromised].sort()).toEqual([h('1'), h('2')]);
  });
});
