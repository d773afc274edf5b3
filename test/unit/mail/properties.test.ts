/**
 * Properties of the two functions that read hostile mail, checked by fast-check over mutated
 * real fixtures and arbitrary bytes: `parseMail` returns a bounded result or rejects the message
 * as unparsable, and `extractEvidence` never throws and keeps every list within its limit. A
 * failure prints the seed and the shrunk counterexample, so it reproduces.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../../../lambdas/domain/evidence/limits.ts';
import type { Evidence } from '../../../lambdas/domain/evidence/types.ts';
import { DEFAULT_MAIL_LIMITS } from '../../../lambdas/domain/mail/limits.ts';
import { parseMail, UnparsableMailError } from '../../../lambdas/domain/mail/parse.ts';
import type { ParsedMail } from '../../../lambdas/domain/mail/types.ts';
import { mail, part, pkiText } from '../evidence/helpers.ts';

const MAIL_DIR = 'test/fixtures/mail';
const FIXTURES = readdirSync(MAIL_DIR)
  .filter((name) => name.endsWith('.eml'))
  .map((name) => readFileSync(join(MAIL_DIR, name)))
  .filter((bytes) => bytes.length > 0 && bytes.length < 256 * 1024);

/** MIME syntax worth splicing into a message: boundaries, encodings, bare line ends, NUL. */
const TOKENS = [
  '\r\n',
  '\n',
  '\r',
  '--',
  '\r\n\r\n',
  'Content-Type: multipart/mixed; boundary=x\r\n',
  '--x\r\n',
  '=?utf-8?B?',
  'Content-Transfer-Encoding: base64\r\n',
  'Content-Type: message/rfc822\r\n\r\n',
  '-----BEGIN CERTIFICATE-----\r\n',
  '\0',
  ':',
];

type Mutation =
  | { readonly kind: 'insert'; readonly at: number; readonly token: string }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'byte'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number };

/** Positions are fractions of the length, so shrinking moves them towards the start. */
const position = fc.double({ min: 0, max: 1, noNaN: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    token: fc.constantFrom(...TOKENS),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.nat({ max: 200 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: position, value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);

function mutate(base: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(base);
  for (const m of mutations) {
    const at = Math.floor(m.at * bytes.length);
    if (m.kind === 'insert')
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.token), bytes.subarray(at)]);
    else if (m.kind === 'delete')
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    else if (m.kind === 'byte') {
      if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = m.value;
    } else bytes = bytes.subarray(0, at);
  }
  return bytes;
}

const mutatedMail = fc
  .tuple(fc.constantFrom(...FIXTURES), fc.array(mutation, { minLength: 1, maxLength: 8 }))
  .map(([base, mutations]) => mutate(base, mutations));

/** Every list a parsed mail holds stays within the limits `parseMail` enforces. */
function expectBoundedMail(parsed: ParsedMail): void {
  const limits = DEFAULT_MAIL_LIMITS;
  expect(parsed.subject ?? '').not.toMatch(/[\r\n]/);
  expect((parsed.subject ?? '').length).toBeLessThanOrEqual(limits.maxHeaderValueChars);
  expect(parsed.problems.length).toBeLessThanOrEqual(limits.maxProblems);
  expect(parsed.references.length).toBeLessThanOrEqual(limits.maxMessageIds);
  expect(parsed.inReplyTo.length).toBeLessThanOrEqual(limits.maxMessageIds);
  expect(parsed.content.parts.length).toBeLessThanOrEqual(limits.maxAttachments);
  for (const t of parsed.content.texts)
    expect(t.text.length).toBeLessThanOrEqual(limits.maxTextChars);
  for (const value of Object.values(parsed.headers)) expect(value).not.toMatch(/[\r\n]/);
}

/** Every list evidence holds stays within the limits `extractEvidence` enforces. */
function expectBoundedEvidence(ev: Evidence): void {
  const limits = DEFAULT_EVIDENCE_LIMITS;
  expect(ev.certificates.length).toBeLessThanOrEqual(limits.maxCertificates);
  expect(ev.keys.length).toBeLessThanOrEqual(limits.maxKeys);
  expect(ev.csrs.length).toBeLessThanOrEqual(limits.maxCsrs);
  expect(ev.serials.length).toBeLessThanOrEqual(limits.maxSerials);
  expect(ev.sha256Fingerprints.length).toBeLessThanOrEqual(limits.maxFingerprints);
  expect(ev.crtshIds.length).toBeLessThanOrEqual(limits.maxCrtshIds);
  expect(ev.problems.length).toBeLessThanOrEqual(limits.maxProblems);
}

/** A parse failure is allowed only as the named error intake turns into an `unparsed` case. */
async function parseOrUnparsable(bytes: Buffer): Promise<ParsedMail | null> {
  try {
    return await parseMail(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(UnparsableMailError);
    return null;
  }
}

const RUNS = 300;

describe('parseMail and extractEvidence on hostile input', () => {
  test('mutated fixtures parse to a bounded result or are rejected as unparsable', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedMail, async (bytes) => {
        const parsed = await parseOrUnparsable(bytes);
        if (parsed) expectBoundedMail(parsed);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  test('arbitrary bytes parse to a bounded result or are rejected as unparsable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (raw) => {
        const parsed = await parseOrUnparsable(Buffer.from(raw));
        if (parsed) expectBoundedMail(parsed);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  test('evidence from a mutated fixture never throws and stays bounded', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedMail, async (bytes) => {
        const parsed = await parseOrUnparsable(bytes);
        if (parsed) expectBoundedEvidence(await extractEvidence(parsed.content));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  const names = fc.constantFrom(
    null,
    'report.pem',
    'key.der',
    'list.csv',
    'bundle.zip',
    'certs.tar.gz',
    'chain.p7b',
    'page.html',
    '../../etc/passwd',
  );
  const types = fc.constantFrom('application/octet-stream', 'text/plain', 'text/html', 'text/csv');
  const pem = pkiText('leaf-rsa.pem');
  /** Real evidence cut and spliced with noise: the shapes a parser meets half-way through. */
  const content = fc.oneof(
    fc.uint8Array({ maxLength: 8192 }),
    fc
      .tuple(fc.nat({ max: pem.length }), fc.string({ maxLength: 200 }))
      .map(([cut, noise]) => new TextEncoder().encode(pem.slice(0, cut) + noise + pem.slice(cut))),
  );

  test('evidence from arbitrary attachments and texts never throws and stays bounded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ maxLength: 2000 }), { maxLength: 3 }),
        fc.array(fc.tuple(content, names, types), { maxLength: 4 }),
        async (texts, attachments) => {
          const ev = await extractEvidence(
            mail(
              texts,
              attachments.map(([bytes, name, type]) => part(bytes, name, type)),
            ),
          );
          expectBoundedEvidence(ev);
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);
});
