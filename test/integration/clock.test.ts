/**
 * The deadline state machine synthesized from the CDK stack, executed locally with its Lambda
 * tasks routed to the real task code against dynalite, the SES stand-in and an SNS sink. Waits
 * are fast-forwarded by a scripted clock; actions of people and of SES happen at their times.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLOCK_STATES } from '../../lambdas/clock/contract.ts';
import { acknowledgeTask } from '../../lambdas/clock/tasks.ts';
import { personActor } from '../../lambdas/domain/audit/events.ts';
import { recordPreliminaryReport } from '../../lambdas/domain/notices/send-notices.ts';
import type { DeadlineClockInput } from '../../lambdas/domain/ports/deadline-clock.ts';
import type { TriageReason } from '../../lambdas/domain/revocation/reasons.ts';
import { triageCase } from '../../lambdas/domain/revocation/use-cases.ts';
import { synthesizedClockDefinition } from '../../local/clock-definition.ts';
import { failureReportTasks } from '../../local/failure-reports.ts';
import { runClock } from '../../local/state-machine.ts';
import { type ClockEnv, clockEnv, SENDER, sesEventNotification } from '../support/clock-env.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS } from '../support/intake-env.ts';
import { type ScriptStep, scriptedClock } from '../support/scripted-clock.ts';

const RECEIVED = '2026-11-27T09:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(RECEIVED) + hours * 3_600_000).toISOString();

let env: ClockEnv;
const definition = () => synthesizedClockDefinition();

beforeAll(async () => {
  env = await clockEnv();
  // Synthesizing the stack takes long on a loaded machine: once, here, not inside a test.
  definition();
}, 180_000);
afterAll(async () => env?.stop());

/** Opens a case through intake and returns the clock input intake started the execution with. */
async function openCase(
  extraHeaders: Record<string, string> = {},
  options: { from?: string; messageId?: string } = {},
): Promise<DeadlineClockInput> {
  const raw = await compose({
    from: options.from ?? 'Rita Reporter <rita@researcher.example>',
    to: CPR_ADDRESS,
    subject: 'Compromised key for www.example.test',
    messageId: options.messageId ?? `<${Math.random().toString(36).slice(2)}@researcher.example>`,
    text: 'The private key of www.example.test is compromised; it was posted publicly.',
    headers: extraHeaders,
  });
  return env.clockInput(raw, { timestamp: new Date(RECEIVED) });
}

type Tasks = Parameters<typeof runClock>[2]['tasks'];

function tasks(overrides: Partial<Record<string, (p: unknown) => Promise<unknown>>> = {}): Tasks {
  return {
    [CLOCK_STATES.acknowledge]: env.tasks.acknowledge,
    [CLOCK_STATES.notifyTeam]: env.tasks.notifyTeam,
    [CLOCK_STATES.plan]: env.tasks.checkpoint,
    [CLOCK_STATES.evaluate]: env.tasks.checkpoint,
    ...failureReportTasks(env.clockDeps.notifier),
    ...overrides,
  } as Tasks;
}

async function runFor(input: DeadlineClockInput, script: ScriptStep[] = [], overrides = {}) {
  env.now = new Date(RECEIVED);
  const clock = scriptedClock(env, script);
  const run = runClock(definition(), input as never, {
    tasks: tasks(overrides),
    clock,
    retryIntervalMs: 0,
  });
  const outcome = await run.outcome;
  return {
    outcome,
    run,
    clock,
    sns: env.snsFor(input.caseId),
    escalations: env
      .snsFor(input.caseId)
      .filter((m) => m.attributes.type?.startsWith('escalation.')),
  };
}

const subscriberSent = (caseId: string, noticeId: string, hours: number): ScriptStep => ({
  at: at(hours),
  run: async () => {
    await recordPreliminaryReport(
      caseId,
      noticeId,
      {
        at: at(hours),
        actor: personActor('alice'),
        channel: 'email',
        messageId: null,
        note: 'sent from the compliance mailbox',
      },
      env.clockDeps,
    );
  },
});

/** A person confirms the reason: triage is an obligation of its own (12 h by default). */
const triagedAt = (
  caseId: string,
  hours: number,
  reason: TriageReason = 'keyCompromise',
): ScriptStep => ({
  at: at(hours),
  run: async () => {
    await triageCase(
      caseId,
      { reason, note: 'read the report', actor: 'alice' },
      env.clockDeps.revocation!,
    );
  },
});

describe('the synthesized deadline clock', () => {
  test('all notices recorded at 11 h: no escalation at all', async () => {
    const input = await openCase();
    const { outcome, run, escalations, sns } = await runFor(input, [
      triagedAt(input.caseId, 2),
      subscriberSent(input.caseId, 'reporter', 11),
      subscriberSent(input.caseId, 'subscriber:unknown', 11),
    ]);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(escalations).toHaveLength(0);
    expect(sns.map((m) => m.attributes.type)).toEqual(['newCase']);
    expect(run.statesEntered()).toEqual([
      'Acknowledge',
      'NotifyTeam',
      'PlanClock',
      'ClockDone',
      'WaitForCheckpoint',
      'EvaluateCheckpoint',
      'ClockDone',
      'ClockStopped',
    ]);
    expect(await env.mailsFor(input.caseId)).toHaveLength(1);
  });

  test('reporter answered, Subscriber forgotten: warning 12 h, page 20 h, breach 24 h, each naming it', async () => {
    const input = await openCase();
    const { outcome, escalations } = await runFor(input, [
      subscriberSent(input.caseId, 'reporter', 8),
    ]);
    expect(outcome.status).toBe('SUCCEEDED');
    const firstThree = escalations.slice(0, 4).map((m) => [m.attributes.type, m.topic]);
    expect(firstThree).toEqual([
      ['escalation.warning', 'cpr-escalation'],
      ['escalation.page', 'cpr-pager'],
      ['escalation.breach', 'cpr-pager'],
      ['escalation.breach', 'cpr-team'],
    ]);
    for (const m of escalations) {
      expect(m.message).toContain('preliminary report to subscriber UNKNOWN recipient');
      expect(m.message).not.toContain('preliminary report to reporter');
    }
    expect(escalations[0]?.message).toContain(
      `at ${at(12).slice(0, 10)} ${at(12).slice(11, 16)} UTC`,
    );
    // Then a bounded number of re-pages, and the clock ends.
    expect(escalations.filter((m) => m.attributes.type === 'escalation.repage')).toHaveLength(6);
    const c = await env.deps.cases.get(input.caseId);
    expect(c?.escalations.map((e) => e.level)).toEqual([
      'warning',
      'page',
      'breach',
      ...Array(6).fill('repage'),
    ]);
    expect(c?.escalations.every((e) => e.status === 'sent')).toBe(true);
  });

  test('reporter notice bounced at 3 h: immediate team alert, then the 12 h escalation names it', async () => {
    const input = await openCase();
    let ackId = '';
    const { escalations, sns } = await runFor(input, [
      {
        at: at(1),
        run: async () => {
          const c = await env.deps.cases.get(input.caseId);
          ackId = c!.notices.find((n) => n.id === 'acknowledgment')!.messageId!;
          await recordPreliminaryReport(
            input.caseId,
            'reporter',
            {
              at: at(1),
              actor: personActor('alice'),
              channel: 'ses',
              messageId: 'prelim-1',
              note: null,
            },
            env.clockDeps,
          );
          await env.clockDeps.outbound.register('prelim-1', {
            caseId: input.caseId,
            noticeId: 'reporter',
          });
        },
      },
      {
        at: at(3),
        run: async () =>
          void (await env.tasks.deliveryEvents(sesEventNotification('Bounce', 'prelim-1', at(3)))),
      },
      subscriberSent(input.caseId, 'subscriber:unknown', 4),
    ]);
    expect(ackId).not.toBe('');
    const bounceAlerts = sns.filter((m) => m.attributes.type === 'notice.bounced');
    expect(bounceAlerts.map((m) => m.topic).sort()).toEqual(['cpr-pager', 'cpr-team']);
    expect(sns.indexOf(bounceAlerts[0]!)).toBeLessThan(sns.indexOf(escalations[0]!));
    expect(escalations[0]?.attributes.type).toBe('escalation.warning');
    expect(escalations[0]?.message).toContain(
      'preliminary report to reporter rita@researcher.example: bounced',
    );
  });

  test('suppressed acknowledgment (auto-reply): no mail sent, the case is still tracked and escalated', async () => {
    const input = await openCase({ 'Auto-Submitted': 'auto-replied' });
    expect(input.acknowledgment).toEqual({ decision: 'suppress', reason: 'autoSubmitted' });
    const { outcome, escalations } = await runFor(input, [
      subscriberSent(input.caseId, 'subscriber:unknown', 2),
    ]);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(await env.mailsFor(input.caseId)).toHaveLength(0);
    expect(escalations[0]?.message).toContain(
      'preliminary report to reporter rita@researcher.example: pending',
    );
  });

  test('a task failing twice then succeeding: one escalation, not two', async () => {
    const input = await openCase();
    let calls = 0;
    const flaky = async (payload: unknown) => {
      if ((payload as { evaluateIndex?: number }).evaluateIndex === 0 && calls < 2) {
        calls += 1;
        throw new Error('Lambda.ServiceException: injected');
      }
      return env.tasks.checkpoint(payload);
    };
    const { outcome, escalations, run } = await runFor(
      input,
      [
        triagedAt(input.caseId, 1),
        subscriberSent(input.caseId, 'reporter', 1),
        subscriberSent(input.caseId, 'subscriber:unknown', 13),
      ],
      { [CLOCK_STATES.evaluate]: flaky },
    );
    expect(calls).toBe(2);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(escalations.map((m) => m.attributes.type)).toEqual(['escalation.warning']);
    expect(run.events.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
  });

  test('a NotifyTeam that keeps failing pages once with the reason, and the clock goes on', async () => {
    const input = await openCase();
    const { outcome, escalations, run } = await runFor(input, [], {
      [CLOCK_STATES.notifyTeam]: async () => {
        throw new Error('SNS is down');
      },
    });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(run.statesEntered()).toContain(CLOCK_STATES.reportNotifyTeamFailure);
    const alerts = env.sns.messages.filter(
      (m) => m.attributes.type === 'clockFailure' && m.message.includes(input.caseId),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.topic).toBe('cpr-pager');
    expect(alerts[0]?.message).toContain('the team notice failed');
    expect(alerts[0]?.message).toContain('SNS is down');
    // The deadlines are still watched: 12 h, 20 h, 24 h as always.
    expect(escalations.slice(0, 3).map((m) => m.attributes.type)).toEqual([
      'escalation.warning',
      'escalation.page',
      'escalation.breach',
    ]);
  });

  test('a checkpoint evaluation that keeps failing pages once, and the next checkpoint still fires', async () => {
    const input = await openCase();
    const failing = async (payload: unknown) => {
      if ((payload as { evaluateIndex?: number }).evaluateIndex === 0) {
        throw new Error('ProvisionedThroughputExceededException: injected');
      }
      return env.tasks.checkpoint(payload);
    };
    const { outcome, escalations, run } = await runFor(input, [], {
      [CLOCK_STATES.evaluate]: failing,
    });
    expect(outcome.status).toBe('SUCCEEDED');
    const alerts = env.sns.messages.filter(
      (m) => m.attributes.type === 'clockFailure' && m.message.includes(input.caseId),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toContain('a checkpoint evaluation failed');
    // The 12 h warning was lost with its evaluation; the 20 h page and the 24 h breach were not.
    expect(escalations.slice(0, 3).map((m) => m.attributes.type)).toEqual([
      'escalation.page',
      'escalation.breach',
      'escalation.breach',
    ]);
    expect(run.statesEntered()).toContain(CLOCK_STATES.skipCheckpoint);
  });

  test('closing the case stops further escalation', async () => {
    const input = await openCase();
    const { escalations, outcome } = await runFor(input, [
      {
        at: at(16),
        run: async () => {
          const { markClosed } = await import('../../lambdas/domain/case/close-case.ts');
          await env.deps.cases.update(input.caseId, (c) =>
            markClosed(c, at(16), 'duplicate of an earlier case'),
          );
        },
      },
    ]);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(escalations.map((m) => m.attributes.type)).toEqual(['escalation.warning']);
  });

  test('the same case started twice runs one execution', async () => {
    const input = await openCase();
    const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
    const sfn = new SFNClient({});
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: env.config.stateMachineArn,
        name: input.caseId,
        input: JSON.stringify(input),
      }),
    );
    const executions = [...env.sfn.executions.values()].filter((e) => e.name === input.caseId);
    expect(executions).toHaveLength(1);
    expect(env.sfn.startCalls.filter((s) => s.name === input.caseId)).toHaveLength(2);
  });
});

/** The 12 h warning, the 20 h page and the 24 h breach, in this order. */
async function expectFullEscalation(
  caseId: string,
  escalations: { attributes: Record<string, string> }[],
) {
  expect(escalations.slice(0, 3).map((m) => m.attributes.type)).toEqual([
    'escalation.warning',
    'escalation.page',
    'escalation.breach',
  ]);
  const c = await env.deps.cases.get(caseId);
  expect(c?.escalations.slice(0, 3).map((e) => [e.level, e.checkpointAt])).toEqual([
    ['warning', at(12)],
    ['page', at(20)],
    ['breach', at(24)],
  ]);
}

describe('the acknowledgment never stops the clock (SES-faithful stand-in)', () => {
  test('an address SES cannot send to: recorded undeliverable without a call, then 12 h, 20 h, 24 h', async () => {
    const input = await openCase({}, { from: 'Rita <rité@researcher.example>' });
    const { outcome, escalations, run } = await runFor(input);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(run.statesEntered().slice(0, 3)).toEqual(['Acknowledge', 'NotifyTeam', 'PlanClock']);
    const c = await env.deps.cases.get(input.caseId);
    const ack = c?.notices.find((n) => n.id === 'acknowledgment');
    expect(ack?.status).toBe('undeliverable');
    expect(ack?.note).toContain('nonAsciiLocalPart');
    // No call: the guard, which refuses such addresses as SES does, never saw one.
    expect(await env.refusalsFor('rité@researcher.example')).toHaveLength(0);
    expect(await env.mailsFor(input.caseId)).toHaveLength(0);
    await expectFullEscalation(input.caseId, escalations);
  });

  test('SES refuses the send (sending paused): the notice is failed with SES error, then 12 h, 20 h, 24 h', async () => {
    const address = `paused-${Math.random().toString(36).slice(2, 8)}@researcher.example`;
    const input = await openCase({}, { from: `Rita <${address}>` });
    await env.refuseNextSendTo(
      address,
      'SendingPausedException',
      'Email sending is disabled for your account',
    );
    const { outcome, escalations, run } = await runFor(input);
    expect(outcome.status).toBe('SUCCEEDED');
    const out = run.events.find(
      (e) => e.type === 'StateExited' && e.state.name === CLOCK_STATES.acknowledge,
    );
    expect(JSON.stringify(out)).toContain('failed');
    const c = await env.deps.cases.get(input.caseId);
    const ack = c?.notices.find((n) => n.id === 'acknowledgment');
    expect(ack?.status).toBe('failed');
    expect(ack?.note).toContain(
      'SendingPausedException: Email sending is disabled for your account',
    );
    expect(await env.refusalsFor(address)).toHaveLength(1);
    await expectFullEscalation(input.caseId, escalations);
    // A refused acknowledgment is not sent again by anything that follows.
    expect(await env.mailsFor(input.caseId)).toHaveLength(0);
  });

  test('a Message-ID SES would refuse as a header is left out; an IDN domain goes out in Punycode', async () => {
    const longId = `<${'x'.repeat(900)}@researcher.example>`;
    const input = await openCase({}, { from: 'Rita <rita@bücher.example>', messageId: longId });
    const { outcome } = await runFor(input, [
      subscriberSent(input.caseId, 'reporter', 1),
      subscriberSent(input.caseId, 'subscriber:unknown', 1),
    ]);
    expect(outcome.status).toBe('SUCCEEDED');
    const [mail, ...more] = await env.mailsFor(input.caseId);
    expect(more).toHaveLength(0);
    expect(mail?.destination.to).toEqual(['rita@xn--bcher-kva.example']);
    const names = (mail?.headers ?? []).map((h) => h.name.toLowerCase());
    expect(names).toContain('auto-submitted');
    expect(names).not.toContain('in-reply-to');
    const c = await env.deps.cases.get(input.caseId);
    expect(c?.notices.find((n) => n.id === 'acknowledgment')?.status).toBe('sent');
  });
});

describe('the acknowledgment goes out at most once', () => {
  /** The same task with storage that fails once, after SES accepted the mail. */
  function crashingOnce<T extends object>(target: T, method: keyof T): T {
    let crashed = false;
    return new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (prop !== method || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (!crashed) {
            crashed = true;
            throw new Error('Lambda timed out (simulated crash)');
          }
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  }

  test('a crash in the writes after SES accepted it: the retry completes the records, no second mail', async () => {
    const input = await openCase();
    const deps = { ...env.clockDeps, outbound: crashingOnce(env.clockDeps.outbound, 'register') };
    const { outcome, run } = await runFor(input, [], {
      [CLOCK_STATES.acknowledge]: acknowledgeTask(deps, SENDER),
    });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(run.events.filter((e) => e.type === 'StateRetried')).toHaveLength(1);
    const mails = await env.mailsFor(input.caseId);
    expect(mails).toHaveLength(1);
    const c = await env.deps.cases.get(input.caseId);
    const ack = c?.notices.find((n) => n.id === 'acknowledgment');
    expect(ack?.status).toBe('sent');
    expect(ack?.messageId).toBe(mails[0]?.messageId);
  });

  test('a crash before SES answer was recorded: the retry does not send again and says why', async () => {
    const input = await openCase();
    const deps = { ...env.clockDeps, claims: crashingOnce(env.clockDeps.claims, 'settle') };
    const { outcome } = await runFor(input, [], {
      [CLOCK_STATES.acknowledge]: acknowledgeTask(deps, SENDER),
    });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(await env.mailsFor(input.caseId)).toHaveLength(1);
    const c = await env.deps.cases.get(input.caseId);
    const ack = c?.notices.find((n) => n.id === 'acknowledgment');
    expect(ack?.status).toBe('failed');
    expect(ack?.note).toContain('at most once');
  });
});
