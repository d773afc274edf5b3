/**
 * `npm run bench:hostile`: each crafted mail of scripts/fixtures/hostile.ts through the whole
 * intake handler against the local stand-ins, with the time budget set to the deployed
 * function's timeout (INTAKE_TIMEOUT in infra/constructs/intake.ts). Target: every one comes
 * in under that budget and becomes a case (2-core machine).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INTAKE_TIMEOUT } from '../infra/constructs/intake.ts';
import {
  type HostileMail,
  hugeDsaKeyMail,
  overlappingZipMail,
  pkcs7BundleMail,
} from '../scripts/fixtures/hostile.ts';
import { runMeasured, startBenchStack } from './support/bench-stack.ts';

const budgetMs = INTAKE_TIMEOUT.toMilliseconds();
const dataDir = join(import.meta.dirname, '.data');
const leafPem = await readFile(
  join(import.meta.dirname, '../test/fixtures/pki/leaf-ec.pem'),
  'utf8',
);

const builders: Record<string, () => Promise<HostileMail>> = {
  'overlapping zip (1.3 MB listing 5,000 members, 5.2 GB)': overlappingZipMail,
  '16,384-bit DSA key, 200 times in the body and once as DER': () => hugeDsaKeyMail(200),
  'PKCS#7 bundle of 30,000 certificates (16 MB)': () => pkcs7BundleMail(leafPem, 30_000),
};

await mkdir(dataDir, { recursive: true });
const paths: string[] = [];
for (const [label, build] of Object.entries(builders)) {
  const path = join(dataDir, `hostile-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.eml`);
  if (!existsSync(path)) await writeFile(path, (await build()).raw);
  paths.push(path);
}

const stack = await startBenchStack();
let measured: {
  runs: { ms: number; bytes: number; outcome: string; truncated: boolean; problems: string[] }[];
  maxRssKb: number;
};
try {
  measured = await runMeasured(stack, 'run-hostile.ts', [String(budgetMs), ...paths]);
} finally {
  stack.stop();
}

console.log('| crafted mail | size | intake wall time | budget (deployed timeout) | case |');
console.log('|---|---|---|---|---|');
const labels = Object.keys(builders);
measured.runs.forEach((r, i) => {
  console.log(
    `| ${labels[i]} | ${(r.bytes / 1e6).toFixed(1)} MB | ${(r.ms / 1000).toFixed(2)} s | ${budgetMs / 1000} s | ${r.outcome}${r.truncated ? ', truncated' : ''} |`,
  );
});
console.log(`\npeak RSS of the intake process: ${(measured.maxRssKb / 1024).toFixed(0)} MB`);
for (const r of measured.runs) console.log(`problems: ${JSON.stringify(r.problems)}`);
const ok = measured.runs.every((r) => r.ms < budgetMs && r.outcome === 'created');
console.log(ok ? '\nall under budget' : '\nBUDGET MISSED');
process.exitCode = ok ? 0 : 1;
