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
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import {
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { composeApp } from '../infra/compose.ts';
import { CONFIG_CONTEXT_KEY, type CprConfig, parseConfig } from '../infra/config.ts';
import { REPO_ROOT } from '../infra/paths.ts';

/** Where every placeholder ARN lives: no real account has this id. */
export const PLACEHOLDER = {
  partition: 'aws',
  region: 'us-east-1',
  account: '000000000000',
  urlSuffix: 'amazonaws.com',
} as const;

export type Asl = StateMachineDefinition;
type AslState = Asl['States'][string];
type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export class DefinitionResolveError extends Error {
  override readonly name = 'DefinitionResolveError';
}

// ---------------------------------------------------------------------------------------------
// The synthesized definition
// ---------------------------------------------------------------------------------------------

/** The `context` block of cdk.json: feature flags and the sample `cpr` configuration. */
export function cdkJsonContext(): Record<string, unknown> {
  const text = readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8');
  return (JSON.parse(text) as { context: Record<string, unknown> }).context;
}

const definitions = new Map<string, Asl>();

/**
 * The deadline clock's ASL as `cdk synth` writes it for `config` (default: the sample in
 * cdk.json), with placeholder ARNs. A fresh copy per call; the synth runs once per configuration.
 */
export function synthesizedClockDefinition(config?: CprConfig): Asl {
  const context = cdkJsonContext();
  const parsed = config ?? parseConfig(context[CONFIG_CONTEXT_KEY]);
  const key = JSON.stringify(parsed);
  let definition = definitions.get(key);
  if (!definition) {
    definition = resolveStateMachine(synthesizeTemplate(context, parsed));
    definitions.set(key, definition);
  }
  return structuredClone(definition);
}

interface CfnTemplate {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: unknown }>;
}

function synthesizeTemplate(context: Record<string, unknown>, config: CprConfig): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'cpr-clock-'));
  try {
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const { intake } = composeApp(app, config);
    return app.synth().getStackByName(intake.stackName).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The one AWS::StepFunctions::StateMachine of `template`, its definition resolved to ASL. */
export function resolveStateMachine(template: CfnTemplate): Asl {
  const machines = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1) {
    throw new DefinitionResolveError(`expected one state machine, found ${machines.length}`);
  }
  const [id, machine] = machines[0]!;
  const raw = (machine.Properties as { DefinitionString?: unknown } | undefined)?.DefinitionString;
  if (raw === undefined) throw new DefinitionResolveError(`${id} has no DefinitionString`);
  const text = resolveIntrinsics(raw, template);
  if (typeof text !== 'string') throw new DefinitionResolveError(`${id}: not a string definition`);
  return JSON.parse(text) as Asl;
}

/** What a `Ref` and each `Fn::GetAtt` attribute of a resource type resolve to locally. */
const PLACEHOLDERS: Record<
  string,
  { ref: (id: string) => string; attributes: Record<string, (id: string) => string> }
> = {
  'AWS::Lambda::Function': {
    ref: (id) => id,
    attributes: { Arn: (id) => placeholderArn('lambda', `function:${id}`) },
  },
  'AWS::SNS::Topic': {
    ref: (id) => placeholderArn('sns', id),
    attributes: { TopicArn: (id) => placeholderArn('sns', id), TopicName: (id) => id },
  },
};

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': PLACEHOLDER.partition,
  'AWS::Region': PLACEHOLDER.region,
  'AWS::AccountId': PLACEHOLDER.account,
  'AWS::URLSuffix': PLACEHOLDER.urlSuffix,
};

export function placeholderArn(service: string, resource: string): string {
  const { partition, region, account } = PLACEHOLDER;
  return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}

function resolveIntrinsics(value: unknown, template: CfnTemplate): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, template));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const [fn, args] = entries[0] ?? [];
    if (entries.length === 1 && fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((p) => asString(resolveIntrinsics(p, template), fn)).join(separator);
    }
    if (entries.length === 1 && fn === 'Ref') return resolveRef(args as string, template);
    if (entries.length === 1 && fn === 'Fn::GetAtt') {
      const [id, attribute] = args as [string, string];
      const placeholder = placeholderOf(id, template).attributes[attribute];
      if (!placeholder) throw new DefinitionResolveError(`no placeholder for ${id}.${attribute}`);
      return placeholder(id);
    }
    throw new DefinitionResolveError(`cannot resolve ${JSON.stringify(value).slice(0, 120)}`);
  }
  throw new DefinitionResolveError(`unexpected value ${String(value)}`);
}

function resolveRef(id: string, template: CfnTemplate): string {
  return PSEUDO_PARAMETERS[id] ?? placeholderOf(id, template).ref(id);
}

function placeholderOf(id: string, template: CfnTemplate) {
  const type = template.Resources[id]?.Type;
  const placeholder = type ? PLACEHOLDERS[type] : undefined;
  if (!placeholder) throw new DefinitionResolveError(`no placeholder for ${id} (${type})`);
  return placeholder;
}

function asString(value: unknown, fn: string): string {
  if (typeof value !== 'string') throw new DefinitionResolveError(`${fn} of a non-string`);
  return value;
}

// ---------------------------------------------------------------------------------------------
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
 *     ReportClockFailure: async () => ({ MessageId: 'sns-1' }),
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
