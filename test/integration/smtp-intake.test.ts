/**
 * The local SMTP stand-in for SES receiving, as a hostile sender meets it, over real SMTP: the
 * sender is nodemailer (or plain sockets) in a child process, so that this process, which hosts
 * the server, keeps its event loop free. DATA past the limit is refused with 552 and dropped as
 * it streams, never buffered; connections past the limit are answered 421.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, inject, test } from 'vitest';
import { s3Client } from '../../lambdas/adapters/aws-clients.ts';
import { startSmtpIntake } from '../../local/smtp-intake.ts';
import { createBucket, pointSdkAt } from '../../local/stand-ins.ts';

const CPR = 'cpr@ca.example';
const SENDER = 'bomber@sender.example';
const MiB = 1024 * 1024;
/** A child that has not answered by then has hung: the test fails instead of waiting. */
const CHILD_DEADLINE_MS = 90_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: { maxMessageBytes?: number; maxConnections?: number }) {
  pointSdkAt(process.env, { s3: inject('s3Endpoint') });
  const bucket = `smtp-${randomUUID().slice(0, 8)}`;
  await createBucket(inject('s3Endpoint'), bucket);
  const accepted: string[] = [];
  const smtp = await startSmtpIntake({
    port: 0,
    cprAddresses: [CPR],
    s3: s3Client(),
    bucket,
    prefix: 'inbound/',
    invoke: async () => undefined,
    onAccepted: (id) => accepted.push(id),
    ...options,
  });
  cleanups.push(() => smtp.stop());
  return { port: smtp.address.split(':')[1]!, accepted };
}

/** Starts `test/support/smtp-client.ts` with `args`; its first JSON line, and the child. */
function client<T>(args: string[]): { child: ChildProcess; result: Promise<T> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('../support/smtp-client.ts', import.meta.url).pathname, ...args],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  cleanups.push(() => {
    child.kill('SIGTERM');
  });
  const result = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('SMTP client gave no answer')),
      CHILD_DEADLINE_MS,
    );
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as T);
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`SMTP client exited with ${code}`));
    });
  });
  return { child, result };
}

type Sent = { accepted: boolean; code?: number | null; response: string };
const send = (port: string, bodyBytes: number) =>
  client<Sent>(['send', port, SENDER, CPR, String(bodyBytes)]);

describe('local SMTP stand-in: message size', () => {
  test('a message within the limit is stored and handed to intake', async () => {
    const { port, accepted } = await server({ maxMessageBytes: MiB });
    const sent = await send(port, MiB / 2).result;
    expect(sent).toMatchObject({ accepted: true });
    expect(sent.response).toMatch(/^250 /);
    expect(accepted).toHaveLength(1);
  }, 120_000);

  test('DATA past the limit is refused with 552, dropped as it streams, and nothing is stored', async () => {
    const { port, accepted } = await server({ maxMessageBytes: MiB });
    const sentBytes = 256 * MiB;
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 10);
    try {
      const sent = await send(port, sentBytes).result;
      expect(sent).toMatchObject({ accepted: false, code: 552 });
    } finally {
      clearInterval(sampler);
    }
    expect(accepted).toEqual([]);
    // Kept, the DATA would be 256 MB here (and twice that while concatenated). Dropped, what is
    // held at any moment is the limit plus the socket's chunks not yet collected as garbage.
    expect(peak - before).toBeLessThan(sentBytes / 2);
  }, 180_000);
});

describe('local SMTP stand-in: connections', () => {
  test('past the limit a connection is answered 421; once senders leave, new ones are served', async () => {
    const { port, accepted } = await server({ maxConnections: 20 });
    const held = client<{ codes: number[] }>(['hold', port, '25']);
    const { codes } = await held.result;
    expect(codes.filter((c) => c === 220)).toHaveLength(20);
    expect(codes.filter((c) => c === 421)).toHaveLength(5);
    held.child.stdin!.end();
    await new Promise((resolve) => held.child.once('exit', resolve));
    const sent = await send(port, 1024).result;
    expect(sent).toMatchObject({ accepted: true });
    expect(accepted).toHaveLength(1);
  }, 120_000);
});
