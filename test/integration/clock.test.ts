/**
 * The deadline state machine synthesized from the CDK stack, executed locally with its Lambda
 * tasks routed to the real task code against dynalite, the SES stand-in and an SNS sink. Waits
 * are fast-forwarded by a scripted clock; actions of people and of SES happen at their times.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLOCK_STATES } from '../../lambdas/clock/contract.ts';
import { personActor } from '../../lambdas/domain/audit/events.ts';
import { recordPreliminaryReport } from '../../lambdas/domain/notices/send-notices.ts';
import type { DeadlineClockInput } from '../../lambdas/domain/ports/deadline-clock.ts';
import { handleSesEvent } from '../../lambdas/intake/handler-core.ts';
import { synthesizedClockDefinition } from '../../local/clock-definition.ts';
import { runClock } from '../../local/state-machine.ts';
import { type ClockEnv, clockEnv, sesEventNotification } from '../support/clock-env.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS } from '../support/intake-env.ts';
import { type ScriptStep, scriptedClock } from '../support/scripted-clock.ts';

const RECEIVED = '2026-11-27T09:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(RECEIVED) + hours * 3_600_000).toISOString();

let env: ClockEnv;
const definition = () => synthesizedClockDefinition();

beforeAll(async () => {
  env = await clockEnv();
  // The synth is CPU-bound (seconds, minutes on a loaded machine): done once here, it is not
  // charged to whichever test happens to run first.
  definition();
}, 300_000);
afterAll(async () => env?.stop());

/** Opens a case through intake and returns the clock input intake started the execution with. */
async function openCase(extraHeaders: Record<string, string> = {}): Promise<DeadlineClockInput> {
  const raw = await compose({
    from: 'Rita Reporter <rita@researcher.example>',
    to: CPR_ADDRESS,
    subject: 'Compromised key for www.example.test',
    messageId: `<${Math.random().toString(36).slice(2)}@researcher.example>`,
    text: 'The private key of www.example.test is compromised; it was posted publicly.',
    headers: extraHeaders,
  });
  const { event } = await env.deliver(raw, { timestamp: new Date(RECEIVED) });
  const [r] = await handleSesEvent(event, {
    deps: env.deps,
    settings: env.settings,
    inboundPrefix: env.config.inboundPrefix,
  });
  const start = env.sfn.startCalls.findLast((s) => s.name === r!.caseId);
  return JSON.parse(start!.input) as DeadlineClockInput;
}

type Tasks = Parameters<typeof runClock>[2]['tasks'];

function tasks(overrides: Partial<Record<string, (p: unknown) => Promise<unknown>>> = {}): Tasks {
  return {
    [CLOCK_STATES.acknowledge]: env.tasks.acknowledge,
    [CLOCK_STATES.notifyTeam]: env.tasks.notifyTeam,
    [CLOCK_STATES.plan]: env.tasks.checkpoint,
    [CLOCK_STATES.evaluate]: env.tasks.checkpoint,
    [CLOCK_STATES.reportFailure]: async (payload: unknown) => {
      const p = payload as { Message?: string };
      const out = await env.clockDeps.notifier.publish('pager', {
        subject: 'clock failed',
        message: p.Message ?? '',
        attributes: { type: 'clockFailure' },
      });
      return { MessageId: out.messageId };
    },
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

describe('the synthesized deadline clock', () => {
  test('all notices recorded at 11 h: no escalation at all', async () => {
    const input = await openCase();
    const { outcome, run, escalations, sns } = await runFor(input, [
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

  test('a task that keeps failing raises an alert on the pager instead of failing silently', async () => {
    const input = await openCase();
    const { outcome, sns, run } = await runFor(input, [], {
      [CLOCK_STATES.notifyTeam]: async () => {
        throw new Error('SNS is down');
      },
    });
    expect(outcome.status).toBe('FAILED');
    expect(run.statesEntered()).toContain('ReportClockFailure');
    const alerts = env.sns.messages.filter(
      (m) => m.attributes.type === 'clockFailure' && m.message.includes(input.caseId),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.topic).toBe('cpr-pager');
    expect(sns.filter((m) => m.attributes.type === 'newCase')).toHaveLength(0);
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
