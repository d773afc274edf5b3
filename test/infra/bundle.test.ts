/**
 * The one infra test that really bundles: it proves the intake bundle esbuild produces through
 * CDK loads on Node 24 as ESM, and that the require shim is what lets CommonJS dependencies such
 * as mailparser run inside an ESM bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { composeApp } from '../../infra/compose.ts';
import { parseConfig } from '../../infra/config.ts';
import { ESM_REQUIRE_SHIM } from '../../infra/constructs/cpr-function.ts';
import { REPO_ROOT } from '../../infra/paths.ts';
import { cdkJsonContext, logicalId, sampleRawConfig } from './support.ts';

/** Far above today's ~2.5 MB: catches an accidental second SDK or a dependency explosion. */
const BUNDLE_BUDGET_BYTES = 6 * 1024 * 1024;

const FAKE_ENV = {
  CASES_TABLE: 'cases',
  AUDIT_TABLE: 'audit',
  INVENTORY_TABLE: 'inventory',
  INBOUND_BUCKET: 'bucket',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:clock',
  TEAM_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:team',
  CPR_ADDRESSES: 'cpr@example.com',
  AWS_REGION: 'eu-west-1',
};

function runNode(args: string[], cwd: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, args, {
    cwd,
    env: { ...process.env, ...FAKE_ENV, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
}

describe('intake bundle', () => {
  test('is ESM with the require shim, within budget, and loads on Node 24', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cpr-cdk-'));
    const app = new App({ outdir, context: cdkJsonContext() });
    const { intake } = composeApp(app, parseConfig(sampleRawConfig()), {
      controlTowerChecks: false,
    });
    const template = Template.fromStack(intake);
    const fnId = logicalId(intake, intake.intake.function.fn);
    const code = template.findResources('AWS::Lambda::Function')[fnId]?.Properties.Code;
    const assetDir = join(outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
    const bundle = join(assetDir, 'index.mjs');

    expect(readFileSync(bundle, 'utf8').startsWith(ESM_REQUIRE_SHIM)).toBe(true);
    expect(statSync(join(assetDir, 'index.mjs.map')).isFile()).toBe(true);
    expect(statSync(bundle).size).toBeLessThan(BUNDLE_BUDGET_BYTES);

    const script =
      "import('./index.mjs').then((m) => console.log(JSON.stringify(Object.keys(m).sort())))";
    expect(JSON.parse(runNode(['-e', script], assetDir))).toContain('handler');
    // In Lambda the Tracer and the X-Ray SDK are loaded on demand, from inside the bundle.
    const inLambda = {
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
    };
    expect(JSON.parse(runNode(['-e', script], assetDir, inLambda))).toContain('handler');
  }, 180_000);

  test('mailparser (CommonJS) parses inside an ESM bundle only with the shim', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpr-shim-'));
    const entry = join(dir, 'entry.mjs');
    writeFileSync(
      entry,
      "import { simpleParser } from 'mailparser';\n" +
        "const m = await simpleParser('Subject: =?iso-8859-1?q?caf=E9?=\\r\\n\\r\\nbody\\r\\n');\n" +
        'console.log(m.subject);\n',
    );
    const bundleWith = async (banner: string | undefined, out: string) => {
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        mainFields: ['module', 'main'],
        nodePaths: [join(REPO_ROOT, 'node_modules')],
        outfile: join(dir, out),
        logLevel: 'silent',
        ...(banner ? { banner: { js: banner } } : {}),
      });
    };
    await bundleWith(ESM_REQUIRE_SHIM, 'with.mjs');
    await bundleWith(undefined, 'without.mjs');
    expect(runNode(['with.mjs'], dir).trim()).toBe('café');
    expect(() => runNode(['without.mjs'], dir)).toThrow(/Dynamic require/);
  }, 30_000);
});
