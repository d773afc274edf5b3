/**
 * The certificate inventory in DynamoDB: one item per certificate, keyed by issuer and serial,
 * so every certificate and serial a report names is read with BatchGetItem (a serial alone
 * once under each issuer the inventory knows). Fingerprints in a report's text and SPKI hashes
 * go through the table's keys-only indexes. Imports write with BatchWriteItem, several batches
 * in flight.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
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
  type RefusedRecord,
} from '../../domain/inventory/types.ts';
import { keys } from './keys.ts';
import { INVENTORY_TABLE_SCHEMA } from './schema.ts';

/** BatchGetItem takes at most 100 keys per call. */
export const BATCH_GET_MAX_KEYS = 100;
/** BatchWriteItem takes at most 25 items per call. */
export const BATCH_WRITE_MAX_ITEMS = 25;
/** Parallel batch calls: enough to hide latency, few enough not to trip throttling. */
export const INVENTORY_CONCURRENCY = 8;
/** Parallel index queries of one look-up (an index has no batch read). */
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
/** The registry item's attribute: a string set of issuer keys (`-` for records without one). */
const ISSUER_KEYS_ATTRIBUTE = 'issuerKeys';

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

const certPk = (issuerKey: string, serial: string) =>
  keys.inventoryCertificate(issuerKey, serial).pk;

/** The issuer key a record is stored under. */
export function issuerKeyOfRecord(record: Pick<InventoryRecord, 'issuer'>): string {
  return record.issuer ? issuerKeyOf(record.issuer) : UNKNOWN_ISSUER_KEY;
}

/**
 * The one conversion from a stored item; null for an item that is not a certificate record,
 * including one whose key is not the key its own issuer and serial give (an item of an older
 * key layout, which no look-up may return next to the current one).
 */
export function recordFromItem(item: Item): InventoryRecord | null {
  const sha256 = str(item.sha256);
  const serial = str(item.serial);
  const spkiSha256 = str(item.spkiSha256);
  const subscriber = str(item.subscriber);
  const email = str(item.email);
  if (!sha256 || !serial || !spkiSha256 || !subscriber || !email) return null;
  if (item.pk !== certPk(str(item.issuerKey) ?? UNKNOWN_ISSUER_KEY, serial)) return null;
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

/**
 * The stored item of a record: the same shape whether the import writes it or it is converted
 * for DynamoDB's import from S3.
 */
export function itemOf(record: InventoryRecord, runId: string): Item {
  const { status: _status, goneAt: _goneAt, ...fields } = record;
  const issuerKey = issuerKeyOfRecord(record);
  return {
    ...keys.inventoryCertificate(issuerKey, record.serial),
    ...fields,
    issuerKey,
    status: 'active' satisfies InventoryStatus,
    lastImport: runId,
  };
}

/** The registry item listing `issuerKeys` (what each import adds to before writing). */
export function issuerRegistryItem(issuerKeys: Iterable<string>): Item {
  return { ...keys.inventoryIssuers(), [ISSUER_KEYS_ATTRIBUTE]: new Set(issuerKeys) };
}

export interface DynamoInventoryOptions {
  /** Pause between retries of unprocessed items; injected so tests need not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

interface IndexQuery {
  readonly IndexName: string;
  readonly KeyConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, string>;
}

const indexQuery = (index: { name: string; partitionKey: string }, value: string): IndexQuery => ({
  IndexName: index.name,
  KeyConditionExpression: '#k = :k',
  ExpressionAttributeNames: { '#k': index.partitionKey },
  ExpressionAttributeValues: { ':k': value },
});

export class DynamoInventory implements Inventory, InventoryWriter {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Issuer keys this writer registered or read (an import is one process). */
  private writerIssuers: Promise<Set<string>> | null = null;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    options: DynamoInventoryOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
  }

  /** The issuer keys of the inventory, read fresh (another process may have imported since). */
  private async issuerKeys(): Promise<Set<string>> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.inventoryIssuers(),
        ProjectionExpression: '#i',
        ExpressionAttributeNames: { '#i': ISSUER_KEYS_ATTRIBUTE },
      }),
    );
    const stored = out.Item?.[ISSUER_KEYS_ATTRIBUTE];
    return new Set(stored instanceof Set ? [...stored].map(String) : []);
  }

  async lookup(query: InventoryQuery): Promise<readonly InventoryRecord[]> {
    const issuers = await this.issuerKeys();
    // Certificates and serials by key: a serial alone under every issuer the inventory knows,
    // a certificate's issuer and serial once (an issuer the inventory does not know holds none).
    const direct = new Set<string>();
    for (const serial of new Set(query.serials)) {
      for (const issuerKey of issuers) direct.add(certPk(issuerKey, serial));
    }
    for (const q of query.issuerSerials ?? []) {
      if (q.issuerKey !== UNKNOWN_ISSUER_KEY && issuers.has(q.issuerKey)) {
        direct.add(certPk(q.issuerKey, q.serial));
      }
    }
    const items = await this.batchGet([...direct]);
    // A fingerprint whose certificate was read by its key needs no index query.
    const found = new Set(items.map((item) => String(item.sha256)));
    const queries = [
      ...[...new Set(query.sha256s)]
        .filter((sha256) => !found.has(sha256))
        .map((sha256) => indexQuery(INVENTORY_TABLE_SCHEMA.bySha256Index, sha256)),
      ...[...new Set(query.spkiSha256s)].map((spki) =>
        indexQuery(INVENTORY_TABLE_SCHEMA.bySpkiIndex, spki),
      ),
    ];
    const have = new Set(items.map((item) => String(item.pk)));
    const more = new Set<string>();
    const pages = await inParallel(queries, INVENTORY_QUERY_CONCURRENCY, (q) => this.keysOf(q));
    for (const list of pages) for (const pk of list) if (!have.has(pk)) more.add(pk);
    items.push(...(await this.batchGet([...more])));
    return items.map(recordFromItem).filter((r): r is InventoryRecord => r !== null);
  }

  /** The table keys an index query names, every page of them. */
  private async keysOf(input: IndexQuery): Promise<string[]> {
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
      ? Object.fromEntries([...new Set(['pk', ...projection])].map((f, i) => [`#a${i}`, f]))
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

  /** The registry as this writer knows it: read once, then kept up to date by its own writes. */
  private async registered(): Promise<Set<string>> {
    this.writerIssuers ??= this.issuerKeys();
    return this.writerIssuers;
  }

  /** Adds issuer keys to the registry before any certificate of theirs is written. */
  private async register(issuerKeys: readonly string[]): Promise<void> {
    const known = await this.registered();
    const fresh = [...new Set(issuerKeys)].filter((k) => !known.has(k));
    if (fresh.length === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.inventoryIssuers(),
        UpdateExpression: 'ADD #i :k',
        ExpressionAttributeNames: { '#i': ISSUER_KEYS_ATTRIBUTE },
        ExpressionAttributeValues: { ':k': new Set(fresh) },
      }),
    );
    for (const k of fresh) known.add(k);
  }

  /**
   * Writes records idempotently (each item is replaced by the same item). Fields in `keep` are
   * read from the stored items first, so a file without, say, a `pem` column does not erase the
   * PEM an earlier import stored. A row without an issuer updates the certificate with its
   * SHA-256 wherever it is stored (a delta file need not name issuers). A record whose issuer
   * and serial already belong to another certificate is refused, not overwritten (RFC 5280
   * 4.1.2.2: two certificates of one issuer never share a serial; if the CA's data says they
   * do, a person must look). In one batch the last row for a certificate wins.
   */
  async write(batch: InventoryWrite): Promise<readonly RefusedRecord[]> {
    const records = [...new Map(batch.records.map((r) => [r.sha256, r])).values()];
    if (records.length === 0) return [];
    const keep = batch.keep.filter((f) =>
      (OPTIONAL_RECORD_FIELDS as readonly string[]).includes(f),
    );
    const issuers = await this.registered();
    const candidates = new Set<string>();
    for (const r of records) {
      if (r.issuer) candidates.add(certPk(issuerKeyOf(r.issuer), r.serial));
      // Where a record without an issuer may already be stored, and the item a record that
      // now has one moves out of.
      if (!r.issuer || issuers.has(UNKNOWN_ISSUER_KEY)) {
        candidates.add(certPk(UNKNOWN_ISSUER_KEY, r.serial));
      }
      if (!r.issuer) for (const k of issuers) candidates.add(certPk(k, r.serial));
    }
    const stored = new Map(
      (
        await this.batchGet([...candidates], ['sha256', 'issuer', 'issuerKey', 'serial', ...keep])
      ).map((item) => [String(item.pk), item]),
    );
    const bySha = new Map<string, Item>();
    for (const item of stored.values()) bySha.set(String(item.sha256), item);

    const refused: RefusedRecord[] = [];
    const puts = new Map<string, InventoryRecord>();
    const deletes = new Set<string>();
    for (const r of records) {
      const same = bySha.get(r.sha256);
      let record = r;
      if (!r.issuer && same && str(same.issuer)) {
        // The issuer of a certificate never changes: an empty cell is not news.
        record = { ...record, issuer: String(same.issuer) };
      }
      const pk = certPk(issuerKeyOfRecord(record), record.serial);
      const holder = stored.get(pk);
      const taken = puts.get(pk);
      if ((holder && holder.sha256 !== r.sha256) || (taken && taken.sha256 !== r.sha256)) {
        const other = String(taken?.sha256 ?? holder?.sha256);
        refused.push({
          sha256: r.sha256,
          reason: `issuer and serial ${record.serial} already belong to certificate ${other}`,
        });
        continue;
      }
      const old = holder ?? same;
      if (old) {
        const kept = Object.fromEntries(keep.flatMap((f) => (old[f] ? [[f, old[f]]] : [])));
        record = { ...kept, ...record } as InventoryRecord;
      }
      const unknownPk = certPk(UNKNOWN_ISSUER_KEY, record.serial);
      if (pk !== unknownPk && stored.get(unknownPk)?.sha256 === r.sha256) deletes.add(unknownPk);
      puts.set(pk, record);
    }
    await this.register([...puts.values()].map(issuerKeyOfRecord));
    const requests: Item[] = [
      ...[...puts.values()].map((r) => ({ PutRequest: { Item: itemOf(r, batch.runId) } })),
      ...[...deletes].map((pk) => ({ DeleteRequest: { Key: { pk } } })),
    ];
    await inParallel(chunks(requests, BATCH_WRITE_MAX_ITEMS), INVENTORY_CONCURRENCY, (chunk) =>
      this.batchWrite(chunk),
    );
    return refused;
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
      const refused = await this.write({ records: part, runId, keep: [] });
      if (refused.length > 0) {
        throw new InventoryWriteError(`${refused.length} records refused: ${refused[0]?.reason}`);
      }
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
