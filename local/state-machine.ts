/**
 * Runs THE deadline clock that `cdk synth` produces, on this machine: tests and the local stack
 * execute the synthesized Amazon States Language, not a hand-written copy of it.
 *
 * 1. `synthesizedClockDefinition()` builds the app offline exactly as `infra/bin/app.ts` does
 *    (same `composeApp`, cdk-nag included, the context from cdk.json) with bundling skipped, takes
 *    the state machine's `DefinitionString` (an `Fn::Join` over `Ref` / `Fn::GetAtt`) and
 *    resolves it to plain ASL: every reference becomes a deterministic placeholder ARN named
 *    after the resource's logical id (`arn:aws:lambda:us-east-1:000000000000:function:<id>`,
 *    `arn:aws:sns:us-east-1:000000000000:<id>`). Cached per configuration.
 *
 * 2. `runClock()` executes a definition with aws-local-stepfunctions. Nothing reaches AWS: every
 *    Task state must have a local handler, routed by state name (`taskResourceLocalHandlers`).
 *    That includes SDK integrations such as `sns:publish`, which the library does not emulate. A
 *    handler receives the task's resolved Parameters and returns what the resource would: the
 *    function's return value for a `LambdaInvoke` with `payloadResponseOnly`, e.g. `{ MessageId }`
 *    for `sns:publish`. A handler that throws is a failed task: Retry and Catch apply as defined.
 *
 * Time. The library waits in real time (a `TimestampPath` Wait sleeps until the wall clock reaches
 * the timestamp) and its `waitTimeOverrides` only take a fixed number of milliseconds per state
 * name, computed before the timestamp is known. So with a `clock`, each Wait with `TimestampPath`
 * is swapped, in the local copy only, for a Task of the same name that reads the same path and
 * hands the timestamp to `clock.waitUntil()`, with `ResultPath: null` so its output is its input,
 * as a Wait's is. That lets the caller decide what "until T" means:
 *   - `fastForwardClock(start)`: time jumps to T at once (tests; the handlers read `clock.now()`);
 *   - `scaledClock(scale)`: T - now passes `scale` times faster (`CPR_TIME_SCALE=3600` turns the
 *     12 h checkpoint into 12 s for the local demo; `clockFromEnv()` reads it);
 * Without a clock the definition runs unchanged, in real time. In the event log the swapped state
 * shows as a Task; `statesEntered` lists names only, so it reads as in AWS.
 *
 * Retries. The definition's Retry fields decide whether and how often a state is retried (error
 * names, MaxAttempts, order of retriers); only the pause before each retry is replaced by
 * `retryIntervalMs` (default 0), through the library's `retryIntervalOverrides`. Backoff and
 * jitter therefore do not show locally; the infra tests assert them on the template.
 *
 * Known differences from AWS: a handler's error surfaces as `{ Error: error.name, Cause:
 * error.message }` (Lambda would put a JSON error object in Cause); `$$.Execution.Id` is
 * `arn:aws:states:us-east-1:000000000000:execution:<state machine>:<name>`.
 */
import {
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';

/** Where every placeholder ARN lives: no real account has this id. */
export const PLACEHOLDER = {
  partition: 'aws',
  region: 'us-east-1',
  account: '000000000000',
  urlSuffix: 'amazonaws.com',
} as const;

export type Asl = StateMachineDefinition;
type AslState = Asl['States'][string];
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

export function placeholderArn(service: string, resource: string): string {
  const { partition, region, account } = PLACEHOLDER;
  return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}

// Clocks
// ---------------------------------------------------------------------------------------------

/** The time the local clock's handlers and its Wait states agree on. */
export interface LocalClock {
  now(): Date;
  /** Resolves once `now()` has reached `at` (at once if it already has) or `signal` aborts. */
  waitUntil(at: Date, signal: AbortSignal): Promise<void>;
}

/** Jumps to each Wait's timestamp at once: a whole clock runs in milliseconds. */
export function fastForwardClock(start: Date): LocalClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    waitUntil: async (at) => {
      current = Math.max(current, at.getTime());
    },
  };
}

/** setTimeout's limit (about 24.8 days); longer sleeps are taken in pieces. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Virtual time that starts at `start` (default: now) and runs `scale` times faster than the
 * wall clock; `scale` 1 is real time.
 */
export function scaledClock(scale: number, start: Date = new Date()): LocalClock {
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`time scale must be a positive number, got ${scale}`);
  }
  const realStart = Date.now();
  const now = () => new Date(start.getTime() + (Date.now() - realStart) * scale);
  return {
    now,
    waitUntil: async (at, signal) => {
      for (;;) {
        const remaining = (at.getTime() - now().getTime()) / scale;
        if (remaining <= 0 || signal.aborted) return;
        await sleep(Math.min(Math.ceil(remaining), MAX_TIMER_MS), signal);
      }
    },
  };
}

/** Name of the variable that speeds up the local clock (`CPR_TIME_SCALE=3600`: 1 h per second). */
export const TIME_SCALE_ENV = 'CPR_TIME_SCALE';

/** A scaled clock from CPR_TIME_SCALE (unset: real time); a bad value is an error naming it. */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): LocalClock {
  const raw = env[TIME_SCALE_ENV];
  const scale = raw === undefined || raw.trim() === '' ? 1 : Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`${TIME_SCALE_ENV} must be a positive number, got "${raw}"`);
  }
  return scaledClock(scale);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------

/** Stands in for a Task's resource: gets the resolved Parameters, returns the resource's result. */
export type TaskHandler = (payload: JsonValue) => unknown;

export interface RunClockOptions {
  /** A handler for every Task state, by state name: a missing one is an error, not an AWS call. */
  readonly tasks: Readonly<Record<string, TaskHandler>>;
  /** Drives every Wait with TimestampPath (see the top of this file). @default real time */
  readonly clock?: LocalClock;
  /** Pause before each retry the definition allows. @default 0 */
  readonly retryIntervalMs?: number;
  /** The execution's name ($$.Execution.Name). @default the input's caseId, else a UUID */
  readonly executionName?: string;
  /** @default a placeholder ARN of a state machine named DeadlineClock */
  readonly stateMachineArn?: string;
}

export type ClockOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: unknown }
  | { readonly status: 'ABORTED' };

/** One event of the library's execution log (StateEntered, StateRetried, ExecutionFailed, ...). */
export type ClockEvent = Awaited<
  ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>
>['value'];

export interface ClockRun {
  readonly executionArn: string;
  /** Settles when the execution ended and its event log is complete; never rejects. */
  readonly outcome: Promise<ClockOutcome>;
  /** The library's event log so far, in order. */
  readonly events: readonly ClockEvent[];
  /** Names of the states entered so far, in order (a retry does not enter a state again). */
  statesEntered(): string[];
  /** Stops the execution (as StopExecution would); `outcome` becomes ABORTED. */
  abort(): void;
}

/** Resource of the Task that stands in for a Wait with TimestampPath (never called in AWS). */
const LOCAL_WAIT_RESOURCE = placeholderArn('lambda', 'function:local-clock-wait');
/** The stand-in Task's timeout: the longest the library's timer can wait. */
const LOCAL_WAIT_TIMEOUT_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/**
 * Starts one local execution of `definition` with `input`. Returns at once; await `outcome`.
 *
 * @example
 * const clock = fastForwardClock(new Date('2025-01-01T00:00:00Z'));
 * const run = runClock(synthesizedClockDefinition(), { caseId: 'CPR-20250101-ABCD' }, {
 *   clock,
 *   tasks: {
 *     Acknowledge: async () => ({ status: 'sent', messageId: 'm-1' }),
 *     NotifyTeam: async () => ({ status: 'sent' }),
 *     PlanClock: async () => ({ done: false, index: 0, level: 'h12', at: '2025-01-01T12:00:00Z' }),
 *     EvaluateCheckpoint: async () => ({ done: true, reason: 'obligationsMet' }),
 *     ReportAcknowledgeFailure: async () => ({ MessageId: 'sns-1' }), // and the other reports
 *   },
 * });
 * const outcome = await run.outcome; // { status: 'SUCCEEDED', output: {...} }
 */
export function runClock(definition: Asl, input: JsonValue, options: RunClockOptions): ClockRun {
  const name = options.executionName ?? defaultExecutionName(input);
  const stateMachineArn =
    options.stateMachineArn ?? placeholderArn('states', 'stateMachine:DeadlineClock');
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const stop = new AbortController();

  const local = structuredClone(definition);
  const handlers: Record<string, (payload: JsonValue) => Promise<JsonValue>> = {};
  if (options.clock) {
    const clock = options.clock;
    for (const waitState of replaceTimestampWaits(local)) {
      handlers[waitState] = async (payload) => {
        const timestamp = (payload as { timestamp?: unknown }).timestamp;
        const at = typeof timestamp === 'string' ? new Date(timestamp) : new Date(Number.NaN);
        if (Number.isNaN(at.getTime())) {
          throw new Error(`${waitState}: not a timestamp: ${JSON.stringify(timestamp)}`);
        }
        await clock.waitUntil(at, stop.signal);
        return {};
      };
    }
  }
  const taskStates = Object.entries(local.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([stateName]) => stateName);
  const missing = taskStates.filter((s) => !handlers[s] && !options.tasks[s]);
  const unknown = Object.keys(options.tasks).filter((s) => !taskStates.includes(s) || handlers[s]);
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      [
        missing.length > 0 && `no local handler for Task state(s): ${missing.join(', ')}`,
        unknown.length > 0 && `handler(s) for state(s) that are no Task: ${unknown.join(', ')}`,
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
  for (const [stateName, handler] of Object.entries(options.tasks)) {
    // Through JSON, as a Lambda result travels: `undefined` becomes null, a Date a string.
    handlers[stateName] = async (payload) => asJson(await handler(payload));
  }

  const retryIntervals = Object.fromEntries(
    Object.entries(local.States)
      .filter(([, state]) => 'Retry' in state && state.Retry)
      .map(([stateName]) => [stateName, options.retryIntervalMs ?? 0]),
  );
  const runOptions: RunOptions = {
    overrides: {
      taskResourceLocalHandlers: handlers,
      retryIntervalOverrides: retryIntervals,
    },
    noThrowOnAbort: true,
    context: {
      Execution: { Id: executionArn, Name: name },
      StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(':').at(-1) },
    },
  };
  const execution = stateMachineFor(local).run(input, runOptions);

  const events: ClockEvent[] = [];
  const drained = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  const outcome = (async (): Promise<ClockOutcome> => {
    let output: unknown;
    try {
      output = await execution.result;
    } catch {
      // The ExecutionFailed event below carries the error name and cause.
    }
    await drained;
    const last = events.at(-1);
    if (last?.type === 'ExecutionSucceeded') return { status: 'SUCCEEDED', output };
    if (last?.type === 'ExecutionFailed') {
      return { status: 'FAILED', error: last.Error, cause: last.Cause };
    }
    return { status: 'ABORTED' };
  })();

  return {
    executionArn,
    outcome,
    events,
    statesEntered: () => events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : [])),
    abort: () => {
      stop.abort();
      execution.abort();
    },
  };
}

/** Validating a definition takes the library a few hundred ms; each one is validated once. */
const machines = new Map<string, StateMachine>();
const MAX_CACHED_MACHINES = 16;

function stateMachineFor(definition: Asl): StateMachine {
  const key = JSON.stringify(definition);
  let machine = machines.get(key);
  if (!machine) {
    machine = new StateMachine(definition);
    if (machines.size >= MAX_CACHED_MACHINES) machines.clear();
    machines.set(key, machine);
  }
  return machine;
}

/**
 * Swaps each top-level Wait with TimestampPath for a Task of the same name that passes the
 * timestamp to the local clock; returns the swapped state names.
 */
function replaceTimestampWaits(definition: Asl): string[] {
  const replaced: string[] = [];
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Wait' || !state.TimestampPath) continue;
    if (state.InputPath !== undefined) {
      // A Task applies InputPath to Parameters only, a Wait to its output too: not the same.
      throw new Error(`${stateName}: a Wait with InputPath cannot be driven by the local clock`);
    }
    const task = {
      Type: 'Task',
      Comment: `local stand-in for the Wait until ${state.TimestampPath}`,
      Resource: LOCAL_WAIT_RESOURCE,
      Parameters: { 'timestamp.$': state.TimestampPath },
      ResultPath: null,
      TimeoutSeconds: LOCAL_WAIT_TIMEOUT_SECONDS,
      ...(state.OutputPath !== undefined && { OutputPath: state.OutputPath }),
      ...('Next' in state ? { Next: state.Next } : { End: true }),
    };
    definition.States[stateName] = task as unknown as AslState;
    replaced.push(stateName);
  }
  return replaced;
}

function defaultExecutionName(input: JsonValue): string {
  const caseId = (input as { caseId?: unknown } | null)?.caseId;
  return typeof caseId === 'string' && caseId !== '' ? caseId : crypto.randomUUID();
}

function asJson(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}
