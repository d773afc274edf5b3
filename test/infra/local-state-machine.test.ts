/**
 * The local runner with the synthesized deadline clock. Task handlers are stubs here: this tests
 * the runner and the definition (flow, retries, failure path, time); the real handlers are tested
 * against the stand-ins elsewhere.
 */
import { describe, expect, test } from 'vitest';
import { CLOCK_FAILURE_REPORTS, CLOCK_STATES } from '../../lambdas/clock/contract.ts';
import {
  DefinitionResolveError,
  resolveStateMachine,
  synthesizedClockDefinition,
} from '../../local/clock-definition.ts';
import {
  type ClockRun,
  clockFromEnv,
  fastForwardClock,
  PLACEHOLDER,
  runClock,
  scaledClock,
  type TaskHandler,
} from '../../local/state-machine.ts';

const definition = synthesizedClockDefinition();
// biome-ignore lint/suspicious/noExplicitAny: ASL states are read field by field
const states = definition.States as Record<string, any>;
const CASE_ID = 'CPR-20250101-ABCD';
const RECEIVED = new Date('2025-01-01T00:00:00Z');
/** The three checkpoints the stub planner hands out: 12 h, 20 h, 24 h after receipt. */
const CHECKPOINTS = ['2025-01-01T12:00:00Z', '2025-01-01T20:00:00Z', '2025-01-02T00:00:00Z'];

/** Stub tasks: acknowledge and notify succeed, the checkpoints walk through CHECKPOINTS. */
function stubTasks(overrides: Record<string, TaskHandler> = {}) {
  const calls: { state: string; payload: unknown }[] = [];
  const record =
    (state: string, handler: TaskHandler): TaskHandler =>
    (payload) => {
      calls.push({ state, payload });
      return handler(payload);
    };
  const checkpoint = (index: number) =>
    index < CHECKPOINTS.length
      ? { done: false, index, level: `checkpoint-${index}`, at: CHECKPOINTS[index] }
      : { done: true, reason: 'noMoreCheckpoints' };
  const handlers: Record<string, TaskHandler> = {
    [CLOCK_STATES.acknowledge]: async () => ({ status: 'sent', messageId: 'ses-1' }),
    [CLOCK_STATES.notifyTeam]: async () => ({ status: 'sent' }),
    [CLOCK_STATES.plan]: async () => checkpoint(0),
    [CLOCK_STATES.evaluate]: async (p) =>
      checkpoint((p as { evaluateIndex: number }).evaluateIndex + 1),
    ...Object.fromEntries(
      CLOCK_FAILURE_REPORTS.map((name) => [name, async () => ({ MessageId: 'sns-1' })]),
    ),
    ...overrides,
  };
  const tasks = Object.fromEntries(
    Object.entries(handlers).map(([state, handler]) => [state, record(state, handler)]),
  );
  return { tasks, calls };
}

function callsOf(calls: { state: string; payload: unknown }[], state: string) {
  return calls.filter((c) => c.state === state);
}

/** Throws `times` times, then returns `result`. */
function flaky(times: number, result: unknown): TaskHandler {
  let failures = 0;
  return async () => {
    if (failures < times) {
      failures += 1;
      throw new Error(`transient failure ${failures}`);
    }
    return result;
  };
}

async function settle(run: ClockRun) {
  return { outcome: await run.outcome, states: run.statesEntered() };
}

describe('synthesizedClockDefinition', () => {
  test('has the contract state names, starting at Acknowledge', () => {
    expect(Object.keys(states).sort()).toEqual(Object.values(CLOCK_STATES).sort());
    expect(definition.StartAt).toBe(CLOCK_STATES.acknowledge);
  });

  test('waits on TimestampPath $.next.at', () => {
    expect(states[CLOCK_STATES.wait].Type).toBe('Wait');
    expect(states[CLOCK_STATES.wait].TimestampPath).toBe('$.next.at');
  });

  test('every Task has a Retry and a Catch', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(
      [
        CLOCK_STATES.acknowledge,
        CLOCK_STATES.notifyTeam,
        CLOCK_STATES.plan,
        CLOCK_STATES.evaluate,
        ...CLOCK_FAILURE_REPORTS,
      ].sort(),
    );
    for (const [, state] of tasks) {
      expect(state.Retry.length).toBeGreaterThan(0);
      expect(state.Catch.length).toBeGreaterThan(0);
    }
  });

  test('references are deterministic placeholder ARNs named after the logical ids', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/Fn::|"Ref"|\$\{Token/);
    expect(states[CLOCK_STATES.acknowledge].Resource).toMatch(
      new RegExp(`^arn:aws:lambda:us-east-1:${PLACEHOLDER.account}:function:\\w+$`),
    );
    expect(states[CLOCK_STATES.reportCheckpointFailure].Parameters.TopicArn).toMatch(
      new RegExp(`^arn:aws:sns:us-east-1:${PLACEHOLDER.account}:\\w*Pager\\w*$`),
    );
    expect(synthesizedClockDefinition()).toEqual(definition);
  });

  test('each call returns a copy: a caller cannot change the cached definition', () => {
    const copy = synthesizedClockDefinition();
    delete copy.States[CLOCK_STATES.wait];
    expect(synthesizedClockDefinition().States[CLOCK_STATES.wait]).toBeDefined();
  });

  test('a reference to a resource without a placeholder is an error, not a guess', () => {
    const template = {
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue' },
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            DefinitionString: { 'Fn::Join': ['', ['{"x":"', { Ref: 'Queue' }, '"}']] },
          },
        },
      },
    };
    expect(() => resolveStateMachine(template)).toThrow(DefinitionResolveError);
    expect(() => resolveStateMachine({ Resources: {} })).toThrow(/expected one state machine/);
  });
});

describe('runClock', () => {
  test('walks Acknowledge -> NotifyTeam -> PlanClock -> (Wait -> Evaluate) x 3 -> ClockStopped', async () => {
    const clock = fastForwardClock(RECEIVED);
    const seenAt: string[] = [];
    const { tasks, calls } = stubTasks({
      [CLOCK_STATES.evaluate]: async (p) => {
        // The handler sees the time the Wait waited for: an injected clock, not the wall clock.
        seenAt.push(clock.now().toISOString());
        const index = (p as { evaluateIndex: number }).evaluateIndex + 1;
        return index < CHECKPOINTS.length
          ? { done: false, index, level: 'x', at: CHECKPOINTS[index] }
          : { done: true, reason: 'noMoreCheckpoints' };
      },
    });
    const run = runClock(definition, { caseId: CASE_ID }, { tasks, clock });
    const { outcome, states: entered } = await settle(run);

    const loop = [CLOCK_STATES.done, CLOCK_STATES.wait, CLOCK_STATES.evaluate];
    expect(entered).toEqual([
      CLOCK_STATES.acknowledge,
      CLOCK_STATES.notifyTeam,
      CLOCK_STATES.plan,
      ...loop,
      ...loop,
      ...loop,
      CLOCK_STATES.done,
      CLOCK_STATES.stopped,
    ]);
    expect(outcome).toEqual({
      status: 'SUCCEEDED',
      output: {
        caseId: CASE_ID,
        ack: { status: 'sent', messageId: 'ses-1' },
        team: { status: 'sent' },
        next: { done: true, reason: 'noMoreCheckpoints' },
      },
    });
    expect(seenAt).toEqual(CHECKPOINTS.map((t) => new Date(t).toISOString()));
    // The payloads of contract.ts, as the synthesized Parameters build them.
    expect(callsOf(calls, CLOCK_STATES.acknowledge)[0]?.payload).toEqual({ caseId: CASE_ID });
    expect(callsOf(calls, CLOCK_STATES.plan)[0]?.payload).toEqual({
      caseId: CASE_ID,
      afterIndex: -1,
    });
    expect(callsOf(calls, CLOCK_STATES.evaluate).map((c) => c.payload)).toEqual(
      [0, 1, 2].map((evaluateIndex) => ({ caseId: CASE_ID, evaluateIndex })),
    );
    for (const report of CLOCK_FAILURE_REPORTS) expect(callsOf(calls, report)).toEqual([]);
  });

  test('a task that throws twice is retried, not failed', async () => {
    const { tasks, calls } = stubTasks({
      [CLOCK_STATES.notifyTeam]: flaky(2, { status: 'sent' }),
    });
    const run = runClock(
      definition,
      { caseId: CASE_ID },
      {
        tasks,
        clock: fastForwardClock(RECEIVED),
      },
    );
    const { outcome, states: entered } = await settle(run);

    expect(outcome.status).toBe('SUCCEEDED');
    expect(callsOf(calls, CLOCK_STATES.notifyTeam)).toHaveLength(3);
    expect(run.events.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
    expect(entered).not.toContain(CLOCK_STATES.reportNotifyTeamFailure);
  });

  test('retry pauses are retryIntervalMs locally, not the 2 s, 4 s, ... of the definition', async () => {
    const attemptTimes = async (retryIntervalMs?: number) => {
      const times: number[] = [];
      const failTwice = flaky(2, { status: 'sent' });
      const { tasks } = stubTasks({
        [CLOCK_STATES.notifyTeam]: (payload) => {
          times.push(performance.now());
          return failTwice(payload);
        },
      });
      const run = runClock(
        definition,
        { caseId: CASE_ID },
        {
          tasks,
          clock: fastForwardClock(RECEIVED),
          ...(retryIntervalMs !== undefined && { retryIntervalMs }),
        },
      );
      expect((await run.outcome).status).toBe('SUCCEEDED');
      return times.slice(1).map((t, i) => t - times[i]!);
    };
    for (const gap of await attemptTimes()) expect(gap).toBeLessThan(1_000);
    for (const gap of await attemptTimes(150)) expect(gap).toBeGreaterThanOrEqual(140);
  });

  /** An execution input with the schedule the clock falls back on when planning fails. */
  const scheduled = {
    caseId: CASE_ID,
    deadlines: { checkpoints: CHECKPOINTS.map((at, i) => ({ level: `checkpoint-${i}`, at })) },
  };

  test('a plan that always fails pages once, then the clock follows the schedule it was started with', async () => {
    const clock = fastForwardClock(RECEIVED);
    const evaluatedAt: string[] = [];
    const { tasks, calls } = stubTasks({
      [CLOCK_STATES.plan]: async () => {
        throw new TypeError('cases table unreachable');
      },
      [CLOCK_STATES.evaluate]: async (p) => {
        evaluatedAt.push(clock.now().toISOString());
        const index = (p as { evaluateIndex: number }).evaluateIndex + 1;
        return index < CHECKPOINTS.length
          ? { done: false, index, level: 'x', at: CHECKPOINTS[index] }
          : { done: true, reason: 'noMoreCheckpoints' };
      },
    });
    const run = runClock(definition, scheduled, { tasks, clock });
    const { outcome, states: entered } = await settle(run);

    expect(outcome.status).toBe('SUCCEEDED');
    expect(entered.slice(0, 10)).toEqual([
      CLOCK_STATES.acknowledge,
      CLOCK_STATES.notifyTeam,
      CLOCK_STATES.plan,
      CLOCK_STATES.reportPlanFailure,
      CLOCK_STATES.fromFirstCheckpoint,
      CLOCK_STATES.skipCheckpoint,
      CLOCK_STATES.checkpointLeft,
      CLOCK_STATES.scheduledCheckpoint,
      CLOCK_STATES.nextFromSchedule,
      CLOCK_STATES.wait,
    ]);
    // Once plus the 4 retries of the States.ALL retrier (a TypeError is no Lambda service error).
    expect(callsOf(calls, CLOCK_STATES.plan)).toHaveLength(5);
    const pages = callsOf(calls, CLOCK_STATES.reportPlanFailure);
    expect(pages).toHaveLength(1);
    const page = pages[0]?.payload as { TopicArn: string; Message: string; Subject: string };
    expect(page.TopicArn).toBe(states[CLOCK_STATES.reportPlanFailure].Parameters.TopicArn);
    expect(page.Message).toContain(CASE_ID);
    expect(page.Message).toContain(run.executionArn);
    expect(page.Message).toContain('TypeError: cases table unreachable');
    expect(evaluatedAt).toEqual(CHECKPOINTS.map((t) => new Date(t).toISOString()));
  });

  test('an evaluation that keeps failing pages once per checkpoint and the loop goes on to the next', async () => {
    const clock = fastForwardClock(RECEIVED);
    const { tasks, calls } = stubTasks({
      [CLOCK_STATES.evaluate]: async (p) => {
        if ((p as { evaluateIndex: number }).evaluateIndex === 0) throw new Error('SNS throttled');
        const index = (p as { evaluateIndex: number }).evaluateIndex + 1;
        return index < CHECKPOINTS.length
          ? { done: false, index, level: 'x', at: CHECKPOINTS[index] }
          : { done: true, reason: 'noMoreCheckpoints' };
      },
    });
    const run = runClock(definition, scheduled, { tasks, clock });
    const { outcome } = await settle(run);

    expect(outcome.status).toBe('SUCCEEDED');
    expect(callsOf(calls, CLOCK_STATES.reportCheckpointFailure)).toHaveLength(1);
    // Checkpoint 0: 5 attempts; then 1 and 2 once each, from the schedule.
    expect(
      callsOf(calls, CLOCK_STATES.evaluate).map(
        (c) => (c.payload as { evaluateIndex: number }).evaluateIndex,
      ),
    ).toEqual([0, 0, 0, 0, 0, 1, 2]);
  });

  test('a failure at the last checkpoint pages and ends the clock: no tight loop', async () => {
    const { tasks, calls } = stubTasks({
      [CLOCK_STATES.evaluate]: async () => {
        throw new Error('always');
      },
    });
    const run = runClock(definition, scheduled, { tasks, clock: fastForwardClock(RECEIVED) });
    const { outcome } = await settle(run);
    expect(outcome.status).toBe('SUCCEEDED');
    // One page per checkpoint of the schedule, never more.
    expect(callsOf(calls, CLOCK_STATES.reportCheckpointFailure)).toHaveLength(CHECKPOINTS.length);
  });

  test('only a pager that cannot be reached ends in ClockFailed, with the original error', async () => {
    const { tasks } = stubTasks({
      [CLOCK_STATES.acknowledge]: async () => {
        throw new TypeError('cases table unreachable');
      },
      [CLOCK_STATES.reportAcknowledgeFailure]: async () => {
        throw new Error('SNS unreachable');
      },
    });
    const run = runClock(definition, scheduled, { tasks, clock: fastForwardClock(RECEIVED) });
    const { outcome, states: entered } = await settle(run);
    expect(entered).toEqual([
      CLOCK_STATES.acknowledge,
      CLOCK_STATES.reportAcknowledgeFailure,
      CLOCK_STATES.failed,
    ]);
    expect(outcome).toEqual({
      status: 'FAILED',
      error: 'TypeError',
      cause: 'cases table unreachable',
    });
  });

  test('every Task state needs a handler; a handler for a non-Task state is refused', () => {
    const { tasks } = stubTasks();
    const { [CLOCK_STATES.reportPlanFailure]: _omitted, ...withoutPager } = tasks;
    expect(() => runClock(definition, { caseId: CASE_ID }, { tasks: withoutPager })).toThrow(
      /no local handler for Task state\(s\): ReportPlanFailure/,
    );
    expect(() =>
      runClock(
        definition,
        { caseId: CASE_ID },
        {
          tasks: { ...tasks, [CLOCK_STATES.wait]: async () => ({}) },
          clock: fastForwardClock(RECEIVED),
        },
      ),
    ).toThrow(/no Task: WaitForCheckpoint/);
  });

  test('a scaled clock waits (T - now) / scale of real time', async () => {
    // 12 h in 120 ms; the later checkpoints follow at the same rate.
    const scale = (12 * 3600 * 1000) / 120;
    const clock = scaledClock(scale, RECEIVED);
    const { tasks } = stubTasks({
      [CLOCK_STATES.evaluate]: async () => ({ done: true, reason: 'obligationsMet' }),
    });
    const started = Date.now();
    const run = runClock(definition, { caseId: CASE_ID }, { tasks, clock });
    const { outcome } = await settle(run);

    expect(outcome.status).toBe('SUCCEEDED');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(elapsed).toBeLessThan(2_000);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(new Date(CHECKPOINTS[0]!).getTime());
  });

  test('without a clock the definition runs unchanged, its Wait in real time', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const { tasks } = stubTasks({
      [CLOCK_STATES.plan]: async () => ({ done: false, index: 0, level: 'x', at: past }),
      [CLOCK_STATES.evaluate]: async () => ({ done: true, reason: 'closed' }),
    });
    const run = runClock(definition, { caseId: CASE_ID }, { tasks });
    const { outcome } = await settle(run);

    expect(outcome.status).toBe('SUCCEEDED');
    const waited = run.events.find(
      (e) => e.type === 'StateEntered' && e.state.name === CLOCK_STATES.wait,
    );
    expect(waited?.type === 'StateEntered' && waited.state.type).toBe('Wait');
  });

  test('abort stops an execution that is waiting, at once', async () => {
    const { tasks } = stubTasks();
    const run = runClock(
      definition,
      { caseId: CASE_ID },
      { tasks, clock: scaledClock(1, RECEIVED) },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(run.statesEntered().at(-1)).toBe(CLOCK_STATES.wait);
    const started = Date.now();
    run.abort();
    expect(await run.outcome).toEqual({ status: 'ABORTED' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('the execution is named after the case, as intake starts it', () => {
    const { tasks } = stubTasks();
    const run = runClock(
      definition,
      { caseId: CASE_ID },
      {
        tasks,
        clock: fastForwardClock(RECEIVED),
      },
    );
    expect(run.executionArn).toBe(
      `arn:aws:states:us-east-1:${PLACEHOLDER.account}:execution:DeadlineClock:${CASE_ID}`,
    );
    return run.outcome;
  });
});

describe('clockFromEnv', () => {
  test('CPR_TIME_SCALE speeds the clock up; unset is real time', async () => {
    const fast = clockFromEnv({ CPR_TIME_SCALE: '3600' });
    const real = clockFromEnv({});
    const [fastBefore, realBefore] = [fast.now().getTime(), real.now().getTime()];
    expect(Math.abs(realBefore - Date.now())).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 25));
    // 25 ms of wall time is 90 s at 3600 times (timers may fire a millisecond early).
    expect(fast.now().getTime() - fastBefore).toBeGreaterThanOrEqual(24 * 3600);
    const realElapsed = real.now().getTime() - realBefore;
    expect(realElapsed).toBeGreaterThanOrEqual(24);
    expect(realElapsed).toBeLessThan(1_000);
  });

  test.each(['0', '-5', 'fast', 'Infinity'])('CPR_TIME_SCALE=%s is refused by name', (value) => {
    expect(() => clockFromEnv({ CPR_TIME_SCALE: value })).toThrow(/CPR_TIME_SCALE/);
  });
});
