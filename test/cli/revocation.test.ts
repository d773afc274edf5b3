/**
 * `cpr triage`, `revoke`, `verify`, `blocklist export`, and the revocation parts of `show`,
 * `list` and `timeline`, against the local stack and a real openssl test CA (responder and CRLs).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CaseJson } from '../../cli/commands/show.ts';
import { localActor } from '../../cli/services.ts';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import { CCADB_CERTIFICATE_COLUMNS } from '../../lambdas/domain/revocation/ccadb.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS } from '../support/intake-env.ts';
import { type IssuedCertificate, startTestCa, type TestCa } from '../support/test-ca.ts';
import { type CliEnv, cliEnv } from './support.ts';

/** A command line's words, as a shell would split them (no quoting needed here). */
const argv = (line: string) => line.split(' ');

let env: CliEnv;
let ca: TestCa;
let dir: string;
let cert: IssuedCertificate;
let caseId: string;

async function ingest(name: string, raw: Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, raw);
  const [r] = await env.runJson<{ caseId: string }[]>('ingest', file);
  return r!.caseId;
}

/** A report that names no certificate: the kind a person answers with needsInfo. */
async function vagueReport(name: string, from: string): Promise<string> {
  return ingest(
    `${name}.eml`,
    await compose({
      from,
      to: CPR_ADDRESS,
      subject: `Something is wrong (${name})`,
      text: 'One of your certificates looks wrong to me.',
    }),
  );
}

beforeAll(async () => {
  env = await cliEnv();
  env.now = new Date();
  ca = await startTestCa();
  dir = await mkdtemp(join(tmpdir(), 'cpr-cli-rev-'));
  await writeFile(join(dir, 'issuers.json'), ca.issuersJson());
  process.env.CPR_ISSUERS = join(dir, 'issuers.json');
  cert = await ca.issue('cli-kc.example.test');
  await new DynamoInventory(documentClient(), env.clock.config.inventoryTable).put([
    {
      sha256: cert.sha256,
      serial: cert.serial,
      spkiSha256: cert.spkiSha256,
      subscriber: 'CLI Subscriber',
      email: 'pki@cli.example',
      issuer: cert.issuer,
      pem: cert.pem,
    },
  ]);
  const key = readFileSync(join(ca.dir, cert.keyFile), 'utf8');
  caseId = await ingest(
    'kc.eml',
    await compose({
      from: 'Rita Reporter <rita@researcher.example>',
      to: CPR_ADDRESS,
      subject: 'Compromised key for cli-kc.example.test',
      text: `The key was published. Certificate and key:\n\n${cert.pem}\n${key}`,
    }),
  );
}, 120_000);
afterAll(async () => {
  delete process.env.CPR_ISSUERS;
  await ca?.stop();
  await env?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('cpr triage, revoke, verify', () => {
  test('before triage: 24 h revocation deadline, the triage owed, the certificate listed', async () => {
    const j = await env.runJson<CaseJson>('show', caseId);
    expect(j.triage).toBeNull();
    expect(Date.parse(j.deadlines.revocation!) - Date.parse(j.receivedAt)).toBe(24 * 3_600_000);
    const list = await env.run('list', '--open');
    const line = list.stdout.split('\n').find((l) => l.includes(caseId))!;
    expect(line).toContain('triage');
  });

  test('triage records who, when, the note and the earlier classification', async () => {
    const r = await env.run(
      ...argv(`triage ${caseId} --reason keyCompromise --note`),
      'key verified',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('triaged as keyCompromise (CRLReason 1)');
    const j = await env.runJson<CaseJson>('show', caseId);
    expect(j.triage).toEqual({
      reason: 'keyCompromise',
      reasonCode: 1,
      by: localActor(process.env),
      at: expect.any(String),
      note: 'key verified',
    });
    expect(j.revocations).toHaveLength(1);
    expect(Object.keys(j.revocations[0]!)).toEqual([
      'certificate',
      'serial',
      'issuer',
      'reasonCode',
      'dueAt',
      'status',
      'recordedAt',
      'verifiedAt',
      'checks',
    ]);
    expect(j.revocations[0]).toMatchObject({
      certificate: cert.sha256,
      serial: cert.serial,
      reasonCode: 'keyCompromise',
      status: 'pending',
      dueAt: j.deadlines.revocation,
    });
  });

  test('revoke records; verify sees it good until the CA really revokes, then verified', async () => {
    const unknown = await env.run(
      ...argv(`revoke ${caseId} --cert`),
      'ab'.repeat(32),
      ...argv(`--reason-code keyCompromise --note x`),
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(cert.sha256);
    const usage = await env.run(
      ...argv(`revoke ${caseId} --all --cert ${cert.sha256} --reason-code keyCompromise --note x`),
    );
    expect(usage.code).toBe(2);
    const r = await env.run(
      ...argv(`revoke ${caseId} --cert ${cert.sha256} --reason-code keyCompromise --note`),
      'revoked in the CA UI',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('recorded as revoked (keyCompromise)');
    const before = await env.run('verify', caseId);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain('recorded');
    expect(before.stdout).toContain('OCSP still answers good');

    await ca.revoke(cert, 'keyCompromise');
    ca.publishCrl();
    const after = await env.runJson<CaseJson['revocations']>('verify', caseId);
    expect(after[0]).toMatchObject({ status: 'verified', certificate: cert.sha256 });
    const ocsp = after[0]!.checks.findLast((c) => c.source === 'ocsp')!;
    expect(ocsp).toMatchObject({
      source: 'ocsp',
      url: ca.ocspUrl,
      result: 'revoked',
      reasonCode: 1,
    });
    expect(Object.keys(ocsp)).toEqual(['source', 'url', 'at', 'result', 'reasonCode', 'detail']);
  });

  test('timeline: the triage, the revocation recorded and verified; the CCADB appendix', async () => {
    const t = await env.run('timeline', caseId);
    expect(t.stdout).toContain('Triaged as keyCompromise');
    expect(t.stdout).toContain('revoked by the CA with reason keyCompromise');
    expect(t.stdout).toContain('seen revoked from outside');
    const csv = await env.run('timeline', caseId, '--certificates-csv');
    const [header, row] = csv.stdout.trim().split('\n');
    expect(header).toBe(CCADB_CERTIFICATE_COLUMNS.join(','));
    const cells = (parseCsv(row!) as string[][])[0]!;
    expect(cells).toHaveLength(CCADB_CERTIFICATE_COLUMNS.length);
    expect(cells[1]).toBe(cert.sha256);
    expect(cells[6]).toBe(cert.serial);
    expect(cells[8]).toBe('true');
    expect(cells[10]).toBe('keyCompromise');
  });

  test('the key is on the blocklist, as CSV and JSON', async () => {
    const csv = await env.run('blocklist', 'export');
    expect(csv.stdout.split('\n')[0]).toBe('spki_sha256,case,blocked_at,proof');
    expect(csv.stdout).toContain(`${cert.spkiSha256},${caseId},`);
    const j = await env.run('blocklist', 'export', '--format', 'json');
    expect(JSON.parse(j.stdout).keys.map((k: { spkiSha256: string }) => k.spkiSha256)).toContain(
      cert.spkiSha256,
    );
  });

  test('needsInfo records the request for information, sent by other means or by mail', async () => {
    const report = (name: string) => vagueReport(name, 'Nina <nina@researcher.example>');
    const elsewhere = await report('info-elsewhere');
    const r = await env.run(
      ...argv(`triage ${elsewhere} --reason needsInfo --sent-elsewhere --note`),
      'phoned the reporter',
    );
    expect(r.code, r.stderr).toBe(0);
    expect((await env.run('timeline', elsewhere)).stdout).toMatch(
      /Request for missing information sent by other means\\?: phoned the reporter/,
    );
    const mailed = await report('info-mailed');
    const m = await env.run(
      ...argv(`triage ${mailed} --reason needsInfo --json --note`),
      'ask for it',
    );
    expect(m.code, m.stderr).toBe(0);
    expect((await env.run('timeline', mailed)).stdout).toMatch(
      /Request for missing information sent to \S*nina@researcher\.example\S* \(SES message \S+\)/,
    );
    // The answer, its subject rewritten without the case id, finds the case by In-Reply-To.
    const [triaged] = JSON.parse(m.stdout) as { infoRequestMessageId: string }[];
    const answer = await ingest(
      'info-answer.eml',
      await compose({
        from: 'Nina <nina@researcher.example>',
        to: CPR_ADDRESS,
        subject: 'the certificate you asked about',
        inReplyTo: `<${triaged?.infoRequestMessageId}@email.amazonses.com>`,
        text: 'It is the one for shop.example.',
      }),
    );
    expect(answer).toBe(mailed);
  });

  test('a needsInfo request that cannot be mailed is refused before anything is recorded', async () => {
    const noReporter = await vagueReport('info-no-reporter', 'undisclosed-sender');
    const literal = await vagueReport('info-literal', 'Ivo <ivo@[192.0.2.7]>');
    for (const [id, why] of [
      [noReporter, 'has no reporter address'],
      [literal, 'SES cannot send to the reporter address'],
    ] as const) {
      const before = await env.runJson<CaseJson>('show', id);
      const mails = (await env.mails()).length;
      const r = await env.run(...argv(`triage ${id} --reason needsInfo --note`), 'ask for it');
      expect(r.code, r.stdout).toBe(1);
      const after = await env.runJson<CaseJson>('show', id);
      expect(after.triage).toBeNull();
      expect(after.deadlines).toEqual(before.deadlines);
      const types = (await env.clock.deps.audit.list(id)).map((e) => e.type);
      expect(types).not.toContain('triaged');
      expect(types).not.toContain('infoRequested');
      expect((await env.mails()).length).toBe(mails);
      expect(r.stderr).toContain(why);
      expect(r.stderr).toContain('--sent-elsewhere');
    }
  });

  test('bounces and newsletters dismissed in one command; only notACpr takes several cases', async () => {
    const mail = (from: string, subject: string, text: string) =>
      compose({ from, to: CPR_ADDRESS, subject, text });
    const a = await ingest('ooo.eml', await mail('x@a.example', 'Out of office', 'I am away.'));
    const b = await ingest('news.eml', await mail('news@b.example', 'Our newsletter', 'Offers!'));
    const refused = await env.run('triage', a, b, '--reason', 'misissuance', '--note', 'x');
    expect(refused.code).toBe(2);
    const r = await env.run('triage', a, b, '--reason', 'notACpr', '--note', 'auto-replies');
    expect(r.code, r.stderr).toBe(0);
    for (const id of [a, b]) {
      const j = await env.runJson<CaseJson>('show', id);
      expect(j.triage?.reason).toBe('notACpr');
    }
  });
});
