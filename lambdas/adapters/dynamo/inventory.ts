/**
 * The certificate inventory in DynamoDB: one item per certificate, keyed by its serial, so every
 * serial a report names, alone or with its issuer, is one key of a BatchGetItem. The rare
 * certificate whose serial another issuer's certificate already holds is stored under its serial
 * and issuer key, and the serial's home item lists those issuer keys. Fingerprints in a report's
 * text and SPKI hashes go through the table's keys-only indexes. Imports write with
 * BatchWriteItem, several batches in flight (docs/design.md, "The inventory's key").
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
  type OptionalRecordField,
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
/**
 * On a serial's home item: the issuer keys (`-` for records without one) of the other
 * certificates with that serial, each stored under `CERT#<serial>#<issuer key>`. Only ever
 * added to: a key left over by a certificate that moved costs one read that finds nothing.
 */
const OTHER_ISSUERS_ATTRIBUTE = 'otherIssuers';

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

const homePk = (serial: string) => keys.inventoryCertificate(serial).pk;
const slotPk = (serial: string, issuerKey: string) =>
  keys.inventoryCertificate(serial, issuerKey).pk;

/** The issuer keys a home item lists (none for any other item). */
function otherIssuersOf(item: Item | undefined): Set<string> {
  const stored = item?.[OTHER_ISSUERS_ATTRIBUTE];
  return new Set(stored instanceof Set ? [...stored].map(String) : []);
}

/** The issuer key a record is stored under. */
export function issuerKeyOfRecord(record: Pick<InventoryRecord, 'issuer'>): string {
  return record.issuer ? issuerKeyOf(record.issuer) : UNKNOWN_ISSUER_KEY;
}

/**
 * The one conversion from a stored item; null for an item that is not a certificate record,
 * including one whose key is neither its serial's home nor its serial and issuer (an item of an
 * older key layout, which no look-up may return next to the current one).
 */
export function recordFromItem(item: Item): InventoryRecord | null {
  const sha256 = str(item.sha256);
  const serial = str(item.serial);
  const spkiSha256 = str(item.spkiSha256);
  const subscriber = str(item.subscriber);
  const email = str(item.email);
  if (!sha256 || !serial || !spkiSha256 || !subscriber || !email) return null;
  const issuerKey = str(item.issuerKey) ?? UNKNOWN_ISSUER_KEY;
  if (item.pk !== homePk(serial) && item.pk !== slotPk(serial, issuerKey)) return null;
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

/** Where a certificate is stored: its serial's home, or its serial and issuer key. */
export interface Placement {
  /** Stored under its serial and issuer key: the home holds another issuer's certificate. */
  readonly slot: boolean;
  /** For a home item: the issuer keys of the other certificates with its serial. */
  readonly otherIssuers?: ReadonlySet<string>;
}

/**
 * The stored item of a record: the same shape whether the import writes it or it is converted
 * for DynamoDB's import from S3.
 */
export function itemOf(record: InventoryRecord, runId: string, placement: Placement): Item {
  const { status: _status, goneAt: _goneAt, ...fields } = record;
  const issuerKey = issuerKeyOfRecord(record);
  const others = placement.slot ? [] : [...(placement.otherIssuers ?? [])];
  return {
    pk: placement.slot ? slotPk(record.serial, issuerKey) : homePk(record.serial),
    ...fields,
    issuerKey,
    status: 'active' satisfies InventoryStatus,
    lastImport: runId,
    ...(others.length > 0 ? { [OTHER_ISSUERS_ATTRIBUTE]: new Set(others) } : {}),
  };
}

/** The optional fields a write keeps from stored items (those the file has no column for). */
function keptFields(keep: readonly string[]): OptionalRecordField[] {
  return keep.filter((f): f is OptionalRecordField =>
    (OPTIONAL_RECORD_FIELDS as readonly string[]).includes(f),
  );
}

/** What a write does, decided from the records and the stored certificates of their serials. */
export interface WritePlan {
  readonly refused: readonly RefusedRecord[];
  /** Items to put, each whole. */
  readonly puts: readonly Item[];
  /** Keys of items whose certificate moved to its own issuer's key. */
  readonly deletes: readonly string[];
  /** Stored homes (not rewritten here) whose list of other issuers grows. */
  readonly homeUpdates: readonly { serial: string; otherIssuers: ReadonlySet<string> }[];
}

/**
 * Places each record (deduplicated by SHA-256) among the `stored` items of its serial: where
 * the same certificate is, else at its serial's home when that is free, else under its serial
 * and issuer key, listed on the home. A record whose issuer and serial belong to another
 * certificate is refused. Pure, so the import and the S3-import converter place alike.
 */
export function planWrites(
  records: readonly InventoryRecord[],
  stored: readonly Item[],
  runId: string,
  keep: readonly OptionalRecordField[],
): WritePlan {
  // Per serial: its certificates as they will be after this batch, and its home's list.
  const bySerial = new Map<string, Map<string, Item>>();
  const others = new Map<string, Set<string>>();
  const storedHomes = new Set<string>();
  for (const item of stored) {
    const key = String(item.pk).slice(CERT_PREFIX.length);
    if (!key.includes('#')) {
      // A home, even one that holds only the list (a concurrent writer's leftover).
      storedHomes.add(key);
      others.set(key, otherIssuersOf(item));
    }
    if (typeof item.sha256 !== 'string' || typeof item.serial !== 'string') continue;
    const certs = bySerial.get(item.serial) ?? new Map<string, Item>();
    certs.set(String(item.pk), item);
    bySerial.set(item.serial, certs);
  }
  const refused: RefusedRecord[] = [];
  const puts = new Map<string, InventoryRecord>();
  const deletes = new Set<string>();
  const grown = new Set<string>();
  for (const r of new Map(records.map((r) => [r.sha256, r])).values()) {
    const certs = bySerial.get(r.serial) ?? new Map<string, Item>();
    bySerial.set(r.serial, certs);
    const [samePk, same] = [...certs].find(([, item]) => item.sha256 === r.sha256) ?? [];
    let record = r;
    if (!r.issuer && same && str(same.issuer)) {
      // The issuer of a certificate never changes: an empty cell is not news.
      record = { ...record, issuer: String(same.issuer) };
    }
    const issuerKey = issuerKeyOfRecord(record);
    const holder = [...certs.values()].find(
      (item) => item.sha256 !== r.sha256 && item.issuerKey === issuerKey,
    );
    if (holder) {
      refused.push({
        sha256: r.sha256,
        reason: `issuer and serial ${record.serial} already belong to certificate ${String(holder.sha256)}`,
      });
      continue;
    }
    const home = homePk(r.serial);
    // Where it is, if at home; at home if that is free; else under its own issuer key.
    const pk = certs.has(home) && samePk !== home ? slotPk(r.serial, issuerKey) : home;
    if (same && samePk !== undefined) {
      const kept = Object.fromEntries(keep.flatMap((f) => (same[f] ? [[f, same[f]]] : [])));
      record = { ...kept, ...record } as InventoryRecord;
      if (samePk !== pk) {
        // It moves from the key of the issuer it was stored with to its issuer's own.
        certs.delete(samePk);
        deletes.add(samePk);
      }
    }
    if (pk !== home) {
      const list = others.get(r.serial) ?? new Set<string>();
      if (!list.has(issuerKey)) grown.add(r.serial);
      list.add(issuerKey);
      others.set(r.serial, list);
    }
    deletes.delete(pk);
    certs.set(pk, { pk, sha256: r.sha256, issuer: record.issuer, issuerKey, serial: r.serial });
    puts.set(pk, record);
  }
  const homeUpdates = [...grown]
    .filter((s) => storedHomes.has(s) && !puts.has(homePk(s)))
    .map((serial) => ({ serial, otherIssuers: others.get(serial) ?? new Set<string>() }));
  return {
    refused,
    puts: [...puts].map(([pk, r]) =>
      itemOf(r, runId, { slot: pk !== homePk(r.serial), otherIssuers: others.get(r.serial) }),
    ),
    deletes: [...deletes],
    homeUpdates,
  };
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
  /**
   * Serials a write of this writer is working on. A write waits until none of its serials is
   * busy, so two batches in flight never decide the same serial's items from the same stale
   * read (BatchWriteItem has no condition to catch it).
   */
  private readonly busySerials = new Map<string, Promise<void>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    options: DynamoInventoryOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * Every stored certificate with one of `serials`: their homes, then the other issuers' items
   * the homes list (most serials have none). `projection` narrows the attributes read.
   */
  private async certificatesOf(
    serials: Iterable<string>,
    projection?: readonly string[],
    onPage?: (items: readonly Item[]) => void,
  ): Promise<Item[]> {
    const serialOfHome = new Map<string, string>();
    for (const serial of serials) serialOfHome.set(homePk(serial), serial);
    const fields = projection ? [...projection, OTHER_ISSUERS_ATTRIBUTE] : undefined;
    const homes = await this.batchGet([...serialOfHome.keys()], fields, onPage);
    const slots = homes.flatMap((home) => {
      const serial = serialOfHome.get(String(home.pk));
      return serial ? [...otherIssuersOf(home)].map((k) => slotPk(serial, k)) : [];
    });
    return [...homes, ...(await this.batchGet(slots, fields, onPage))];
  }

  async lookup(query: InventoryQuery): Promise<readonly InventoryRecord[]> {
    // A serial, alone or with its issuer, is one home key (and the keys its home lists). A
    // certificate whose issuer name cannot be read matches nothing by issuer and serial.
    const alone = new Set(query.serials);
    const serials = new Set(alone);
    const withIssuer = new Set<string>();
    for (const q of query.issuerSerials ?? []) {
      if (q.issuerKey === UNKNOWN_ISSUER_KEY) continue;
      withIssuer.add(`${q.serial}#${q.issuerKey}`);
      serials.add(q.serial);
    }
    const sha256s = new Set(query.sha256s);
    const wanted = (item: Item) =>
      alone.has(String(item.serial)) ||
      withIssuer.has(`${String(item.serial)}#${String(item.issuerKey)}`) ||
      sha256s.has(String(item.sha256));
    // The index queries run while the serials are read: the reads keep the stand-in or the
    // table busy, the queries mostly the client. A fingerprint whose certificate the serials
    // have read by its turn needs no query, so the keys' queries go first.
    const read = new Set<string>();
    const bySerial = this.certificatesOf(serials, undefined, (page) => {
      for (const item of page) if (wanted(item)) read.add(String(item.sha256));
    });
    const queries = [
      ...[...new Set(query.spkiSha256s)].map((value) => ({
        value,
        index: INVENTORY_TABLE_SCHEMA.bySpkiIndex,
      })),
      ...[...sha256s].map((value) => ({ value, index: INVENTORY_TABLE_SCHEMA.bySha256Index })),
    ];
    const byIndex = inParallel(queries, INVENTORY_QUERY_CONCURRENCY, (q) =>
      q.index === INVENTORY_TABLE_SCHEMA.bySha256Index && read.has(q.value)
        ? Promise.resolve([])
        : this.keysOf(indexQuery(q.index, q.value)),
    );
    const [serialItems, pages] = await Promise.all([bySerial, byIndex]);
    const items = serialItems.filter(wanted);
    const have = new Set(items.map((item) => String(item.pk)));
    const more = new Set<string>();
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

  /** The items of `pks` that exist; `onPage` sees each response's items as they arrive. */
  private async batchGet(
    pks: readonly string[],
    projection?: readonly string[],
    onPage?: (items: readonly Item[]) => void,
  ): Promise<Item[]> {
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
          const page = out.Responses?.[this.table] ?? [];
          onPage?.(page);
          found.push(...page);
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

  /** Runs `fn` once none of `serials` is busy in another write of this writer. */
  private async withSerials<T>(serials: readonly string[], fn: () => Promise<T>): Promise<T> {
    const mine = [...new Set(serials)];
    for (;;) {
      const busy = mine.flatMap((s) => this.busySerials.get(s) ?? []);
      if (busy.length === 0) break;
      await Promise.allSettled(busy);
    }
    let release = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const s of mine) this.busySerials.set(s, done);
    try {
      return await fn();
    } finally {
      for (const s of mine) this.busySerials.delete(s);
      release();
    }
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
    if (batch.records.length === 0) return [];
    const serials = batch.records.map((r) => r.serial);
    return this.withSerials(serials, () => this.writeUnlocked(serials, batch));
  }

  private async writeUnlocked(
    serials: readonly string[],
    batch: InventoryWrite,
  ): Promise<readonly RefusedRecord[]> {
    const keep = keptFields(batch.keep);
    const stored = await this.certificatesOf(serials, [
      'sha256',
      'issuer',
      'issuerKey',
      'serial',
      ...keep,
    ]);
    const plan = planWrites(batch.records, stored, batch.runId, keep);
    // A home's list grows before the item it points to is written: a crash in between leaves
    // a key that finds nothing, never a certificate its serial cannot reach.
    await inParallel(plan.homeUpdates, INVENTORY_CONCURRENCY, (u) =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: homePk(u.serial) },
          UpdateExpression: 'ADD #o :k',
          ExpressionAttributeNames: { '#o': OTHER_ISSUERS_ATTRIBUTE },
          ExpressionAttributeValues: { ':k': new Set(u.otherIssuers) },
        }),
      ),
    );
    const requests: Item[] = [
      ...plan.puts.map((item) => ({ PutRequest: { Item: item } })),
      ...plan.deletes.map((pk) => ({ DeleteRequest: { Key: { pk } } })),
    ];
    await inParallel(chunks(requests, BATCH_WRITE_MAX_ITEMS), INVENTORY_CONCURRENCY, (chunk) =>
      this.batchWrite(chunk),
    );
    return plan.refused;
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
              FilterExpression: `begins_with(#pk, :cert) AND attribute_exists(sha256) AND ${stillActive}`,
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
