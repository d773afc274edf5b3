/**
 * Properties of the serial-candidate logic (fast-check): every written form of a serial reads
 * back to it, digit-only strings are candidates both ways, the inventory settles them, and the
 * scanner never throws and stays bounded on arbitrary text.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EvidenceCollector } from '../../../lambdas/domain/evidence/collector.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../../../lambdas/domain/evidence/limits.ts';
import { scanTextRefs } from '../../../lambdas/domain/evidence/refs.ts';
import {
  decimalSerialToHex,
  normaliseSerialHex,
  serialCandidate,
} from '../../../lambdas/domain/evidence/serial.ts';
import { EMPTY_EVIDENCE } from '../../../lambdas/domain/evidence/types.ts';
import { settleSerialReadings } from '../../../lambdas/domain/inventory/serial-readings.ts';
import type { InventoryRecord } from '../../../lambdas/domain/inventory/types.ts';

/** A serial as bytes: 1 to 20 octets (RFC 5280 4.1.2.2), not all zero. */
const serialBytes = fc
  .uint8Array({ minLength: 1, maxLength: 20 })
  .filter((b) => b.some((x) => x !== 0));
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const LABELS = [
  'Serial Number:',
  'serial',
  'Seriennummer:',
  'numéro de série :',
  'número de serie:',
  'número de série:',
  'numero di serie:',
  'serienummer',
  'numer seryjny',
  'シリアル番号：',
  '序列号：',
];

function scan(text: string, limits = DEFAULT_EVIDENCE_LIMITS) {
  const c = new EvidenceCollector(limits);
  scanTextRefs(text, c);
  return c.finish();
}

const record = (serial: string): InventoryRecord => ({
  sha256: 'aa'.repeat(32),
  serial,
  spkiSha256: 'bb'.repeat(32),
  subscriber: 'S',
  email: 's@s.example',
});

describe('serial candidates (properties)', () => {
  test('every written form of a serial, under every label, reads back to it', () => {
    fc.assert(
      fc.property(
        serialBytes,
        fc.constantFrom(...LABELS),
        fc.constantFrom('colon', 'dash', 'space', '0x', 'upper0x', 'plain'),
        (bytes, label, form) => {
          const hex = hexOf(bytes);
          const pairs = hex.match(/../g) ?? [];
          const written = {
            colon: pairs.join(':'),
            dash: pairs.join('-').toUpperCase(),
            space: pairs.join(' '),
            '0x': `0x${hex}`,
            upper0x: `0X${hex.toUpperCase()}`.replace('0X', '0x'),
            plain: hex,
          }[form];
          const e = scan(`${label} ${written}\n`);
          const want = normaliseSerialHex(hex);
          const readings = [...e.serials, ...e.ambiguousSerials.flatMap((a) => [a.asHex])];
          // Space-separated bytes need at least 4 of them to count as one serial.
          if (form === 'space' && pairs.length < 4 && pairs.length > 1) return;
          // A bare word without digits and separators ("aa", "cafe") is prose, never a serial.
          if (!/[\d:x-]/i.test(written) || (form === 'space' && !/\d/.test(written))) return;
          expect(readings).toContain(want);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  test('a digit-only string is a candidate both as hex and as decimal', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{0,47}$/), (digits) => {
        const c = serialCandidate(digits);
        const asHex = normaliseSerialHex(digits);
        const asDecimal = decimalSerialToHex(digits);
        if (asHex === null || asDecimal === null || asHex === asDecimal) {
          expect(c?.kind).toBe('hex');
          return;
        }
        expect(c).toEqual({ kind: 'ambiguous', text: digits, asHex, asDecimal });
        expect(BigInt(`0x${asDecimal}`)).toBe(BigInt(digits));
        expect(BigInt(`0x${asHex}`).toString(16)).toBe(BigInt(`0x${digits}`).toString(16));
      }),
      { numRuns: 5_000 },
    );
  });

  test('the inventory decides: the matching reading is kept; neither keeps the pair', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9]\d{1,30}$/),
        fc.constantFrom('hex', 'decimal', 'neither', 'both'),
        (digits, known) => {
          const c = serialCandidate(digits);
          if (c?.kind !== 'ambiguous') return;
          const pair = { text: c.text, asHex: c.asHex, asDecimal: c.asDecimal };
          const records = {
            hex: [record(c.asHex)],
            decimal: [record(c.asDecimal)],
            neither: [record('ffff')].filter(
              (r) => r.serial !== c.asHex && r.serial !== c.asDecimal,
            ),
            both: [record(c.asHex), record(c.asDecimal)],
          }[known];
          const settled = settleSerialReadings(
            { ...EMPTY_EVIDENCE, ambiguousSerials: [pair] },
            records,
          );
          const expected = {
            hex: [[c.asHex], []],
            decimal: [[c.asDecimal], []],
            neither: [[], [pair]],
            both: [[c.asHex, c.asDecimal], []],
          }[known];
          expect([settled.serials, settled.ambiguousSerials]).toEqual(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  test('scanning never throws and its output stays within the limits', () => {
    const limits = {
      ...DEFAULT_EVIDENCE_LIMITS,
      maxSerials: 5,
      maxFingerprints: 5,
      maxCrtshIds: 5,
    };
    const piece = fc.oneof(
      fc.constantFrom(...LABELS, '0x', ':', '-', ' ', '\n', 'crt.sh/?id=', '(hex)', '(decimal)'),
      fc.stringMatching(/^[0-9a-f]{1,40}$/),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), (pieces) => {
        const e = scan(pieces.join(''), limits);
        expect(e.serials.length + e.ambiguousSerials.length).toBeLessThanOrEqual(5);
        expect(e.sha256Fingerprints.length).toBeLessThanOrEqual(5);
        for (const s of [
          ...e.serials,
          ...e.ambiguousSerials.flatMap((a) => [a.asHex, a.asDecimal]),
        ]) {
          expect(s).toMatch(/^(?:[0-9a-f]{2})+$/);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
