/**
 * Certificate lints through intake against the stand-ins: a reporter who only pastes a defective
 * certificate, in German, gets a misissuance case whose findings the team sees.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { caseJson } from '../../cli/commands/show.ts';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import { teamNotice } from '../../lambdas/domain/escalation/messages.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS, type IntakeEnv, intakeEnv } from '../support/intake-env.ts';

const lintPem = (name: string) => readFileSync(`test/fixtures/lint/${name}.pem`, 'utf8');
const der = (name: string) =>
  execFileSync('/usr/bin/openssl', [
    'x509',
    '-in',
    `test/fixtures/lint/${name}.pem`,
    '-outform',
    'DER',
  ]);

let env: IntakeEnv;

beforeAll(async () => {
  env = await intakeEnv();
});
afterAll(async () => env?.stop());

describe('a report that only pastes a defective certificate', () => {
  test('is misissuance, with each finding on the case, in cpr show and in the team notice', async () => {
    const raw = await compose({
      from: 'Jonas <jonas@pruefer.example>',
      to: CPR_ADDRESS,
      subject: 'Zertifikat',
      messageId: '<lint-1@pruefer.example>',
      text: 'Guten Tag,\n\nsiehe Anhang.\n\nMit freundlichen Grüßen\nJonas',
      attachments: [
        { filename: 'zertifikat.cer', content: der('underscore-san') },
        { filename: 'zweites.pem', content: lintPem('ou') },
      ],
    });
    const { event } = await env.deliver(raw, { timestamp: new Date('2026-11-27T10:00:00.000Z') });
    const [result] = await env.intake(event);
    const c = await env.deps.cases.get(result?.caseId ?? '');
    expect(c?.classification).toBe('misissuance');
    expect(c?.evidence.lints.map((l) => [l.code, l.severity, l.rule])).toEqual([
      ['dnsNameUnderscore', 'error', 'BR 7.1.2.7.12; ballot SC-12'],
      ['organizationalUnitPresent', 'error', 'BR 7.1.2.7.2-7.1.2.7.5; ballot SC-47'],
    ]);
    // Before a person triages it, a case that names a certificate has the strictest revocation
    // deadline (24 h, BR 4.9.1.1), whatever the classification: a misread can only make it earlier.
    expect(c?.deadlines.revocation).toBe('2026-11-28T10:00:00.000Z');
    if (!c) return;

    const file = await env.deps.evidence.get(c.messages[0]?.evidenceKey ?? '');
    expect(file?.evidence.lints).toHaveLength(2);

    const shown = caseJson(c, {
      full: { evidence: c.evidence, affected: c.affected, subscribers: c.subscribers },
      missing: [],
    });
    expect(shown.evidence.lints.map((l) => l.detail)).toEqual([
      'dNSName "my_host.example.com"',
      'OU "Service informatique"',
    ]);

    const notice = teamNotice(c, { rawMail: (k) => k }).message;
    expect(notice).toContain('Certificate lints: 2');
    expect(notice).toContain('error dnsNameUnderscore (BR 7.1.2.7.12; ballot SC-12)');
    expect(notice).toContain('dNSName "my_host.example.com"');
  });
});

/** What openssl says about a lint fixture: the facts an inventory row holds. */
function inventoryRow(name: string, email: string) {
  const file = `test/fixtures/lint/${name}.pem`;
  const ossl = (args: string[], input?: Buffer) =>
    execFileSync('/usr/bin/openssl', args, { input }).toString('utf8');
  const sha = (bytes: Buffer) => ossl(['dgst', '-sha256', '-r'], bytes).split(' ')[0] ?? '';
  const spki = execFileSync('/usr/bin/openssl', ['x509', '-in', file, '-pubkey', '-noout']);
  return {
    sha256: sha(der(name)),
    serial: ossl(['x509', '-in', file, '-noout', '-serial']).trim().slice(7).toLowerCase(),
    spkiSha256: sha(
      execFileSync('/usr/bin/openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: spki }),
    ),
    subscriber: 'Prüfer AG',
    email,
    pem: lintPem(name),
  };
}

describe('a report that names an inventory certificate only by its serial', () => {
  test('is misissuance when the inventory’s copy of the certificate fails a lint', async () => {
    const row = inventoryRow('underscore-san', 'pki@pruefer.example');
    await new DynamoInventory(documentClient(), env.config.inventoryTable).put([row]);
    const raw = await compose({
      ...{ to: CPR_ADDRESS, from: 'Eva <eva@forscher.example>', messageId: '<lint-2@f.example>' },
      subject: 'Falsch ausgestelltes Zertifikat',
      text: `Hallo,\n\nbitte prüfen Sie das Zertifikat mit der Seriennummer ${row.serial}.\n\nEva`,
    });
    const { event } = await env.deliver(raw);
    const [result] = await env.intake(event);
    const c = await env.deps.cases.get(result?.caseId ?? '');
    expect(c?.evidence.certificates).toEqual([]);
    expect(c?.affected).toEqual([row.sha256]);
    expect(c?.evidence.lints.map((l) => [l.certificate, l.code])).toEqual([
      [row.sha256, 'dnsNameUnderscore'],
    ]);
    expect(c?.classification).toBe('misissuance');
    expect(c?.classificationSignals).toContain('lint:dnsNameUnderscore');
  });
});
