import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import type { CertificateEvidence } from '../../../lambdas/domain/evidence/types.ts';
import { attach, certFacts, mail, part, pkiBytes, pkiText, quote, rewrap } from './helpers.ts';

function expectMatchesFacts(cert: CertificateEvidence | undefined, fixture: string): void {
  const f = certFacts(fixture);
  expect(cert).toBeDefined();
  expect(cert?.sha256).toBe(f.sha256);
  expect(cert?.serial).toBe(f.serial);
  expect(cert?.spkiSha256).toBe(f.spkiSha256);
  expect(cert?.subject).toBe(f.subject);
  expect(cert?.issuer).toBe(f.issuer);
  expect(cert?.notAfter).toBe(f.notAfter);
}

describe('certificates', () => {
  test('inline PEM: every field matches what openssl computed', async () => {
    const ev = await extractEvidence(mail([`Please revoke:\n\n${pkiText('leaf-rsa.pem')}`]));
    expect(ev.certificates).toHaveLength(1);
    const [cert] = ev.certificates;
    expectMatchesFacts(cert, 'leaf-rsa.pem');
    expect(cert?.sans).toEqual(['DNS:rsa.example.test', 'DNS:www.rsa.example.test']);
    expect(cert?.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(cert?.keyCompromised).toBe(false);
    expect(cert?.source).toBe('body');
    expect(ev.problems).toEqual([]);
  });

  test('serial drops the DER sign pad byte (leaf-rsa has the high bit set)', async () => {
    const ev = await extractEvidence(mail([pkiText('leaf-rsa.pem')]));
    expect(ev.certificates[0]?.serial).toBe('8badf00d5eed1234cafe0001');
  });

  test('a negative serial (openssl -set_serial -1234) is the bytes of its INTEGER, not 00', async () => {
    const pem = execFileSync('/usr/bin/openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
      ...['-keyout', '/dev/null', '-subj', '/CN=negative.example.test', '-set_serial', '-1234'],
    ]).toString('utf8');
    const ev = await extractEvidence(mail([pem]));
    // -1234 in two's complement is FB 2E (X.690 8.3.3).
    expect(ev.certificates.map((c) => c.serial)).toEqual(['fb2e']);
  });

  test('quoted and re-wrapped PEM from a reply chain', async () => {
    const text = [
      'On Monday someone wrote:',
      quote(rewrap(pkiText('leaf-rsa.pem'), 45, '\r\n').replace(/\r\n/g, '\n')),
      quote(quote(pkiText('leaf-ec.pem')), '>'),
    ].join('\n');
    const ev = await extractEvidence(mail([text]));
    expect(ev.certificates.map((c) => c.sha256)).toEqual([
      certFacts('leaf-rsa.pem').sha256,
      certFacts('leaf-ec.pem').sha256,
    ]);
  });

  test('X509 CERTIFICATE and TRUSTED CERTIFICATE labels', async () => {
    const x509 = pkiText('leaf-rsa.pem').replace(/ CERTIFICATE-----/g, ' X509 CERTIFICATE-----');
    const ev = await extractEvidence(mail([x509, pkiText('leaf-ec.trusted.pem')]));
    expectMatchesFacts(ev.certificates[0], 'leaf-rsa.pem');
    // The trust settings trailer is not part of the certificate's fingerprint.
    expectMatchesFacts(ev.certificates[1], 'leaf-ec.pem');
  });

  test.each([
    ['leaf-rsa.der', 'application/pkix-cert'],
    ['leaf-rsa.cer', 'application/octet-stream'],
    ['leaf-rsa.crt', 'application/x-x509-ca-cert'],
    [null, 'application/octet-stream'],
  ])('DER attachment named %s is read (sniffed, not trusted by name)', async (name, type) => {
    const ev = await extractEvidence(mail([], [part(pkiBytes('leaf-rsa.der'), name, type)]));
    expectMatchesFacts(ev.certificates[0], 'leaf-rsa.pem');
  });

  test('a PEM file with a .crt name', async () => {
    const ev = await extractEvidence(mail([], [part(pkiText('leaf-other.pem'), 'x.crt')]));
    expectMatchesFacts(ev.certificates[0], 'leaf-other.pem');
    expect(ev.certificates[0]?.source).toBe('attachment:x.crt');
  });

  test.each(['bundle.p7b', 'bundle.p7c'])(
    'PKCS#7 bundle %s yields leaf-ec and the intermediate',
    async (name) => {
      const ev = await extractEvidence(mail([], [attach(name)]));
      expect(ev.certificates).toHaveLength(2);
      expectMatchesFacts(
        ev.certificates.find((c) => c.sha256 === certFacts('leaf-ec.pem').sha256),
        'leaf-ec.pem',
      );
      expectMatchesFacts(
        ev.certificates.find((c) => c.sha256 === certFacts('intermediate-ca.pem').sha256),
        'intermediate-ca.pem',
      );
    },
  );

  test('PKCS#7 PEM pasted in the body', async () => {
    const ev = await extractEvidence(mail([quote(pkiText('bundle.p7b'))]));
    expect(ev.certificates).toHaveLength(2);
  });

  test('the same certificate in body and attachment is listed once, first sighting wins', async () => {
    const ev = await extractEvidence(
      mail(
        [pkiText('leaf-rsa.pem')],
        [attach('leaf-rsa.der'), attach('leaf-rsa.pem'), attach('leaf-rsa.pem')],
      ),
    );
    expect(ev.certificates).toHaveLength(1);
    expect(ev.certificates[0]?.source).toBe('body');
  });

  test('order is the order of discovery and stable across runs', async () => {
    const content = mail(
      [pkiText('leaf-other.pem')],
      [attach('bundle.p7c'), attach('leaf-rsa.der'), attach('evidence.tar.xz')],
    );
    const a = await extractEvidence(content);
    const b = await extractEvidence(content);
    expect(b).toEqual(a);
    expect(a.certificates.map((c) => c.sha256)).toEqual([
      certFacts('leaf-other.pem').sha256,
      certFacts('leaf-ec.pem').sha256,
      certFacts('intermediate-ca.pem').sha256,
      certFacts('leaf-rsa.pem').sha256,
    ]);
  });

  test('a corrupt certificate block is a problem, the good ones still count', async () => {
    const good = pkiText('leaf-rsa.pem');
    const corrupt =
      '-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END CERTIFICATE-----';
    const ev = await extractEvidence(mail([`${corrupt}\n${good}`]));
    expect(ev.certificates).toHaveLength(1);
    expect(ev.problems).toEqual(['body: unreadable CERTIFICATE PEM block']);
  });
});
