/**
 * The canary against the stand-ins: its mail goes through the real SES v2 client to the SES
 * stand-in, the heartbeat and open cases come from dynalite through the real DynamoDB client,
 * the team alert goes through the real SNS client to the local sink. SES v1 receipt rules and
 * SNS ListSubscriptionsByTopic have no stand-in: in-memory fakes of those two ports.
 *
 * The middle of the loop is the real intake: the canary's mail, as SES stored it, goes through
 * `handleSesEvent` and must become a heartbeat, never a case.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { documentClient, sesClient, snsClient } from '../../lambdas/adapters/aws-clients.ts';
import { casesTable } from '../../lambdas/adapters/dynamo/cases-table.ts';
import { CANARY_HEADER_NAME, SesCanaryMailer } from '../../lambdas/adapters/ses/canary-mailer.ts';
import { SnsTeamAlerts } from '../../lambdas/adapters/sns/team-alerts.ts';
import { assessCanary } from '../../lambdas/domain/canary/assess.ts';
import {
  type CanaryDeps,
  type CanaryRunResult,
  type CanaryRunSettings,
  canaryMail,
  failIfIncomplete,
  runCanary,
} from '../../lambdas/domain/canary/run.ts';
import { verifyCanaryToken } from '../../lambdas/domain/canary/token.ts';
import { openObligations } from '../../lambdas/domain/case/notices.ts';
import type { AlertTopic } from '../../lambdas/domain/case/types.ts';
import type { IntakeResult } from '../../lambdas/domain/intake/process-message.ts';
import type { CanaryMail, SubscriptionCounts } from '../../lambdas/domain/ports/canary.ts';
import type { StoredMail } from '../../local/stand-ins.ts';
import { sampleCase } from '../support/case-factory.ts';
import { type ClockEnv, clockEnv, TOPICS } from '../support/clock-env.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS, TEST_CANARY_SECRET } from '../support/intake-env.ts';

const RULE_SET = 'CprIntake-inbound';
const T0 = new Date('2026-11-27T09:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
/** How long SES "took" to deliver the canary to itself. */
const DELIVERY_MS = 4_000;

const SETTINGS: CanaryRunSettings = {
  from: 'notices@ca.example',
  to: CPR_ADDRESS,
  expectedRuleSet: RULE_SET,
  intervalMinutes: 15,
  region: null,
};

let env: ClockEnv;
/** What the fakes of the two ports without a stand-in answer. */
const world: {
  activeRuleSet: string | null | Error;
  subscriptions: Record<AlertTopic, SubscriptionCounts>;
} = {
  activeRuleSet: RULE_SET,
  subscriptions: {
    team: { confirmed: 1, pending: 0 },
    escalation: { confirmed: 2, pending: 0 },
    pager: { confirmed: 1, pending: 0 },
  },
};

function deps(now: Date, overrides: Partial<CanaryDeps> = {}): CanaryDeps {
  const table = casesTable(documentClient(), env.config.casesTable);
  return {
    secret: async () => TEST_CANARY_SECRET,
    mailer: new SesCanaryMailer(sesClient(), 'cpr-notices'),
    ruleSets: {
      async activeRuleSetName() {
        if (world.activeRuleSet instanceof Error) throw world.activeRuleSet;
        return world.activeRuleSet;
      },
    },
    subscriptions: { count: async (topic) => world.subscriptions[topic] },
    heartbeats: table.heartbeats,
    openCases: table.cases,
    alerts: new SnsTeamAlerts(snsClient(), TOPICS.team),
    now: () => now,
    ...overrides,
  };
}

async function storedMail(messageId: string | null): Promise<StoredMail> {
  const res = await fetch(`${inject('sesEndpoint')}/store`);
  const { emails } = (await res.json()) as { emails: StoredMail[] };
  const mail = emails.find((m) => m.messageId === messageId);
  if (!mail) throw new Error(`no mail ${messageId} in the SES stand-in`);
  return mail;
}

/** The canary's mail as SES receives it: rebuilt as MIME from what the stand-in stored. */
async function asReceived(mail: StoredMail): Promise<Buffer> {
  return compose({
    from: mail.from,
    to: mail.destination.to.join(', '),
    subject: mail.subject,
    messageId: `<${mail.messageId}@email.amazonses.com>`,
    headers: Object.fromEntries((mail.headers ?? []).map((h) => [h.name, h.value])),
    text: mail.body.text ?? '',
  });
}

/** Runs intake on a raw message as SES would have received it at `at`. */
async function intake(raw: Buffer, at: Date) {
  const { event } = await env.deliver(raw, { timestamp: at, source: SETTINGS.from });
  return env.intake(event);
}

function composeCanary(mail: CanaryMail): Promise<Buffer> {
  return compose({
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    headers: { [CANARY_HEADER_NAME]: mail.token },
    text: mail.text,
  });
}

/** A canary mail as the canary would send it at `sentAt`, not through the SES stand-in. */
const signedCanary = (sentAt: Date) =>
  composeCanary(canaryMail(SETTINGS, sentAt, TEST_CANARY_SECRET));

const teamAlerts = () => env.sns.messages.filter((m) => m.topicArn === TOPICS.team);

beforeAll(async () => {
  env = await clockEnv();
});
afterAll(async () => env?.stop());

/**
 * The first run of the loop, and its mail delivered back as the first heartbeat: made once,
 * by whichever test needs it first, so that every test also runs alone (`-t`). Later tests
 * send this mail again and copy its header.
 */
let firstRunMade: Promise<CanaryRunResult> | undefined;
const firstRun = () => (firstRunMade ??= runCanary(deps(T0), SETTINGS));
let firstHeartbeatMade:
  | Promise<{ result: IntakeResult | undefined; messageId: string; clockStartsBefore: number }>
  | undefined;
const firstHeartbeat = () =>
  (firstHeartbeatMade ??= (async () => {
    const mail = await storedMail((await firstRun()).messageId);
    const clockStartsBefore = env.sfn.startCalls.length;
    const { event, messageId } = await env.deliver(await asReceived(mail), {
      timestamp: new Date(T0.getTime() + DELIVERY_MS),
      source: mail.from,
    });
    const [result] = await env.intake(event);
    return { result, messageId, clockStartsBefore };
  })());

describe('the canary loop: canary -> SES -> intake -> heartbeat -> canary', () => {
  test('before any canary arrived, the missing heartbeat is detected and no age is published', async () => {
    const first = await firstRun();
    expect(first.assessment.problems).toEqual([{ kind: 'heartbeatStale', ageSeconds: null }]);
    expect(first.assessment.metrics.CanaryHeartbeatAgeSeconds).toBeUndefined();
    expect(first.assessment.metrics.CanarySent).toBe(1);
    // A stale heartbeat pages through its alarm; the team topic stays quiet.
    expect(first.alerted).toBeNull();
    expect(() => failIfIncomplete(first)).not.toThrow();
  });

  test('sends a signed synthetic report through SES to the first CPR address', async () => {
    const mail = await storedMail((await firstRun()).messageId);
    expect(mail.from).toBe(SETTINGS.from);
    expect(mail.destination.to).toEqual([CPR_ADDRESS]);
    expect(mail.subject).toBe(`CPR intake canary ${T0.toISOString()}`);
    expect(mail.body.text).toContain('This is an automated test message, not a Certificate');
    const header = (name: string) => mail.headers?.find((h) => h.name === name)?.value;
    const content = { subject: mail.subject, text: mail.body.text ?? '' };
    expect(
      verifyCanaryToken(header(CANARY_HEADER_NAME), TEST_CANARY_SECRET, T0, content),
    ).toMatchObject({ valid: true, sentAt: T0.toISOString() });
    // Even an unrecognised canary would never be acknowledged (RFC 3834).
    expect(header('Auto-Submitted')).toBe('auto-generated');
  });

  test('intake takes the mail as a heartbeat: no case, no clock, no acknowledgment', async () => {
    const { result, messageId, clockStartsBefore } = await firstHeartbeat();
    expect(result).toMatchObject({ outcome: 'canary', caseId: null });
    expect(result?.acknowledgment).toEqual({ decision: 'suppress', reason: 'canary' });
    expect(env.sfn.startCalls.length).toBe(clockStartsBefore);
    expect(await env.deps.heartbeats.latest()).toEqual({
      receivedAt: new Date(T0.getTime() + DELIVERY_MS).toISOString(),
      sentAt: T0.toISOString(),
      sesMessageId: messageId,
      latencyMs: DELIVERY_MS,
    });
  });

  test('the next run sees a fresh heartbeat: about one interval old, nothing wrong', async () => {
    await firstHeartbeat();
    const next = await runCanary(deps(minutes(15)), SETTINGS);
    expect(next.assessment.problems).toEqual([]);
    expect(next.assessment.metrics.CanaryHeartbeatAgeSeconds).toBe(15 * 60 - DELIVERY_MS / 1000);
    expect(next.alerted).toBeNull();
  });

  test('canaries that stop arriving are detected after two intervals', async () => {
    await firstHeartbeat();
    const late = await runCanary(deps(minutes(31)), SETTINGS);
    const age = 31 * 60 - DELIVERY_MS / 1000;
    expect(late.assessment.problems).toEqual([{ kind: 'heartbeatStale', ageSeconds: age }]);
    // The alarm pages on this number: more than two intervals (1,800 s).
    expect(late.assessment.metrics.CanaryHeartbeatAgeSeconds).toBe(age);
  });

  test('an older canary arriving late does not make the heartbeat look fresher', async () => {
    await firstHeartbeat();
    const before = await env.deps.heartbeats.latest();
    const earlier = new Date(T0.getTime() - 60_000);
    const [result] = await intake(await signedCanary(earlier), new Date(T0.getTime() + 1_000));
    expect(result?.outcome).toBe('canary');
    expect(await env.deps.heartbeats.latest()).toEqual(before);
  });

  test('SES delivering the same message again keeps it one canary', async () => {
    await firstHeartbeat();
    const mail = await storedMail((await firstRun()).messageId);
    const heartbeat = await env.deps.heartbeats.latest();
    const { event } = await env.deliver(await asReceived(mail), {
      messageId: heartbeat!.sesMessageId,
      timestamp: new Date(heartbeat!.receivedAt),
    });
    const [again] = await env.intake(event);
    expect(again).toMatchObject({ outcome: 'canary', caseId: null });
  });
});

describe('the checks around the path', () => {
  test('an inactive rule set and an unconfirmed pager subscription reach the team in one message', async () => {
    world.activeRuleSet = 'someone-elses-rules';
    world.subscriptions.pager = { confirmed: 0, pending: 1 };
    const before = teamAlerts().length;
    try {
      const result = await runCanary(deps(minutes(45)), SETTINGS);
      expect(result.alerted).toBe(true);
      expect(result.assessment.metrics).toMatchObject({
        ReceiptRuleSetActive: 0,
        PendingSubscriptions: 1,
        AlertTopicsWithoutSubscriber: 1,
      });
      const sent = teamAlerts().slice(before);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.subject).toBe('CPR intake self-test: 3 problems need attention');
      expect(sent[0]?.attributes).toEqual({ kind: 'canary' });
      expect(sent[0]?.message).toContain(
        `The SES receipt rule set "${RULE_SET}" is not the active`,
      );
      expect(sent[0]?.message).toContain('1 subscription of the pager topic is still pending');
      expect(sent[0]?.message).toContain('The pager topic has no confirmed subscription');
      // Nothing goes to the pager directly: its alarms read the metrics.
      expect(env.sns.messages.filter((m) => m.topicArn === TOPICS.pager)).toHaveLength(0);
    } finally {
      world.activeRuleSet = RULE_SET;
      world.subscriptions.pager = { confirmed: 1, pending: 0 };
    }
  });

  test('a check that cannot run fails the run, but every other check still runs', async () => {
    await firstHeartbeat();
    world.activeRuleSet = new Error('AccessDenied');
    try {
      const result = await runCanary(deps(minutes(46)), SETTINGS);
      expect(result.messageId).not.toBeNull();
      expect(result.assessment.metrics.ReceiptRuleSetActive).toBeUndefined();
      expect(result.assessment.metrics.CanaryHeartbeatAgeSeconds).toBeGreaterThan(0);
      expect(result.assessment.metrics.CanaryCheckFailures).toBe(1);
      expect(() => failIfIncomplete(result)).toThrow(
        /canary run incomplete: ruleSet: Error: AccessDenied/,
      );
    } finally {
      world.activeRuleSet = RULE_SET;
    }
  });

  test('a send SES refuses counts CanarySent 0 and fails the run', async () => {
    const result = await runCanary(
      deps(minutes(47), { secret: async () => 'too short to sign with' }),
      SETTINGS,
    );
    expect(result.messageId).toBeNull();
    expect(result.assessment.metrics.CanarySent).toBe(0);
    expect(() => failIfIncomplete(result)).toThrow(/send: CanarySecretError/);
  });

  test('an alert that cannot be published fails the run', async () => {
    world.activeRuleSet = null;
    try {
      const result = await runCanary(
        deps(minutes(48), {
          alerts: {
            publish: async () => {
              throw new Error('KMS.AccessDenied');
            },
          },
        }),
        SETTINGS,
      );
      expect(result.alerted).toBe(false);
      expect(() => failIfIncomplete(result)).toThrow(/team alert: Error: KMS.AccessDenied/);
    } finally {
      world.activeRuleSet = RULE_SET;
    }
  });

  test('open cases and their owed reports are counted from the openByDeadline index', async () => {
    const cases = [
      sampleCase({ id: 'CPR-20261127-OPEN01' }),
      sampleCase({ id: 'CPR-20261127-OPEN02' }),
    ];
    for (const c of cases) await env.deps.cases.create(c);
    const result = await runCanary(deps(minutes(50)), SETTINGS);
    const owed = cases.reduce((n, c) => n + openObligations(c.notices).length, 0);
    expect(owed).toBeGreaterThan(0);
    expect(result.assessment.metrics).toMatchObject({ OpenCases: 2, OpenObligations: owed });
  });

  test('the same observation judged twice gives the same verdict (pure assessment)', async () => {
    const result = await runCanary(deps(minutes(51)), SETTINGS);
    expect(result.assessment).toEqual(
      assessCanary(
        {
          sent: { ok: true, value: { messageId: result.messageId! } },
          activeRuleSet: { ok: true, value: RULE_SET },
          subscriptions: {
            team: { ok: true, value: world.subscriptions.team },
            escalation: { ok: true, value: world.subscriptions.escalation },
            pager: { ok: true, value: world.subscriptions.pager },
          },
          heartbeat: { ok: true, value: await env.deps.heartbeats.latest() },
          openCases: {
            ok: true,
            value: {
              cases: result.assessment.metrics.OpenCases!,
              obligations: result.assessment.metrics.OpenObligations!,
            },
          },
        },
        SETTINGS,
        minutes(51),
      ),
    );
  });
});

// Last: the cases made here would count in the open-case figures checked above.
describe('a canary header cannot silence a report', () => {
  /** The case a message became, with the problem it records about the canary header. */
  async function caseOf(result: IntakeResult | undefined) {
    expect(result).toMatchObject({ outcome: 'created', role: 'report' });
    const c = await env.deps.cases.get(result!.caseId!);
    return { c, note: c?.evidence.problems.find((p) => p.startsWith('X-CPR-Canary')) };
  }

  test('the canary mail sent again (a new SES message) is an ordinary case that says why', async () => {
    await firstHeartbeat();
    const mail = await storedMail((await firstRun()).messageId);
    const before = await env.deps.heartbeats.latest();
    const [result] = await intake(await asReceived(mail), minutes(20));
    const { note } = await caseOf(result);
    expect(note).toContain('(reused: its token was used by another message already');
    expect(await env.deps.heartbeats.latest()).toEqual(before);
  });

  test('its header copied onto a real report leaves the report a case', async () => {
    await firstHeartbeat();
    const mail = await storedMail((await firstRun()).messageId);
    const token = mail.headers?.find((h) => h.name === CANARY_HEADER_NAME)?.value;
    const report = await compose({
      from: 'Rita Reporter <rita@researcher.example>',
      to: CPR_ADDRESS,
      subject: mail.subject,
      headers: { [CANARY_HEADER_NAME]: token! },
      text: 'Key compromise: the private key of www.example.test was published. Please revoke.',
    });
    const [result] = await intake(report, minutes(21));
    const { c, note } = await caseOf(result);
    expect(note).toContain('(badSignature: not signed with the canary key for this subject');
    expect(c?.classification).toBe('keyCompromise');
  });

  test('a fresh canary with a part added is a case, before its nonce is used', async () => {
    const sentAt = minutes(22);
    const canary = canaryMail(SETTINGS, sentAt, TEST_CANARY_SECRET);
    const raw = await compose({
      from: canary.from,
      to: canary.to,
      subject: canary.subject,
      headers: { [CANARY_HEADER_NAME]: canary.token },
      text: canary.text,
      attachments: [{ filename: 'key.pem', content: '-----BEGIN PRIVATE KEY-----\n' }],
    });
    const [result] = await intake(raw, minutes(23));
    const { note } = await caseOf(result);
    expect(note).toContain('(extraContent:');
    // The untouched canary still counts: nothing was claimed for the altered copy.
    const [genuine] = await intake(await composeCanary(canary), minutes(24));
    expect(genuine?.outcome).toBe('canary');
  });
});
