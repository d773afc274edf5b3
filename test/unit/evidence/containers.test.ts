/**
 * More containers and key forms (scripts/fixtures/formats.ts): PKCS#12 files, RSA-PSS keys, DER
 * keys, encrypted PKCS#8. Facts come from openssl, not from the code under test.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { pkcs12Kdf, statedPasswords } from '../../../lambdas/domain/evidence/pkcs12.ts';
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

describe('PKCS#12 with the pre-PBES2 ciphers (RFC 7292 Appendix C)', () => {
  test('triple DES with an empty password gives its certificate and a key that proves itself', async () => {
    const ev = await extractEvidence(mail([], [attach('leaf-rsa.3des-empty.p12')]));
    expect(ev.certificates.map((c) => [c.sha256, c.keyCompromised])).toEqual([
      [certFacts('leaf-rsa.pem').sha256, true],
    ]);
    expect(ev.keys.map((k) => [k.spkiSha256, k.proof])).toEqual([
      [keyFacts('leaf-rsa.key').spkiSha256, true],
    ]);
    expect(ev.problems).toEqual([]);
  });

  test('triple DES with the password the mail states', async () => {
    const ev = await extractEvidence(
      mail([`Passwort: ${FIXTURE_P12_PASSWORD}`], [attach('leaf-ec.3des-secret.p12')]),
    );
    expect(ev.certificates.map((c) => c.sha256)).toEqual([certFacts('leaf-ec.pem').sha256]);
    expect(ev.keys.map((k) => [k.spkiSha256, k.proof])).toEqual([
      [keyFacts('leaf-ec.key').spkiSha256, true],
    ]);
    expect(JSON.stringify(ev)).not.toContain(FIXTURE_P12_PASSWORD);
  });

  test('triple DES without the password is a problem that says one is needed', async () => {
    const ev = await extractEvidence(mail([], [attach('leaf-ec.3des-secret.p12')]));
    expect(ev.keys).toEqual([]);
    expect(ev.problems).toEqual([
      'attachment:leaf-ec.3des-secret.p12: encrypted PKCS#12 content: a password is needed (none is stated in the mail)',
    ]);
  });

  test('openssl -legacy: the triple DES key is read, the RC2 certificates are a problem that names the cipher', async () => {
    const ev = await extractEvidence(
      mail([`password: ${FIXTURE_P12_PASSWORD}`], [attach('leaf-ec.legacy-secret.p12')]),
    );
    expect(ev.keys.map((k) => [k.spkiSha256, k.proof])).toEqual([
      [keyFacts('leaf-ec.key').spkiSha256, true],
    ]);
    expect(ev.certificates).toEqual([]);
    expect(ev.problems).toEqual([
      'attachment:leaf-ec.legacy-secret.p12: PKCS#12 content encrypted with pbeWithSHAAnd40BitRC2-CBC, a cipher node:crypto does not provide; not read',
      'attachment:leaf-ec.legacy-secret.p12: opened with a password stated in the mail',
    ]);
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

describe('the PKCS#12 key derivation (RFC 7292 B.2)', () => {
  /** OpenSSL's own PKCS12KDF, which takes the password already as a BMPString. */
  const opensslKdf = (bmp: Buffer, salt: string, id: number, iter: number, length: number) =>
    Buffer.from(
      execFileSync('/usr/bin/openssl', [
        'kdf',
        ...['-keylen', String(length), '-kdfopt', 'digest:SHA1'],
        ...['-kdfopt', `hexpass:${bmp.toString('hex')}`, '-kdfopt', `hexsalt:${salt}`],
        ...['-kdfopt', `iter:${iter}`, '-kdfopt', `id:${id}`, 'PKCS12KDF'],
      ])
        .toString('utf8')
        .trim()
        .replaceAll(':', ''),
      'hex',
    );
  const bmp = (s: string) => Buffer.concat([Buffer.from(s, 'utf16le').swap16(), Buffer.alloc(2)]);

  test.each([
    ['smeg', '0a58cf64530d823f', 1, 1, 24],
    ['smeg', '0a58cf64530d823f', 2, 1, 8],
    ['queeg', '05dec959acff72f7', 1, 1000, 41],
    ['', '0102030405060708', 1, 2048, 24],
  ] as const)(
    'password "%s", salt %s, id %i, %i iterations, %i bytes: as openssl derives it',
    (password, salt, id, iter, length) => {
      expect(pkcs12Kdf(bmp(password), Buffer.from(salt, 'hex'), id, iter, length)).toEqual(
        opensslKdf(bmp(password), salt, id, iter, length),
      );
    },
  );
});
