/**
 * An inventory CSV as DynamoDB JSON for DynamoDB's import from S3 into a new table: the rows are
 * read and validated by the same reader as `cpr inventory import` and become the same items
 * (`itemOf`), so a table loaded either way holds the same thing. Output is newline-delimited
 * `{"Item": {...}}` objects, gzip-compressed, in parts of ITEMS_PER_PART items; the last part
 * ends with the issuer registry item.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import type { InventoryCsv } from '../../domain/inventory/csv.ts';
import type { ImportRejection } from '../../domain/inventory/import.ts';
import { issuerKeyOfRecord, issuerRegistryItem, itemOf } from '../dynamo/inventory.ts';

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
 * Writes the items of `csv` to `outDir` (created; existing part files are not overwritten).
 * Rejected rows are reported through `onRejected` with their line, as the import does.
 */
export async function exportInventoryDynamoJson(
  csv: InventoryCsv,
  outDir: string,
  options: {
    readonly runId: string;
    readonly onRejected?: (r: ImportRejection) => void;
    /** ITEMS_PER_PART unless given (tests). */
    readonly itemsPerPart?: number;
  },
): Promise<ExportResult> {
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const issuers = new Set<string>();
  let rowsRead = 0;
  let items = 0;
  let rejected = 0;
  let part: Part | null = null;
  const perPart = options.itemsPerPart ?? ITEMS_PER_PART;
  const open = () => {
    const path = join(outDir, `inventory-${String(files.length + 1).padStart(5, '0')}.json.gz`);
    files.push(path);
    return new Part(path);
  };
  try {
    for await (const row of csv.rows) {
      rowsRead += 1;
      if (row.kind === 'rejected') {
        rejected += 1;
        options.onRejected?.({ line: row.line, reason: row.reason });
        continue;
      }
      if (part === null || (items > 0 && items % perPart === 0)) {
        await part?.close();
        part = open();
      }
      issuers.add(issuerKeyOfRecord(row.record));
      await part.write(itemOf(row.record, options.runId));
      items += 1;
    }
    part ??= open();
    if (issuers.size > 0) await part.write(issuerRegistryItem(issuers));
  } finally {
    await part?.close();
  }
  return { rowsRead, items, rejected, files };
}
