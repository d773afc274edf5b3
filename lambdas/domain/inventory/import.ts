/**
 * One inventory import: rows stream in from the CSV reader and go out in groups, several groups
 * in flight, so memory holds only what is being written whatever the file's size.
 *
 * `--sync` treats the file as a full export: afterwards every record this run did not write is
 * marked gone (never deleted: a case may still need it). It is refused when the file had
 * rejected rows or no rows at all, since a record missing for that reason is not gone.
 */
import type { InventoryCsv } from './csv.ts';
import type { InventoryRecord, InventoryWriter } from './types.ts';

/** Records per write: one BatchGetItem (what is stored under their keys) and four BatchWriteItem calls. */
export const IMPORT_GROUP_RECORDS = 100;
/** Groups written at once: hides the stand-in's and DynamoDB's latency, bounds memory. */
export const IMPORT_GROUPS_IN_FLIGHT = 8;
/** Rejected rows listed in the result; the rest are counted (each is still reported as seen). */
export const MAX_REJECTIONS_LISTED = 1_000;
/** How often progress is reported while an import runs. */
export const PROGRESS_INTERVAL_MS = 2_000;

export interface ImportProgress {
  readonly rowsRead: number;
  readonly written: number;
  readonly rejected: number;
  readonly elapsedMs: number;
  /** Rows read per second so far. */
  readonly rate: number;
}

export interface ImportRejection {
  readonly line: number;
  readonly reason: string;
}

export interface ImportOptions {
  readonly runId: string;
  readonly sync: boolean;
  /** Wall clock: the time records are marked gone at. */
  readonly now: () => Date;
  /** Monotonic milliseconds for the rate (performance.now in production). */
  readonly elapsed: () => number;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly onRejected?: (rejection: ImportRejection) => void;
}

export interface ImportResult extends ImportProgress {
  /** The first MAX_REJECTIONS_LISTED rejected rows. */
  readonly rejections: readonly ImportRejection[];
  /** With `sync`: records marked gone, or null when marking was refused (see syncRefused). */
  readonly markedGone: number | null;
  readonly syncRefused: string | null;
}

export class InventoryImportError extends Error {
  override readonly name = 'InventoryImportError';
}

export async function importInventory(
  csv: InventoryCsv,
  writer: InventoryWriter,
  options: ImportOptions,
): Promise<ImportResult> {
  const started = options.elapsed();
  let rowsRead = 0;
  let written = 0;
  let rejected = 0;
  const rejections: ImportRejection[] = [];
  let failure: unknown = null;
  const inFlight = new Set<Promise<void>>();
  let group: { record: InventoryRecord; line: number }[] = [];
  let lastProgress = started;

  const progress = (): ImportProgress => {
    const elapsedMs = options.elapsed() - started;
    return {
      rowsRead,
      written,
      rejected,
      elapsedMs,
      rate: elapsedMs > 0 ? (rowsRead * 1000) / elapsedMs : 0,
    };
  };
  const reject = (rejection: ImportRejection) => {
    rejected += 1;
    if (rejections.length < MAX_REJECTIONS_LISTED) rejections.push(rejection);
    options.onRejected?.(rejection);
  };
  const flush = async () => {
    const rows = group;
    group = [];
    if (rows.length === 0) return;
    const records = rows.map((r) => r.record);
    const write = writer
      .write({ records, runId: options.runId, keep: csv.columns.keep })
      .then((refused) => {
        written += records.length - refused.length;
        for (const r of refused) {
          // The last row of the certificate in this group is the one the writer saw.
          const line = rows.findLast((row) => row.record.sha256 === r.sha256)?.line ?? 0;
          reject({ line, reason: r.reason });
        }
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
    if (inFlight.size >= IMPORT_GROUPS_IN_FLIGHT) await Promise.race(inFlight);
  };

  for await (const row of csv.rows) {
    if (failure !== null) break;
    rowsRead += 1;
    if (row.kind === 'rejected') {
      reject({ line: row.line, reason: row.reason });
    } else {
      group.push({ record: row.record, line: row.line });
      if (group.length >= IMPORT_GROUP_RECORDS) await flush();
    }
    if (options.onProgress && options.elapsed() - lastProgress >= PROGRESS_INTERVAL_MS) {
      lastProgress = options.elapsed();
      options.onProgress(progress());
    }
  }
  if (failure === null) await flush();
  await Promise.all(inFlight);
  if (failure !== null) {
    throw new InventoryImportError(
      `import stopped after ${written} records written: ${(failure as Error).message ?? failure}`,
      { cause: failure },
    );
  }

  let markedGone: number | null = null;
  let syncRefused: string | null = null;
  if (options.sync) {
    if (rejected > 0) {
      syncRefused = `${rejected} rows were rejected: their certificates would be marked gone`;
    } else if (written === 0) {
      syncRefused = 'the file holds no record: every certificate would be marked gone';
    } else {
      markedGone = await writer.markGoneUnlessWrittenBy(options.runId, options.now());
    }
  }
  const done = progress();
  options.onProgress?.(done);
  return { ...done, rejections, markedGone, syncRefused };
}
