/**
 * `npm start` with CPR_ISSUERS, end to end: a key-compromise report over SMTP, triage and revoke
 * with the installed `cpr`, the stack's verifier alerting while the CA has not really revoked,
 * then verified once `openssl ca -revoke` and a new CRL make it visible.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { afterAll, describe, expect, test } from 'vitest';
import type { CaseJson } from '../../cli/commands/show.ts';
import { spawnCpr } from '../cli/support.ts';
import {
  type LocalStackProcess,
  publishedMessages,
  startLocalStackProcess,
  waitFor,
  waitForAlert,
} from '../support/local-stack-process.ts';
import { startTestCa, type TestCa } from '../support/test-ca.ts';

let stack: LocalStackProcess | null = null;
let ca: TestCa | null = null;
let dir = '';
afterAll(async () => {
  await stack?.stop('SIGKILL').catch(() => undefined);
  await ca?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm start with CPR_ISSUERS', () => {
  test('revoked but not visible: alert; revoked in the CA and on the CRL: verified', async () => {
    ca = await startTestCa();
    dir = await mkdtemp(join(tmpdir(), 'cpr-e2e-rev-'));
    const issuers = join(dir, 'issuers.json');
    await writeFile(issuers, ca.issuersJson());
    const cert = await ca.issue('e2e-kc.example.test');
    stack = await startLocalStackProcess({ dataDir: join(dir, 'data'), timeScale: 1, issuers });
    expect(stack.output()).toContain('revocation checks: 1 issuer(s)');

    const transport = createTransport({
      host: '127.0.0.1',
      port: stack.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    const key = readFileSync(join(ca.dir, cert.keyFile), 'utf8');
    await transport.sendMail({
      from: 'Rita Reporter <rita@researcher.example>',
      to: 'cpr@ca.example',
      subject: 'Compromised key for e2e-kc.example.test',
      text: `The key was published:\n\n${cert.pem}\n${key}`,
    });
    transport.close();
    const data = join(dir, 'data');
    const team = await waitFor('the team notice', async () =>
      (await publishedMessages(data)).find((m) => m.attributes.type === 'newCase'),
    );
    const caseId = team.attributes.caseId!;

    const triage = await spawnCpr(
      ['triage', caseId, '--reason', 'keyCompromise', '--note', 'key checked'],
      { dataDir: data },
    );
    expect(triage.code, triage.stderr).toBe(0);
    const revoke = await spawnCpr(
      ['revoke', caseId, '--all', '--reason-code', 'keyCompromise', '--note', 'revoked'],
      { dataDir: data },
    );
    expect(revoke.code, revoke.stderr).toBe(0);

    const alert = await waitForAlert(
      data,
      'revocation.notVisible',
      caseId,
      'the not-visible alert',
      30_000,
    );
    expect(alert.message).toContain(cert.sha256);

    await ca.revoke(cert, 'keyCompromise');
    ca.publishCrl();
    const verified = await waitFor(
      'the revocation verified',
      async () => {
        const show = await spawnCpr(['show', caseId, '--json'], { dataDir: data });
        const j = JSON.parse(show.stdout) as CaseJson;
        return j.revocations[0]?.status === 'verified' ? j : null;
      },
      60_000,
    );
    expect(verified.revocations[0]).toMatchObject({
      certificate: cert.sha256,
      reasonCode: 'keyCompromise',
    });
  }, 300_000);
});
