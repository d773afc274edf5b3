/**
 * A certificate no parser accepts is still evidence: its fingerprint as sent, the serial its
 * tbsCertificate holds and why it was refused. Fixtures: scripts/fixtures/odd-certificates.ts,
 * facts from openssl and from what the script wrote, never from the code under test.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../../../lambdas/domain/evidence/limits.ts';
import {
  certificateShape,
  MAX_UNPARSED_SERIAL_BYTES,
  unparsedCertificate,
} from '../../../lambdas/domain/evidence/unparsed-certificate.ts';
import { readOddFacts } from '../../../scripts/fixtures/odd-certificates.ts';
import { attach, certFacts, mail, part, pkiBytes, pkiText } from './helpers.ts';

const odd = readOddFacts();
const fact = (name: string) => {
  const f = odd[name];
  if (f === undefined) throw new Error(`odd-facts.json has no entry for ${name}`);
  return f;
};
const toPem = (bytes: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${(
    Buffer.from(bytes)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  ).join('\n')}\n-----END CERTIFICATE-----`;

describe('certificates the parser refuses', () => {
  test.each([
    ['odd-serial-padded.der', 'the serial number INTEGER is not minimally encoded (X.690 8.3.2)'],
    ['odd-serial-empty.der', 'the serial number INTEGER is empty (X.690 8.3.1)'],
    ['odd-utf8-name.der', 'invalid UTF-8 in a UTF8String of the subject name (RFC 5280 4.1.2.4)'],
  ])('%s attached as DER is recorded with its fingerprint, serial and why', async (name, error) => {
    const f = fact(name);
    const ev = await extractEvidence(mail(['See attached.'], [attach(name)]));
    expect(ev.certificates).toEqual([]);
    expect(ev.unparsedCertificates).toEqual([
      {
        sha256: f.sha256,
        error,
        serialCandidates: f.serial === null ? [] : [f.serial],
        source: `attachment:${name}`,
      },
    ]);
    // Recorded as a certificate, not as a DER object of an unknown kind.
    expect(ev.problems).toEqual([]);
  });

  test('the same certificate pasted as PEM is recorded, and noted as unreadable', async () => {
    const f = fact('odd-utf8-name.der');
    const ev = await extractEvidence(
      mail([`Bitte prüfen:\n${toPem(pkiBytes('odd-utf8-name.der'))}`]),
    );
    expect(ev.unparsedCertificates.map((u) => [u.sha256, u.serialCandidates, u.source])).toEqual([
      [f.sha256, [f.serial], 'body'],
    ]);
    expect(ev.problems).toEqual(['body: unreadable CERTIFICATE PEM block']);
  });

  test('a certificate read only by re-encoding its lengths keeps the fingerprint of its bytes too', async () => {
    const f = fact('odd-long-length.der');
    const ev = await extractEvidence(mail([], [attach('odd-long-length.der')]));
    // The parser reads it as the certificate it re-encodes to ...
    expect(ev.certificates.map((c) => c.sha256)).toEqual([certFacts(f.from).sha256]);
    // ... and the bytes as sent, which a CA that issued them so would have logged, are kept.
    expect(ev.unparsedCertificates).toEqual([
      {
        sha256: f.sha256,
        error: `not DER (non-minimal lengths): the parser re-encodes it, and reads it as certificate ${certFacts(f.from).sha256}`,
        serialCandidates: [f.serial],
        source: 'attachment:odd-long-length.der',
      },
    ]);
  });

  test('a CERTIFICATE PEM block of garbage is recorded by the hash of its bytes', async () => {
    const garbage = Buffer.from('not a certificate at all, just text', 'utf8');
    const ev = await extractEvidence(mail([toPem(garbage)]));
    expect(ev.unparsedCertificates).toEqual([
      {
        sha256: (await import('node:crypto')).createHash('sha256').update(garbage).digest('hex'),
        error:
          'not shaped like a certificate (a SEQUENCE of tbsCertificate, algorithm and BIT STRING)',
        serialCandidates: [],
        source: 'body',
      },
    ]);
  });

  test('good certificates, keys, CSRs and bundles are not recorded as unparsed', async () => {
    const ev = await extractEvidence(
      mail(
        [],
        [
          attach('leaf-rsa.der'),
          attach('leaf-ec.pkcs8.der'),
          attach('leaf-rsa.pkcs1.der'),
          attach('bundle.p7b'),
          part(pkiBytes('leaf-ec.encrypted.der'), 'k.der'),
        ],
      ),
    );
    expect(ev.certificates.length).toBeGreaterThan(0);
    expect(ev.unparsedCertificates).toEqual([]);
  });

  test('a DER CSR is not shaped like a certificate', () => {
    const csr = Buffer.from(
      pkiText('kc-csr.pem')
        .replace(/-----[^-]+-----/g, '')
        .replace(/\s+/g, ''),
      'base64',
    );
    expect(csr[0]).toBe(0x30);
    expect(certificateShape(csr)).toBeNull();
    expect(certificateShape(pkiBytes('leaf-rsa.der'))).not.toBeNull();
  });

  test('how many are recorded is bounded, and the limit is noted once', async () => {
    const limits = { ...DEFAULT_EVIDENCE_LIMITS, maxUnparsedCertificates: 2 };
    const names = ['odd-serial-padded.der', 'odd-serial-empty.der', 'odd-utf8-name.der'];
    const ev = await extractEvidence(
      mail(
        [],
        names.map((n) => attach(n)),
      ),
      limits,
    );
    expect(ev.unparsedCertificates.map((u) => u.sha256)).toEqual(
      names.slice(0, 2).map((n) => fact(n).sha256),
    );
    expect(ev.problems).toEqual([
      'unparsedCertificates limit (2) reached; further unparsedCertificates ignored',
    ]);
  });

  test('reading bytes as an unparsed certificate never throws and stays bounded (fast-check)', () => {
    const base = pkiBytes('odd-serial-padded.der');
    const mutated = fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }).map((flips) => {
      const bytes = base.slice();
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      return bytes;
    });
    fc.assert(
      fc.property(
        fc.oneof(mutated, fc.uint8Array({ maxLength: 600 })),
        fc.boolean(),
        (bytes, shaped) => {
          const u = unparsedCertificate(bytes, shaped);
          if (u === null) return;
          expect(u.sha256).toMatch(/^[0-9a-f]{64}$/);
          expect(u.serialCandidates.length).toBeLessThanOrEqual(1);
          for (const s of u.serialCandidates) {
            expect(s.length).toBeLessThanOrEqual(MAX_UNPARSED_SERIAL_BYTES * 2);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
