/**
 * A local stack for the `cpr` tests: the shared stand-ins, fresh tables and bucket, the SNS sink,
 * the Step Functions endpoint, and a Lambda endpoint running the real intake core under the
 * intake function's name, all described in a stack.json in a temporary data directory, exactly as
 * `npm start` describes itself. `run` drives the CLI in-process; `spawnCpr` as a user would.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { type Deployment, writeLocalDeployment } from '../../cli/deployment.ts';
import { runCli } from '../../cli/main.ts';
import { handleIntakeEvent } from '../../lambdas/intake/handler-core.ts';
import { type LambdaEndpoint, startLambdaEndpoint } from '../../local/lambda-endpoint.ts';
import type { StoredMail } from '../../local/stand-ins.ts';
import { type ClockEnv, clockEnv, SENDER } from '../support/clock-env.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const INTAKE_FUNCTION = 'cpr-intake-local';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliEnv {
  readonly clock: ClockEnv;
  readonly lambda: LambdaEndpoint;
  readonly dataDir: string;
  readonly deployment: Deployment;
  /** The CLI's clock for in-process runs (tests move it). */
  now: Date;
  run(...argv: string[]): Promise<CliRun>;
  /** `run` with `--json`, parsed; fails the test on a non-zero exit. */
  runJson<T = unknown>(...argv: string[]): Promise<T>;
  mails(): Promise<StoredMail[]>;
  stop(): Promise<void>;
}

export async function cliEnv(): Promise<CliEnv> {
  const clock = await clockEnv();
  const intake = {
    deps: clock.deps,
    settings: clock.settings,
    inboundPrefix: clock.config.inboundPrefix,
  };
  const lambda = await startLambdaEndpoint({
    functions: {
      [INTAKE_FUNCTION]: (event) => handleIntakeEvent(event, intake),
    },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'cpr-cli-'));
  const deployment: Deployment = {
    kind: 'local',
    region: 'us-east-1',
    endpoints: {
      dynamodb: inject('dynamoEndpoint'),
      s3: inject('s3Endpoint'),
      sesv2: inject('sesEndpoint'),
      sns: clock.sns.endpoint,
      sfn: clock.sfn.endpoint,
      lambda: lambda.endpoint,
    },
    pid: process.pid,
    casesTable: clock.config.casesTable,
    auditTable: clock.config.auditTable,
    inventoryTable: clock.config.inventoryTable,
    inboundBucket: clock.config.inboundBucket,
    inboundPrefix: clock.config.inboundPrefix,
    evidenceBucket: clock.config.evidenceBucket,
    evidencePrefix: clock.config.evidencePrefix,
    intakeFunction: INTAKE_FUNCTION,
    configurationSet: 'cpr-notices',
    senderAddress: SENDER.senderAddress,
    replyTo: SENDER.replyTo,
    caName: SENDER.caName,
    acknowledgmentLimits: SENDER.acknowledgmentLimits,
    stateMachineArn: clock.config.stateMachineArn,
  };
  await writeLocalDeployment(dataDir, deployment);
  const env: CliEnv = {
    clock,
    lambda,
    dataDir,
    deployment,
    now: new Date(),
    async run(...argv) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, {
        io: {
          out: (t) => {
            stdout += `${t}\n`;
          },
          err: (t) => {
            stderr += `${t}\n`;
          },
        },
        env: { ...process.env, CPR_DATA_DIR: dataDir },
        cwd: ROOT,
        now: () => new Date(env.now),
      });
      return { code, stdout, stderr };
    },
    async runJson<T>(...argv: string[]) {
      const r = await env.run(...argv, '--json');
      if (r.code !== 0) throw new Error(`cpr ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async mails() {
      const res = await fetch(`${inject('sesEndpoint')}/store`);
      return ((await res.json()) as { emails: StoredMail[] }).emails;
    },
    async stop() {
      await lambda.stop();
      await clock.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return env;
}

/**
 * Runs the installed command as a user would: the package.json bin launcher (or `npx cpr`) in a
 * child process, asynchronously so this process keeps serving the Lambda endpoint.
 */
export function spawnCpr(
  argv: readonly string[],
  options: { dataDir?: string; via?: 'launcher' | 'npx' | 'npm-run'; cwd?: string } = {},
): Promise<CliRun> {
  const via = options.via ?? 'launcher';
  const [command, args] =
    via === 'npx'
      ? ['npx', ['--no-install', 'cpr', ...argv]]
      : via === 'npm-run'
        ? ['npm', ['run', '--silent', 'cpr', '--', ...argv]]
        : [process.execPath, [join(ROOT, 'cli', 'bin', 'cpr.js'), ...argv]];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
  };
  if (options.dataDir) env.CPR_DATA_DIR = options.dataDir;
  else delete env.CPR_DATA_DIR;
  return new Promise((done, fail) => {
    const child = spawn(command as string, args as string[], {
      cwd: options.cwd ?? ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}
