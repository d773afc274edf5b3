/**
 * From report to verified revocation, on the state machine CDK synthesizes, against a real test
 * CA: `openssl ocsp` answers, `openssl ca -gencrl` CRLs are served over HTTP, revocations are
 * `openssl ca -revoke -crl_reason ...`. Time is sped up by the scripted clock; people's actions
 * (triage, revoke) happen at their hours, and the verifier looks from outside when it would.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo/revocations.ts';
import { RelyingPartyChecker } from '../../lambdas/adapters/revocation/checker.ts';
import { PoliteHttp } from '../../lambdas/adapters/revocation/http.ts';
import { revocationIssuers } from '../../lambdas/adapters/revocation/issuers.ts';
import { CLOCK_STATES } from '../../lambdas/clock/contract.ts';
import { personActor } from '../../lambdas/domain/audit/events.ts';
import type { InventoryRecord } from '../../lambdas/domain/inventory/types.ts';
import { recordPreliminaryReport } from '../../lambdas/domain/notices/send-notices.ts';
import type { DeadlineClockInput } from '../../lambdas/domain/ports/deadline-clock.ts';
import type { CrlReasonName, TriageReason } from '../../lambdas/domain/revocation/reasons.ts';
import {
  recordRevocations,
  triageCase,
  verifyCase,
} from '../../lambdas/domain/revocation/use-cases.ts';
import { synthesizedClockDefinition } from '../../local/clock-definition.ts';
import { runClock } from '../../local/state-machine.ts';
import { type ClockEnv, clockEnv } from '../support/clock-env.ts';
import { inventoryRecord, putInventory, reportCertificate } from '../support/revocation-case.ts';
import { type ScriptStep, scriptedClock } from '../support/scripted-clock.ts';
import { type IssuedCertificate, startTestCa, type TestCa } from '../support/test-ca.ts';

const RECEIVED = '2026-11-27T09:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(RECEIVED) + hours * 3_600_000).toISOString();

let env: ClockEnv;
let ca: TestCa;
beforeAll(async () => {
  env = await clockEnv();
  ca = await startTestCa();
  synthesizedClockDefinition();
}, 180_000);
afterAll(async () => {
  await ca?.stop();
  await env?.stop();
});

const revocationDeps = () => env.clockDeps.revocation!;
const store = () => new DynamoRevocationStore(documentClient(), env.config.casesTable);

function checker() {
  return new RelyingPartyChecker({
    issuers: revocationIssuers(ca.issuersJson()),
    http: new PoliteHttp({ timeoutMs: 2_000 }),
  });
}

const record = inventoryRecord;
const inventory = (records: InventoryRecord[]) => putInventory(env, records);
const report = (cert: IssuedCertificate, withKey: boolean) =>
  reportCertificate(env, ca, cert, { withKey, received: new Date(RECEIVED) });

type Tasks = Parameters<typeof runClock>[2]['tasks'];
/** Pages about a failing clock task: every scenario expects none. */
const clockFailures: string[] = [];
function tasks(): Tasks {
  const ours: Record<string, (p: unknown) => Promise<unknown>> = {
    [CLOCK_STATES.acknowledge]: env.tasks.acknowledge,
    [CLOCK_STATES.notifyTeam]: env.tasks.notifyTeam,
    [CLOCK_STATES.plan]: env.tasks.checkpoint,
    [CLOCK_STATES.evaluate]: env.tasks.checkpoint,
  };
  // The failure reports publish to the pager (an SNS integration the runner does not emulate).
  const states = (synthesizedClockDefinition() as { States: Record<string, { Type: string }> })
    .States;
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task' && !ours[name]) {
      ours[name] = async (payload) => {
        clockFailures.push(`${name}: ${JSON.stringify(payload)}`);
        return { MessageId: 'failure-report' };
      };
    }
  }
  return ours as Tasks;
}

/** The preliminary reports are sent in time in every scenario: only revocation is watched. */
const reportsSent = (caseId: string, hours: number): ScriptStep => ({
  at: at(hours),
  run: async () => {
    const c = await env.deps.cases.get(caseId);
    for (const n of c!.notices.filter((x) => x.kind !== 'acknowledgment')) {
      await recordPreliminaryReport(
        caseId,
        n.id,
        {
          at: at(hours),
          actor: personActor('alice'),
          channel: 'email',
          messageId: null,
          note: 'sent',
        },
        env.clockDeps,
      );
    }
  },
});

const triaged = (caseId: string, hours: number, reason: TriageReason): ScriptStep => ({
  at: at(hours),
  run: async () => {
    await triageCase(
      caseId,
      { reason, note: 'evidence checked', actor: 'alice' },
      revocationDeps(),
    );
  },
});

/** The CA revokes in its own system, then someone records it, then the verifier looks. */
type Revocation = {
  revokeInCa: IssuedCertificate[];
  recordFor: IssuedCertificate[];
  reason?: CrlReasonName;
  ocsp?: boolean;
  crl?: boolean;
};
const revoked = (caseId: string, hours: number, options: Revocation): ScriptStep => ({
  at: at(hours),
  run: async () => {
    const reason = options.reason ?? 'keyCompromise';
    for (const c of options.revokeInCa) await ca.revoke(c, reason, { ocsp: options.ocsp ?? true });
    if (options.crl ?? true) ca.publishCrl();
    await recordRevocations(
      caseId,
      {
        selector: { kind: 'cert', values: options.recordFor.map((c) => c.sha256) },
        reasonCode: reason,
        note: 'revoked in the CA',
        at: new Date(at(hours)),
        actor: 'bob',
      },
      revocationDeps(),
    );
  },
});

const verifyAt = (caseId: string, hours: number, rp: RelyingPartyChecker): ScriptStep => ({
  at: at(hours),
  run: async () => {
    await verifyCase(caseId, {
      ...revocationDeps(),
      checker: rp,
      notifier: env.clockDeps.notifier,
    });
  },
});

/** One certificate issued, put in the inventory and reported (with its key for key compromise). */
async function reportOne(name: string, withKey: boolean, issue?: Parameters<TestCa['issue']>[1]) {
  const cert = await ca.issue(name, issue);
  await inventory([record(cert)]);
  return { cert, input: await report(cert, withKey) };
}

/**
 * The usual story: triaged at 2 h, preliminary reports sent at 3 h and, when a revocation is
 * given, revoked at 10 h and looked at from outside at once (`aroundVerify` runs just before).
 */
function story(
  caseId: string,
  reason: TriageReason,
  revocation?: Revocation & { aroundVerify?: ScriptStep[]; after?: ScriptStep[] },
): ScriptStep[] {
  const steps = [triaged(caseId, 2, reason), reportsSent(caseId, 3)];
  if (!revocation) return steps;
  const { aroundVerify = [], after = [], ...options } = revocation;
  return [
    ...steps,
    revoked(caseId, 10, options),
    ...aroundVerify,
    verifyAt(caseId, 10, checker()),
    ...after,
  ];
}

async function runFor(input: DeadlineClockInput, script: ScriptStep[], untilHours = 200) {
  env.now = new Date(RECEIVED);
  // The script ends the story: the case is closed after the last step we care about.
  const closeAt: ScriptStep = {
    at: at(untilHours),
    run: async () => {
      await env.deps.cases.update(input.caseId, (c) =>
        c.status === 'open'
          ? { ...c, status: 'closed', closedAt: at(untilHours), closeReason: 'done' }
          : null,
      );
    },
  };
  const clock = scriptedClock(env, [...script, closeAt]);
  const run = runClock(synthesizedClockDefinition(), input as never, {
    tasks: tasks(),
    clock,
    retryIntervalMs: 0,
  });
  const outcome = await run.outcome;
  expect(clockFailures).toEqual([]);
  const sns = env.snsFor(input.caseId);
  return {
    outcome,
    sns,
    escalations: sns.filter((m) => m.attributes.type?.startsWith('escalation.')),
    alerts: sns.filter((m) => m.attributes.type === 'revocation.notVisible'),
    revocations: await store().list(input.caseId),
  };
}

type Scenario = {
  triage?: TriageReason;
  withKey?: boolean;
  issue?: Parameters<TestCa['issue']>[1];
  /** Revoke (by default the reported certificate) at 10 h and verify at once. */
  revoke?: Partial<Parameters<typeof story>[2]>;
  untilHours?: number;
};
/** One reported certificate through the usual story, the clock run to the end. */
async function scenario(name: string, s: Scenario = {}) {
  const { cert, input } = await reportOne(name, s.withKey ?? true, s.issue);
  const revocation = s.revoke && { revokeInCa: [cert], recordFor: [cert], ...s.revoke };
  const steps = story(input.caseId, s.triage ?? 'keyCompromise', revocation);
  return { cert, input, r: await runFor(input, steps, s.untilHours ?? 30) };
}

describe('revocation on the deadline clock, against openssl', () => {
  test('key compromise triaged at 2 h, revoked and verified at 10 h: no escalation', async () => {
    const { cert, r } = await scenario('kc-ok.example.test', { revoke: {} });
    expect(r.outcome.status).toBe('SUCCEEDED');
    expect(r.escalations).toHaveLength(0);
    expect(r.alerts).toHaveLength(0);
    expect(r.revocations.map((x) => [x.certificate, x.status, x.reasonCode])).toEqual([
      [cert.sha256, 'verified', 'keyCompromise'],
    ]);
    const v = r.revocations[0]!;
    expect(v.verifiedAt).toBe(at(10));
    expect(v.checks.map((c) => [c.source, c.result, c.reasonCode])).toEqual([
      ['ocsp', 'revoked', 1],
      ['crl', 'revoked', 1],
    ]);
    // The key is on the blocklist.
    const blocked = await revocationDeps().blocklist.list();
    expect(blocked.map((b) => b.spkiSha256)).toContain(cert.spkiSha256);
  });

  test('revoked but OCSP still good: an immediate alert, then the 20 h page names the certificate', async () => {
    const { cert, r } = await scenario('kc-stale.example.test', { revoke: { ocsp: false } });
    expect(r.alerts).toHaveLength(2); // team and pager, at once
    expect(r.alerts[0]!.message).toContain(cert.sha256);
    expect(r.alerts[0]!.message).toContain('OCSP still answers good');
    const sns = r.sns.map((m) => m.attributes.type);
    expect(sns.indexOf('revocation.notVisible')).toBeLessThan(sns.indexOf('escalation.page'));
    const page = r.escalations.find((m) => m.attributes.type === 'escalation.page')!;
    expect(page.message).toContain(cert.sha256);
    expect(page.message).toContain('NOT visible from outside');
    expect(r.escalations.map((m) => m.attributes.type)).toContain('escalation.breach');
    expect(r.revocations[0]!.status).toBe('recorded');
    await ca.publishOcsp();
  });

  test('never revoked: revocation warning, page and breach, each naming the certificate', async () => {
    const { cert, r } = await scenario('kc-never.example.test');
    const levels = r.escalations.map((m) => m.attributes.type);
    expect(levels.slice(0, 4)).toEqual([
      'escalation.warning',
      'escalation.page',
      'escalation.breach',
      'escalation.breach',
    ]);
    for (const m of r.escalations) expect(m.message).toContain(`certificate ${cert.sha256}`);
    expect(r.escalations[2]!.message).toContain('BR 4.9.1.1 revocation deadline has passed');
  });

  test('misissuance: warning 72 h, page 108 h, breach 120 h', async () => {
    const { input, r } = await scenario('mis.example.test', {
      triage: 'misissuance',
      withKey: false,
      untilHours: 125,
    });
    const c = await env.deps.cases.get(input.caseId);
    expect(c!.deadlines.revocation).toBe(at(120));
    expect(r.escalations.map((m) => m.attributes.type)).toEqual([
      'escalation.warning',
      'escalation.page',
      'escalation.breach',
      'escalation.breach',
    ]);
    expect(c!.escalations.map((e) => [e.level, e.checkpointAt])).toEqual([
      ['warning', at(72)],
      ['page', at(108)],
      ['breach', at(120)],
    ]);
  });

  test('a sibling on the same key revoked instead of the reported certificate: alert', async () => {
    const reported = await ca.issue('kc-reported.example.test');
    const sibling = await ca.issue('kc-sibling.example.test', { keyOf: reported });
    await inventory([record(reported), record(sibling)]);
    const input = await report(reported, true);
    const r = await runFor(
      input,
      story(input.caseId, 'keyCompromise', { revokeInCa: [sibling], recordFor: [reported] }),
      30,
    );
    // Both certificates on the key are obligations of the case.
    expect(r.revocations.map((x) => x.certificate).sort()).toEqual(
      [reported.sha256, sibling.sha256].sort(),
    );
    expect(r.alerts.length).toBeGreaterThan(0);
    expect(r.alerts[0]!.message).toContain(reported.sha256);
    expect(r.revocations.find((x) => x.certificate === reported.sha256)?.status).toBe('recorded');
  });

  test('superseded where keyCompromise was triaged: alert, not verified', async () => {
    const { r } = await scenario('kc-superseded.example.test', {
      revoke: { reason: 'superseded' },
    });
    expect(r.alerts.length).toBeGreaterThan(0);
    expect(r.alerts[0]!.message).toContain('different reason code');
    expect(r.revocations[0]!.problems).toEqual(['wrongReason']);
    expect(r.escalations.map((m) => m.attributes.type)).toContain('escalation.breach');
  });

  test('responder down: error, never verified', async () => {
    const { r } = await scenario('kc-down.example.test', {
      revoke: {
        aroundVerify: [{ at: at(10), run: () => ca.stopResponder() }],
        after: [{ at: at(11), run: () => ca.startResponder() }],
      },
    });
    const v = r.revocations[0]!;
    expect(v.status).toBe('recorded');
    expect(v.checks.find((c) => c.source === 'ocsp')?.result).toBe('error');
    expect(r.alerts.length).toBeGreaterThan(0);
  });

  test('an expired certificate: notRequired, with the evidence, and no revocation escalation', async () => {
    const { r } = await scenario('expired.example.test', {
      issue: { startDate: '20250101000000Z', endDate: '20260101000000Z' },
    });
    expect(r.revocations.map((x) => x.status)).toEqual(['notRequired']);
    expect(r.revocations[0]!.notRequiredReason).toContain('expired before the report');
    expect(r.escalations).toHaveLength(0);
  });
});
