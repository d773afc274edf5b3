/**
 * The inventory exchange format: CSV (RFC 4180) with a header row. Required columns
 * `sha256,serial,spki_sha256,subscriber,email`; optional `issuer` (RFC 4514 DN), `not_before`,
 * `not_after`, `revoked_at`, `revocation_reason`, `pem`. Other columns are ignored. Hex may be
 * upper or lower case, with or without colons.
 *
 * With `pem`, the certificate is the authority: sha256, serial, spki_sha256, issuer and the
 * validity dates are derived from it (their cells may be empty), and a row whose cells
 * contradict it is rejected.
 *
 * Read as a stream: memory stays flat whatever the file's size. A bad row is rejected with its
 * line number and the reason; the rest of the file is still read. That includes a row whose
 * quote never closes: csv-parse cannot resynchronise after it, so the reader starts a fresh
 * parser at the line after the broken row's first line and replays the lines it buffered.
 */
import { parse as csvParser, type Parser } from 'csv-parse';
import { parseCertificate } from '../evidence/certificate.ts';
import { scanPem } from '../evidence/pem.ts';
import { normaliseSerialHex } from '../evidence/serial.ts';
import { isValidAddrSpec } from '../mail/header-values.ts';
import { IssuerNameError, issuerKeyOf, rfc4514FromCertificateName } from './issuer-name.ts';
import {
  CRL_REASONS,
  type CrlReason,
  type InventoryRecord,
  OPTIONAL_RECORD_FIELDS,
  type OptionalRecordField,
} from './types.ts';

export const REQUIRED_INVENTORY_COLUMNS = [
  'sha256',
  'serial',
  'spki_sha256',
  'subscriber',
  'email',
] as const;

/** Optional columns and the record field each fills. */
export const OPTIONAL_INVENTORY_COLUMNS = {
  issuer: 'issuer',
  not_before: 'notBefore',
  not_after: 'notAfter',
  revoked_at: 'revokedAt',
  revocation_reason: 'revocationReason',
  pem: 'pem',
} as const satisfies Record<string, OptionalRecordField>;

type Column = (typeof REQUIRED_INVENTORY_COLUMNS)[number] | keyof typeof OPTIONAL_INVENTORY_COLUMNS;

/**
 * A PEM certificate is a few KB (a long SAN list stays under 32 KB); a row longer than this is
 * a quote that never closed, and waiting for its end would hold the rest of the file in memory.
 */
export const MAX_INVENTORY_ROW_CHARS = 64 * 1024;
/** Longest `pem` cell read; certificates past it are not real Web PKI certificates. */
export const MAX_PEM_CHARS = 32 * 1024;
/** RFC 5280 4.1.2.2 allows 20 octets; certificates in the wild break it, so the inventory may too. */
export const MAX_INVENTORY_SERIAL_BYTES = 64;

export class InventoryCsvError extends Error {
  override readonly name = 'InventoryCsvError';
}

export interface InventoryColumns {
  readonly index: ReadonlyMap<string, number>;
  /** Optional fields the file has no column for: an import keeps what is stored for them. */
  readonly keep: readonly OptionalRecordField[];
}

/** Reads the header row; a missing required column fails the whole file and is named. */
export function inventoryColumns(header: readonly string[]): InventoryColumns {
  const names = header.map((h) => h.trim().toLowerCase());
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  const hasPem = index.has('pem');
  const missing = REQUIRED_INVENTORY_COLUMNS.filter(
    (c) => !index.has(c) && !(hasPem && DERIVED_FROM_PEM.has(c)),
  );
  if (missing.length > 0) {
    throw new InventoryCsvError(`inventory CSV header lacks column(s): ${missing.join(', ')}`);
  }
  const present = new Set(
    Object.entries(OPTIONAL_INVENTORY_COLUMNS)
      .filter(([column]) => index.has(column))
      .map(([, field]) => field),
  );
  // The issuer and dates of a certificate given as PEM come from it.
  if (hasPem) for (const f of ['issuer', 'notBefore', 'notAfter'] as const) present.add(f);
  return { index, keep: OPTIONAL_RECORD_FIELDS.filter((f) => !present.has(f)) };
}

const DERIVED_FROM_PEM: ReadonlySet<string> = new Set(['sha256', 'serial', 'spki_sha256']);

const HEX64 = /^[0-9a-f]{64}$/;
/** ISO 8601 with a date, optionally a time, and then a zone: a time without one is ambiguous. */
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** Lowercase hex without separators, the form serials are compared in (whole bytes). */
export function normaliseSerial(serial: string): string {
  return (
    normaliseSerialHex(serial.replace(/\s/g, ''), MAX_INVENTORY_SERIAL_BYTES) ??
    serial.trim().toLowerCase()
  );
}

function hex(value: string): string {
  return value.trim().toLowerCase().replace(/[:\s]/g, '');
}

function isoOrNull(value: string): string | null | 'invalid' {
  const v = value.trim();
  if (v === '') return null;
  if (!ISO_DATE.test(v)) return 'invalid';
  const ms = Date.parse(v.replace(' ', 'T'));
  return Number.isNaN(ms) ? 'invalid' : new Date(ms).toISOString();
}

function crlReason(value: string): CrlReason | null | 'invalid' {
  const v = value.trim();
  if (v === '') return null;
  if (/^\d{1,2}$/.test(v)) return CRL_REASONS[Number(v)] ?? 'invalid';
  const found = CRL_REASONS.find((r) => r !== null && r.toLowerCase() === v.toLowerCase());
  return found ?? 'invalid';
}

export type RowOutcome =
  | { readonly ok: true; readonly record: InventoryRecord }
  | { readonly ok: false; readonly reason: string };

const reject = (reason: string): RowOutcome => ({ ok: false, reason });

/** Validates one row; every problem is a reason a person can act on. */
export function parseInventoryRow(
  fields: readonly string[],
  columns: InventoryColumns,
): RowOutcome {
  const cell = (name: Column) => (fields[columns.index.get(name) ?? -1] ?? '').trim();
  const subscriber = cell('subscriber');
  const email = cell('email').toLowerCase();
  if (subscriber === '') return reject('subscriber is empty');
  if (!isValidAddrSpec(email)) return reject('email is not an address');

  let sha256 = hex(cell('sha256'));
  let serial = cell('serial') === '' ? '' : normaliseSerial(cell('serial'));
  let spkiSha256 = hex(cell('spki_sha256'));
  let issuer = cell('issuer');
  const dates: Record<'notBefore' | 'notAfter' | 'revokedAt', string | null> = {
    notBefore: null,
    notAfter: null,
    revokedAt: null,
  };
  for (const [field, column] of [
    ['notBefore', 'not_before'],
    ['notAfter', 'not_after'],
    ['revokedAt', 'revoked_at'],
  ] as const) {
    const value = isoOrNull(cell(column));
    if (value === 'invalid') return reject(`${column} is not an ISO 8601 date with a time zone`);
    dates[field] = value;
  }
  const reason = crlReason(cell('revocation_reason'));
  if (reason === 'invalid') return reject('revocation_reason is not an RFC 5280 CRLReason');
  if (reason !== null && dates.revokedAt === null) {
    return reject('revocation_reason without revoked_at');
  }

  let pem: string | undefined;
  const pemCell = cell('pem');
  if (pemCell !== '') {
    const derived = certificateFromPem(pemCell);
    if (typeof derived === 'string') return reject(derived);
    const contradiction = (
      [
        ['sha256', sha256, derived.sha256],
        ['serial', serial, derived.serial],
        ['spki_sha256', spkiSha256, derived.spkiSha256],
        ['not_before', dates.notBefore ?? '', derived.notBefore],
        ['not_after', dates.notAfter ?? '', derived.notAfter],
      ] as const
    ).find(([, given, actual]) => given !== '' && given !== actual);
    if (contradiction) return reject(`${contradiction[0]} contradicts the pem certificate`);
    if (issuer !== '' && sameIssuer(issuer, derived.issuer) !== true) {
      return reject('issuer contradicts the pem certificate');
    }
    sha256 = derived.sha256;
    serial = derived.serial;
    spkiSha256 = derived.spkiSha256;
    issuer = issuer === '' ? derived.issuer : issuer;
    dates.notBefore = derived.notBefore;
    dates.notAfter = derived.notAfter;
    pem = derived.pem;
  }

  if (!HEX64.test(sha256)) return reject('sha256 is not 64 hex digits');
  if (!/^[0-9a-f]+$/.test(serial) || serial.length > MAX_INVENTORY_SERIAL_BYTES * 2) {
    return reject('serial is not hex');
  }
  if (!HEX64.test(spkiSha256)) return reject('spki_sha256 is not 64 hex digits');
  if (issuer !== '') {
    try {
      issuerKeyOf(issuer);
    } catch (error) {
      if (error instanceof IssuerNameError)
        return reject(`issuer is not an RFC 4514 DN (${error.message})`);
      throw error;
    }
  }
  return {
    ok: true,
    record: {
      sha256,
      serial,
      spkiSha256,
      subscriber,
      email,
      ...(issuer !== '' ? { issuer } : {}),
      ...(dates.notBefore ? { notBefore: dates.notBefore } : {}),
      ...(dates.notAfter ? { notAfter: dates.notAfter } : {}),
      ...(dates.revokedAt ? { revokedAt: dates.revokedAt } : {}),
      ...(reason ? { revocationReason: reason } : {}),
      ...(pem ? { pem } : {}),
    },
  };
}

function sameIssuer(a: string, b: string): boolean {
  try {
    return issuerKeyOf(a) === issuerKeyOf(b);
  } catch {
    return false;
  }
}

interface PemCertificate {
  readonly sha256: string;
  readonly serial: string;
  readonly spkiSha256: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly pem: string;
}

/** The one certificate in a `pem` cell, or why there is none. */
function certificateFromPem(cell: string): PemCertificate | string {
  if (cell.length > MAX_PEM_CHARS) return `pem is longer than ${MAX_PEM_CHARS} characters`;
  const scan = scanPem(cell, 2);
  const certs = scan.blocks.filter((b) => b.label === 'CERTIFICATE');
  if (certs.length !== 1 || scan.blocks.length !== 1) {
    return 'pem does not hold exactly one CERTIFICATE block';
  }
  const der = (certs[0] as { der: Buffer }).der;
  let facts: ReturnType<typeof parseCertificate>;
  try {
    facts = parseCertificate(der);
  } catch {
    return 'pem is not a readable certificate';
  }
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    sha256: facts.sha256,
    serial: facts.serial,
    spkiSha256: facts.spkiSha256,
    issuer: rfc4514FromCertificateName(facts.issuer),
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
    pem: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
  };
}

export type InventoryCsvEvent =
  | { readonly kind: 'record'; readonly line: number; readonly record: InventoryRecord }
  | { readonly kind: 'rejected'; readonly line: number; readonly reason: string };

/** The header, then one event per row, in file order. */
export interface InventoryCsv {
  readonly columns: InventoryColumns;
  readonly rows: AsyncIterable<InventoryCsvEvent>;
}

const PARSER_OPTIONS = {
  relax_column_count: true,
  // A stray quote inside a field stays in the value (and fails validation) instead of derailing
  // the parser for the rest of the file.
  relax_quotes: true,
  skip_empty_lines: true,
  record_delimiter: '\n',
} as const;

/**
 * Reads an inventory CSV from its lines (without terminators, as node:readline gives them).
 * Throws InventoryCsvError for a file without a usable header.
 */
export async function readInventoryCsv(lines: AsyncIterable<string>): Promise<InventoryCsv> {
  const iterator = lines[Symbol.asyncIterator]();
  const reader = new RowReader();
  let header: string[] | null = null;
  while (header === null) {
    const next = await iterator.next();
    if (next.done) {
      await reader.end();
      header = reader.take().find((e) => e.kind === 'fields')?.fields ?? null;
      if (header === null) throw new InventoryCsvError('inventory CSV is empty');
      break;
    }
    reader.feed(reader.lineNumber === 0 ? next.value.replace(/^\uFEFF/, '') : next.value);
    const first = reader.take()[0];
    if (first?.kind === 'fields') header = first.fields;
    else if (first?.kind === 'broken') {
      throw new InventoryCsvError(
        `line ${first.line}: header row cannot be read (${first.reason})`,
      );
    }
  }
  const columns = inventoryColumns(header);
  reader.fieldCount = header.length;
  async function* rows(): AsyncGenerator<InventoryCsvEvent> {
    for (;;) {
      for (const e of reader.take()) yield toEvent(e, columns);
      const next = await iterator.next();
      if (next.done) break;
      reader.feed(next.value);
    }
    await reader.end();
    for (const e of reader.take()) yield toEvent(e, columns);
  }
  return { columns, rows: rows() };
}

function toEvent(e: RawRow, columns: InventoryColumns): InventoryCsvEvent {
  if (e.kind === 'broken') return { kind: 'rejected', line: e.line, reason: e.reason };
  const outcome = parseInventoryRow(e.fields, columns);
  return outcome.ok
    ? { kind: 'record', line: e.line, record: outcome.record }
    : { kind: 'rejected', line: e.line, reason: outcome.reason };
}

type RawRow =
  | { readonly kind: 'fields'; readonly line: number; readonly fields: string[] }
  | { readonly kind: 'broken'; readonly line: number; readonly reason: string };

/**
 * csv-parse fed one line at a time. The lines not yet part of a finished row are kept (at most
 * MAX_INVENTORY_ROW_CHARS) so that after a parse error a fresh parser can resume at the line
 * after the broken row's first line.
 */
class RowReader {
  lineNumber = 0;
  /** Fields of the header row, once read. */
  fieldCount: number | null = null;
  private parser: Parser;
  /** Line number just before the first line this parser was given. */
  private offset = 0;
  private pending: { line: number; text: string }[] = [];
  private pendingChars = 0;
  private out: RawRow[] = [];
  private failure: string | null = null;
  private ended = false;

  constructor() {
    this.parser = this.newParser();
  }

  private newParser(): Parser {
    // Callbacks, not stream events: csv-parse calls them synchronously inside write() (a row is
    // finished one write late, when the parser has seen past its line end).
    return csvParser({
      ...PARSER_OPTIONS,
      skip_records_with_error: true,
      on_skip: (error) => {
        this.failure ??= error?.message.replace(/ at line \d+.*$/s, '') ?? 'unreadable row';
      },
      on_record: (fields: string[], context) => {
        const end = this.offset + context.lines;
        const inner = fields.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
        if (inner > 0 && this.fieldCount !== null && fields.length !== this.fieldCount) {
          // A quoted value may span lines (a PEM cell does), but then the row has the header's
          // shape; one that does not is a quote that never closed and swallowed later rows.
          this.failure ??= `quoted value runs over ${inner + 1} lines and the row has ${fields.length} fields, not ${this.fieldCount} (a quote never closed?)`;
          return null;
        }
        this.out.push({ kind: 'fields', line: end - inner, fields });
        this.pending = this.pending.filter((p) => p.line > end);
        this.pendingChars = this.pending.reduce((n, p) => n + p.text.length + 1, 0);
        return null;
      },
    }).on('error', (error: Error) => {
      this.failure ??= error.message;
    });
  }

  feed(text: string): void {
    this.lineNumber += 1;
    this.write({ line: this.lineNumber, text });
  }

  private write(entry: { line: number; text: string }): void {
    this.pending.push(entry);
    this.pendingChars += entry.text.length + 1;
    this.parser.write(`${entry.text}\n`);
    if (this.failure !== null) this.recover(this.failure);
    else if (this.pendingChars > MAX_INVENTORY_ROW_CHARS) {
      this.recover(`row longer than ${MAX_INVENTORY_ROW_CHARS} characters (a quote never closed?)`);
    }
  }

  /** Rejects the broken row's first line and replays the lines after it into a new parser. */
  private recover(reason: string): void {
    const pending = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    this.failure = null;
    this.parser.removeAllListeners();
    this.parser.destroy();
    const broken = pending.find((p) => p.text.trim() !== '');
    if (broken) this.out.push({ kind: 'broken', line: broken.line, reason });
    this.offset = broken ? broken.line : this.lineNumber;
    this.parser = this.newParser();
    // The lines after the broken one, contiguous, so the new parser's line count stays right.
    for (const entry of pending) if (broken && entry.line > broken.line) this.write(entry);
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    for (;;) {
      const parser = this.parser;
      await new Promise<void>((resolve) => {
        parser.once('close', resolve);
        parser.end();
        parser.resume();
      });
      if (this.failure === null) return;
      this.recover(this.failure);
    }
  }

  take(): RawRow[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/** The whole text at once: for fixtures and tests. */
export async function parseInventoryText(text: string): Promise<{
  readonly columns: InventoryColumns;
  readonly records: readonly InventoryRecord[];
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
}> {
  async function* lines() {
    yield* text.split(/\r?\n/);
  }
  const csv = await readInventoryCsv(lines());
  const records: InventoryRecord[] = [];
  const rejected: { line: number; reason: string }[] = [];
  for await (const e of csv.rows) {
    if (e.kind === 'record') records.push(e.record);
    else rejected.push({ line: e.line, reason: e.reason });
  }
  return { columns: csv.columns, records, rejected };
}
