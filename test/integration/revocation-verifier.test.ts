/**
 * The scheduled verifier's deployed entry point (`revocation-verifier/handler.ts`), loaded as
 * Lambda loads it, against the local stand-ins and a real test CA (`openssl ocsp`, CRLs from
 * `openssl ca -gencrl` over HTTP). Also one round's bounds and its at-least-once alert.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { casesTable } from '../../lambdas/adapters/dynamo/cases-table.ts';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo/revocations.ts';
import { RelyingPartyChecker } from '../../lambdas/adapters/revocation/checker.ts';
import { PoliteHttp } from '../../lambdas/adapters/revocation/http.ts';
import { revocationIssuers } from '../../lambdas/adapters/revocation/issuers.ts';
import type { Notifier } from '../../lambdas/domain/ports/notifier.ts';
import { recordRevocations, triageCase } from '../../lambdas/domain/revocation/use-cases.ts';
import { verifyRound } from '../../lambdas/domain/revocation/verify-round.ts';
import { type ClockEnv, clockEnv, TOPICS } from '../support/clock-env.ts';
import { inventoryRecord, putInventory, reportCertificate } from '../support/revocation-case.ts';
import { type IssuedCertificate, startTestCa, type TestCa } from '../support/test-ca.ts';

const context = {
  functionName: 'cpr-revocation-verifier',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:cpr-revocation-verifier',
  memoryLimitInMB: '1024',
  awsRequestId: 'req-verify',
  getRemainingTimeInMillis: () => 240_000,
} as unknown as Context;

let env: ClockEnv;
let ca: TestCa;
beforeAll(async () => {
  env = await clockEnv();
  ca = await startTestCa();
  const issuersFile = join(ca.dir, 'issuers.json');
  writeFileSync(issuersFile, ca.issuersJson());
  Object.assign(process.env, {
    CASES_TABLE: env.config.casesTable,
    AUDIT_TABLE: env.config.auditTable,
    TEAM_TOPIC_ARN: TOPICS.team,
    PAGER_TOPIC_ARN: TOPICS.pager,
    CPR_ISSUERS: issuersFile,
    POWERTOOLS_METRICS_NAMESPACE: 'CprIntakeTest',
  });
}, 120_000);
afterAll(async () => {
  await ca?.stop();
  await env?.stop();
});

const store = () => new DynamoRevocationStore(documentClient(), env.config.casesTable);
const deps = () => env.clockDeps.revocation!;

/** A key-compromise case with these certificates on one key, triaged; the CA revokes `revoke`. */
async function caseWith(
  certs: IssuedCertificate[],
  revoke: IssuedCertificate[],
  recordFor: IssuedCertificate[],
): Promise<string> {
  env.now = new Date(Date.now() - 3_600_000);
  await putInventory(
    env,
    certs.map((c) => inventoryRecord(c)),
  );
  const input = await reportCertificate(env, ca, certs[0]!, {
    withKey: true,
    received: env.now,
  });
  env.now = new Date();
  await triageCase(
    input.caseId,
    { reason: 'keyCompromise', note: 'key checked', actor: 'alice' },
    deps(),
  );
  for (const c of revoke) await ca.revoke(c, 'keyCompromise');
  ca.publishCrl();
  await recordRevocations(
    input.caseId,
    {
      selector: { kind: 'cert', values: recordFor.map((c) => c.sha256) },
      reasonCode: 'keyCompromise',
      note: 'revoked in the CA',
      at: env.now,
      actor: 'bob',
    },
    deps(),
  );
  return input.caseId;
}

/** Closed cases are not the verifier's: each test closes its case so the next starts alone. */
async function close(caseId: string): Promise<void> {
  await env.deps.cases.update(caseId, (c) => ({
    ...c,
    status: 'closed',
    closedAt: new Date().toISOString(),
    closeReason: 'test done',
  }));
}

const alertsOf = (caseId: string) =>
  env.snsFor(caseId).filter((m) => m.attributes.type === 'revocation.notVisible');

describe('scheduled verifier handler', () => {
  test('verifies what a relying party sees revoked, alerts team and pager at once about the rest, once', async () => {
    const seen = await ca.issue('verifier-seen.example.test');
    const sibling = await ca.issue('verifier-sibling.example.test', { keyOf: seen });
    // The CA revoked only the reported certificate; the sibling on the same key is recorded too.
    const caseId = await caseWith([seen, sibling], [seen], [seen, sibling]);
    const { handler } = await import('../../lambdas/revocation-verifier/handler.ts');

    const first = await handler({}, context);
    expect(first).toMatchObject({ checked: 2, verified: 1, alerted: 1, deferred: 0, failed: [] });
    const byCert = new Map((await store().list(caseId)).map((r) => [r.certificate, r]));
    expect(byCert.get(seen.sha256)).toMatchObject({ status: 'verified' });
    expect(byCert.get(seen.sha256)!.checks.map((c) => [c.source, c.result, c.reasonCode])).toEqual([
      ['ocsp', 'revoked', 1],
      ['crl', 'revoked', 1],
    ]);
    expect(byCert.get(sibling.sha256)).toMatchObject({
      status: 'recorded',
      problems: ['ocspGood', 'notOnCrl'],
    });
    const alerts = alertsOf(caseId);
    expect(alerts.map((m) => m.topicArn).sort()).toEqual([TOPICS.pager, TOPICS.team].sort());
    expect(alerts[0]!.message).toContain(sibling.sha256);
    expect(alerts[0]!.message).not.toContain(seen.sha256);
    const events = await env.deps.audit.list(caseId);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['revocationVerified', 'revocationNotVisible']),
    );

    // A second round (a retry, a duplicate invocation): the verified one is left alone, the
    // other is looked at again and recorded, and nobody is alerted twice for one recording.
    const second = await handler({}, context);
    expect(second).toMatchObject({ checked: 1, verified: 0, alerted: 0 });
    expect(alertsOf(caseId)).toHaveLength(2);
    const after = await store().list(caseId);
    expect(after.find((r) => r.certificate === seen.sha256)!.checks).toHaveLength(2);
    expect(after.find((r) => r.certificate === sibling.sha256)!.checks).toHaveLength(4);
    await close(caseId);
  }, 60_000);
});

describe('one verifier round', () => {
  const checker = () =>
    new RelyingPartyChecker({
      issuers: revocationIssuers(ca.issuersJson()),
      http: new PoliteHttp({ timeoutMs: 3_000 }),
    });
  const roundDeps = (notifier: Notifier) => ({
    ...deps(),
    openCases: casesTable(documentClient(), env.config.casesTable).cases,
    checker: checker(),
    notifier,
    now: () => new Date(),
  });

  test('does bounded work, the longest-unseen first, and leaves the rest for the next round', async () => {
    const a = await ca.issue('bounded-a.example.test');
    const b = await ca.issue('bounded-b.example.test', { keyOf: a });
    const caseId = await caseWith([a, b], [a, b], [a, b]);
    const rd = roundDeps(env.clockDeps.notifier);
    const only = async () => {
      const r = await verifyRound(rd, { maxCertificates: 1 });
      const mine = (await store().list(caseId)).filter((x) => x.status === 'verified');
      return { r, verified: mine.map((x) => x.certificate) };
    };
    const one = await only();
    expect(one.r.checked).toBe(1);
    expect(one.r.deferred).toBeGreaterThanOrEqual(1);
    expect(one.verified).toHaveLength(1);
    const two = await only();
    expect(two.verified.sort()).toEqual([a.sha256, b.sha256].sort());
    await close(caseId);
  }, 60_000);

  test('a round that dies between the alert and its record alerts again next round', async () => {
    const cert = await ca.issue('alert-crash.example.test');
    const caseId = await caseWith([cert], [], [cert]);
    let pagerDown = true;
    const flaky: Notifier = {
      publish: (topic, message) => {
        if (topic === 'pager' && pagerDown) return Promise.reject(new Error('pager unreachable'));
        return env.clockDeps.notifier.publish(topic, message);
      },
    };
    const failed = await verifyRound(roundDeps(flaky));
    expect(failed.failed.map((f) => f.caseId)).toContain(caseId);
    pagerDown = false;
    const retried = await verifyRound(roundDeps(flaky));
    expect(retried.failed).toEqual([]);
    const topics = alertsOf(caseId).map((m) => m.topicArn);
    // Team twice (the first round's and the retry's), and the pager once it answers.
    expect(topics.filter((t) => t === TOPICS.pager)).toHaveLength(1);
    expect(topics.filter((t) => t === TOPICS.team)).toHaveLength(2);
    expect((await store().list(caseId))[0]!.alertedAt).not.toBeNull();
  }, 60_000);
});
