/**
 * The local stand-ins for a bench, in their own process (so the measured process holds only the
 * intake code), with tables and the inbound bucket created, and the environment a measured
 * intake process needs to reach them.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createBucket, createTables } from '../../local/stand-ins.ts';

export interface BenchStack {
  readonly env: NodeJS.ProcessEnv;
  stop(): void;
}

export async function startBenchStack(): Promise<BenchStack> {
  const standIns = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'stand-ins-server.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve) => {
    createInterface({ input: standIns.stdout! }).once('line', resolve);
  });
  const endpoints = JSON.parse(line) as { dynamo: string; s3: string; sfn: string };
  const names = { cases: 'bench-cases', audit: 'bench-audit', inventory: 'bench-inventory' };
  await createTables(endpoints.dynamo, names);
  await createBucket(endpoints.s3, 'bench-inbound');
  const env = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamo,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    S3_FORCE_PATH_STYLE: 'true',
    CASES_TABLE: names.cases,
    AUDIT_TABLE: names.audit,
    INVENTORY_TABLE: names.inventory,
    INBOUND_BUCKET: 'bench-inbound',
    INBOUND_PREFIX: 'inbound/',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:bench',
    TEAM_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:bench-team',
    CPR_ADDRESSES: 'cpr@ca.example',
  };
  return { env, stop: () => standIns.kill('SIGTERM') };
}

/** Runs `script` (a .ts file beside this one) with `args` against the stack; its last JSON line. */
export async function runMeasured<T>(
  stack: BenchStack,
  script: string,
  args: string[],
): Promise<T> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, script), ...args],
    { env: stack.env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}
