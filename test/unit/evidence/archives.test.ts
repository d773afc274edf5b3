import { gzipSync, strToU8, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../../../lambdas/domain/evidence/limits.ts';
import { fastest, linearBound } from '../../support/cost.ts';
import { attach, certFacts, keyFacts, mail, part, pkiBytes, pkiText } from './helpers.ts';

const ec = certFacts('leaf-ec.pem');

describe('archives', () => {
  test.each(['evidence.zip', 'evidence.tar', 'evidence.tar.gz', 'evidence.tar.xz'])(
    '%s: key and certificate inside are found and matched',
    async (name) => {
      const ev = await extractEvidence(mail([], [attach(name)]));
      expect(ev.certificates.map((c) => [c.sha256, c.keyCompromised, c.source])).toEqual([
        [ec.sha256, true, `attachment:${name}/leaf-ec.pem`],
      ]);
      expect(ev.keys.map((k) => [k.spkiSha256, k.format, k.source])).toEqual([
        [keyFacts('leaf-ec.sec1.key').spkiSha256, 'sec1', `attachment:${name}/leaf-ec.sec1.key`],
      ]);
      expect(ev.problems).toEqual([]);
    },
  );

  test.each([
    ['evidence.zip', 'data.bin'],
    ['evidence.tar.gz', 'evidence.tgz'],
    ['evidence.tar.xz', null],
    ['evidence.tar', 'evidence.dat'],
  ])('%s is recognised by magic bytes when named %s', async (fixture, name) => {
    const ev = await extractEvidence(mail([], [part(pkiBytes(fixture), name)]));
    expect(ev.keys).toHaveLength(1);
    expect(ev.certificates[0]?.sha256).toBe(ec.sha256);
  });

  test('a zip inside a tar.gz is opened, with the path in the source', async () => {
    const ev = await extractEvidence(mail([], [attach('nested.tar.gz')]));
    expect(ev.keys.map((k) => [k.spkiSha256, k.format, k.source])).toEqual([
      [
        keyFacts('leaf-rsa.key').spkiSha256,
        'pkcs1',
        'attachment:nested.tar.gz/inner.zip/leaf-rsa.pkcs1.key',
      ],
    ]);
  });

  test('bare .gz and .xz of one file', async () => {
    const gz = gzipSync(strToU8(pkiText('leaf-other.pem')));
    const ev = await extractEvidence(
      mail([], [part(gz, 'leaf-other.pem.gz'), attach('leaf-rsa.pem.xz')]),
    );
    expect(ev.certificates.map((c) => [c.sha256, c.source])).toEqual([
      [certFacts('leaf-other.pem').sha256, 'attachment:leaf-other.pem.gz/leaf-other.pem'],
      [certFacts('leaf-rsa.pem').sha256, 'attachment:leaf-rsa.pem.xz/leaf-rsa.pem'],
    ]);
  });

  test('a zip bomb member is cut at the ratio limit; the other members still count', async () => {
    const bombOf = (mib: number) =>
      zipSync({
        'zeros.txt': new Uint8Array(mib * 1024 * 1024),
        'leaf-ec.pem': strToU8(pkiText('leaf-ec.pem')),
      });
    const bomb = bombOf(60);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const ev = await extractEvidence(mail([], [part(bomb, 'bomb.zip')]));
    // Cut at the ratio limit, ten times the zeros cost at most ten times the time.
    const small = await fastest(() => extractEvidence(mail([], [part(bombOf(6), 'bomb.zip')])));
    const large = await fastest(() => extractEvidence(mail([], [part(bomb, 'bomb.zip')])), 1);
    expect(large).toBeLessThan(linearBound(small, 10));
    expect(ev.problems).toEqual([
      `attachment:bomb.zip: zeros.txt: compression ratio above ${DEFAULT_EVIDENCE_LIMITS.maxCompressionRatio}:1`,
    ]);
    expect(ev.certificates.map((c) => c.sha256)).toEqual([ec.sha256]);
  });

  test('a gzip bomb is refused', async () => {
    const bomb = gzipSync(new Uint8Array(40 * 1024 * 1024));
    const ev = await extractEvidence(mail([], [part(bomb, 'x.gz')]));
    expect(ev.problems).toEqual([
      `attachment:x.gz: compression ratio above ${DEFAULT_EVIDENCE_LIMITS.maxCompressionRatio}:1`,
    ]);
  });

  test('an xz bomb is refused', async () => {
    const bomb = pkiBytes('zeros.xz');
    expect(bomb.length).toBeLessThan(64 * 1024);
    const ev = await extractEvidence(mail([], [attach('zeros.xz')]));
    expect(ev.problems).toEqual([
      `attachment:zeros.xz: compression ratio above ${DEFAULT_EVIDENCE_LIMITS.maxCompressionRatio}:1`,
    ]);
  });

  test('member names cannot inject lines into notes and sources', async () => {
    const zip = zipSync({ 'evil\nname\r.pem': strToU8(pkiText('leaf-ec.pem')) });
    const ev = await extractEvidence(mail([], [part(zip, 'x.zip')]));
    expect(ev.certificates[0]?.source).toBe('attachment:x.zip/evil?name?.pem');
  });

  test('total expanded bytes are bounded across all archives of a mail', async () => {
    const limits = {
      ...DEFAULT_EVIDENCE_LIMITS,
      maxExpandedBytes: 1024 * 1024,
      maxCompressionRatio: 1_000_000,
    };
    const filler = (n: number) => zipSync({ 'a.txt': new Uint8Array(700 * 1024).fill(n) });
    const ev = await extractEvidence(
      mail([], [part(filler(1), 'one.zip'), part(filler(2), 'two.zip'), attach('evidence.zip')]),
      limits,
    );
    expect(ev.problems).toEqual([
      'attachment:two.zip: a.txt: archives expand to more than 1048576 bytes in total',
      'attachment:evidence.zip: not opened: archive limits already reached',
    ]);
  });

  test('archive members are bounded across the mail', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 30; i++) files[`f${String(i).padStart(2, '0')}.txt`] = strToU8(`${i}`);
    files['zz.pem'] = strToU8(pkiText('leaf-ec.pem'));
    const limits = { ...DEFAULT_EVIDENCE_LIMITS, maxArchiveEntries: 10 };
    const ev = await extractEvidence(mail([], [part(zipSync(files), 'many.zip')]), limits);
    expect(ev.problems).toEqual(['attachment:many.zip: archive entry limit reached; rest skipped']);
    expect(ev.certificates).toEqual([]);
  });

  test('nesting is opened up to the depth limit and no further', async () => {
    const wrap = (inner: Uint8Array, name: string) => zipSync({ [name]: inner });
    const key = strToU8(pkiText('leaf-ec.key'));
    const depth3 = wrap(wrap(wrap(key, 'k.pem'), 'a.zip'), 'b.zip');
    const depth4 = wrap(depth3, 'c.zip');
    const ok = await extractEvidence(mail([], [part(depth3, 'top.zip')]));
    expect(ok.keys.map((k) => k.source)).toEqual(['attachment:top.zip/b.zip/a.zip/k.pem']);
    const deep = await extractEvidence(mail([], [part(depth4, 'top.zip')]));
    expect(deep.keys).toEqual([]);
    expect(deep.problems).toEqual([
      'attachment:top.zip/c.zip/b.zip/a.zip: archive nested deeper than 3, not opened',
    ]);
  });

  test('a gzip that contains itself ends at the depth limit', async () => {
    let layer = gzipSync(strToU8('hello'));
    for (let i = 0; i < 50; i++) layer = gzipSync(layer);
    const ev = await extractEvidence(mail([], [part(layer, 'x.gz')]));
    expect(ev.problems).toHaveLength(1);
    expect(ev.problems[0]).toMatch(/nested deeper than 3/);
  });

  test('password-protected zip members are reported, not read', async () => {
    const ev = await extractEvidence(mail([], [attach('evidence-encrypted.zip')]));
    expect(ev.keys).toEqual([]);
    expect(ev.problems).toEqual([
      'attachment:evidence-encrypted.zip: leaf-ec.sec1.key: encrypted zip member (no password), not read',
      'attachment:evidence-encrypted.zip: leaf-ec.pem: encrypted zip member (no password), not read',
    ]);
  });

  test.each([
    ['truncated zip', pkiBytes('evidence.zip').subarray(0, 400), 'e.zip', /zip: no end of central/],
    [
      'truncated tar.gz',
      pkiBytes('evidence.tar.gz').subarray(0, 300),
      'e.tgz',
      /gzip data is truncated|corrupt compressed data/,
    ],
    ['truncated tar.xz', pkiBytes('evidence.tar.xz').subarray(0, 300), 'e.txz', /corrupt xz/],
    ['truncated tar', pkiBytes('evidence.tar').subarray(0, 700), 'e.tar', /truncated/],
  ])('%s is a problem, never a throw', async (_name, bytes, filename, problem) => {
    const ev = await extractEvidence(mail([], [part(bytes, filename)]));
    expect(ev.problems.join('\n')).toMatch(problem);
  });
});
