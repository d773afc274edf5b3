import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseMail, UnparsableMailError } from '../../../lambdas/domain/mail/parse.ts';

const MAIL_DIR = 'test/fixtures/mail';

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
  '\0',
  ':',
];

/** Seeded xorshift32, so a failure reproduces. */
function random(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function mutate(base: Buffer, rnd: (n: number) => number): Buffer {
  let bytes = Buffer.from(base);
  for (let m = 1 + rnd(8); m > 0; m--) {
    const pos = rnd(bytes.length + 1);
    switch (rnd(4)) {
      case 0:
        bytes = Buffer.concat([
          bytes.subarray(0, pos),
          Buffer.from(TOKENS[rnd(TOKENS.length)] ?? ''),
          bytes.subarray(pos),
        ]);
        break;
      case 1:
        bytes = Buffer.concat([
          bytes.subarray(0, pos),
          bytes.subarray(Math.min(bytes.length, pos + rnd(50))),
        ]);
        break;
      case 2:
        if (bytes.length > 0) bytes[Math.min(pos, bytes.length - 1)] = rnd(256);
        break;
      default:
        bytes = bytes.subarray(0, pos);
    }
  }
  return bytes;
}

it('parses mutated fixtures or rejects them as unparsable, never anything else', async () => {
  const fixtures = readdirSync(MAIL_DIR)
    .map((name) => readFileSync(join(MAIL_DIR, name)))
    .filter((bytes) => bytes.length > 0);
  const rnd = random(0x5eed);
  for (let i = 0; i < 400; i++) {
    const bytes = mutate(fixtures[rnd(fixtures.length)] ?? Buffer.alloc(0), rnd);
    try {
      const mail = await parseMail(bytes);
      expect(mail.subject ?? '').not.toMatch(/[\r\n]/);
    } catch (error) {
      expect(error).toBeInstanceOf(UnparsableMailError);
    }
  }
});
