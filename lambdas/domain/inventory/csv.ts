/**
 * The inventory exchange format: CSV with a header row and at least the columns
 * `sha256,serial,spki_sha256,subscriber,email` (lowercase hex, extra columns ignored).
 */
import { isValidAddrSpec } from '../mail/header-values.ts';
import type { InventoryRecord } from './types.ts';

export const REQUIRED_INVENTORY_COLUMNS = [
  'sha256',
  'serial',
  'spki_sha256',
  'subscriber',
  'email',
] as const;

/** A CSV larger than this is split by the operator; it bounds the memory of one import. */
export const MAX_INVENTORY_CSV_ROWS = 2_000_000;

export class InventoryCsvError extends Error {
  override readonly name = 'InventoryCsvError';
}

export interface InventoryCsvResult {
  readonly records: readonly InventoryRecord[];
  /** Rows skipped, with their 1-based line number and why. */
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
}

/** Splits one CSV line, honouring double-quoted fields with `""` escapes (RFC 4180). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else {
      field += ch;
    }
  }
  fields.push(field);
  return fields;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;

/** Lowercase hex without separators or leading zero bytes, the form serials are compared in. */
export function normaliseSerial(serial: string): string {
  const hex = serial.trim().toLowerCase().replace(/^0x/, '').replaceAll(':', '');
  const stripped = hex.replace(/^(00)+/, '');
  return stripped === '' ? '0' : stripped;
}

/** Parses the inventory CSV; a missing column fails the whole file, a bad row is rejected. */
export function parseInventoryCsv(text: string): InventoryCsvResult {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const index = new Map(header.map((h, i) => [h, i]));
  const missing = REQUIRED_INVENTORY_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new InventoryCsvError(`inventory CSV header lacks column(s): ${missing.join(', ')}`);
  }
  if (lines.length - 1 > MAX_INVENTORY_CSV_ROWS) {
    throw new InventoryCsvError(
      `inventory CSV has more than ${MAX_INVENTORY_CSV_ROWS} rows; split it into several files`,
    );
  }
  const col = (fields: string[], name: (typeof REQUIRED_INVENTORY_COLUMNS)[number]) =>
    (fields[index.get(name) ?? -1] ?? '').trim();
  const records: InventoryRecord[] = [];
  const rejected: { line: number; reason: string }[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const fields = splitCsvLine(line);
    const sha256 = col(fields, 'sha256').toLowerCase().replaceAll(':', '');
    const serial = normaliseSerial(col(fields, 'serial'));
    const spkiSha256 = col(fields, 'spki_sha256').toLowerCase().replaceAll(':', '');
    const subscriber = col(fields, 'subscriber');
    const email = col(fields, 'email').toLowerCase();
    const problem = !HEX64.test(sha256)
      ? 'sha256 is not 64 hex digits'
      : !HEX.test(serial)
        ? 'serial is not hex'
        : !HEX64.test(spkiSha256)
          ? 'spki_sha256 is not 64 hex digits'
          : subscriber === ''
            ? 'subscriber is empty'
            : !isValidAddrSpec(email)
              ? 'email is not an address'
              : null;
    if (problem) {
      rejected.push({ line: i + 1, reason: problem });
      continue;
    }
    records.push({ sha256, serial, spkiSha256, subscriber, email });
  }
  return { records, rejected };
}
