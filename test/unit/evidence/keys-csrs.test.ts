import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import {
  attach,
  certFacts,
  csrFacts,
  keyFacts,
  mail,
  part,
  pkiBytes,
  pkiText,
  quote,
  rewrap,
} from './helpers.ts';

describe('private keys', () => {
  test.each([
    ['leaf-rsa.key', 'pkcs8', 'rsa'],
    ['leaf-rsa.pkcs1.key', 'pkcs1', 'rsa'],
    ['leaf-ec.key', 'pkcs8', 'ec'],
    ['leaf-ec.sec1.key', 'sec1', 'ec'],
  ])('%s pasted in the body gives its SPKI hash, format %s', async (name, format, algorithm) => {
    const ev = await extractEvidence(mail([`the key:\n${pkiText(name)}`]));
    expect(ev.keys).toEqual([
      {
        spkiSha256: keyFacts(name).spkiSha256,
        format,
        algorithm,
        matches: [],
        source: 'body',
        proof: true,
        proofFailure: null,
      },
    ]);
    expect(ev.problems).toEqual([]);
  });

  test('a quoted, re-wrapped PKCS#1 key', async () => {
    const text = quote(rewrap(pkiText('leaf-rsa.pkcs1.key'), 70, '\r\n').replace(/\r\n/g, '\n'));
    const ev = await extractEvidence(mail([text]));
    expect(ev.keys.map((k) => k.spkiSha256)).toEqual([keyFacts('leaf-rsa.key').spkiSha256]);
  });

  test('a DER PKCS#8 key attachment is sniffed', async () => {
    const ev = await extractEvidence(mail([], [part(pkiBytes('leaf-ec.pkcs8.der'), 'key.bin')]));
    expect(ev.keys).toHaveLength(1);
    expect(ev.keys[0]?.spkiSha256).toBe(keyFacts('leaf-ec.key').spkiSha256);
    expect(ev.keys[0]?.format).toBe('pkcs8');
  });

  test('one key in several encodings is one key', async () => {
    const ev = await extractEvidence(
      mail([pkiText('leaf-ec.sec1.key')], [attach('leaf-ec.key'), attach('leaf-ec.pkcs8.der')]),
    );
    expect(ev.keys).toHaveLength(1);
    expect(ev.keys[0]?.format).toBe('sec1');
  });

  test.each(['leaf-rsa.encrypted.key', 'leaf-rsa.legacy-encrypted.key'])(
    'encrypted key %s is a problem, not a key and not a crash',
    async (name) => {
      const ev = await extractEvidence(mail([], [attach(name)]));
      expect(ev.keys).toEqual([]);
      expect(ev.problems).toEqual([
        `attachment:${name}: encrypted private key (no passphrase), public key not derived`,
      ]);
    },
  );

  test('a truncated OpenSSH key is a problem for a manual check', async () => {
    const block = `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from('openssh-key-v1').toString('base64')}\n-----END OPENSSH PRIVATE KEY-----`;
    const ev = await extractEvidence(mail([block]));
    expect(ev.problems).toEqual(['body: unreadable OpenSSH private key PEM block']);
  });

  test('a corrupt key block is a problem', async () => {
    const block =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const ev = await extractEvidence(mail([block]));
    expect(ev.keys).toEqual([]);
    expect(ev.problems).toEqual(['body: unreadable PKCS#8 private key PEM block']);
  });
});

describe('forged keys: a real public key next to junk private parts', () => {
  // Each forgery carries the public key of a real certificate (openssl reads that key from it,
  // which the fixture script checks), so only a signature can tell it from the real key.
  test.each([
    ['forged-rsa.pkcs1.key', 'leaf-rsa.pem', 'pkcs1', 'the modulus is not the product'],
    ['forged-ec.sec1.key', 'leaf-ec.pem', 'sec1', 'the public point in the file is not'],
    ['forged-ec.pkcs8.key', 'leaf-ec.pem', 'pkcs8', 'the public point in the file is not'],
  ])('%s proves nothing and matches no certificate', async (name, certName, format, reason) => {
    const ev = await extractEvidence(mail([pkiText(certName)], [attach(name)]));
    expect(ev.keys).toHaveLength(1);
    const key = ev.keys[0];
    expect(key?.spkiSha256).toBe(certFacts(certName).spkiSha256);
    expect(key?.format).toBe(format);
    expect(key?.proof).toBe(false);
    expect(key?.proofFailure).toContain(reason);
    expect(key?.matches).toEqual([]);
    expect(ev.certificates[0]?.keyCompromised).toBe(false);
    expect(ev.problems).toEqual([
      `attachment:${name}: private key does not prove possession (${key?.proofFailure})`,
    ]);
  });

  test('the real key sent after a forgery of it still proves possession', async () => {
    const ev = await extractEvidence(
      mail([pkiText('leaf-ec.pem')], [attach('forged-ec.sec1.key'), attach('leaf-ec.key')]),
    );
    expect(ev.keys.map((k) => [k.proof, k.source])).toEqual([[true, 'attachment:leaf-ec.key']]);
    expect(ev.certificates[0]?.keyCompromised).toBe(true);
  });

  test('a forged RSA key whose primes multiply to n but whose d is junk fails on signing', async () => {
    const { rsaConsistency } = await import('../../../lambdas/domain/evidence/key-proof.ts');
    // 61 * 53 = 3233, e = 17, the textbook d is 413 (mod lcm 780); 7 is not an inverse.
    const honest = { n: 3233n, e: 17n, d: 413n, primes: [61n, 53n] };
    expect(rsaConsistency(honest)).toBeNull();
    expect(rsaConsistency({ ...honest, d: 7n })).toContain('does not invert');
    expect(rsaConsistency({ ...honest, primes: [61n, 59n] })).toContain('not the product');
  });
});

describe('CSRs', () => {
  test('a proof-of-compromise CSR verifies and attests', async () => {
    const ev = await extractEvidence(mail([], [attach('kc-csr.pem')]));
    expect(ev.csrs).toEqual([
      {
        spkiSha256: csrFacts('kc-csr.pem').spkiSha256,
        subject: 'CN=Proof of key compromise for rsa.example.test',
        signatureValid: true,
        attestation: true,
        matches: [],
        source: 'attachment:kc-csr.pem',
      },
    ]);
    expect(csrFacts('kc-csr.pem').spkiSha256).toBe(keyFacts('leaf-rsa.key').spkiSha256);
  });

  test('an ordinary CSR verifies but does not attest', async () => {
    const ev = await extractEvidence(mail([pkiText('leaf-ec.csr.pem')]));
    expect(ev.csrs[0]?.signatureValid).toBe(true);
    expect(ev.csrs[0]?.attestation).toBe(false);
    expect(ev.csrs[0]?.spkiSha256).toBe(keyFacts('leaf-ec.key').spkiSha256);
  });

  test('NEW CERTIFICATE REQUEST label and DER CSR attachments', async () => {
    const legacy = pkiText('kc-csr.pem').replace(
      / CERTIFICATE REQUEST/g,
      ' NEW CERTIFICATE REQUEST',
    );
    const der = Buffer.from(
      pkiText('leaf-ec.csr.pem').replace(/-----[A-Z ]+-----|\s/g, ''),
      'base64',
    );
    const ev = await extractEvidence(mail([legacy], [part(new Uint8Array(der), 'req.csr')]));
    expect(ev.csrs.map((c) => [c.spkiSha256, c.signatureValid])).toEqual([
      [keyFacts('leaf-rsa.key').spkiSha256, true],
      [keyFacts('leaf-ec.key').spkiSha256, true],
    ]);
  });

  test('a CSR whose signature does not verify proves nothing', async () => {
    const ev = await extractEvidence(
      mail([pkiText('leaf-ec.pem')], [attach('bad-signature-csr.pem')]),
    );
    expect(ev.csrs).toHaveLength(1);
    expect(ev.csrs[0]?.signatureValid).toBe(false);
    expect(ev.csrs[0]?.spkiSha256).toBe(certFacts('leaf-ec.pem').spkiSha256);
    expect(ev.csrs[0]?.matches).toEqual([]);
    expect(ev.certificates[0]?.keyCompromised).toBe(false);
  });
});

describe('matching keys and CSRs to certificates', () => {
  const rsa = certFacts('leaf-rsa.pem');
  const reissued = certFacts('leaf-rsa-reissued.pem');
  const other = certFacts('leaf-other.pem');

  test('a key marks its certificate compromised; unrelated ones are not', async () => {
    const ev = await extractEvidence(
      mail([pkiText('leaf-rsa.pem'), pkiText('leaf-other.pem')], [attach('leaf-rsa.key')]),
    );
    const bySha = new Map(ev.certificates.map((c) => [c.sha256, c]));
    expect(bySha.get(rsa.sha256)?.keyCompromised).toBe(true);
    expect(bySha.get(other.sha256)?.keyCompromised).toBe(false);
    expect(ev.keys[0]?.matches).toEqual([rsa.sha256]);
  });

  test('a reissue not in the mail is not matched here (inventory matching does that)', async () => {
    const ev = await extractEvidence(mail([pkiText('leaf-rsa.pem'), pkiText('leaf-rsa.key')]));
    expect(ev.keys[0]?.matches).toEqual([rsa.sha256]);
    expect(ev.certificates.map((c) => c.sha256)).not.toContain(reissued.sha256);
  });

  test('a reissue in the mail shares the key and is matched too', async () => {
    const ev = await extractEvidence(
      mail([
        pkiText('leaf-rsa.pem'),
        pkiText('leaf-rsa-reissued.pem'),
        pkiText('leaf-rsa.pkcs1.key'),
      ]),
    );
    expect(ev.keys[0]?.matches).toEqual([rsa.sha256, reissued.sha256]);
    expect(ev.certificates.every((c) => c.keyCompromised)).toBe(true);
  });

  test('a valid CSR marks the certificate compromised like a key does', async () => {
    const ev = await extractEvidence(mail([], [attach('leaf-rsa.der'), attach('kc-csr.pem')]));
    expect(ev.certificates[0]?.keyCompromised).toBe(true);
    expect(ev.csrs[0]?.matches).toEqual([rsa.sha256]);
    expect(ev.keys).toEqual([]);
  });
});

describe('key material never leaves extraction', () => {
  const keyFiles = [
    'leaf-rsa.key',
    'leaf-rsa.pkcs1.key',
    'leaf-ec.key',
    'leaf-ec.sec1.key',
    'leaf-rsa.encrypted.key',
    'leaf-rsa.legacy-encrypted.key',
  ];

  test('the serialised Evidence has no PEM key text, key base64 or key bytes', async () => {
    const ev = await extractEvidence(
      mail(
        [
          keyFiles.map((f) => pkiText(f)).join('\n'),
          'junk -----BEGIN PRIVATE KEY----- AAAA',
          '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
          '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----',
        ],
        [
          ...keyFiles.map((f) => attach(f)),
          attach('evidence.tar.gz'),
          attach('leaf-ec.pkcs8.der'),
          attach('leaf-rsa.pem'),
          attach('leaf-ec.pem'),
        ],
      ),
    );
    expect(ev.keys).toHaveLength(2);
    // The notes about the unreadable blocks exist, and still name no PEM key label.
    expect(ev.problems.length).toBeGreaterThanOrEqual(4);
    const json = JSON.stringify(ev);
    expect(json).not.toContain('PRIVATE KEY');
    for (const f of keyFiles) {
      const base64 = pkiText(f)
        .split('\n')
        .filter((l) => l.length > 0 && !l.startsWith('-----') && !l.includes(':'));
      expect(base64.length).toBeGreaterThan(1);
      for (const line of base64) expect(json).not.toContain(line.slice(0, 24));
    }
    const der = Buffer.from(pkiBytes('leaf-ec.pkcs8.der'));
    expect(json).not.toContain(der.toString('hex').slice(-64));
    expect(json).not.toContain(der.toString('base64').slice(-40));
  });
});
