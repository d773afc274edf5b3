import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../../../lambdas/domain/evidence/limits.ts';
import { LINT_CODES, LINTS, type LintCode } from '../../../lambdas/domain/lint/codes.ts';
import { lintCertificate, lintPem } from '../../../lambdas/domain/lint/lint-certificate.ts';
import { dnsNameProblem, isReservedIp } from '../../../lambdas/domain/lint/names.ts';

const pem = (name: string) => readFileSync(`test/fixtures/lint/${name}.pem`, 'utf8');
/** SHA-256 of the DER by openssl, not by the code under test. */
function opensslSha256(name: string): string {
  const out = execFileSync('/usr/bin/openssl', [
    'x509',
    '-in',
    `test/fixtures/lint/${name}.pem`,
    '-noout',
    '-fingerprint',
    '-sha256',
  ]).toString('utf8');
  return (out.split('=')[1] ?? '').trim().replaceAll(':', '').toLowerCase();
}

/** What a person expects of each openssl-made fixture (scripts/fixtures/lint.ts). */
const EXPECTED: [string, LintCode[]][] = [
  ['good-rsa', []],
  ['good-ec', []],
  ['ca', []],
  ['underscore-san', ['dnsNameUnderscore']],
  ['wildcard-misplaced', ['dnsNameInvalid']],
  ['internal-names', ['internalName', 'internalName', 'reservedIpAddress']],
  ['cn-not-in-san', ['commonNameNotInSan']],
  ['no-san', ['noSubjectAltName', 'commonNameNotInSan']],
  ['ou', ['organizationalUnitPresent']],
  ['ou-before-sc47', []],
  ['validity-825', ['validityTooLong']],
  ['validity-399', ['validityTooLong']],
  ['validity-398-exact', []],
  ['validity-398-plus-1s', ['validityTooLong']],
  ['ec-key-encipherment', ['ecKeyEncipherment']],
  ['some-state', ['placeholderSubjectValue', 'placeholderSubjectValue']],
  ['default-city', ['placeholderSubjectValue', 'placeholderSubjectValue']],
  ['rsa-exponent-3', ['rsaExponentUnusual']],
  ['rsa-1024', ['weakRsaKey']],
  ['ed25519', ['keyAlgorithmNotAllowed']],
  ['poison-in-final', ['precertificatePoisonInFinal']],
  ['precertificate', ['precertificate']],
  ['smime-with-ou', []],
];

describe('lintCertificate on defective certificates made by openssl', () => {
  it.each(EXPECTED)('%s -> %j', (name, codes) => {
    const lints = lintPem(pem(name));
    expect(lints.map((l) => l.code).sort()).toEqual([...codes].sort());
    for (const l of lints) {
      expect(l.certificate).toBe(opensslSha256(name));
      expect(l.severity).toBe(LINTS[l.code].severity);
      expect(l.rule).toBe(LINTS[l.code].rule);
    }
  });

  it('names what it found: the offending value, the limit that applied', () => {
    const detail = (name: string) => lintPem(pem(name)).map((l) => l.detail);
    expect(detail('underscore-san')).toEqual(['dNSName "my_host.example.com"']);
    expect(detail('ou')).toEqual(['OU "Service informatique"']);
    expect(detail('validity-398-plus-1s')[0]).toMatch(/398 days and 1 s; at most 398 days/);
    expect(detail('validity-825')[0]).toMatch(/^825 days/);
    expect(detail('rsa-exponent-3')).toEqual(['exponent 3']);
    expect(detail('some-state')).toContain('ST "Some-State"');
  });

  it('only errors are MUST violations; exponent 3 is a SHOULD (BR 6.1.6)', () => {
    expect(LINTS.rsaExponentUnusual.severity).toBe('warning');
    expect(LINTS.precertificate.severity).toBe('notice');
    for (const code of LINT_CODES) expect(LINTS[code].rule).toMatch(/^(BR|RFC) /);
  });

  it('never throws on bytes that are not a certificate', () => {
    for (const junk of [
      new Uint8Array(),
      new Uint8Array([0x30, 0x82, 0xff, 0xff]),
      Buffer.from('hello'),
    ]) {
      expect(lintCertificate(junk)).toEqual([]);
    }
    expect(lintPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toEqual([]);
  });

  it('keyChecksOnly skips the Subscriber profile (for certificates known to be CAs)', () => {
    expect(lintPem(pem('ou'), { keyChecksOnly: true })).toEqual([]);
    expect(lintPem(pem('rsa-1024'), { keyChecksOnly: true }).map((l) => l.code)).toEqual([
      'weakRsaKey',
    ]);
  });
});

describe('names', () => {
  it.each([
    ['www.example.com', null],
    ['*.example.com', null],
    ['xn--bcher-kva.example', 'internal'],
    ['a_b.example.com', 'underscore'],
    ['*.com.', 'invalid'],
    ['foo.*.example.com', 'invalid'],
    ['*.com', 'invalid'],
    ['bad..example.com', 'invalid'],
    ['-lead.example.com', 'invalid'],
    ['exa mple.com', 'invalid'],
    ['server01', 'internal'],
    ['printer.local', 'internal'],
    ['nas.home.arpa', 'internal'],
    ['10.0.0.1', 'invalid'],
    [`${'a'.repeat(64)}.example.com`, 'invalid'],
  ])('dnsNameProblem(%j) is %j', (name, kind) => {
    expect(dnsNameProblem(name)?.kind ?? null).toBe(kind);
  });

  it.each([
    ['10.1.2.3', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['100.64.0.1', true],
    ['127.0.0.1', true],
    ['169.254.1.1', true],
    ['192.0.2.5', true],
    ['8.8.8.8', false],
    ['192.0.1.10', false],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['2001:db8::1', true],
    ['2606:4700::1111', false],
    ['not an ip', false],
  ])('isReservedIp(%j) is %j', (ip, reserved) => {
    expect(isReservedIp(ip)).toBe(reserved);
  });
});

describe('lints in evidence extraction', () => {
  const text = (names: string[]) => ({
    texts: [{ source: 'body', text: names.map(pem).join('\n') }],
    parts: [],
  });

  it('records each finding with the certificate it belongs to', async () => {
    const e = await extractEvidence(text(['underscore-san', 'good-rsa', 'ou']));
    expect(e.lints.map((l) => [l.code, l.certificate])).toEqual([
      ['dnsNameUnderscore', opensslSha256('underscore-san')],
      ['organizationalUnitPresent', opensslSha256('ou')],
    ]);
  });

  it('lints at most maxLintedCertificates distinct certificates, and says so', async () => {
    const names = ['underscore-san', 'ou', 'validity-825', 'some-state'];
    const e = await extractEvidence(text(names), {
      ...DEFAULT_EVIDENCE_LIMITS,
      maxLintedCertificates: 2,
    });
    expect(e.certificates).toHaveLength(4);
    expect(new Set(e.lints.map((l) => l.certificate)).size).toBe(2);
    expect(e.problems.filter((p) => p.startsWith('lint limit (2 certificates)'))).toHaveLength(1);
  });

  it('a repeated certificate is linted once', async () => {
    const e = await extractEvidence(text(['ou', 'ou', 'ou']));
    expect(e.lints).toHaveLength(1);
  });
});

describe('classification and stored shapes', () => {
  it('an error lint makes a report misissuance; a warning or notice does not', async () => {
    const { classify } = await import('../../../lambdas/domain/classify/classify.ts');
    const { parsedMail } = await import('../../support/mail-builders.ts');
    const { EMPTY_EVIDENCE } = await import('../../../lambdas/domain/evidence/types.ts');
    const mail = parsedMail({
      content: { texts: [{ source: 'body', text: 'see attached' }], parts: [] },
    });
    const withLints = (name: string) => ({ ...EMPTY_EVIDENCE, lints: lintPem(pem(name)) });
    expect(classify({ evidence: withLints('underscore-san'), mail }).classification).toBe(
      'misissuance',
    );
    expect(classify({ evidence: withLints('rsa-exponent-3'), mail }).classification).not.toBe(
      'misissuance',
    );
    expect(classify({ evidence: withLints('precertificate'), mail }).classification).not.toBe(
      'misissuance',
    );
  });

  it('cases and evidence files stored before lints existed read as having none', async () => {
    const { upgradeEvidence } = await import('../../../lambdas/domain/case/upgrade.ts');
    const { lints: _, ...old } = (await import('../../../lambdas/domain/evidence/types.ts'))
      .EMPTY_EVIDENCE;
    expect(upgradeEvidence(old as never).lints).toEqual([]);
  });
});
