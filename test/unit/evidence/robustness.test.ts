import { gzipSync, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../../../lambdas/domain/evidence/limits.ts';
import { fastest, linearBound } from '../../support/cost.ts';
import { noiseBytes } from '../../support/random.ts';
import { attach, certFacts, mail, part, pkiBytes, pkiText } from './helpers.ts';

function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * `count` distinct certificates: leaf-rsa with its serial's last two bytes rewritten. The
 * signatures no longer verify, which extraction does not check; each has its own fingerprint.
 */
function manyCertificates(count: number): string[] {
  const der = Buffer.from(pkiBytes('leaf-rsa.der'));
  const serial = Buffer.from(certFacts('leaf-rsa.pem').serial, 'hex');
  const at = der.indexOf(serial) + serial.length - 2;
  return Array.from({ length: count }, (_, i) => {
    const copy = Buffer.from(der);
    copy.writeUInt16BE(i, at);
    return toPem('CERTIFICATE', copy);
  });
}

describe('garbage never throws', () => {
  test.each([
    'x.zip',
    'x.tar',
    'x.tar.gz',
    'x.tar.xz',
    'x.gz',
    'x.der',
    'x.p7b',
    'x.key',
    'x.pem',
    'x.csv',
    null,
  ])('random bytes named %s', async (name) => {
    for (const seed of [1, 2, 3]) {
      const ev = await extractEvidence(mail([], [part(noiseBytes(64 * 1024, seed), name)]));
      expect(ev.certificates).toEqual([]);
      expect(ev.keys).toEqual([]);
    }
  });

  test.each([
    ['zip magic', [0x50, 0x4b, 0x03, 0x04]],
    ['gzip magic', [0x1f, 0x8b, 0x08, 0x00]],
    ['xz magic', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
    ['DER sequence', [0x30, 0x82, 0x05, 0x00]],
  ])('%s followed by noise is a problem', async (_name, magic) => {
    const bytes = new Uint8Array([...magic, ...noiseBytes(4096, 7)]);
    const ev = await extractEvidence(mail([], [part(bytes, 'evidence.bin')]));
    expect(ev.problems).toHaveLength(1);
    expect(ev.problems[0]).toMatch(/^attachment:evidence\.bin: /);
  });

  test('truncated DER and PEM with garbage base64 of each evidence label', async () => {
    const labels = ['CERTIFICATE', 'PKCS7', 'CERTIFICATE REQUEST', 'PRIVATE KEY', 'EC PRIVATE KEY'];
    const der = pkiBytes('leaf-rsa.der');
    const ev = await extractEvidence(
      mail(
        [labels.map((l) => toPem(l, noiseBytes(300, 9))).join('\n')],
        [part(der.subarray(0, der.length - 10), 'cut.der')],
      ),
    );
    expect(ev.certificates).toEqual([]);
    expect(ev.problems).toHaveLength(labels.length + 1);
    expect(ev.problems.at(-1)).toBe('attachment:cut.der: DER object of an unrecognised type');
  });

  test('an HTML attachment with a PEM split by <br> tags', async () => {
    const html = `<html><body><p>Key:</p><pre>${pkiText('leaf-ec.pem').replace(/\n/g, '<br>\n')}</pre></body></html>`;
    const ev = await extractEvidence(mail([], [part(html, 'report.html', 'text/html')]));
    expect(ev.certificates.map((c) => c.sha256)).toEqual([certFacts('leaf-ec.pem').sha256]);
  });

  test('S/MIME signature parts are not evidence (they hold the sender certificate)', async () => {
    const ev = await extractEvidence(
      mail([], [part(pkiBytes('bundle.p7c'), 'smime.p7s', 'application/pkcs7-signature')]),
    );
    expect(ev.certificates).toEqual([]);
  });
});

describe('limits stop a category and say so', () => {
  test('certificates', async () => {
    const limits = { ...DEFAULT_EVIDENCE_LIMITS, maxCertificates: 2 };
    const ev = await extractEvidence(mail([manyCertificates(5).join('\n')]), limits);
    expect(ev.certificates).toHaveLength(2);
    expect(ev.problems).toEqual(['certificates limit (2) reached; further certificates ignored']);
  });

  test('serials, keeping the first ones in order', async () => {
    const limits = { ...DEFAULT_EVIDENCE_LIMITS, maxSerials: 3 };
    const ev = await extractEvidence(
      mail(['serials: 0x01020304, 0x01020305, 0x01020306, 0x01020307, 0x01020308']),
      limits,
    );
    expect(ev.serials).toEqual(['01020304', '01020305', '01020306']);
    expect(ev.problems).toEqual(['serials limit (3) reached; further serials ignored']);
  });

  test('PEM blocks scanned', async () => {
    const limits = { ...DEFAULT_EVIDENCE_LIMITS, maxPemBlocks: 4 };
    const ev = await extractEvidence(mail([manyCertificates(10).join('')]), limits);
    expect(ev.certificates).toHaveLength(4);
    expect(ev.problems).toEqual(['PEM block limit (4) reached; later blocks ignored']);
  });

  test('problem notes are capped and the rest counted', async () => {
    const limits = { ...DEFAULT_EVIDENCE_LIMITS, maxProblems: 3 };
    const parts = [1, 2, 3, 4, 5, 6].map((i) =>
      part(new Uint8Array([0, ...noiseBytes(100, i)]), `x${i}.cer`),
    );
    const ev = await extractEvidence(mail([], parts), limits);
    expect(ev.problems).toHaveLength(4);
    expect(ev.problems[3]).toBe('3 more problems not listed');
  });
});

describe('performance on mass reports and hostile text', () => {
  /** `certificates` PEM certificates in the body and gzipped, plus a CSV of 2.5 times as many serials. */
  function massReport(certificates: number) {
    const pems = manyCertificates(certificates);
    const csv = ['serial,subscriber'];
    for (let i = 0; i < certificates * 2.5; i++)
      csv.push(`${(0xabc000000000n + BigInt(i)).toString(16)},x`);
    return mail(
      [`Compromised, please revoke:\n${pems.join('\n')}`],
      [
        part(csv.join('\n'), 'serials.csv', 'text/csv'),
        part(gzipSync(Buffer.from(pems.join(''))), 'all.pem.gz'),
      ],
    );
  }

  test('2,000 PEM certificates plus a 5,000-serial CSV, in time linear in their number', async () => {
    const large = massReport(2000);
    const ev = await extractEvidence(large);
    expect(ev.certificates).toHaveLength(2000);
    expect(new Set(ev.certificates.map((c) => c.sha256)).size).toBe(2000);
    expect(ev.serials).toHaveLength(5000);
    expect(ev.problems).toEqual([
      'lint limit (25 certificates) reached; later certificates not linted',
    ]);
    expect(new Set(ev.lints.map((l) => l.certificate)).size).toBeLessThanOrEqual(25);
    const small = massReport(200);
    const smallCost = await fastest(() => extractEvidence(small));
    expect(await fastest(() => extractEvidence(large), 1)).toBeLessThan(linearBound(smallCost, 10));
  });

  const MB = 1024 * 1024;
  const fill = (unit: string, mb: number) => unit.repeat(Math.ceil((mb * MB) / unit.length));
  test.each([
    ['serial labels without values', 'serial: ', 'text/plain'],
    ['serial labels with values', 'serial: 04a3 ', 'text/plain'],
    ['a serial list of one repeated line', 'serials:\n04a3b2c1d0e1f203\n', 'text/plain'],
    ['colon-hex lines', '00:11:22:33:44:55:66:77\n', 'text/plain'],
    ['one endless hex run', 'a', 'text/plain'],
    ['crt.sh prefixes', 'crt.sh/?id=', 'text/plain'],
    ['BEGIN markers', '-----BEGIN CERTIFICATE-----', 'text/plain'],
    ['unclosed HTML tags', '<a', 'text/html'],
    ['HTML line breaks', '<br', 'text/html'],
  ])('25 MB of %s, in time linear in its size', async (_name, unit, type) => {
    const scan = (mb: number) => {
      const content = mail([], [part(fill(unit, mb), null, type)]);
      return () => extractEvidence(content);
    };
    const small = await fastest(scan(2.5));
    // Quadratic behaviour would take minutes here.
    // Best of two: on a loaded machine a single run of the large one can be preempted.
    expect(await fastest(scan(25), 2)).toBeLessThan(linearBound(small, 10));
  });
});

test('a realistic mixed report end to end', async () => {
  const body = [
    'Hello CA,',
    '',
    'I found the private key for rsa.example.test on a public paste site, see attached.',
    `The certificate: https://crt.sh/?id=9876543210 (sha256 ${certFacts('leaf-rsa-reissued.pem').sha256})`,
    'Serial Number: 04:a3:b2:c1:d0:e1:f2:03',
  ].join('\n');
  const ev = await extractEvidence(
    mail(
      [body, 'Key compromise: rsa.example.test'],
      [
        attach('leaf-rsa.pem'),
        part(zipSync({ 'stuff/key.pem': pkiBytes('leaf-rsa.pkcs1.key') }), 'key.zip'),
        attach('kc-csr.pem'),
      ],
    ),
  );
  expect(ev.certificates.map((c) => [c.sha256, c.keyCompromised])).toEqual([
    [certFacts('leaf-rsa.pem').sha256, true],
  ]);
  expect(ev.keys.map((k) => k.source)).toEqual(['attachment:key.zip/stuff/key.pem']);
  expect(ev.csrs.map((c) => [c.signatureValid, c.attestation])).toEqual([[true, true]]);
  expect(ev.crtshIds).toEqual(['9876543210']);
  expect(ev.sha256Fingerprints).toEqual([certFacts('leaf-rsa-reissued.pem').sha256]);
  expect(ev.serials).toEqual(['04a3b2c1d0e1f203']);
  expect(ev.problems).toEqual([]);
});
