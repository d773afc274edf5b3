/**
 * A case that grows: a mass report with many SANs, a thousand replies, two replies at once, a
 * reply to a closed case, a Message-ID left behind by a case that was never written, and 200
 * Subscribers through every re-page. Against the stand-ins through the real SDK clients.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { keys } from '../../lambdas/adapters/dynamo/keys.ts';
import { personActor } from '../../lambdas/domain/audit/events.ts';
import { closeCase } from '../../lambdas/domain/case/close-case.ts';
import { itemBytes, MAX_CASE_ITEM_BYTES } from '../../lambdas/domain/case/item-budget.ts';
import type { IntakeDeps } from '../../lambdas/domain/intake/intake-deps.ts';
import { reopenedClockName } from '../../lambdas/domain/intake/process-message.ts';
import type { CaseStore } from '../../lambdas/domain/ports/case-store.ts';
import { handleSesEvent } from '../../lambdas/intake/handler-core.ts';
import { sampleCase } from '../support/case-factory.ts';
import { type ClockEnv, clockEnv } from '../support/clock-env.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS } from '../support/intake-env.ts';
import { buildMassReport } from '../support/mass-report.ts';

let env: ClockEnv;
const run = (event: unknown, deps: IntakeDeps = env.deps) =>
  handleSesEvent(event, { deps, settings: env.settings, inboundPrefix: env.config.inboundPrefix });
const T0 = new Date('2026-11-27T09:00:00.000Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

beforeAll(async () => {
  env = await clockEnv();
});
afterAll(async () => env?.stop());

async function storedItemBytes(caseId: string): Promise<number> {
  const out = await documentClient().send(
    new GetCommand({ TableName: env.config.casesTable, Key: keys.case(caseId) }),
  );
  return itemBytes(out.Item);
}

async function report(messageId: string, text: string, at = T0, from = 'rita@researcher.example') {
  const raw = await compose({
    from,
    to: CPR_ADDRESS,
    subject: 'Misissued certificates',
    messageId,
    text,
  });
  const [result] = await run((await env.deliver(raw, { timestamp: at })).event);
  return result!;
}

async function reply(
  caseId: string,
  messageId: string,
  text: string,
  at: Date,
  from = 'rita@researcher.example',
) {
  const raw = await compose({
    from,
    to: CPR_ADDRESS,
    subject: `Re: [${caseId}] Misissued certificates`,
    messageId,
    text,
  });
  const { event, messageId: sesId } = await env.deliver(raw, { timestamp: at });
  return { event, sesId };
}

describe('the case item is bounded by bytes', () => {
  test('a mass report of 100 certificates with 100 SANs each becomes a case', async () => {
    const mass = await buildMassReport({ certificates: 100, serials: 0, sansPerCertificate: 100 });
    const { event } = await env.deliver(mass.raw, { timestamp: T0 });
    const [result] = await run(event);
    expect(result?.outcome).toBe('created');
    const c = await env.deps.cases.get(result!.caseId!);
    expect(c?.evidenceCounts.certificates).toBe(100);
    expect(c?.evidenceTruncated).toBe(true);
    expect(await storedItemBytes(c!.id)).toBeLessThanOrEqual(MAX_CASE_ITEM_BYTES);
    // The full SAN lists are in the evidence file.
    const file = await env.deps.evidence.get(c!.mergedEvidenceKey!);
    expect(file?.evidence.certificates.every((x) => x.sans.length === 100)).toBe(true);
  }, 120_000);

  test('1,000 replies to one case: every one is recorded, the item stays bounded', async () => {
    const first = await report('<thousand-0@researcher.example>', 'Please look at this.');
    const caseId = first.caseId!;
    for (let i = 1; i <= 1_000; i += 1) {
      const { event } = await reply(
        caseId,
        `<thousand-${i}@researcher.example>`,
        // Each reply brings one new serial: evidence keeps growing with the case.
        `Another one: serial ${(0x7a000000 + i).toString(16)}\n${'x'.repeat(2_000)}`,
        new Date(T0.getTime() + i * 1_000),
      );
      const [r] = await run(event);
      expect(r?.outcome).toBe('joined');
    }
    const c = await env.deps.cases.get(caseId);
    expect(c?.evidenceCounts.serials).toBe(1_000);
    expect(await storedItemBytes(caseId)).toBeLessThanOrEqual(MAX_CASE_ITEM_BYTES);
    expect(c?.messages[0]?.role).toBe('report');
    expect(await env.deps.caseMessages.list(caseId)).toHaveLength(1_001);
    expect(env.snsFor(caseId).filter((m) => m.attributes.type === 'messageJoined')).toHaveLength(
      1_000,
    );
  }, 900_000);

  test('200 Subscribers through every re-page: every escalation is recorded and sent', async () => {
    // Long Subscriber addresses make each escalation's list of open obligations large.
    const subscribers = Array.from({ length: 200 }, (_, i) => ({
      name: `Subscriber ${i}`,
      email: `certificate-administration-team-${i}@${'very-long-subdomain-name.'.repeat(3)}subscriber-${i}.example`,
    }));
    const c = sampleCase({ id: 'CPR-20261127-SBSC20', subscribers });
    await env.deps.cases.create(c);
    const checkpoints = c.deadlines.checkpoints;
    expect(checkpoints.length).toBeGreaterThanOrEqual(9);
    for (let i = 0; i < checkpoints.length; i += 1) {
      env.now = new Date(checkpoints[i]!.at);
      await env.tasks.checkpoint({ caseId: c.id, evaluateIndex: i });
    }
    const after = await env.deps.cases.get(c.id);
    expect(after?.escalations.map((e) => e.status)).toEqual(checkpoints.map(() => 'sent'));
    expect(await storedItemBytes(c.id)).toBeLessThanOrEqual(MAX_CASE_ITEM_BYTES);
    const events = await env.deps.audit.list(c.id);
    const escalations = events.filter((e) => e.type.startsWith('escalation.'));
    expect(escalations).toHaveLength(checkpoints.length);
    // The audit event names every open obligation, whatever the item keeps.
    expect(escalations.at(-1)?.description).toContain(subscribers[199]!.email);
    // Closing still works on the grown case.
    await closeCase(
      c.id,
      { reason: 'all reports sent by phone', actor: personActor('alice') },
      { cases: env.deps.cases, audit: env.deps.audit, now: () => env.now },
    );
    expect((await env.deps.cases.get(c.id))?.status).toBe('closed');
  }, 300_000);
});

describe('concurrent joins', () => {
  test('two replies at once: the second recomputes the merged evidence of the first', async () => {
    const first = await report('<pair-0@researcher.example>', 'Please look at serial 0a0b0c0d.');
    const caseId = first.caseId!;
    const a = await reply(
      caseId,
      '<pair-a@researcher.example>',
      'Also serial 11111111aa.',
      hours(1),
    );
    const b = await reply(
      caseId,
      '<pair-b@researcher.example>',
      'And serial 22222222bb.',
      hours(1),
    );
    // Reply A reads the case, then waits until reply B is completely done before it writes.
    let releaseA!: () => void;
    const bDone = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    const gated: CaseStore = {
      get: (id) => env.deps.cases.get(id),
      create: (x) => env.deps.cases.create(x),
      update: async (id, change) => {
        await bDone;
        return env.deps.cases.update(id, change);
      },
    };
    const aRun = run(a.event, { ...env.deps, cases: gated });
    await run(b.event);
    releaseA();
    await aRun;
    const c = await env.deps.cases.get(caseId);
    expect(c?.evidence.serials).toEqual(
      expect.arrayContaining(['0a0b0c0d', '11111111aa', '22222222bb']),
    );
    expect(c?.evidenceCounts.serials).toBe(3);
    expect(c?.messages.map((m) => m.sesMessageId)).toEqual(
      expect.arrayContaining([a.sesId, b.sesId]),
    );
  });
});

describe('replies are announced, and a closed case reopens', () => {
  test('a reply from an unknown sender is announced and flagged on the case', async () => {
    const first = await report('<flag-0@researcher.example>', 'Serial 3333333333 is misissued.');
    const caseId = first.caseId!;
    const { event, sesId } = await reply(
      caseId,
      '<flag-1@elsewhere.example>',
      'I am someone else entirely.',
      hours(2),
      'mallory@elsewhere.example',
    );
    await run(event);
    const c = await env.deps.cases.get(caseId);
    expect(c?.unknownSenders).toEqual(['mallory@elsewhere.example']);
    const notices = env.snsFor(caseId).filter((m) => m.attributes.type === 'messageJoined');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toContain('NOT a known party');
    expect(notices[0]?.message).toContain('Added:           nothing new');
    const events = await env.deps.audit.list(caseId);
    expect(events.map((e) => e.eventId)).toEqual(
      expect.arrayContaining([`${sesId}:senderFlagged`, `${sesId}:joinAnnounced`]),
    );
    // A retried delivery announces nothing twice.
    await run(event);
    expect(env.snsFor(caseId).filter((m) => m.attributes.type === 'messageJoined')).toHaveLength(1);
  });

  test('new evidence on a closed case reopens it with deadlines from the reply and a clock', async () => {
    const first = await report('<closed-0@researcher.example>', 'Serial 4444444444 is misissued.');
    const caseId = first.caseId!;
    await closeCase(
      caseId,
      { reason: 'revoked', actor: personActor('alice') },
      { cases: env.deps.cases, audit: env.deps.audit, now: () => hours(5) },
    );
    const at = hours(48);
    const { event, sesId } = await reply(
      caseId,
      '<closed-1@researcher.example>',
      'One more was missed: serial 5555555555.',
      at,
    );
    await run(event);
    const c = await env.deps.cases.get(caseId);
    expect(c?.status).toBe('open');
    expect(c?.reopenedBy).toBe(sesId);
    expect(c?.deadlines.reporterReport).toBe(new Date(at.getTime() + 24 * 3_600_000).toISOString());
    expect(c?.deadlines.checkpoints[0]?.at).toBe(
      new Date(at.getTime() + 12 * 3_600_000).toISOString(),
    );
    const reporter = c?.notices.find((n) => n.id === 'reporter');
    expect(reporter).toMatchObject({ status: 'pending', dueAt: c?.deadlines.reporterReport });
    const name = reopenedClockName(caseId, sesId);
    expect(name.length).toBeLessThanOrEqual(80);
    const start = env.sfn.startCalls.find((s) => s.name === name);
    expect(JSON.parse(start!.input).deadlines.reporterReport).toBe(c?.deadlines.reporterReport);
    const notice = env.snsFor(caseId).find((m) => m.attributes.type === 'caseReopened');
    expect(notice?.message).toContain('1 new serials');
    expect((await env.deps.audit.list(caseId)).some((e) => e.type === 'reopened')).toBe(true);
  });

  test('a reply that adds nothing to a closed case leaves it closed, but is announced', async () => {
    const first = await report('<quiet-0@researcher.example>', 'Serial 6666666666 is misissued.');
    const caseId = first.caseId!;
    await closeCase(
      caseId,
      { reason: 'revoked', actor: personActor('alice') },
      { cases: env.deps.cases, audit: env.deps.audit, now: () => hours(5) },
    );
    const { event } = await reply(caseId, '<quiet-1@researcher.example>', 'Thanks!', hours(30));
    await run(event);
    expect((await env.deps.cases.get(caseId))?.status).toBe('closed');
    expect(env.snsFor(caseId).filter((m) => m.attributes.type === 'messageJoined')).toHaveLength(1);
  });
});

describe('a Message-ID of a case that was never written', () => {
  test('routes a later reply to a new case, not into nothing', async () => {
    // Intake registered the report's Message-ID, then failed before writing the case.
    await env.deps.messageIds.register('ghost-1@researcher.example', {
      caseId: 'CPR-20261127-GHOST1',
      from: 'rita@researcher.example',
    });
    const raw = await compose({
      from: 'rita@researcher.example',
      to: CPR_ADDRESS,
      subject: 'Re: my report',
      messageId: '<ghost-reply@researcher.example>',
      inReplyTo: '<ghost-1@researcher.example>',
      text: 'Any news on serial 7777777777?',
    });
    const [result] = await run((await env.deliver(raw, { timestamp: hours(1) })).event);
    expect(result?.outcome).toBe('created');
    expect(await env.deps.cases.get(result!.caseId!)).not.toBeNull();
  });

  test('the report sent again with that Message-ID becomes its case, not a duplicate of nothing', async () => {
    await env.deps.messageIds.register('ghost-2@researcher.example', {
      caseId: 'CPR-20261127-GHOST2',
      from: 'rita@researcher.example',
    });
    const result = await report('<ghost-2@researcher.example>', 'Serial 8888888888, again.');
    expect(result.outcome).toBe('created');
    expect(result.role).toBe('report');
    expect((await env.deps.messageIds.find('ghost-2@researcher.example'))?.caseId).toBe(
      result.caseId,
    );
  });
});
