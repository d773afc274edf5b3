/**
 * The `cpr` commands against a local stack on the stand-ins, in-process (the command functions
 * with their real clients, endpoints from stack.json); cli.e2e.test.ts spawns the installed
 * command for the end-to-end path.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CaseJson } from '../../cli/commands/show.ts';
import { localActor } from '../../cli/services.ts';
import { CASE_ID_REGEX } from '../../lambdas/domain/case/case-id.ts';
import { CASE_ITEM_SAMPLE } from '../../lambdas/domain/case/evidence-set.ts';
import type { Notice } from '../../lambdas/domain/case/types.ts';
import { buildMassReport } from '../support/mass-report.ts';
import { type CliEnv, cliEnv } from './support.ts';

/** A command line's words, as a shell would split them (no quoting needed here). */
const argv = (line: string) => line.split(' ');

const MAIL = 'test/fixtures/mail';
const FACTS = JSON.parse(
  await readFile(new URL('../fixtures/pki/facts.json', import.meta.url), 'utf-8'),
) as {
  certificates: Record<string, { sha256: string; serial: string; spkiSha256: string }>;
};
const RSA = FACTS.certificates['leaf-rsa.pem']!;
const EC = FACTS.certificates['leaf-ec.pem']!;

interface Ingested {
  file: string;
  messageId: string;
  caseId: string;
  role: string;
  classification: string;
}

let env: CliEnv;
/** Case ids by fixture file, from the ingest test. */
const cases: Record<string, Ingested> = {};

beforeAll(async () => {
  env = await cliEnv();
  env.now = new Date('2026-11-27T09:00:00.000Z');
  // The inventory first, so intake resolves the Subscribers.
  const imported = await env.run('inventory', 'import', 'test/fixtures/pki/inventory.csv');
  expect(imported.code, imported.stderr).toBe(0);
  const out = await env.runJson<Ingested[]>(
    ...argv(`ingest`),
    `${MAIL}/cpr-inline-pem.eml`,
    `${MAIL}/cpr-attachments.eml`,
    `${MAIL}/misissuance.eml`,
    `${MAIL}/newsletter.eml`,
  );
  for (const r of out) cases[r.file.split('/').pop()!] = r;
});
afterAll(async () => env?.stop());

describe('cpr ingest', () => {
  test('stores each file and runs intake: one case per report, id and classification printed', () => {
    expect(Object.keys(cases)).toHaveLength(4);
    for (const r of Object.values(cases)) {
      expect(r.caseId).toMatch(CASE_ID_REGEX);
      expect(r.messageId).toMatch(/^[a-z0-9]{40}$/);
    }
    expect(cases['cpr-inline-pem.eml']).toMatchObject({
      role: 'report',
      classification: 'keyCompromise',
    });
    expect(cases['misissuance.eml']?.classification).toBe('misissuance');
    expect(cases['newsletter.eml']?.classification).toBe('notACpr');
    expect(new Set(Object.values(cases).map((r) => r.caseId)).size).toBe(4);
  });

  test('an unreadable file is reported and the others still run; exit 1', async () => {
    const r = await env.run('ingest', 'no-such-file.eml', `${MAIL}/cpr-html-crtsh.eml`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-such-file.eml: cannot read: ENOENT');
    expect(r.stdout).toMatch(/cpr-html-crtsh\.eml\s+CPR-\d{8}-\w+\s+report/);
  });

  test('the SES event says what the CLI knows: received now, no scan ran', async () => {
    const c = await env.runJson<{ receivedAt: string; verdicts: Record<string, unknown> }>(
      'show',
      cases['misissuance.eml']!.caseId,
    );
    expect(c.receivedAt).toBe('2026-11-27T09:00:00.000Z');
    expect(c.verdicts).toEqual({
      spam: 'DISABLED',
      virus: 'DISABLED',
      spf: 'GRAY',
      dkim: 'GRAY',
      dmarc: 'GRAY',
      dmarcPolicy: null,
    });
  });
});

describe('cpr show --json', () => {
  test('has every field of the documented --json contract, with the right types', async () => {
    const c = await env.runJson<CaseJson>(
      ...argv(`show`),
      cases['cpr-attachments.eml']!.caseId.toLowerCase(),
    );
    expect(c.id).toBe(cases['cpr-attachments.eml']!.caseId);
    expect(c.status).toBe('open');
    expect(Date.parse(c.receivedAt)).not.toBeNaN();
    expect(c.reporter).toBe('alice.reporter@researcher.example');
    expect(['keyCompromise', 'misissuance', 'other', 'notACpr', 'unparsed']).toContain(
      c.classification,
    );
    expect(c.acknowledgment).toEqual({ decision: 'send', reason: null, status: 'pending' });
    expect(Object.keys(c.verdicts).sort()).toEqual([
      'dkim',
      'dmarc',
      'dmarcPolicy',
      'spam',
      'spf',
      'virus',
    ]);
    const e = c.evidence;
    for (const key of [
      'certificates',
      'serials',
      'sha256Fingerprints',
      'crtshIds',
      'keys',
      'csrs',
    ]) {
      expect(Array.isArray((e as Record<string, unknown>)[key]), key).toBe(true);
    }
    const cert = e.certificates.find((x) => x.sha256 === RSA.sha256);
    expect(cert).toMatchObject({ sha256: RSA.sha256, serial: RSA.serial, keyCompromised: true });
    expect(typeof cert?.subject).toBe('string');
    expect(Date.parse(cert?.notAfter ?? '')).not.toBeNaN();
    const csr = e.csrs.find((x) => x.spkiSha256 === RSA.spkiSha256);
    expect(csr?.matches).toContain(RSA.sha256);
    expect(c.affected).toContain(RSA.sha256);
    expect(c.subscribers).toContainEqual({
      name: 'Example RSA Ltd',
      email: 'rsa-admin@subscriber.example',
    });
    const ids = c.notices.map((n) => n.id);
    expect(ids.slice(0, 2)).toEqual(['acknowledgment', 'reporter']);
    expect(ids).toContain('subscriber:rsa-admin@subscriber.example');
    expect(ids).toHaveLength(2 + c.subscribers.length);
    for (const n of c.notices) {
      expect(n).toHaveProperty('kind');
      expect(n).toHaveProperty('recipient');
      expect(n).toHaveProperty('status');
      expect(n).toHaveProperty('dueAt');
      expect(n).toHaveProperty('sentAt');
      expect(Array.isArray(n.history)).toBe(true);
    }
    expect(c.deadlines.reporterReport).toBe('2026-11-28T09:00:00.000Z');
    expect(typeof c.deadlines.revocation).toBe('string');
    expect(c.escalations).toEqual([]);
    expect(c.messages).toEqual([cases['cpr-attachments.eml']!.messageId]);
  });

  test('the evidence is complete, also when the case item keeps only a sample', async () => {
    const report = await buildMassReport({
      certificates: 0,
      serials: CASE_ITEM_SAMPLE.serials + 100,
    });
    const file = join(env.dataDir, 'mass.eml');
    await writeFile(file, report.raw);
    const [r] = await env.runJson<Ingested[]>('ingest', file);
    const stored = await env.clock.deps.cases.get(r!.caseId);
    expect(stored?.evidence.serials.length).toBe(CASE_ITEM_SAMPLE.serials);
    const c = await env.runJson<{ evidence: { serials: string[] }; evidenceComplete: boolean }>(
      ...argv(`show`),
      r!.caseId,
    );
    expect(c.evidence.serials.length).toBe(CASE_ITEM_SAMPLE.serials + 100);
    expect(c.evidenceComplete).toBe(true);
  });

  test('human output is a readable summary; an unknown case exits 1', async () => {
    const r = await env.run('show', cases['cpr-inline-pem.eml']!.caseId);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('keyCompromise');
    expect(r.stdout).toMatch(/Notices\n\s+ID\s+KIND/);
    const missing = await env.run('show', 'CPR-20261127-ZZZZZZ');
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'cpr show: case CPR-20261127-ZZZZZZ does not exist\n',
    });
  });
});

describe('cpr list', () => {
  test('--open lists open cases soonest deadline first, with open obligations', async () => {
    const open = await env.runJson<
      { id: string; nextDeadline: string; openObligations: { id: string }[] }[]
    >('list', '--open');
    const ids = open.map((c) => c.id);
    for (const r of Object.values(cases)) expect(ids).toContain(r.caseId);
    const deadlines = open.map((c) => c.nextDeadline);
    expect(deadlines).toEqual([...deadlines].sort());
    const kc = open.find((c) => c.id === cases['cpr-inline-pem.eml']!.caseId)!;
    expect(kc.openObligations.map((o) => o.id)).toContain('reporter');
    // Key compromise: the 24-hour revocation deadline comes with the reports (the soonest).
    expect(kc.nextDeadline).toBe('2026-11-28T09:00:00.000Z');
  });

  test('without --open every case, sorted by next deadline then receipt; a table by default', async () => {
    const all = await env.runJson<{ id: string; nextDeadline: string | null }[]>('list');
    expect(all.length).toBeGreaterThanOrEqual(Object.keys(cases).length);
    const r = await env.run('list');
    expect(r.stdout.split('\n')[0]).toMatch(
      /^CASE\s+STATUS\s+CLASSIFICATION\s+RECEIVED\s+NEXT DEADLINE/,
    );
    expect(r.stdout).toContain('2026-11-28 09:00 UTC');
  });
});

describe('cpr notice', () => {
  test('records a preliminary report sent outside the system, by the local user', async () => {
    const id = cases['misissuance.eml']!.caseId;
    env.now = new Date('2026-11-27T15:00:00.000Z');
    const out = await env.runJson<{ notice: Notice }>(
      ...argv(`notice ${id} --to reporter --sent --at 2026-11-27T14:30+01:00 --note`),
      'answered from the team mailbox',
    );
    expect(out.notice).toMatchObject({
      status: 'sent',
      sentAt: '2026-11-27T13:30:00.000Z',
      actor: localActor(process.env),
      channel: 'outside the system',
      note: 'answered from the team mailbox',
    });
    const again = await env.run('notice', id, '--to', 'reporter', '--sent', '--note', 'again');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('only pending or bounced notices can be sent');
  });

  test('refuses an obligation the case does not have, with the ones it has', async () => {
    const id = cases['misissuance.eml']!.caseId;
    const r = await env.run(
      ...argv(`notice ${id} --to subscriber:Nobody@Example.com --sent --note x`),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'has no preliminary-report obligation "subscriber:nobody@example.com"',
    );
    expect(r.stderr).toContain('reporter');
  });

  test('--at must be a past ISO 8601 time with a zone: exit 2 otherwise', async () => {
    const id = cases['misissuance.eml']!.caseId;
    const base = ['notice', id, '--to', 'subscriber:unknown', '--sent', '--note', 'x', '--at'];
    for (const [at, message] of [
      ['yesterday', 'not an ISO 8601 date and time'],
      ['2026-11-27T10:00', 'not an ISO 8601 date and time'],
      ['2026-02-30T10:00Z', 'not a valid date and time'],
      ['2026-11-27T15:01Z', 'is in the future'],
    ] as const) {
      const r = await env.run(...base, at);
      expect(r.code, at).toBe(2);
      expect(r.stderr, at).toContain(message);
      expect(r.stderr).toContain('Usage: cpr notice');
    }
    const early = await env.run(...base, '2026-11-27T08:00Z');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('before case');
  });
});

describe('cpr send', () => {
  test('sends the report through SES threaded to the report, records it, prints the SES message id', async () => {
    const id = cases['cpr-inline-pem.eml']!.caseId;
    const file = join(env.dataDir, 'report.txt');
    await writeFile(
      file,
      'We have revoked the certificate with serial 8badf00d5eed1234cafe0001.\n',
    );
    const out = await env.runJson<{ sesMessageId: string; recipient: string }>(
      ...argv(`send ${id} --to reporter --file ${file}`),
    );
    expect(out.recipient).toBe('alice.reporter@researcher.example');
    const mail = (await env.mails()).find((m) => m.messageId === out.sesMessageId);
    expect(mail?.subject).toBe(`[${id}] Preliminary report on your certificate problem report`);
    expect(mail?.destination.to).toEqual(['alice.reporter@researcher.example']);
    expect(mail?.replyTo).toEqual(['cpr@ca.example']);
    const headers = Object.fromEntries(
      (mail?.headers ?? []).map((h) => [h.name.toLowerCase(), h.value]),
    );
    expect(headers['in-reply-to']).toBe('<cpr-inline-pem@fixtures.example>');
    expect(headers['auto-submitted']).toBe('no');
    const c = await env.clock.deps.cases.get(id);
    expect(c?.notices.find((n) => n.id === 'reporter')).toMatchObject({
      status: 'sent',
      messageId: out.sesMessageId,
      channel: 'ses',
    });
  });

  test('refuses an empty report and a missing file before sending anything', async () => {
    const id = cases['cpr-inline-pem.eml']!.caseId;
    const empty = join(env.dataDir, 'empty.txt');
    await writeFile(empty, '  \n');
    const before = (await env.mails()).length;
    expect(
      (await env.run('send', id, '--to', 'subscriber:ec-admin@subscriber.example', '--file', empty))
        .stderr,
    ).toContain('the report is empty');
    expect((await env.run('send', id, '--to', 'reporter', '--file', 'nope.txt')).code).toBe(1);
    expect((await env.mails()).length).toBe(before);
  });
});

describe('cpr close', () => {
  test('needs a reason; closes with an audit event; a closed case refuses notices and a second close', async () => {
    const id = cases['newsletter.eml']!.caseId;
    const noReason = await env.run('close', id, '--reason', '  ');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason is required');
    const out = await env.runJson<{ status: string; openObligations: string[] }>(
      ...argv(`close ${id} --reason`),
      'newsletter, not a CPR',
    );
    expect(out.status).toBe('closed');
    expect(out.openObligations).toContain('reporter');
    const events = await env.clock.deps.audit.list(id);
    expect(events.find((e) => e.type === 'closed')).toMatchObject({
      actor: localActor(process.env),
    });
    const notice = await env.run('notice', id, '--to', 'reporter', '--sent', '--note', 'x');
    expect(notice).toMatchObject({ code: 1 });
    expect(notice.stderr).toContain(`case ${id} is closed`);
    expect((await env.run('close', id, '--reason', 'again')).code).toBe(1);
  });
});

describe('cpr replay', () => {
  test('re-runs intake on a stored message and prints the case', async () => {
    const r = cases['cpr-attachments.eml']!;
    const [out] = await env.runJson<{ caseId: string; role: string }[]>('replay', r.messageId);
    expect(out).toMatchObject({ caseId: r.caseId, role: 'report' });
  });

  test('an unknown message is the intake error, exit 1', async () => {
    const r = await env.run('replay', 'doesnotexist0000');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RawMailNotFoundError');
    expect((await env.run('replay', 'bad id!')).code).toBe(2);
  });
});

describe('cpr inventory', () => {
  test('import is idempotent and reports rejected lines; lookup by serial, fingerprint and key', async () => {
    const csv = `${await readFile('test/fixtures/pki/inventory.csv', 'utf-8')}nothex,01,${'a'.repeat(64)},X,x@example.com\n`;
    const file = join(env.dataDir, 'inventory.csv');
    await writeFile(file, csv);
    const first = await env.run('inventory', 'import', file, '--json');
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout)).toMatchObject({
      imported: 4,
      rejected: [{ line: 6, reason: 'sha256 is not 64 hex digits' }],
    });
    const lookups = async () => [
      await env.runJson('inventory', 'lookup', RSA.serial.toUpperCase().match(/../g)!.join(':')),
      await env.runJson('inventory', 'lookup', EC.sha256),
    ];
    const before = await lookups();
    const second = await env.run('inventory', 'import', file);
    expect(second.stdout).toContain('4 records imported, 1 lines rejected');
    expect(second.stdout).toContain('line 6: sha256 is not 64 hex digits');
    expect(await lookups()).toEqual(before);
    expect(before[0]).toEqual([
      expect.objectContaining({
        sha256: RSA.sha256,
        subscriber: 'Example RSA Ltd',
        matchedAs: ['serial'],
      }),
    ]);
    expect(before[1]).toEqual([
      expect.objectContaining({ sha256: EC.sha256, matchedAs: ['sha256'] }),
    ]);
    const byKey = await env.runJson<{ sha256: string; matchedAs: string[] }[]>(
      ...argv(`inventory lookup ${RSA.spkiSha256}`),
    );
    expect(byKey.map((r) => r.sha256).sort()).toEqual(
      [RSA.sha256, FACTS.certificates['leaf-rsa-reissued.pem']!.sha256].sort(),
    );
    expect(byKey.every((r) => r.matchedAs.includes('spkiSha256'))).toBe(true);
  });

  test('nothing found exits 1; a missing column fails the file; a non-hex value is a usage error', async () => {
    expect((await env.run('inventory', 'lookup', 'ab:cd:ef')).code).toBe(1);
    const bad = join(env.dataDir, 'bad.csv');
    await writeFile(bad, 'sha256,serial\n');
    const r = await env.run('inventory', 'import', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lacks column(s): spki_sha256, subscriber, email');
    expect((await env.run('inventory', 'lookup', 'not-a-serial')).code).toBe(2);
    expect((await env.run('inventory', 'frobnicate', 'x')).code).toBe(2);
  });

  test('export-ddb-json writes the parts, reports rejected lines, and refuses a bad file before writing', async () => {
    const file = join(env.dataDir, 'export.csv');
    await writeFile(
      file,
      `${await readFile('test/fixtures/pki/inventory.csv', 'utf-8')}nothex,01,${'a'.repeat(64)},X,x@example.com\n`,
    );
    const out = join(env.dataDir, 'export-out');
    const r = await env.run('inventory', 'export-ddb-json', file, out, '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 6: sha256 is not 64 hex digits');
    const result = JSON.parse(r.stdout) as { items: number; rejected: number; files: string[] };
    expect(result).toMatchObject({ items: 4, rejected: 1 });
    const lines = gunzipSync(await readFile(result.files[0]!))
      .toString('utf-8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { Item: { pk: { S: string }; sha256: { S: string } } });
    expect(lines.map((l) => l.Item.sha256.S).sort()).toContain(RSA.sha256);
    expect(lines.every((l) => l.Item.pk.S.startsWith('CERT#'))).toBe(true);

    const bad = join(env.dataDir, 'bad-export.csv');
    await writeFile(bad, 'sha256,serial\n');
    const refused = await env.run('inventory', 'export-ddb-json', bad, join(env.dataDir, 'none'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('lacks column(s): spki_sha256, subscriber, email');
    await expect(readdir(join(env.dataDir, 'none'))).rejects.toThrow(/ENOENT/);
  });
});

describe('cpr timeline', () => {
  test('Markdown in UTC to the minute: received, acknowledged, team notified, report sent, in order', async () => {
    const id = cases['cpr-attachments.eml']!.caseId;
    env.clock.now = new Date('2026-11-27T09:01:10.000Z');
    await env.clock.tasks.acknowledge({ caseId: id });
    await env.clock.tasks.notifyTeam({ caseId: id });
    env.now = new Date('2026-11-27T11:45:00.000Z');
    expect(
      (await env.run('notice', id, '--to', 'reporter', '--sent', '--note', 'phoned Alice')).code,
    ).toBe(0);
    const r = await env.run('timeline', id);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('- '));
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(lines[at('CPR received')]).toMatch(
      /^- 2026-11-27 09:00 UTC: CPR received from `alice.reporter@researcher.example`/,
    );
    expect(lines[at('Automatic acknowledgment')]).toMatch(
      /^- 2026-11-27 09:01 UTC: .* sent to `alice.reporter@researcher.example`/,
    );
    expect(lines[at('CA team notified')]).toMatch(/^- 2026-11-27 09:01 UTC/);
    expect(lines[at('to the reporter sent')]).toMatch(
      new RegExp(
        `^- 2026-11-27 11:45 UTC: Preliminary report \\(BR 4.9.5\\) to the reporter sent to .* by \`${localActor(process.env)}\``,
      ),
    );
    expect(at('CPR received')).toBeLessThan(at('Automatic acknowledgment'));
    expect(at('Automatic acknowledgment')).toBeLessThan(at('CA team notified'));
    expect(at('CA team notified')).toBeLessThan(at('to the reporter sent'));
    expect(lines[at('Deadline: preliminary report to the reporter')]).toContain(
      'met at 2026-11-27 11:45 UTC',
    );
  });
});

describe('usage', () => {
  test('bad usage exits 2 with the help text; --help exits 0', async () => {
    const missing = await env.run('show');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cpr show: missing CASE');
    expect(missing.stderr).toContain('Usage: cpr show CASE [--json]');
    expect((await env.run('show', 'not-a-case')).stderr).toContain('is not a case id');
    expect((await env.run('list', '--bogus')).code).toBe(2);
    expect((await env.run('frobnicate')).code).toBe(2);
    expect(
      (
        await env.run(
          ...argv(`notice`),
          cases['misissuance.eml']!.caseId,
          ...argv(`--to someone --sent --note x`),
        )
      ).stderr,
    ).toContain('--to must be "reporter" or "subscriber:ADDRESS"');
    const help = await env.run('send', '--help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain(
      'Usage: cpr send CASE --to reporter|subscriber:ADDRESS --file REPORT.txt',
    );
  });
});
