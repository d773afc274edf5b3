import { describe, expect, test } from 'vitest';
import { scanPem } from '../../../lambdas/domain/evidence/pem.ts';
import { fastest, linearBound } from '../../support/cost.ts';
import { pkiBytes, pkiText, quote, rewrap } from './helpers.ts';

const leafDer = Buffer.from(pkiBytes('leaf-rsa.der'));
const leafPem = pkiText('leaf-rsa.pem');

describe('scanPem', () => {
  test('decodes a plain block to the DER openssl wrote', () => {
    const scan = scanPem(leafPem, 10);
    expect(scan.blocks).toHaveLength(1);
    expect(scan.blocks[0]?.label).toBe('CERTIFICATE');
    expect(scan.blocks[0]?.der.equals(leafDer)).toBe(true);
    expect(scan.malformed).toBe(0);
  });

  test.each([
    ['quoted "> "', quote(leafPem)],
    ['quoted ">> "', quote(leafPem, '>> ')],
    ['quoted "> > "', quote(leafPem, '> > ')],
    ['re-wrapped at 37 columns with CRLF', rewrap(leafPem, 37, '\r\n')],
    ['re-wrapped at 76 columns with CR only', rewrap(leafPem, 76, '\r')],
    ['indented with tabs and trailing spaces', leafPem.replace(/\n/g, '   \n\t')],
    ['collapsed onto one line', leafPem.replace(/\n/g, ' ')],
    ['prefixed by prose on the BEGIN line', `See attached: ${leafPem}`],
  ])('survives mail client damage: %s', (_name, text) => {
    const scan = scanPem(text, 10);
    expect(scan.blocks.map((b) => b.der.equals(leafDer))).toEqual([true]);
  });

  test('finds several blocks in order, including two on one line', () => {
    const ec = pkiText('leaf-ec.pem');
    const text = `${leafPem.replace(/\n/g, ' ')} ${ec.replace(/\n/g, ' ')}\n${leafPem}`;
    const scan = scanPem(text, 10);
    expect(scan.blocks).toHaveLength(3);
    expect(scan.blocks[0]?.der.equals(leafDer)).toBe(true);
    expect(scan.blocks[1]?.der.equals(leafDer)).toBe(false);
    expect(scan.blocks[2]?.der.equals(leafDer)).toBe(true);
  });

  test('an unterminated block does not swallow the next one', () => {
    const text = `-----BEGIN CERTIFICATE-----\nMIIB\n\n${leafPem}`;
    const scan = scanPem(text, 10);
    expect(scan.malformed).toBe(1);
    expect(scan.blocks.map((b) => b.der.equals(leafDer))).toEqual([true]);
  });

  test('mismatched END label and non-base64 bodies are malformed, not thrown', () => {
    const mismatched = leafPem.replace('END CERTIFICATE', 'END CERTIFICATE REQUEST');
    const notBase64 =
      '-----BEGIN CERTIFICATE-----\nthis is @@ not base64!\n-----END CERTIFICATE-----';
    const scan = scanPem(`${mismatched}\n${notBase64}`, 10);
    expect(scan.blocks).toHaveLength(0);
    expect(scan.malformed).toBe(2);
  });

  test('reads the legacy Proc-Type encryption header', () => {
    const scan = scanPem(pkiText('leaf-rsa.legacy-encrypted.key'), 10);
    expect(scan.blocks[0]?.label).toBe('RSA PRIVATE KEY');
    expect(scan.blocks[0]?.encrypted).toBe(true);
    expect(scanPem(pkiText('leaf-rsa.pkcs1.key'), 10).blocks[0]?.encrypted).toBe(false);
  });

  test('stops at maxBlocks and says so', () => {
    const scan = scanPem(leafPem.repeat(5), 3);
    expect(scan.blocks).toHaveLength(3);
    expect(scan.truncated).toBe(true);
  });

  test('hostile text of 25 MB is scanned in linear time', async () => {
    // Many BEGIN markers and no END: a quadratic pairing would take minutes here.
    const hostile = (scale: number) =>
      '-----BEGIN CERTIFICATE-----\nAAAA\n'.repeat(40_000 * scale) +
      'x'.repeat(1024 * 1024 * scale);
    const small = hostile(1);
    const large = hostile(10);
    const scan = scanPem(large, 1_000_000);
    expect(scan.blocks).toHaveLength(0);
    expect(scan.malformed).toBe(400_000);
    const smallCost = await fastest(() => scanPem(small, 1_000_000));
    expect(await fastest(() => scanPem(large, 1_000_000), 1)).toBeLessThan(
      linearBound(smallCost, 10),
    );
  });
});
