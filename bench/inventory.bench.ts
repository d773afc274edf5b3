/**
 * `npm run bench:inventory`: the inventory at a CA's scale. For each size (10,000, 100,000 and
 * 1,000,000 records by default; `BENCH_INVENTORY_SIZES=10000,100000` to choose) it generates a
 * CSV with real-shaped values once, then per run, against a fresh DynamoDB stand-in in its own
 * process:
 * - imports it with the real import (stream, csv-parse, validation, batched writes) in a process
 *   of its own, whose peak RSS is the import's;
 * - looks up a mass report: 5,000 serials and 2,000 fingerprints (10 % of each absent), the
 *   fingerprints once of the same certificates as the serials and once of others (the target
 *   applies to the second, where every fingerprint is an index query), with the stand-in's own
 *   CPU time during each look-up: the stand-in is one process, so no look-up can be faster.
 * Once per size it also measures our side alone (reading and validating, no writes) and the
 * stand-in alone (prebuilt records, same batching), so the import can be placed between them.
 * Runs per size: `BENCH_INVENTORY_RUNS` (default 3); the stand-in alone is measured at the sizes
 * of `BENCH_INVENTORY_STAND_IN_SIZES` (default all). Exit code 1 when a target is missed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { heapFlagsFor } from '../cli/bin/heap.js';
import { createTables } from '../local/stand-ins.ts';
import { median } from './support/stats.ts';

const SIZES = (process.env.BENCH_INVENTORY_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_INVENTORY_RUNS ?? 3);
/** Sizes at which the stand-in alone is measured too (it takes as long as an import). */
const STAND_IN_SIZES = new Set(
  (process.env.BENCH_INVENTORY_STAND_IN_SIZES ?? SIZES.join(',')).split(',').map(Number),
);
const TARGET_RATE = 5_000;
const TARGET_RSS_MB = 300;
const TARGET_LOOKUP_MS = 2_000;
/** The look-up target is set for a million records. */
const LOOKUP_TARGET_SIZE = 1_000_000;
const dataDir = join(import.meta.dirname, '.data');

const ISSUERS = [
  'CN=Example TLS RSA Issuing CA R1,O=Example Trust Services GmbH,C=DE',
  'CN=Example TLS RSA Issuing CA R2,O=Example Trust Services GmbH,C=DE',
  'CN=Example TLS ECC Issuing CA E1,O=Example Trust Services GmbH,C=DE',
  'CN=Example EV TLS Issuing CA 2025,O=Example Trust Services GmbH,C=DE',
];
const REASONS = ['keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged'];

/** A CSV of `n` records shaped like a CA's export: 18-byte serials, reissues on one key, 1 % revoked. */
async function generate(n: number): Promise<string> {
  const path = join(dataDir, `inventory-${n}.csv`);
  if (existsSync(path)) return path;
  await mkdir(dataDir, { recursive: true });
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(
    'sha256,serial,spki_sha256,subscriber,email,issuer,not_before,not_after,revoked_at,revocation_reason\n',
  );
  const now = Date.parse('2026-12-01T00:00:00Z');
  let spki = randomBytes(32).toString('hex');
  let chunk = '';
  for (let i = 0; i < n; i += 1) {
    const r = randomBytes(56);
    // One certificate in 20 is a reissue on the previous certificate's key.
    if (i % 20 !== 0) spki = r.subarray(0, 32).toString('hex');
    const serialBytes = Buffer.from(r.subarray(32, 50));
    serialBytes[0] = (serialBytes[0]! & 0x7f) | 0x01;
    const org = i % 40_000;
    const notBefore = now - (r[50]! * 256 + r[51]!) * 500_000;
    const lifetime = r[52]! < 128 ? 90 : 397;
    const revoked = r[53]! < 3;
    chunk += [
      randomBytes(32).toString('hex'),
      serialBytes.toString('hex'),
      spki,
      `Example Subscriber ${org} GmbH`,
      `pki-admin@subscriber-${org}.example`,
      `"${ISSUERS[i % ISSUERS.length]}"`,
      new Date(notBefore).toISOString(),
      new Date(notBefore + lifetime * 86_400_000).toISOString(),
      revoked ? new Date(notBefore + 86_400_000).toISOString() : '',
      revoked ? REASONS[r[54]! % REASONS.length] : '',
    ].join(',');
    chunk += '\n';
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((resolve) => out.end(resolve));
  await rename(tmp, path);
  return path;
}

async function withDynamo<T>(fn: (endpoint: string, pid: number) => Promise<T>): Promise<T> {
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'support/dynamo-server.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const line = await new Promise<string>((resolve) => {
      createInterface({ input: server.stdout! }).once('line', resolve);
    });
    return await fn((JSON.parse(line) as { dynamo: string }).dynamo, server.pid!);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
}

async function child(
  args: string[],
  endpoint: string | null,
  standInPid?: number,
): Promise<Record<string, number>> {
  const env = {
    ...process.env,
    ...(standInPid ? { BENCH_STAND_IN_PID: String(standInPid) } : {}),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...(endpoint ? { AWS_ENDPOINT_URL_DYNAMODB: endpoint } : {}),
  };
  const proc = spawn(
    process.execPath,
    [
      // The heap limits `cpr inventory import` runs with, for the modes that read the file.
      ...(args[0] === 'lookup' ? [] : heapFlagsFor(['inventory', 'import'])),
      '--import',
      'tsx',
      join(import.meta.dirname, 'support/run-inventory.ts'),
      ...args,
    ],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  proc.stdout!.on('data', (d) => {
    out += d;
  });
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  if (code !== 0) throw new Error(`${args[0]} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const TABLE = 'bench-inventory';
const results: string[][] = [];
let missed = false;
for (const size of SIZES) {
  const csv = await generate(size);
  const rates: number[] = [];
  const rss: number[] = [];
  const lookups: number[] = [];
  const sameLookups: number[] = [];
  /** The stand-in's CPU time during each look-up: no look-up can take less. */
  const busy: number[] = [];
  const sameBusy: number[] = [];
  let found = 0;
  let sameFound = 0;
  for (let run = 0; run < RUNS; run += 1) {
    await withDynamo(async (endpoint, pid) => {
      await createTables(endpoint, {
        cases: 'bench-cases',
        audit: 'bench-audit',
        inventory: TABLE,
      });
      const imported = await child(['import', csv, TABLE], endpoint);
      if (imported.rows !== size) throw new Error(`imported ${imported.rows} of ${size}`);
      rates.push((imported.rows! * 1000) / imported.ms!);
      rss.push(imported.maxRssKb! / 1024);
      type Timed = { times: number[]; busy: number[]; found: number };
      const looked = (await child(
        ['lookup', csv, TABLE, String(size)],
        endpoint,
        pid,
      )) as unknown as {
        same: Timed;
        other: Timed;
      };
      lookups.push(median(looked.other.times));
      sameLookups.push(median(looked.same.times));
      busy.push(median(looked.other.busy));
      sameBusy.push(median(looked.same.busy));
      found = looked.other.found;
      sameFound = looked.same.found;
    });
    process.stderr.write(
      `  ${size}: run ${run + 1}: ${rates.at(-1)!.toFixed(0)} rows/s, ${rss.at(-1)!.toFixed(0)} MB, look-up ${sameLookups.at(-1)!.toFixed(0)} / ${lookups.at(-1)!.toFixed(0)} ms (stand-in busy ${sameBusy.at(-1)!.toFixed(0)} / ${busy.at(-1)!.toFixed(0)} ms), load ${loadavg()[0]!.toFixed(1)}\n`,
    );
  }
  const parsed = await child(['parse', csv, TABLE], null);
  const raw = STAND_IN_SIZES.has(size)
    ? await withDynamo(async (endpoint) => {
        await createTables(endpoint, {
          cases: 'bench-cases',
          audit: 'bench-audit',
          inventory: TABLE,
        });
        return child(['raw', csv, TABLE], endpoint);
      })
    : null;
  const rate = median(rates);
  const rawRate = raw ? (raw.rows! * 1000) / raw.ms! : Number.NaN;
  const peak = Math.max(...rss);
  const lookup = median(lookups);
  const rateOk = rate >= TARGET_RATE;
  const rssOk = peak < TARGET_RSS_MB;
  const lookupOk = size < LOOKUP_TARGET_SIZE || lookup < TARGET_LOOKUP_MS;
  // A missed rate counts only when the stand-in itself could have gone faster.
  missed ||= (!rateOk && !(rawRate < TARGET_RATE)) || !rssOk || !lookupOk;
  results.push(
    [`${size.toLocaleString('en')} records`, '', ''],
    [
      '  import (median of runs)',
      `${rate.toFixed(0)} rows/s`,
      `>= ${TARGET_RATE}: ${rateOk ? 'met' : 'missed'}`,
    ],
    [
      '  import peak RSS (max of runs)',
      `${peak.toFixed(0)} MB`,
      `< ${TARGET_RSS_MB}: ${rssOk ? 'met' : 'missed'}`,
    ],
    [
      '  stand-in alone: prebuilt records, same batching',
      raw ? `${rawRate.toFixed(0)} rows/s` : 'not measured',
      '',
    ],
    ['  import / stand-in alone', raw ? `${((100 * rate) / rawRate).toFixed(0)} %` : '', ''],
    [
      '  reading and validating alone, no writes',
      `${((parsed.rows! * 1000) / parsed.ms!).toFixed(0)} rows/s, ${(parsed.maxRssKb! / 1024).toFixed(0)} MB`,
      '',
    ],
    [
      '  mass look-up, fingerprints of the same certificates (median)',
      `${median(sameLookups).toFixed(0)} ms (${sameFound} found; stand-in busy ${median(sameBusy).toFixed(0)} ms)`,
      '',
    ],
    [
      '  mass look-up, fingerprints of other certificates (median)',
      `${lookup.toFixed(0)} ms (${found} found; stand-in busy ${median(busy).toFixed(0)} ms)`,
      size >= LOOKUP_TARGET_SIZE ? `< ${TARGET_LOOKUP_MS}: ${lookupOk ? 'met' : 'missed'}` : '',
    ],
  );
}

const width = [0, 1, 2].map((c) => Math.max(...results.map((r) => r[c]!.length)));
for (const r of results) {
  console.log(
    r
      .map((cell, i) => cell.padEnd(width[i]!))
      .join('  ')
      .trimEnd(),
  );
}
console.log(
  `runs per size: ${RUNS}; load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
process.exitCode = missed ? 1 : 0;
