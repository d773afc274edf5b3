/**
 * The installed `cpr` command end to end: the package.json bin launcher (and `npx cpr`, `npm run
 * cpr`) started as child processes, as a user would, against a local stack found through
 * CPR_DATA_DIR. Each spawn starts Node 24 with tsx (about half a second), so only the paths that
 * the in-process tests cannot prove are here.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CASE_ID_REGEX } from '../../lambdas/domain/case/case-id.ts';
import { type CliEnv, cliEnv, spawnCpr } from './support.ts';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env?.stop());

describe('cpr, spawned', () => {
  test('ingest prints the case id, show --json prints the case', async () => {
    const ingest = await spawnCpr(['ingest', 'test/fixtures/mail/cpr-html-crtsh.eml', '--json'], {
      dataDir: env.dataDir,
    });
    expect(ingest.code, ingest.stderr).toBe(0);
    const [r] = JSON.parse(ingest.stdout) as { caseId: string }[];
    expect(r?.caseId).toMatch(CASE_ID_REGEX);
    const show = await spawnCpr(['show', r!.caseId, '--json'], { dataDir: env.dataDir });
    expect(show.code, show.stderr).toBe(0);
    const c = JSON.parse(show.stdout) as {
      id: string;
      evidence: { crtshIds: string[] };
      messages: string[];
    };
    expect(c.id).toBe(r!.caseId);
    expect(c.evidence.crtshIds.length).toBeGreaterThan(0);
    expect(c.messages).toHaveLength(1);
  });

  test('bad usage exits 2 with the help on stderr; --help exits 0', async () => {
    const bad = await spawnCpr(['close', '--reason'], { dataDir: env.dataDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Usage: cpr close CASE --reason TEXT');
    const none = await spawnCpr([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Commands:');
  });

  test('without a running local stack: a clear error, exit 1', async () => {
    const r = await spawnCpr(['list'], { cwd: env.dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'no local stack running: start it with `npm start`, or pass --stack NAME --region REGION',
    );
  });

  test('`npx cpr` and `npm run cpr --` run the same command', async () => {
    const npx = await spawnCpr(['list', '--open', '--json'], { dataDir: env.dataDir, via: 'npx' });
    expect(npx.code, npx.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(npx.stdout))).toBe(true);
    const run = await spawnCpr(['timeline', '--help'], { via: 'npm-run' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage: cpr timeline CASE');
  });
});
