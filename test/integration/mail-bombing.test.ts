/**
 * We must not be usable to mail-bomb a third party: anyone can send us reports with a forged
 * From, and each acknowledgment goes to that From. Reports from a domain that publishes no SPF
 * or DMARC (so authentication cannot tell) go through the real intake and the synthesized clock
 * against the stand-ins; the per-recipient limits stop the mails, never the cases.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLOCK_STATES } from '../../lambdas/clock/contract.ts';
import { acknowledgeTask } from '../../lambdas/clock/tasks.ts';
import { DEFAULT_ACKNOWLEDGMENT_LIMITS } from '../../lambdas/domain/notices/acknowledgment-limits.ts';
import type { DeadlineClockInput } from '../../lambdas/domain/ports/deadline-clock.ts';
import { synthesizedClockDefinition } from '../../local/clock-definition.ts';
import { failureReportTasks } from '../../local/failure-reports.ts';
import { type LocalClock, runClock } from '../../local/state-machine.ts';
import { type ClockEnv, clockEnv, SENDER } from '../support/clock-env.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS } from '../support/intake-env.ts';
import { scriptedClock } from '../support/scripted-clock.ts';

const RECEIVED = '2026-11-27T09:00:00.000Z';
const BURST = 50;

let env: ClockEnv;
const definition = () => synthesizedClockDefinition();
/** The production defaults: 3 per address, 20 per domain, in 24 h. */
const LIMITED = { ...SENDER, acknowledgmentLimits: DEFAULT_ACKNOWLEDGMENT_LIMITS };

beforeAll(async () => {
  env = await clockEnv();
  definition();
}, 120_000);
afterAll(async () => env?.stop());

/** A report with a forged From, as intake receives it; returns the clock input it started. */
async function forgedReport(from: string, n: number): Promise<DeadlineClockInput> {
  const raw = await compose({
    from,
    to: CPR_ADDRESS,
    subject: `Compromised key ${n}`,
    messageId: `<forged-${n}-${Math.random().toString(36).slice(2)}@forger.example>`,
    text: 'The private key of www.example.test is compromised.',
  });
  // No SPF record, no DMARC record: neutral verdicts, nothing to refuse the From on.
  return env.clockInput(raw, {
    timestamp: new Date(RECEIVED),
    verdicts: { spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' },
  });
}

function tasks(overrides: Record<string, (p: unknown) => Promise<unknown>> = {}) {
  return {
    [CLOCK_STATES.acknowledge]: acknowledgeTask(env.clockDeps, LIMITED),
    [CLOCK_STATES.notifyTeam]: env.tasks.notifyTeam,
    [CLOCK_STATES.plan]: env.tasks.checkpoint,
    [CLOCK_STATES.evaluate]: env.tasks.checkpoint,
    ...failureReportTasks(env.clockDeps.notifier),
    ...overrides,
  } as Parameters<typeof runClock>[2]['tasks'];
}

/** Runs a case's clock up to its first wait (acknowledgment and team notice done), then stops it. */
async function clockUntilFirstWait(input: DeadlineClockInput) {
  let reached: () => void = () => {};
  const atWait = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const clock: LocalClock = {
    now: () => new Date(env.now),
    waitUntil: (_at, signal) => {
      reached();
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve()));
    },
  };
  const run = runClock(definition(), input as never, { tasks: tasks(), clock });
  await Promise.race([atWait, run.outcome]);
  run.abort();
  await run.outcome;
  return run;
}

describe('a burst of forged reports', () => {
  test(`${BURST} reports from one forged sender: ${BURST} cases, at most 3 acknowledgments`, async () => {
    const victim = `victim-${Math.random().toString(36).slice(2, 8)}@victim.example`;
    env.now = new Date(Date.parse(RECEIVED) + 60_000);
    const inputs: DeadlineClockInput[] = [];
    for (let i = 0; i < BURST; i += 10) {
      const batch = Array.from({ length: Math.min(10, BURST - i) }, (_, j) =>
        forgedReport(`Victim <${victim}>`, i + j),
      );
      inputs.push(...(await Promise.all(batch)));
    }
    expect(new Set(inputs.map((i) => i.caseId)).size).toBe(BURST);

    // Every clock at once: the counter is contended as in a real burst.
    const runs = await Promise.all(inputs.map((input) => clockUntilFirstWait(input)));
    for (const run of runs) {
      expect(run.statesEntered().slice(0, 3)).toEqual(['Acknowledge', 'NotifyTeam', 'PlanClock']);
    }

    const mails = (await Promise.all(inputs.map((i) => env.mailsFor(i.caseId)))).flat();
    expect(mails.length).toBeLessThanOrEqual(DEFAULT_ACKNOWLEDGMENT_LIMITS.perAddress);
    expect(mails).toHaveLength(3);
    const cases = await Promise.all(inputs.map((i) => env.deps.cases.get(i.caseId)));
    const acks = cases.map((c) => c?.notices.find((n) => n.id === 'acknowledgment'));
    expect(acks.filter((n) => n?.status === 'sent')).toHaveLength(3);
    const limited = cases.filter((c) => c?.acknowledgment.reason === 'rateLimited');
    expect(limited).toHaveLength(BURST - 3);
    for (const c of limited) {
      const ack = c?.notices.find((n) => n.id === 'acknowledgment');
      expect(ack?.status).toBe('suppressed');
      expect(ack?.note).toMatch(
        /rateLimited: 3 acknowledgments to victim-\w+@victim\.example in 24 h/,
      );
      // The case is still a case: its preliminary report is still owed, its team was told.
      expect(c?.notices.find((n) => n.id === 'reporter')?.status).toBe('pending');
      expect(env.snsFor(c!.id).filter((m) => m.attributes.type === 'newCase')).toHaveLength(1);
    }

    // A rate-limited case is escalated like any other: 12 h, 20 h, 24 h.
    const one = inputs.find((i) => i.caseId === limited[0]!.id)!;
    env.now = new Date(RECEIVED);
    const run = runClock(definition(), one as never, {
      tasks: tasks(),
      clock: scriptedClock(env, []),
    });
    expect((await run.outcome).status).toBe('SUCCEEDED');
    const escalations = env
      .snsFor(one.caseId)
      .filter((m) => m.attributes.type?.startsWith('escalation.'))
      .map((m) => m.attributes.type);
    expect(escalations.slice(0, 3)).toEqual([
      'escalation.warning',
      'escalation.page',
      'escalation.breach',
    ]);
    // Still no fourth mail to the victim.
    expect(await env.mailsFor(one.caseId)).toHaveLength(0);
  }, 300_000);

  test('forged senders at one domain: at most 20 acknowledgments to that domain', async () => {
    const domain = `d${Math.random().toString(36).slice(2, 8)}.example`;
    env.now = new Date(Date.parse(RECEIVED) + 60_000);
    const inputs = await Promise.all(
      Array.from({ length: 25 }, (_, i) => forgedReport(`<user${i}@${domain}>`, 100 + i)),
    );
    const ack = acknowledgeTask(env.clockDeps, LIMITED);
    const results = (await Promise.all(inputs.map((i) => ack({ caseId: i.caseId })))) as {
      status: string;
    }[];
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(20);
    expect(results.filter((r) => r.status === 'rateLimited')).toHaveLength(5);
  }, 120_000);

  test('plus-addressing does not get around the per-address limit', async () => {
    const base = `p${Math.random().toString(36).slice(2, 8)}`;
    env.now = new Date(Date.parse(RECEIVED) + 60_000);
    const inputs = await Promise.all(
      Array.from({ length: 5 }, (_, i) => forgedReport(`<${base}+${i}@plus.example>`, 200 + i)),
    );
    const ack = acknowledgeTask(env.clockDeps, LIMITED);
    const statuses: string[] = [];
    for (const i of inputs)
      statuses.push(((await ack({ caseId: i.caseId })) as { status: string }).status);
    expect(statuses).toEqual(['sent', 'sent', 'sent', 'rateLimited', 'rateLimited']);
  });

  test('the window slides: 24 h after the first acknowledgments, the address may be answered again', async () => {
    const address = `w${Math.random().toString(36).slice(2, 8)}@slide.example`;
    const ack = acknowledgeTask(env.clockDeps, LIMITED);
    const statuses: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const input = await forgedReport(`<${address}>`, 300 + i);
      env.now = new Date(Date.parse(RECEIVED) + i * 3_600_000);
      statuses.push(((await ack({ caseId: input.caseId })) as { status: string }).status);
    }
    const later = await forgedReport(`<${address}>`, 310);
    env.now = new Date(Date.parse(RECEIVED) + 24 * 3_600_000 + 1);
    statuses.push(((await ack({ caseId: later.caseId })) as { status: string }).status);
    expect(statuses).toEqual(['sent', 'sent', 'sent', 'rateLimited', 'sent']);
  });
});
