/**
 * More containers and key forms (scripts/fixtures/formats.ts): PKCS#12 files, RSA-PSS keys, DER
 * keys, encrypted PKCS#8. Facts come from openssl, not from the code under test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { statedPasswords } from '../../../lambdas/domain/evidence/pkcs12.ts';
import { FIXTURE_P12_PASSWORD } from '../../../scripts/fixtures/formats.ts';
import { attach, certFacts, keyFacts, mail, part, pkiBytes, pkiText } from './helpers.ts';

const formatFacts = JSON.parse(
  readFileSync(new URL('../../fixtures/pki/formats-facts.json', import.meta.url), 'utf8'),
) as Record<string, { spkiSha256: string }>;

describe('PKCS#12', () => {
  test.each(['leaf-rsa.plain.p12', 'leaf-rsa.empty.p12'])(
    '%s (no encryption, or an empty password) gives its certificate and a key that proves itself',
    async (name) => {
      const ev = await extractEvidence(mail([], [attach(name)]));
      expect(ev.certificates.map((c) => [c.sha256, c.keyCompromised])).toEqual([
        [certFacts('leaf-rsa.pem').sha256, true],
      ]);
      expect(ev.keys.map((k) => [k.spkiSha256, k.proof, k.format])).toEqual([
        [keyFacts('leaf-rsa.key').spkiSha256, true, 'pkcs8'],
      ]);
      expect(ev.problems).toEqual([]);
    },
  );

  test('an encrypted PKCS#12 without a password in the mail is a problem that says so', async () => {
    const ev = await extractEvidence(mail(['Evidence attached.'], [attach('leaf-ec.secret.p12')]));
    expect(ev.certificates).toEqual([]);
    expect(ev.keys).toEqual([]);
    expect(ev.problems).toEqual([
      'attachment:leaf-ec.secret.p12: encrypted PKCS#12 content: a password is needed (none is stated in the mail)',
    ]);
  });

  test.each([
    `The password: ${FIXTURE_P12_PASSWORD}`,
    `Das Passwort lautet ${FIXTURE_P12_PASSWORD}.`,
    `Le mot de passe est « ${FIXTURE_P12_PASSWORD} »`,
    `Contraseña: ${FIXTURE_P12_PASSWORD}`,
  ])('the password stated in the mail is tried: %s', async (text) => {
    const ev = await extractEvidence(mail([text], [attach('leaf-ec.secret.p12')]));
    expect(ev.certificates.map((c) => c.sha256)).toEqual([certFacts('leaf-ec.pem').sha256]);
    expect(ev.keys.map((k) => [k.spkiSha256, k.proof])).toEqual([
      [keyFacts('leaf-ec.key').spkiSha256, true],
    ]);
    expect(ev.problems).toEqual([
      'attachment:leaf-ec.secret.p12: opened with a password stated in the mail',
    ]);
    // Never stored: the password appears nowhere in what extraction returns.
    expect(JSON.stringify(ev)).not.toContain(FIXTURE_P12_PASSWORD);
  });

  test('a wrong stated password is a problem, not a crash', async () => {
    const ev = await extractEvidence(mail(['password: hunter2'], [attach('leaf-ec.secret.p12')]));
    expect(ev.keys).toEqual([]);
    expect(ev.problems).toEqual([
      'attachment:leaf-ec.secret.p12: encrypted PKCS#12 content: none of the passwords stated in the mail opens it; a password is needed',
    ]);
  });

  test('password forms', () => {
    expect(
      statedPasswords(['password: abc.', 'Passwort = "x y"', 'kennwort: abc', 'nothing here']),
    ).toEqual(['abc', 'x']);
  });
});

describe('more key forms', () => {
  test('an RSA-PSS key (PKCS#8 id-RSASSA-PSS, SHA-256 only) proves itself by signing', async () => {
    const ev = await extractEvidence(mail([pkiText('rsa-pss.key')]));
    expect(ev.keys).toEqual([
      expect.objectContaining({
        spkiSha256: formatFacts['rsa-pss.key']?.spkiSha256,
        format: 'pkcs8',
        algorithm: 'rsa-pss',
        proof: true,
      }),
    ]);
    expect(ev.problems).toEqual([]);
  });

  test('a PKCS#1 DER key attachment is read and proves itself', async () => {
    const ev = await extractEvidence(mail([], [part(pkiBytes('leaf-rsa.pkcs1.der'), 'key.der')]));
    expect(ev.keys.map((k) => [k.spkiSha256, k.format, k.proof])).toEqual([
      [keyFacts('leaf-rsa.key').spkiSha256, 'pkcs1', true],
    ]);
  });

  test('an encrypted PKCS#8 DER attachment is a problem', async () => {
    const ev = await extractEvidence(mail([], [attach('leaf-ec.encrypted.der')]));
    expect(ev.keys).toEqual([]);
    expect(ev.problems).toEqual([
      'attachment:leaf-ec.encrypted.der: encrypted private key (no passphrase), public key not derived',
    ]);
  });
});
