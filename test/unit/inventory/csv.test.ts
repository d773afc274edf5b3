import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  InventoryCsvError,
  normaliseSerial,
  parseInventoryCsv,
  splitCsvLine,
} from '../../../lambdas/domain/inventory/csv.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('inventory CSV', () => {
  test('reads the fixture inventory, ignoring extra columns', () => {
    const text = readFileSync(
      new URL('../../fixtures/pki/inventory.csv', import.meta.url),
      'utf-8',
    );
    const { records, rejected } = parseInventoryCsv(text);
    expect(rejected).toEqual([]);
    expect(records.length).toBeGreaterThanOrEqual(4);
    for (const r of records) {
      expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(r).sort()).toEqual([
        'email',
        'serial',
        'sha256',
        'spkiSha256',
        'subscriber',
      ]);
    }
  });

  test('a missing required column fails the whole file and names it', () => {
    expect(() => parseInventoryCsv('sha256,serial,subscriber,email\n')).toThrow(InventoryCsvError);
    expect(() => parseInventoryCsv('sha256,serial,subscriber,email\n')).toThrow(/spki_sha256/);
  });

  test('bad rows are rejected with their line number, good rows kept', () => {
    const csv = [
      'Serial,SHA256,spki_sha256,subscriber,email',
      `04:A3,${A.toUpperCase()},${B},"Example, Inc.",Admin@Example.COM`,
      `zz,${A},${B},X,x@example.com`,
      `01,${A.slice(1)},${B},X,x@example.com`,
      `01,${A},${B},,x@example.com`,
      `01,${A},${B},X,not-an-address`,
      '',
    ].join('\r\n');
    const { records, rejected } = parseInventoryCsv(csv);
    expect(records).toEqual([
      {
        sha256: A,
        serial: '04a3',
        spkiSha256: B,
        subscriber: 'Example, Inc.',
        email: 'admin@example.com',
      },
    ]);
    expect(rejected.map((r) => r.line)).toEqual([3, 4, 5, 6]);
    expect(rejected[0]?.reason).toMatch(/serial/);
  });

  test('serials are compared without separators or leading zero bytes', () => {
    expect(normaliseSerial('00:8F:01')).toBe('8f01');
    expect(normaliseSerial('0x00AB')).toBe('ab');
    expect(normaliseSerial('00')).toBe('0');
  });

  test('quoted fields keep commas and escaped quotes', () => {
    expect(splitCsvLine('a,"b, c","say ""hi"""')).toEqual(['a', 'b, c', 'say "hi"']);
  });
});
