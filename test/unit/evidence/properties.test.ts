/**
 * Properties of extraction over generated input (fast-check): whatever arrives, it returns, and
 * what it returns stays within its limits.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../../../lambdas/domain/evidence/limits.ts';
import type { MailContent } from '../../../lambdas/domain/evidence/types.ts';
import { pkiBytes, pkiText } from './helpers.ts';

const SMALL = {
  ...DEFAULT_EVIDENCE_LIMITS,
  maxCertificates: 3,
  maxUnparsedCertificates: 2,
  maxKeys: 2,
  maxSerials: 5,
  maxProblems: 4,
  maxPemBlocks: 6,
};

/** Pieces a hostile mail is made of: real evidence, cut and spliced, and noise. */
const fragment = fc.oneof(
  fc.constantFrom(
    pkiText('leaf-rsa.pem'),
    pkiText('leaf-ec.sec1.key'),
    pkiText('forged-ec.sec1.key'),
    pkiText('kc-csr.pem'),
    '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
    'serial: 04:a3:b2:c1:d0:e1:f2:03',
    'https://crt.sh/?id=12345',
  ),
  fc.string({ maxLength: 200 }),
);
const text = fc.array(fragment, { maxLength: 8 }).map((xs) => xs.join('\n'));
const binary = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc
    .constantFrom(
      'evidence.zip',
      'evidence.tar.gz',
      'bundle.p7c',
      'leaf-rsa.der',
      'leaf-ec.pkcs8.der',
      'odd-serial-padded.der',
      'odd-utf8-name.der',
      'odd-long-length.der',
      'leaf-rsa.3des-empty.p12',
    )
    .map((name) => pkiBytes(name)),
  // A real file with some bytes flipped: parsers meet almost-valid structures.
  fc
    .tuple(
      fc.constantFrom(
        'evidence.zip',
        'bundle.p7c',
        'leaf-rsa.der',
        'odd-serial-padded.der',
        'leaf-rsa.3des-empty.p12',
      ),
      fc.nat(),
      fc.nat(255),
    )
    .map(([name, at, value]) => {
      const bytes = pkiBytes(name).slice();
      bytes[at % bytes.length] = value;
      return bytes;
    }),
);
const content: fc.Arbitrary<MailContent> = fc.record({
  texts: fc.array(
    text.map((t) => ({ source: 'body', text: t })),
    { maxLength: 3 },
  ),
  parts: fc
    .array(fc.tuple(binary, fc.constantFrom('a.zip', 'b.der', 'c.p7b', 'd.key', null)), {
      maxLength: 4,
    })
    .map((parts) =>
      parts.map(([bytes, filename], i) => ({
        source: `attachment:${i}`,
        filename,
        contentType: 'application/octet-stream',
        content: bytes,
      })),
    ),
});

describe('extraction properties', () => {
  test('never throws, and its output stays within the limits', async () => {
    await fc.assert(
      fc.asyncProperty(content, async (c) => {
        const ev = await extractEvidence(c, SMALL);
        expect(ev.certificates.length).toBeLessThanOrEqual(SMALL.maxCertificates);
        expect(ev.keys.length).toBeLessThanOrEqual(SMALL.maxKeys);
        expect(ev.unparsedCertificates.length).toBeLessThanOrEqual(SMALL.maxUnparsedCertificates);
        for (const u of ev.unparsedCertificates) {
          expect(u.sha256).toMatch(/^[0-9a-f]{64}$/);
          expect(u.serialCandidates.length).toBeLessThanOrEqual(1);
        }
        expect(ev.serials.length).toBeLessThanOrEqual(SMALL.maxSerials);
        // Past the limit, problems are summarised by one more line.
        expect(ev.problems.length).toBeLessThanOrEqual(SMALL.maxProblems + 1);
        expect(JSON.stringify(ev)).not.toContain('PRIVATE KEY-----');
        for (const k of ev.keys) if (!k.proof) expect(k.matches).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
