/**
 * Mass reports as CSV: a header row names the columns, so values are taken by column instead of
 * by guessing from prose. Columns are recognised by their normalised header (lowercase, letters
 * and digits only): serial columns, decimal serial columns, SHA-256 columns and crt.sh id
 * columns. Other columns (an `spki_sha256`, subscriber names) are ignored.
 */
import type { RefSink } from './refs.ts';
import {
  decimalSerialToHex,
  normaliseSerialHex,
  type SerialCandidate,
  serialCandidate,
} from './serial.ts';

function hexCandidate(hex: string | null): SerialCandidate | null {
  return hex === null ? null : { kind: 'hex', hex };
}

// biome-ignore format: a long list of names, packed to read as one block
const SERIAL_HEADERS = new Set([
  'serial', 'serialnumber', 'serialno', 'serialhex', 'serialnumberhex', 'certserial',
  'certificateserial', 'certificateserialnumber',
]);
const DECIMAL_SERIAL_HEADERS = new Set([
  'serialdecimal',
  'serialdec',
  'decimalserial',
  'serialnumberdecimal',
]);
// biome-ignore format: a long list of names, packed to read as one block
const SHA256_HEADERS = new Set([
  'sha256', 'sha256fingerprint', 'fingerprintsha256', 'certsha256', 'certificatesha256',
  'fingerprint',
]);
const CRTSH_HEADERS = new Set(['crtshid', 'crtsh']);

/** Does this part look like a CSV or plain-text list by type or name? */
export function isCsvCandidate(filename: string | null, contentType: string): boolean {
  const type = contentType.toLowerCase();
  return (
    type.startsWith('text/csv') ||
    type.startsWith('text/comma-separated-values') ||
    type.startsWith('text/tab-separated-values') ||
    /\.(csv|tsv|txt)$/i.test(filename ?? '')
  );
}

/** Splits one line on `delimiter`, honouring double-quoted fields with `""` escapes. */
function splitLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

function normaliseHeader(h: string): string {
  return h.toLowerCase().replace(/[^a-z0-9]/g, '');
}

type Column = 'serial' | 'decimalSerial' | 'sha256' | 'crtsh';

function classify(header: string): Column | null {
  const h = normaliseHeader(header);
  if (SERIAL_HEADERS.has(h)) return 'serial';
  if (DECIMAL_SERIAL_HEADERS.has(h)) return 'decimalSerial';
  if (SHA256_HEADERS.has(h)) return 'sha256';
  if (CRTSH_HEADERS.has(h)) return 'crtsh';
  return null;
}

/**
 * Reads serial, SHA-256 and crt.sh id columns. Returns false (and reads nothing) when the first
 * non-empty line is not a header naming at least one such column.
 */
export function scanCsv(text: string, sink: RefSink): boolean {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split(/\r\n|\n|\r/);
  let i = 0;
  while (i < lines.length && (lines[i] ?? '').trim().length === 0) i++;
  const headerLine = lines[i] ?? '';
  const delimiter = [',', ';', '\t'].reduce((best, d) =>
    headerLine.split(d).length > headerLine.split(best).length ? d : best,
  );
  const columns = splitLine(headerLine, delimiter).map((h, index) => ({
    index,
    kind: classify(h),
  }));
  let wanted = columns.filter((c) => c.kind !== null);
  if (wanted.length === 0) return false;
  for (i++; i < lines.length && wanted.length > 0; i++) {
    const line = lines[i] ?? '';
    if (line.trim().length === 0) continue;
    const fields = splitLine(line, delimiter);
    for (const column of wanted) {
      const value = (fields[column.index] ?? '').trim();
      // A full category stops its column; the other columns go on.
      if (value.length > 0 && !take(column.kind, value, sink)) {
        wanted = wanted.filter((c) => c.kind !== column.kind);
      }
    }
  }
  return true;
}

/** Adds one value; false once the sink refuses more of that kind. Bad values are skipped. */
function take(kind: Column | null, value: string, sink: RefSink): boolean {
  switch (kind) {
    case 'serial': {
      // The column says "serial": a hex word without digits counts here, unlike in prose.
      const candidate = serialCandidate(value) ?? hexCandidate(normaliseSerialHex(value));
      if (candidate === null) return true;
      return candidate.kind === 'hex'
        ? sink.serial(candidate.hex)
        : sink.ambiguousSerial(candidate);
    }
    case 'decimalSerial': {
      const hex = decimalSerialToHex(value);
      return hex === null || sink.serial(hex);
    }
    case 'sha256': {
      const hex = value.replaceAll(':', '').toLowerCase();
      return !/^[0-9a-f]{64}$/.test(hex) || sink.fingerprint(hex);
    }
    case 'crtsh': {
      const id = value.replace(/^.*[?&](?:id|d)=/, '');
      return !/^\d{1,20}$/.test(id) || sink.crtshId(id);
    }
    default:
      return true;
  }
}
