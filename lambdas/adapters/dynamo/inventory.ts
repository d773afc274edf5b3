/**
 * The certificate inventory in DynamoDB: one item per certificate, looked up by its key
 * (SHA-256) with BatchGetItem and by serial, issuer and serial, or SPKI through the table's
 * indexes. Imports write with BatchWriteItem, several batches in flight.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { issuerKeyOf, UNKNOWN_ISSUER_KEY } from '../../domain/inventory/issuer-name.ts';
import {
  CRL_REASONS,
  type CrlReason,
  INVENTORY_STATUSES,
  type Inventory,
  type InventoryQuery,
  type InventoryRecord,
  type InventoryStatus,
  type InventoryWrite,
  type InventoryWriter,
  OPTIONAL_RECORD_FIELDS,
} from '../../domain/inventory/types.ts';
import { keys } from './keys.ts';
import { INVENTORY_TABLE_SCHEMA } from './schema.ts';

/** BatchGetItem takes at most 100 keys per call. */
export const BATCH_GET_MAX_KEYS = 100;
/** BatchWriteItem takes at most 25 items per call. */
export const BATCH_WRITE_MAX_ITEMS = 25;
/** Parallel batch calls: enough to hide latency, few enough not to trip throttling. */
export const INVENTORY_CONCURRENCY = 8;
/** Parallel index queries of one look-up (GSIs have no batch read). */
export const INVENTORY_QUERY_CONCURRENCY = 32;
/** Parallel segments of the `--sync` scan. */
export const SYNC_SCAN_SEGMENTS = 4;
/** Unprocessed items are retried this many times with backoff before giving up loudly. */
export const MAX_UNPROCESSED_RETRIES = 8;
/** First backoff pause; it doubles per retry, with full jitter (AWS's advice for batch calls). */
export const UNPROCESSED_BACKOFF_BASE_MS = 50;

export class InventoryLookupError extends Error {
  override readonly name = 'InventoryLookupError';
}

export class InventoryWriteError extends Error {
  override readonly name = 'InventoryWriteError';
}

const CERT_PREFIX = 'CERT#';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

type Item = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The one conversion from a stored item; null for an item that is not a certificate record. */
export function recordFromItem(item: Item): InventoryRecord | null {
  const sha256 = str(item.sha256);
  const serial = str(item.serial);
  const spkiSha256 = str(item.spkiSha256);
  const subscriber = str(item.subscriber);
  const email = str(item.email);
  if (!sha256 || !serial || !spkiSha256 || !subscriber || !email) return null;
  const reason = str(item.revocationReason);
  const status = str(item.status);
  const record: Record<string, unknown> = { sha256, serial, spkiSha256, subscriber, email };
  for (const f of ['issuer', 'notBefore', 'notAfter', 'revokedAt', 'pem', 'goneAt'] as const) {
    const v = str(item[f]);
    if (v !== undefined) record[f] = v;
  }
  if (reason && (CRL_REASONS as readonly (string | null)[]).includes(reason)) {
    record.revocationReason = reason as CrlReason;
  }
  if (status && (INVENTORY_STATUSES as readonly string[]).includes(status)) {
    record.status = status as InventoryStatus;
  }
  return record as unknown as InventoryRecord;
}

function itemOf(record: InventoryRecord, runId: string): Item {
  const { status: _status, goneAt: _goneAt, ...fields } = record;
  return {
    ...keys.inventoryCertificate(record.sha256),
    ...fields,
    issuerKey: record.issuer ? issuerKeyOf(record.issuer) : UNKNOWN_ISSUER_KEY,
    status: 'active' satisfies InventoryStatus,
    lastImport: runId,
  };
}

export interface DynamoInventoryOptions {
  /** Pause between retries of unprocessed items; injected so tests need not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export class DynamoInventory implements Inventory, InventoryWriter {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    options: DynamoInventoryOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
  }

  async lookup(query: InventoryQuery): Promise<readonly InventoryRecord[]> {
    const index = INVENTORY_TABLE_SCHEMA;
    const shaPks = [...new Set(query.sha256s)].map((s) => keys.inventoryCertificate(s).pk);
    // Fingerprints first (the table's own key, 100 per call): a certificate found by its hash
    // needs no index query for its issuer and serial.
    const bySha = await this.batchGet(shaPks);
    const found = new Set(bySha.map((item) => String(item.sha256)));
    const serialsAlone = new Set(query.serials);
    const queries = [
      ...[...serialsAlone].map((serial) => ({
        IndexName: index.bySerialIndex.name,
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': index.bySerialIndex.partitionKey },
        ExpressionAttributeValues: { ':k': serial },
      })),
      ...uniqueBy(
        (query.issuerSerials ?? []).filter(
          (q) =>
            q.issuerKey !== UNKNOWN_ISSUER_KEY &&
            !serialsAlone.has(q.serial) &&
            !(q.sha256 && found.has(q.sha256)),
        ),
        (q) => `${q.serial}/${q.issuerKey}`,
      ).map((q) => ({
        IndexName: index.bySerialIndex.name,
        KeyConditionExpression: '#k = :k AND #s = :s',
        ExpressionAttributeNames: {
          '#k': index.bySerialIndex.partitionKey,
          '#s': index.bySerialIndex.sortKey,
        },
        ExpressionAttributeValues: { ':k': q.serial, ':s': q.issuerKey },
      })),
      ...[...new Set(query.spkiSha256s)].map((spki) => ({
        IndexName: index.bySpkiIndex.name,
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': index.bySpkiIndex.partitionKey },
        ExpressionAttributeValues: { ':k': spki },
      })),
    ];
    const have = new Set(shaPks);
    const more = new Set<string>();
    const pages = await inParallel(queries, INVENTORY_QUERY_CONCURRENCY, (q) => this.keysOf(q));
    for (const list of pages) for (const pk of list) if (!have.has(pk)) more.add(pk);
    const items = [...bySha, ...(await this.batchGet([...more]))];
    return items.map(recordFromItem).filter((r): r is InventoryRecord => r !== null);
  }

  /** The table keys an index query names, every page of them. */
  private async keysOf(input: {
    IndexName: string;
    KeyConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, string>;
  }): Promise<string[]> {
    const out: string[] = [];
    let start: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.table, ...input, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) if (typeof item.pk === 'string') out.push(item.pk);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private async batchGet(pks: readonly string[], projection?: readonly string[]): Promise<Item[]> {
    const names = projection
      ? Object.fromEntries(['pk', ...projection].map((f, i) => [`#a${i}`, f]))
      : undefined;
    const pages = await inParallel(
      chunks(pks, BATCH_GET_MAX_KEYS),
      INVENTORY_CONCURRENCY,
      async (batch) => {
        const found: Item[] = [];
        let pending: Item[] = batch.map((pk) => ({ pk }));
        for (let attempt = 0; pending.length > 0; attempt += 1) {
          if (attempt > MAX_UNPROCESSED_RETRIES) {
            throw new InventoryLookupError(`${pending.length} inventory keys stayed unprocessed`);
          }
          if (attempt > 0) await this.backoff(attempt);
          const out = await this.db.send(
            new BatchGetCommand({
              RequestItems: {
                [this.table]: {
                  Keys: pending,
                  ...(names
                    ? {
                        ProjectionExpression: Object.keys(names).join(', '),
                        ExpressionAttributeNames: names,
                      }
                    : {}),
                },
              },
            }),
          );
          found.push(...(out.Responses?.[this.table] ?? []));
          pending = (out.UnprocessedKeys?.[this.table]?.Keys as Item[] | undefined) ?? [];
        }
        return found;
      },
    );
    return pages.flat();
  }

  private backoff(attempt: number): Promise<void> {
    const cap = UNPROCESSED_BACKOFF_BASE_MS * 2 ** attempt;
    return this.sleep(Math.floor(this.random() * cap) + 1);
  }

  /**
   * Writes records idempotently (each item is replaced by the same item). Fields in `keep` are
   * read from the stored items first, so a file without, say, a `pem` column does not erase the
   * PEM an earlier import stored. In one batch the last row for a certificate wins.
   */
  async write(batch: InventoryWrite): Promise<void> {
    let records = [...new Map(batch.records.map((r) => [r.sha256, r])).values()];
    const keep = batch.keep.filter((f) =>
      (OPTIONAL_RECORD_FIELDS as readonly string[]).includes(f),
    );
    if (keep.length > 0 && records.length > 0) {
      const stored = new Map(
        (
          await this.batchGet(
            records.map((r) => keys.inventoryCertificate(r.sha256).pk),
            keep,
          )
        ).map((item) => [item.pk, item]),
      );
      records = records.map((r) => {
        const old = stored.get(keys.inventoryCertificate(r.sha256).pk);
        if (!old) return r;
        const kept = Object.fromEntries(keep.flatMap((f) => (old[f] ? [[f, old[f]]] : [])));
        return { ...kept, ...r } as InventoryRecord;
      });
    }
    await inParallel(chunks(records, BATCH_WRITE_MAX_ITEMS), INVENTORY_CONCURRENCY, (chunk) =>
      this.batchWrite(chunk.map((r) => ({ PutRequest: { Item: itemOf(r, batch.runId) } }))),
    );
  }

  private async batchWrite(requests: Item[]): Promise<void> {
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > MAX_UNPROCESSED_RETRIES) {
        throw new InventoryWriteError(`${pending.length} inventory writes stayed unprocessed`);
      }
      if (attempt > 0) await this.backoff(attempt);
      const out = await this.db.send(
        new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }),
      );
      pending = (out.UnprocessedItems?.[this.table] as Item[] | undefined) ?? [];
    }
  }

  /** Loads records as an import run of its own (tests, fixtures, the local stack's start). */
  async put(records: readonly InventoryRecord[], runId = 'direct'): Promise<void> {
    for (const part of chunks(records, BATCH_GET_MAX_KEYS * 10)) {
      await this.write({ records: part, runId, keep: [] });
    }
  }

  /**
   * `--sync`: every active certificate item another run wrote last becomes `gone`. Each update
   * is conditional, so an item that a concurrent import of this run rewrote stays active.
   */
  async markGoneUnlessWrittenBy(runId: string, at: Date): Promise<number> {
    const names = { '#pk': 'pk', '#status': 'status', '#run': 'lastImport' };
    const stillActive =
      '(attribute_not_exists(#status) OR #status = :active) AND (attribute_not_exists(#run) OR #run <> :runId)';
    const counts = await inParallel(
      Array.from({ length: SYNC_SCAN_SEGMENTS }, (_, i) => i),
      SYNC_SCAN_SEGMENTS,
      async (segment) => {
        let marked = 0;
        let start: Item | undefined;
        do {
          const page = await this.db.send(
            new ScanCommand({
              TableName: this.table,
              Segment: segment,
              TotalSegments: SYNC_SCAN_SEGMENTS,
              ProjectionExpression: '#pk',
              FilterExpression: `begins_with(#pk, :cert) AND ${stillActive}`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':cert': CERT_PREFIX,
                ':active': 'active',
                ':runId': runId,
              },
              ExclusiveStartKey: start,
            }),
          );
          const results = await inParallel(page.Items ?? [], INVENTORY_CONCURRENCY, (item) =>
            this.markGone(String(item.pk), runId, at, stillActive, names),
          );
          marked += results.filter(Boolean).length;
          start = page.LastEvaluatedKey;
        } while (start);
        return marked;
      },
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  private async markGone(
    pk: string,
    runId: string,
    at: Date,
    condition: string,
    names: Record<string, string>,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk },
          UpdateExpression: 'SET #status = :gone, goneAt = :at',
          ConditionExpression: `attribute_exists(#pk) AND ${condition}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':gone': 'gone',
            ':active': 'active',
            ':runId': runId,
            ':at': at.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  return [...new Map(items.map((t) => [key(t), t])).values()];
}
