/**
 * Starts `npm start` as a user would, in its own data directory and on free ports, and stops it
 * by signalling the Node process itself (killing npm would leave it running).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => done(port));
    });
  });
}

/** Variables of the test process that must not leak into a user-like child (endpoints, tables). */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      k.startsWith('AWS_') ||
      k.startsWith('CPR_') ||
      k === 'S3_FORCE_PATH_STYLE' ||
      k.startsWith('VITEST')
    )
      continue;
    env[k] = v;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_loglevel: 'error', ...extra };
}

export interface LocalStackProcess {
  readonly smtpPort: number;
  readonly outboxPort: number;
  readonly dataDir: string;
  readonly output: () => string;
  /** The Node process serving the stack (from stack.json). */
  readonly pid: number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Upper bound for the stack to come up on a loaded 2-core machine (the first start synthesizes
 * the clock definition, while other test files run beside it).
 */
export const START_TIMEOUT_MS = 150_000;

export async function startLocalStackProcess(options: {
  dataDir: string;
  timeScale: number;
  smtpPort?: number;
  outboxPort?: number;
  inventory?: string;
  /** CPR_ISSUERS: the issuers file for the revocation checks. */
  issuers?: string;
}): Promise<LocalStackProcess> {
  const smtpPort = options.smtpPort ?? (await freePort());
  const outboxPort = options.outboxPort ?? (await freePort());
  let out = '';
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: ROOT,
    env: cleanEnv({
      CPR_DATA_DIR: options.dataDir,
      CPR_TIME_SCALE: String(options.timeScale),
      CPR_SMTP_PORT: String(smtpPort),
      CPR_OUTBOX_PORT: String(outboxPort),
      ...(options.inventory ? { CPR_INVENTORY: options.inventory } : {}),
      ...(options.issuers ? { CPR_ISSUERS: options.issuers } : {}),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!out.includes('local stack ready')) {
    if (child.exitCode !== null)
      throw new Error(`npm start exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`npm start not ready after ${START_TIMEOUT_MS} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const { pid } = JSON.parse(await readFile(join(options.dataDir, 'stack.json'), 'utf-8')) as {
    pid: number;
  };
  return {
    smtpPort,
    outboxPort,
    dataDir: options.dataDir,
    output: () => out,
    pid,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      try {
        process.kill(pid, signal);
      } catch {
        return;
      }
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise<void>((r) =>
        child.exitCode !== null ? r() : child.once('close', () => r()),
      );
    },
  };
}

/** Reads the SNS sink's JSON-lines log of a running or stopped stack. */
export async function publishedMessages(
  dataDir: string,
): Promise<
  { topic: string; subject: string | null; message: string; attributes: Record<string, string> }[]
> {
  try {
    const text = await readFile(join(dataDir, 'sns.jsonl'), 'utf-8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

/** Polls `check` until it returns a value, or fails after `ms` naming what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  ms = 30_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for the stack to publish an alert of `type` about `caseId`, and returns it. */
export function waitForAlert(
  dataDir: string,
  type: string,
  caseId: string | undefined,
  what: string,
  ms?: number,
) {
  return waitFor(
    what,
    async () =>
      (await publishedMessages(dataDir)).find(
        (m) => m.attributes.type === type && m.attributes.caseId === caseId,
      ),
    ms,
  );
}
