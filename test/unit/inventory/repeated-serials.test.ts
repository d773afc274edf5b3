/**
 * The converter's first pass: which serials may repeat in a file, found from 53-bit hashes kept
 * in fixed chunks, each sorted, then merged.
 */
import { describe, expect, test } from 'vitest';
import {
  repeatedSerialHashes,
  serialHash,
} from '../../../lambdas/adapters/fs/inventory-ddb-json.ts';
import { readInventoryCsv } from '../../../lambdas/domain/inventory/csv.ts';

const hex64 = (n: number) => n.toString(16).padStart(64, '0');
const csvOf = (serials: readonly string[]) =>
  readInventoryCsv(
    (async function* () {
      yield 'sha256,serial,spki_sha256,subscriber,email';
      for (const [i, serial] of serials.entries()) {
        yield `${hex64(i + 1)},${serial},${hex64(1000 + i)},Sub ${i},pki@s${i}.example`;
      }
    })(),
  );

describe('repeatedSerialHashes', () => {
  test('finds serials that repeat within a chunk and across chunks, and no others', async () => {
    // Chunks of 3: 0a and 0b meet only in the merge; 0c repeats inside one chunk.
    const serials = ['0a', '01', '02', '0c', '0c', '03', '04', '0a', '05', '0b', '06', '0b'];
    const repeated = await repeatedSerialHashes(await csvOf(serials), 3);
    expect(repeated).toEqual(new Set(['0a', '0b', '0c'].map(serialHash)));
  });

  test('a row the reader rejects does not count', async () => {
    const repeated = await repeatedSerialHashes(await csvOf(['0a', 'not hex', 'not hex', '0b']), 2);
    expect(repeated.size).toBe(0);
  });

  test('the hash tells apart the serials of a real-shaped file and stays exact in a double', () => {
    const serials = Array.from({ length: 100_000 }, (_, i) => (0x10_0000 + i).toString(16));
    const hashes = new Set(serials.map(serialHash));
    expect(hashes.size).toBe(serials.length);
    expect([...hashes].every((h) => Number.isSafeInteger(h))).toBe(true);
  });
});
