/**
 * Crafted evidence aimed at intake's cost (scripts/fixtures/hostile.ts). Costs are compared as
 * ratios within one run, never against an absolute time: a crafted input must cost about what an
 * honest input of its size costs.
 */
import { zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { extractEvidence, TIME_BUDGET_PROBLEM } from '../../../lambdas/domain/evidence/extract.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../../../lambdas/domain/evidence/limits.ts';
import {
  hugeDsaKey,
  overlappingZip,
  pkcs7Bundle,
  toPem,
} from '../../../scripts/fixtures/hostile.ts';
import { fastestWithValue } from '../../support/cost.ts';
import { attach, certFacts, mail, part, pkiText } from './helpers.ts';

/** Best of three runs: on a loaded machine one run can be preempted, the fastest is the cost. */
const timed = <T>(work: () => Promise<T>) => fastestWithValue(work);

describe('an archive whose entries overlap', () => {
  test('1.3 MB listing 5,000 members of 1 MB each is refused, at the cost of an honest 1 MB zip', async () => {
    const crafted = overlappingZip();
    expect(crafted.length).toBeLessThan(1_400_000);
    const honest = zipSync(
      { 'evidence.txt': new Uint8Array(overlappingZip(1, 1_040_000).subarray(42, 1_040_042)) },
      { level: 0 },
    );
    const [honestEv, honestMs] = await timed(() =>
      extractEvidence(mail([], [part(honest, 'evidence.zip')])),
    );
    const [ev, craftedMs] = await timed(() =>
      extractEvidence(mail([], [part(crafted, 'evidence.zip')])),
    );
    expect(honestEv.serials).toContain('01020304');
    expect(ev.serials).toEqual([]);
    expect(ev.problems).toEqual([
      'attachment:evidence.zip: 5000 zip entries overlap other entries or lie outside the data area; refused (a crafted archive)',
    ]);
    expect(craftedMs).toBeLessThan(honestMs * 3 + 50);
  });

  test('one member beside an overlapping pair is still read', async () => {
    const pair = overlappingZip(2, 1000);
    // The same data twice is refused; an honest archive attached next to it is not affected.
    const ev = await extractEvidence(
      mail([], [part(pair, 'a.zip'), attach('evidence.zip', 'application/zip')]),
    );
    expect(ev.problems).toContain(
      'attachment:a.zip: 2 zip entries overlap other entries or lie outside the data area; refused (a crafted archive)',
    );
    expect(ev.certificates.map((c) => c.sha256)).toEqual([certFacts('leaf-ec.pem').sha256]);
  });

  test('stored members count against the expansion budget', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 4 }, (_, i) => [`f${i}.txt`, new Uint8Array(600_000).fill(0x41 + i)]),
    );
    const stored = zipSync(files, { level: 0 });
    const limits = { ...DEFAULT_EVIDENCE_LIMITS, maxExpandedBytes: 1_000_000 };
    const ev = await extractEvidence(mail([], [part(stored, 'stored.zip')]), limits);
    expect(ev.problems).toEqual([
      'attachment:stored.zip: f1.txt: archives expand to more than 1000000 bytes in total',
    ]);
  });
});

describe('a private key too large to load', () => {
  test('a 16,384-bit DSA key is refused before OpenSSL loads it, and its copies are not looked at', async () => {
    const der = hugeDsaKey();
    const pem = toPem('PRIVATE KEY', der);
    const [one, oneMs] = await timed(() => extractEvidence(mail([pkiText('leaf-ec.key')])));
    const [ev, hugeMs] = await timed(() =>
      extractEvidence(mail([pem.repeat(200)], [part(der, 'key.der')])),
    );
    expect(one.keys).toHaveLength(1);
    expect(ev.keys).toEqual([]);
    expect(ev.problems).toEqual([
      'body: private key not loaded: DSA/DH domain parameter of 16384 bits is above 4096',
      'attachment:key.der: private key not loaded: DSA/DH domain parameter of 16384 bits is above 4096',
    ]);
    // Loading it once costs OpenSSL about 5 s here; refused, 200 copies cost a PEM scan.
    expect(hugeMs).toBeLessThan(oneMs * 3 + 200);
  });

  test('a DSA private value longer than q is refused', async () => {
    const ev = await extractEvidence(mail([toPem('PRIVATE KEY', hugeDsaKey(2048))]));
    expect(ev.problems).toEqual([
      'body: private key not loaded: DSA/DH private value is larger than its domain parameters allow',
    ]);
  });
});

describe('a PKCS#7 bundle of many certificates', () => {
  test('is counted before decoding: past the certificate limit, members are not touched', async () => {
    const bundle = pkcs7Bundle(pkiText('leaf-ec.pem'), 2_000);
    const limits = { ...DEFAULT_EVIDENCE_LIMITS, maxCertificates: 1 };
    const ev = await extractEvidence(mail([], [part(bundle, 'all.p7b')]), limits);
    expect(ev.certificates.map((c) => c.sha256)).toEqual([certFacts('leaf-ec.pem').sha256]);
    expect(ev.problems).toEqual([
      'attachment:all.p7b: PKCS#7 bundle holds 2000 certificates; 1 read (certificate limit 1)',
    ]);
  });

  test('2,000 copies of one certificate cost about what one certificate costs', async () => {
    const one = pkcs7Bundle(pkiText('leaf-ec.pem'), 1);
    const many = pkcs7Bundle(pkiText('leaf-ec.pem'), 2_000);
    const [a, oneMs] = await timed(() => extractEvidence(mail([], [part(one, 'a.p7b')])));
    const [b, manyMs] = await timed(() => extractEvidence(mail([], [part(many, 'b.p7b')])));
    expect(a.certificates).toHaveLength(1);
    expect(b.certificates).toHaveLength(1);
    expect(b.problems).toEqual([]);
    expect(manyMs).toBeLessThan(oneMs * 3 + 100);
  });
});

describe('the time budget', () => {
  test('extraction stops when the clock passes the deadline, keeps what it has, and says so', async () => {
    let now = 0;
    // Each look at the clock advances it by a second: the third unit of work is past the deadline.
    const time = { now: () => (now += 1000), deadline: 2500 };
    const ev = await extractEvidence(
      mail(
        [pkiText('leaf-rsa.pem'), pkiText('leaf-ec.pem'), pkiText('leaf-other.pem')],
        [attach('evidence.zip')],
      ),
      DEFAULT_EVIDENCE_LIMITS,
      time,
    );
    expect(ev.certificates.length).toBeGreaterThan(0);
    expect(ev.certificates.length).toBeLessThan(4);
    expect(ev.problems).toEqual([TIME_BUDGET_PROBLEM]);
  });

  test('a deadline already passed yields only the truncated note', async () => {
    const ev = await extractEvidence(mail([pkiText('leaf-rsa.pem')]), DEFAULT_EVIDENCE_LIMITS, {
      now: () => 10,
      deadline: 0,
    });
    expect(ev.certificates).toEqual([]);
    expect(ev.problems).toEqual([TIME_BUDGET_PROBLEM]);
  });
});
