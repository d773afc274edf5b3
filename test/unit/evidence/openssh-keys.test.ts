/**
 * OpenSSH private keys (openssh-key-v1) made by ssh-keygen (scripts/fixtures/openssh-keys.ts):
 * reduced to their SPKI and proven by signing like every other key. Facts come from ssh-keygen
 * and openssl, not from the code under test.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { KeyLimitError, MalformedEvidenceError } from '../../../lambdas/domain/evidence/errors.ts';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../../../lambdas/domain/evidence/limits.ts';
import { readOpenSshKeys } from '../../../lambdas/domain/evidence/openssh-key.ts';
import { FIXTURE_SSH_PASSPHRASE } from '../../../scripts/fixtures/openssh-keys.ts';
import { attach, certFacts, mail, pkiText } from './helpers.ts';

const sshFacts = JSON.parse(
  readFileSync(new URL('../../fixtures/pki/openssh-facts.json', import.meta.url), 'utf8'),
) as Record<string, { spkiSha256: string }>;
const spki = (name: string) => {
  const f = sshFacts[name];
  if (f === undefined) throw new Error(`openssh-facts.json has no entry for ${name}`);
  return f.spkiSha256;
};

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';
const body = (name: string) =>
  Buffer.from(pkiText(name).replace(BEGIN, '').replace(END, '').replace(/\s+/g, ''), 'base64');
const toBlock = (bytes: Uint8Array) =>
  `${BEGIN}\n${(
    Buffer.from(bytes)
      .toString('base64')
      .match(/.{1,70}/g) ?? []
  ).join('\n')}\n${END}\n`;

describe('OpenSSH private keys', () => {
  test.each([
    ['ssh-ed25519.key', 'ed25519'],
    ['ssh-ecdsa-p256.key', 'ec'],
    ['ssh-ecdsa-p384.key', 'ec'],
    ['ssh-ecdsa-p521.key', 'ec'],
    ['ssh-rsa.key', 'rsa'],
  ])('%s is reduced to its SPKI and proves itself by signing', async (name, algorithm) => {
    const ev = await extractEvidence(
      mail([`Our server was hacked, here is the key:\n${pkiText(name)}`]),
    );
    const [key, ...more] = ev.keys;
    expect(more).toEqual([]);
    expect([key?.spkiSha256, key?.format, key?.algorithm, key?.proof]).toEqual([
      spki(name),
      'openssh',
      algorithm,
      true,
    ]);
    expect([key?.proofFailure, key?.matches, key?.source]).toEqual([null, [], 'body']);
    expect(ev.problems).toEqual([]);
  });

  test.each([
    ['leaf-ec.openssh.key', 'leaf-ec.pem'],
    ['leaf-rsa.openssh.key', 'leaf-rsa.pem'],
  ])('%s, attached as id_key, matches its certificate in the report', async (name, cert) => {
    const ev = await extractEvidence(
      mail([pkiText(cert)], [{ ...attach(name), filename: 'id_key', source: 'attachment:id_key' }]),
    );
    expect(ev.keys.map((k) => [k.spkiSha256, k.proof, k.matches])).toEqual([
      [spki(name), true, [certFacts(cert).sha256]],
    ]);
    expect(ev.certificates.map((c) => c.keyCompromised)).toEqual([true]);
  });

  test('a passphrase-protected key is a problem that says a passphrase is needed', async () => {
    const ev = await extractEvidence(mail([pkiText('ssh-ed25519.encrypted.key')]));
    expect(ev.keys).toEqual([]);
    expect(ev.problems).toEqual([
      'body: encrypted OpenSSH private key (cipher aes256-ctr): a passphrase is needed, public key not derived',
    ]);
    expect(JSON.stringify(ev)).not.toContain(FIXTURE_SSH_PASSPHRASE);
  });

  test('a key whose private part is not that of its public key proves nothing', async () => {
    const bytes = body('ssh-ed25519.key');
    // The private section stores seed || public key; the public key also opens the file.
    const pub = bytes.subarray(94 - 32, 94);
    const copy = bytes.lastIndexOf(pub);
    expect(copy).toBeGreaterThan(94);
    bytes[copy - 32] = (bytes[copy - 32] ?? 0) ^ 0xff; // the seed's first byte
    const ev = await extractEvidence(mail([pkiText('leaf-ec.pem'), toBlock(bytes)]));
    expect(ev.keys.map((k) => [k.spkiSha256, k.proof, k.proofFailure])).toEqual([
      [spki('ssh-ed25519.key'), false, 'its signature does not verify under its public key'],
    ]);
  });

  test('an EC key with a real public point and a junk scalar proves nothing', async () => {
    const bytes = body('leaf-ec.openssh.key');
    // Where the file holds its P-256 scalar; its last bit is flipped, the public point kept.
    const keys = readOpenSshKeys(bytes);
    const scalar = keys[0]?.structure.ec?.scalar;
    expect(scalar?.length).toBe(32);
    const at = Buffer.from(bytes).indexOf(Buffer.from(scalar ?? []));
    bytes[at + 31] = (bytes[at + 31] ?? 0) ^ 0x01;
    const ev = await extractEvidence(mail([pkiText('leaf-ec.pem'), toBlock(bytes)]));
    expect(ev.keys.map((k) => [k.spkiSha256, k.proof])).toEqual([
      [spki('leaf-ec.openssh.key'), false],
    ]);
    expect(ev.certificates.map((c) => c.keyCompromised)).toEqual([false]);
  });

  test('hostile lengths are refused before anything is sliced or allocated', () => {
    const bytes = body('ssh-ed25519.key');
    const huge = Buffer.from(bytes);
    huge.writeUInt32BE(0xffffffff, 15); // the cipher name's length
    expect(() => readOpenSshKeys(huge)).toThrow(MalformedEvidenceError);
    const many = Buffer.from(bytes);
    many.writeUInt32BE(0xffffffff, 35); // the number of keys
    expect(() => readOpenSshKeys(many)).toThrow(KeyLimitError);
  });

  test('extraction of mutated OpenSSH keys never throws and stays bounded (fast-check)', async () => {
    const names = [
      'ssh-ed25519.key',
      'ssh-ecdsa-p384.key',
      'ssh-rsa.key',
      'ssh-ed25519.encrypted.key',
    ];
    const limits = { ...DEFAULT_EVIDENCE_LIMITS, maxKeys: 2, maxProblems: 3 };
    const mutated = fc
      .tuple(
        fc.constantFrom(...names),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }),
        fc.nat(),
      )
      .map(([name, flips, cut]) => {
        const bytes = body(name);
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        return bytes.subarray(0, bytes.length - (cut % 8 === 0 ? cut % bytes.length : 0));
      });
    await fc.assert(
      fc.asyncProperty(fc.array(mutated, { maxLength: 4 }), async (files) => {
        const ev = await extractEvidence(mail([files.map(toBlock).join('\n')]), limits);
        expect(ev.keys.length).toBeLessThanOrEqual(limits.maxKeys);
        expect(ev.problems.length).toBeLessThanOrEqual(limits.maxProblems + 1);
        for (const k of ev.keys) if (!k.proof) expect(k.matches).toEqual([]);
        expect(JSON.stringify(ev)).not.toContain('PRIVATE KEY');
      }),
      { numRuns: 300 },
    );
  });
});
