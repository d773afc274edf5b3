/**
 * `npm run bench:e2e`: the local stack (`npm start`, its own process) driven over SMTP.
 *
 * 1. Latency: 200 reports one after another; for each, the time from the end of SMTP DATA (the
 *    server's 250 reply) to the acknowledgment appearing in the SES stand-in. p50 and p99.
 * 2. Burst: 1,000 reports over 10 parallel SMTP connections; then every report must be one case,
 *    exactly once (no loss, no duplicate), and every reporter acknowledged exactly once.
 *    Throughput is reports accepted per second and cases recorded per second.
 * Targets on a 2-core machine: p50 < 100 ms, p99 < 500 ms, zero lost or duplicated.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTransport } from 'nodemailer';
import { startLocalStackProcess } from '../test/support/local-stack-process.ts';
import { percentile } from './support/stats.ts';

const SEQUENTIAL = 200;
const BURST = 1_000;
const CONNECTIONS = 10;
const POLL_MS = 2;
const ACK_TIMEOUT_MS = 10_000;
const TARGET_P50_MS = 100;
const TARGET_P99_MS = 500;

type Stored = { destination: { to: string[] }; subject: string };

async function store(port: number): Promise<Stored[]> {
  const res = await fetch(`http://127.0.0.1:${port}/store`);
  return ((await res.json()) as { emails: Stored[] }).emails;
}

function report(i: number, tag: string) {
  return {
    from: `Reporter ${i} <r${i}.${tag}@researcher.example>`,
    to: 'cpr@ca.example',
    subject: `Compromised key report ${tag}-${i}`,
    messageId: `<${tag}-${i}@researcher.example>`,
    text: `The private key of host${i}.example.test was published. Please revoke.\n`,
  };
}

const dir = await mkdtemp(join(tmpdir(), 'cpr-bench-e2e-'));
const stack = await startLocalStackProcess({ dataDir: dir, timeScale: 1 });
try {
  const deployment = JSON.parse(await readFile(join(dir, 'stack.json'), 'utf-8')) as {
    endpoints: { dynamodb: string };
    casesTable: string;
  };

  // 1. Sequential latency.
  const one = createTransport({
    host: '127.0.0.1',
    port: stack.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  const latencies: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i += 1) {
    const msg = report(i, 'seq');
    const address = `r${i}.seq@researcher.example`;
    await one.sendMail(msg);
    const end = performance.now();
    for (;;) {
      if ((await store(stack.outboxPort)).some((m) => m.destination.to.includes(address))) break;
      if (performance.now() - end > ACK_TIMEOUT_MS)
        throw new Error(`no acknowledgment for ${address}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    latencies.push(performance.now() - end);
  }
  one.close();

  // 2. Burst over parallel connections.
  const pool = createTransport({
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Infinity,
    host: '127.0.0.1',
    port: stack.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  const burstStart = performance.now();
  const sent = await Promise.allSettled(
    Array.from({ length: BURST }, (_, i) => pool.sendMail(report(i, 'burst'))),
  );
  const acceptedMs = performance.now() - burstStart;
  pool.close();
  const refused = sent.filter((s) => s.status === 'rejected').length;

  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: deployment.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }),
  );
  async function burstCases(): Promise<Map<string, number>> {
    const byReporter = new Map<string, number>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new ScanCommand({
          TableName: deployment.casesTable,
          FilterExpression: 'itemType = :c',
          ExpressionAttributeValues: { ':c': 'case' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const reporter = String(item.reporter ?? '');
        if (reporter.includes('.burst@'))
          byReporter.set(reporter, (byReporter.get(reporter) ?? 0) + 1);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return byReporter;
  }
  let cases = await burstCases();
  const settleUntil = performance.now() + 120_000;
  while (cases.size < BURST - refused && performance.now() < settleUntil) {
    await new Promise((r) => setTimeout(r, 250));
    cases = await burstCases();
  }
  const recordedMs = performance.now() - burstStart;
  const duplicates = [...cases.values()].filter((n) => n > 1).length;
  const acks = (await store(stack.outboxPort)).filter((m) =>
    m.destination.to.some((t) => t.includes('.burst@')),
  );
  const ackCounts = new Map<string, number>();
  for (const a of acks)
    for (const t of a.destination.to) ackCounts.set(t, (ackCounts.get(t) ?? 0) + 1);

  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const rows: [string, string, string][] = [
    ['SMTP end of DATA to acknowledgment, p50', `${p50.toFixed(1)} ms`, `< ${TARGET_P50_MS} ms`],
    ['SMTP end of DATA to acknowledgment, p99', `${p99.toFixed(1)} ms`, `< ${TARGET_P99_MS} ms`],
    ['burst: reports refused by SMTP', String(refused), '0'],
    ['burst: cases recorded', `${cases.size} of ${BURST}`, String(BURST)],
    ['burst: duplicated cases', String(duplicates), '0'],
    [
      'burst: reporters acknowledged exactly once',
      `${[...ackCounts.values()].filter((n) => n === 1).length} of ${BURST}`,
      String(BURST),
    ],
    ['burst: accepted over SMTP', `${(BURST / (acceptedMs / 1000)).toFixed(0)} reports/s`, ''],
    ['burst: recorded as cases', `${(cases.size / (recordedMs / 1000)).toFixed(0)} cases/s`, ''],
  ];
  console.log(
    `| measure (${SEQUENTIAL} sequential, ${BURST} over ${CONNECTIONS} connections) | value | target |\n|---|---|---|`,
  );
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
  const ok =
    p50 < TARGET_P50_MS &&
    p99 < TARGET_P99_MS &&
    refused === 0 &&
    cases.size === BURST &&
    duplicates === 0;
  console.log(ok ? '\nall targets met' : '\nTARGET MISSED');
  process.exitCode = ok ? 0 : 1;
} finally {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
