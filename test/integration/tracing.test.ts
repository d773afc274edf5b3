/**
 * The shared Tracer captures every SDK client, and tracing needs no X-Ray daemon where there is
 * none: outside Lambda it is off, and in a Lambda-like environment with it on, calls still work
 * when nothing listens on the daemon's port. Each case runs in a fresh Node process, because
 * Powertools and the X-Ray SDK read the environment once, when they load.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, inject, test } from 'vitest';
import { REPO_ROOT } from '../../infra/paths.ts';
import { pointSdkAt } from '../../local/stand-ins.ts';

const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';
/** A trace header as Lambda sets it for a sampled invocation. */
const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const LAMBDA_ENV = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  LAMBDA_TASK_ROOT: '/var/task',
  AWS_LAMBDA_FUNCTION_NAME: 'cpr-test',
  _X_AMZN_TRACE_ID: TRACE_HEADER,
  // A port nothing listens on: segments go out over UDP and are lost, nothing fails.
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
};

interface Traced {
  readonly enabled: boolean;
  /** Whether the X-Ray SDK was loaded at all (its async hooks tax every promise). */
  readonly xrayLoaded: boolean;
  readonly middleware: string[][];
  readonly result: boolean;
}

function invoke(extra: Record<string, string>): { traced: Traced; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(LAMBDA_ENV)) delete env[k];
  delete env.POWERTOOLS_TRACE_ENABLED;
  pointSdkAt(env, { dynamodb: inject('dynamoEndpoint') });
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/support/traced-invocation.ts'],
    { cwd: REPO_ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 30_000 },
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('TRACED '));
  if (run.status !== 0 || !line)
    throw new Error(`the traced invocation failed:\n${run.stdout}\n${run.stderr}`);
  return { traced: JSON.parse(line.slice('TRACED '.length)) as Traced, stderr: run.stderr };
}

const captured = (t: Traced) =>
  t.middleware.map((names) => names.some((n) => n.includes(XRAY_MIDDLEWARE)));

describe('tracing', () => {
  test('is off outside Lambda: the X-Ray SDK is not loaded, the clients are left as the SDK made them', () => {
    const { traced } = invoke({});
    expect(traced).toMatchObject({ enabled: false, xrayLoaded: false, result: true });
    expect(captured(traced)).toEqual(Array(7).fill(false));
  });

  test('is off in Lambda when POWERTOOLS_TRACE_ENABLED is "false"', () => {
    const { traced } = invoke({ ...LAMBDA_ENV, POWERTOOLS_TRACE_ENABLED: 'false' });
    expect(traced).toMatchObject({ enabled: false, xrayLoaded: false, result: true });
    expect(captured(traced)).toEqual(Array(7).fill(false));
  });

  test('in Lambda every client is captured, and calls work with no daemon listening', () => {
    const { traced, stderr } = invoke(LAMBDA_ENV);
    expect(traced).toMatchObject({ enabled: true, xrayLoaded: true, result: true });
    expect(captured(traced)).toEqual(Array(7).fill(true));
    // The invocation had a segment to hang the SDK call on (the trace header's).
    expect(stderr).not.toMatch(/Failed to get the current sub\/segment|Error/);
  });
});
