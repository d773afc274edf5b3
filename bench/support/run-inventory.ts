/**
 * The measured process of `npm run bench:inventory`. One mode per run, so each peak RSS is that
 * mode's own:
 * - `import CSV`: the real import (file stream, csv-parse, validation, batched writes);
 * - `parse CSV`: the same reading and validation, no writes (our side's ceiling);
 * - `raw CSV`: records already built, written with the same batching (the stand-in's ceiling);
 * - `lookup CSV`: the mass-report look-up, 5,000 serials and 2,000 fingerprints from the file,
 *   the fingerprints of the same certificates and then of other ones, with the stand-in's CPU
 *   time during each (`BENCH_STAND_IN_PID`; Linux's /proc), which bounds how fast it can be.
 * Prints one JSON line.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import { openInventoryFile } from '../../lambdas/adapters/fs/inventory-file.ts';
import { IMPORT_GROUPS_IN_FLIGHT, importInventory } from '../../lambdas/domain/inventory/import.ts';
import type { InventoryRecord } from '../../lambdas/domain/inventory/types.ts';

const [mode, csvPath, table] = process.argv.slice(2) as [string, string, string];
const LOOKUP_SERIALS = 5_000;
const LOOKUP_FINGERPRINTS = 2_000;
const LOOKUP_RUNS = 3;
const inventory = new DynamoInventory(documentClient(), table);
/** The stand-in's process, whose CPU time during a look-up is the stand-in's share of it. */
const standInPid = process.env.BENCH_STAND_IN_PID;
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) of the stand-in so far, from /proc; NaN where there is none. */
function standInCpuMs(): number {
  if (!standInPid) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${standInPid}/stat`, 'utf-8');
    // Fields after the command name, which is in parentheses: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

async function main(): Promise<Record<string, unknown>> {
  const start = performance.now();
  if (mode === 'import' || mode === 'parse') {
    const file = await openInventoryFile(csvPath);
    const writer =
      mode === 'import'
        ? inventory
        : { write: async () => [], markGoneUnlessWrittenBy: async () => 0 };
    const result = await importInventory(file.csv, writer, {
      runId: `bench/${Date.now()}`,
      sync: false,
      now: () => new Date(),
      elapsed: () => performance.now(),
    });
    file.close();
    return { rows: result.written, rejected: result.rejected, ms: performance.now() - start };
  }
  if (mode === 'raw') {
    // The same records, built without csv-parse: sha256,serial,spki,subscriber,email,issuer,...
    const records: InventoryRecord[] = [];
    let written = 0;
    const lines = createInterface({ input: createReadStream(csvPath, 'utf-8') });
    let header = true;
    const inFlight = new Set<Promise<void>>();
    const t0 = performance.now();
    for await (const line of lines) {
      if (header) {
        header = false;
        continue;
      }
      const [sha256, serial, spkiSha256, subscriber, email] = line.split(',');
      records.push({
        sha256: sha256!,
        serial: serial!,
        spkiSha256: spkiSha256!,
        subscriber: subscriber!,
        email: email!,
      });
      if (records.length === 100) {
        const batch = records.splice(0);
        const p = inventory
          .write({ records: batch, runId: 'raw', keep: [] })
          .then((refused) => {
            written += batch.length - refused.length;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= IMPORT_GROUPS_IN_FLIGHT) await Promise.race(inFlight);
      }
    }
    await inventory.write({ records, runId: 'raw', keep: [] });
    written += records.length;
    await Promise.all(inFlight);
    return { rows: written, ms: performance.now() - t0 };
  }
  if (mode === 'lookup') {
    // Every n-th record's serial, with the fingerprints of the same certificates (a report
    // listing both) or of others (the worst case: every fingerprint needs its own index query),
    // plus values that are in no record.
    const serials: string[] = [];
    const sameSha256s: string[] = [];
    const otherSha256s: string[] = [];
    let rows = 0;
    const lines = createInterface({ input: createReadStream(csvPath, 'utf-8') });
    const total = Number(process.argv[5]);
    const step = Math.max(2, Math.floor(total / LOOKUP_SERIALS));
    for await (const line of lines) {
      rows += 1;
      if (rows === 1) continue;
      const at = (rows - 2) % step;
      if (at !== 0 && at !== step / 2) continue;
      const [sha256, serial] = line.split(',');
      if (at === 0 && serials.length < LOOKUP_SERIALS * 0.9) serials.push(serial!);
      if (at === 0 && sameSha256s.length < LOOKUP_FINGERPRINTS * 0.9) sameSha256s.push(sha256!);
      if (at !== 0 && otherSha256s.length < LOOKUP_FINGERPRINTS * 0.9) otherSha256s.push(sha256!);
    }
    while (serials.length < LOOKUP_SERIALS)
      serials.push(`7f${serials.length.toString(16).padStart(30, '0')}`);
    for (const list of [sameSha256s, otherSha256s]) {
      while (list.length < LOOKUP_FINGERPRINTS)
        list.push(`f${list.length.toString(16).padStart(63, '0')}`);
    }
    const time = async (sha256s: string[]) => {
      const times: number[] = [];
      const busy: number[] = [];
      let found = 0;
      for (let run = 0; run < LOOKUP_RUNS; run += 1) {
        const b0 = standInCpuMs();
        const t0 = performance.now();
        const records = await inventory.lookup({ sha256s, serials, spkiSha256s: [] });
        times.push(performance.now() - t0);
        busy.push(standInCpuMs() - b0);
        found = records.length;
      }
      return { times, busy, found };
    };
    return { same: await time(sameSha256s), other: await time(otherSha256s) };
  }
  throw new Error(`unknown mode ${mode}`);
}

const out = await main();
process.stdout.write(`${JSON.stringify({ ...out, maxRssKb: process.resourceUsage().maxRSS })}\n`);
