/**
 * An inventory CSV as DynamoDB JSON for DynamoDB's import from S3 into a new table: the rows are
 * read and validated by the same reader as `cpr inventory import` and placed by the same rule
 * (`planWrites`), so a table loaded either way holds the same thing. Output is newline-delimited
 * `{"Item": {...}}` objects, gzip-compressed, in parts of ITEMS_PER_PART items.
 *
 * The file is read twice. The first pass keeps a 53-bit hash of each serial (8 bytes a row, off
 * the heap: 80 MB at ten million rows) to find the serials that may repeat; the second writes every other row at once and
 * holds back only the rows of those serials, placed together at the end (DynamoDB's import
 * takes one item per key, so a home and the certificates it lists must be decided before any
 * of them is written).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import type { InventoryCsv } from '../../domain/inventory/csv.ts';
import type { ImportRejection } from '../../domain/inventory/import.ts';
import type { InventoryRecord } from '../../domain/inventory/types.ts';
import { itemOf, planWrites } from '../dynamo/inventory.ts';

/** Items per output file: parts let DynamoDB read in parallel and keep each file a few hundred MB. */
export const ITEMS_PER_PART = 500_000;

export class InventoryExportError extends Error {
  override readonly name = 'InventoryExportError';
}

type AttributeValue = { readonly S: string } | { readonly SS: readonly string[] };

/** DynamoDB JSON of an item whose attributes are strings or string sets (all inventory items). */
export function dynamoJsonOf(item: Record<string, unknown>): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => {
      if (typeof value === 'string') return [name, { S: value }];
      if (value instanceof Set) return [name, { SS: [...value].map(String).sort() }];
      throw new InventoryExportError(`attribute ${name} is neither a string nor a string set`);
    }),
  );
}

export interface ExportResult {
  readonly rowsRead: number;
  readonly items: number;
  readonly rejected: number;
  readonly files: readonly string[];
}

class Part {
  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  private readonly done: Promise<void>;

  constructor(readonly path: string) {
    this.gzip = createGzip();
    this.file = createWriteStream(path, { flags: 'wx' });
    this.done = new Promise((resolve, reject) => {
      this.file.once('finish', () => resolve());
      this.file.once('error', reject);
      this.gzip.once('error', reject);
    });
    // Awaited in close(); until then a failure must not count as unhandled.
    this.done.catch(() => {});
    this.gzip.pipe(this.file);
  }

  /** Resolves once the line is taken, waiting while gzip's buffer is full (bounded memory). */
  async write(item: Record<string, unknown>): Promise<void> {
    if (!this.gzip.write(`${JSON.stringify({ Item: dynamoJsonOf(item) })}\n`)) {
      await new Promise<void>((resolve) => this.gzip.once('drain', () => resolve()));
    }
  }

  async close(): Promise<void> {
    this.gzip.end();
    await this.done;
  }
}

/**
 * Characters of held-back rows (mostly their PEMs) the converter keeps in memory. A file whose
 * serials repeat more (sequential serials under several issuers) is refused with advice to use
 * `cpr inventory import`, which places rows batch by batch and has no such bound.
 */
export const MAX_HELD_BACK_CHARS = 32 * 1024 * 1024;
/** What a held-back row costs besides its PEM: its other fields and the map's entry. */
const HELD_BACK_ROW_CHARS = 512;

/** A 53-bit hash of a serial (two 32-bit FNV-1a variants), exact in a double. */
export function serialHash(serial: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < serial.length; i += 1) {
    const c = serial.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** Hashes per chunk of the first pass: 8 MB each, so the last chunk wastes at most that. */
const HASH_CHUNK = 1 << 20;

/**
 * The hashes that occur more than once among the file's valid rows (first pass): kept in
 * fixed chunks (no doubling copies), each sorted, then merged, a duplicate being two equal
 * neighbours in the merged order.
 */
export async function repeatedSerialHashes(
  csv: InventoryCsv,
  chunkSize = HASH_CHUNK,
): Promise<Set<number>> {
  const chunks: Float64Array[] = [];
  let last = new Float64Array(0);
  let n = 0;
  for await (const row of csv.rows) {
    if (row.kind !== 'record') continue;
    if (n === last.length) {
      last = new Float64Array(chunkSize);
      chunks.push(last);
      n = 0;
    }
    last[n] = serialHash(row.record.serial);
    n += 1;
  }
  const runs = chunks.map((c, i) => (i === chunks.length - 1 ? c.subarray(0, n) : c).sort());
  const next = runs.map(() => 0);
  const repeated = new Set<number>();
  let previous = Number.NaN;
  for (;;) {
    // The smallest head among the sorted runs (a handful of runs: a linear scan will do).
    let min = -1;
    let value = Number.POSITIVE_INFINITY;
    runs.forEach((run, i) => {
      const head = run[next[i] as number];
      if (head !== undefined && head < value) {
        min = i;
        value = head;
      }
    });
    if (min < 0) return repeated;
    next[min] = (next[min] as number) + 1;
    if (value === previous) repeated.add(value);
    previous = value;
  }
}

/** The CSV, opened afresh for each pass. */
export interface InventorySource {
  open(): Promise<{ readonly csv: InventoryCsv; close(): void }>;
}

/**
 * Writes the items of the CSV to `outDir` (created; existing part files are not overwritten).
 * Rejected rows are reported through `onRejected` with their line, as the import does,
 * including a row whose issuer and serial belong to an earlier row's certificate.
 */
export async function exportInventoryDynamoJson(
  source: InventorySource,
  outDir: string,
  options: {
    readonly runId: string;
    readonly onRejected?: (r: ImportRejection) => void;
    /** ITEMS_PER_PART unless given (tests). */
    readonly itemsPerPart?: number;
    /** MAX_HELD_BACK_CHARS unless given (tests). */
    readonly maxHeldBackChars?: number;
  },
): Promise<ExportResult> {
  const first = await source.open();
  let repeated: Set<number>;
  try {
    repeated = await repeatedSerialHashes(first.csv);
  } finally {
    first.close();
  }
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  let rowsRead = 0;
  let items = 0;
  let rejected = 0;
  let part: Part | null = null;
  const perPart = options.itemsPerPart ?? ITEMS_PER_PART;
  const nextPart = async (): Promise<Part> => {
    await part?.close();
    const path = join(outDir, `inventory-${String(files.length + 1).padStart(5, '0')}.json.gz`);
    files.push(path);
    part = new Part(path);
    return part;
  };
  const write = async (item: Record<string, unknown>) => {
    const to = part === null || (items > 0 && items % perPart === 0) ? await nextPart() : part;
    await to.write(item);
    items += 1;
  };
  const reject = (r: ImportRejection) => {
    rejected += 1;
    options.onRejected?.(r);
  };
  // Rows of serials that may repeat, in file order, per serial.
  const heldBack = new Map<string, { record: InventoryRecord; line: number }[]>();
  let heldBackChars = 0;
  const second = await source.open();
  try {
    for await (const row of second.csv.rows) {
      rowsRead += 1;
      if (row.kind === 'rejected') {
        reject({ line: row.line, reason: row.reason });
        continue;
      }
      const serial = row.record.serial;
      if (!repeated.has(serialHash(serial))) {
        await write(itemOf(row.record, options.runId, { slot: false }));
        continue;
      }
      heldBackChars += (row.record.pem?.length ?? 0) + HELD_BACK_ROW_CHARS;
      if (heldBackChars > (options.maxHeldBackChars ?? MAX_HELD_BACK_CHARS)) {
        throw new InventoryExportError(
          `line ${row.line}: too many rows share serials with other rows to convert in memory; load this file with \`cpr inventory import\` instead`,
        );
      }
      const rows = heldBack.get(serial) ?? [];
      rows.push({ record: row.record, line: row.line });
      heldBack.set(serial, rows);
    }
    for (const rows of heldBack.values()) {
      const plan = planWrites(
        rows.map((r) => r.record),
        [],
        options.runId,
        [],
      );
      for (const r of plan.refused) {
        const line = rows.findLast((row) => row.record.sha256 === r.sha256)?.line ?? 0;
        reject({ line, reason: r.reason });
      }
      for (const item of plan.puts) await write(item);
    }
    // An empty file still gives one (empty) part, so the import has an object to read.
    if (part === null) await nextPart();
  } finally {
    second.close();
    await (part as Part | null)?.close();
  }
  return { rowsRead, items, rejected, files };
}
