import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Inventory, InventoryQuery, InventoryRecord } from '../../domain/inventory/types.ts';
import { keys } from './keys.ts';

/** BatchGetItem takes at most 100 keys per call. */
export const BATCH_GET_MAX_KEYS = 100;
/** BatchWriteItem takes at most 25 items per call. */
export const BATCH_WRITE_MAX_ITEMS = 25;
/** Parallel batch calls: enough to hide latency, few enough not to trip throttling. */
export const INVENTORY_CONCURRENCY = 8;
/** Unprocessed keys are retried this many times with backoff before giving up loudly. */
export const MAX_UNPROCESSED_RETRIES = 6;

export class InventoryLookupError extends Error {
  override readonly name = 'InventoryLookupError';
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function inParallel<T, R>(
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The certificate inventory in DynamoDB. Each certificate is one `CERT#sha256` item; serials and
 * SPKI hashes are index items (`SERIAL#...`, `SPKI#...`) holding the set of certificate hashes,
 * so every look-up is a batched GetItem rather than thousands of queries.
 */
const OPTIONAL_COLUMNS = [
  'issuer',
  'notBefore',
  'notAfter',
  'revokedAt',
  'revocationReason',
  'pem',
] as const;

function optionalColumns(item: Record<string, unknown>): Partial<InventoryRecord> {
  const out: Record<string, string> = {};
  for (const k of OPTIONAL_COLUMNS) if (typeof item[k] === 'string') out[k] = item[k];
  return out as Partial<InventoryRecord>;
}

export class DynamoInventory implements Inventory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async lookup(query: InventoryQuery): Promise<readonly InventoryRecord[]> {
    const indexKeys = [
      ...query.serials.map((s) => keys.inventorySerial(s)),
      ...query.spkiSha256s.map((s) => keys.inventorySpki(s)),
    ];
    const indexItems = await this.batchGet(indexKeys);
    const certs = new Set(query.sha256s);
    for (const item of indexItems) {
      for (const sha of (item.certificates as Set<string> | undefined) ?? []) certs.add(sha);
    }
    const certItems = await this.batchGet([...certs].map((s) => keys.inventoryCertificate(s)));
    return certItems.map((item) => ({
      sha256: item.sha256 as string,
      serial: item.serial as string,
      spkiSha256: item.spkiSha256 as string,
      subscriber: item.subscriber as string,
      email: item.email as string,
      // The optional columns, when the import had them.
      ...optionalColumns(item),
    }));
  }

  private async batchGet(keyList: readonly { pk: string }[]): Promise<Record<string, unknown>[]> {
    const unique = [...new Map(keyList.map((k) => [k.pk, k])).values()];
    const pages = await inParallel(
      chunks(unique, BATCH_GET_MAX_KEYS),
      INVENTORY_CONCURRENCY,
      async (batch) => {
        const found: Record<string, unknown>[] = [];
        let pending: Record<string, unknown>[] = batch;
        for (let attempt = 0; pending.length > 0; attempt += 1) {
          if (attempt > MAX_UNPROCESSED_RETRIES) {
            throw new InventoryLookupError(`${pending.length} inventory keys stayed unprocessed`);
          }
          if (attempt > 0) await sleep(50 * 2 ** attempt);
          const out = await this.db.send(
            new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending } } }),
          );
          found.push(...(out.Responses?.[this.table] ?? []));
          pending = (out.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[]) ?? [];
        }
        return found;
      },
    );
    return pages.flat();
  }

  /**
   * Loads records idempotently: certificate items are overwritten, index items gain the hash
   * through a set `ADD`, which is a no-op the second time.
   */
  async put(records: readonly InventoryRecord[]): Promise<void> {
    for (const batch of chunks(records, BATCH_WRITE_MAX_ITEMS)) {
      let pending: unknown[] = batch.map((r) => ({
        PutRequest: { Item: { ...keys.inventoryCertificate(r.sha256), ...r } },
      }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > MAX_UNPROCESSED_RETRIES) {
          throw new InventoryLookupError(`${pending.length} inventory writes stayed unprocessed`);
        }
        if (attempt > 0) await sleep(50 * 2 ** attempt);
        const out = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }),
        );
        pending = out.UnprocessedItems?.[this.table] ?? [];
      }
    }
    const indexUpdates = records.flatMap((r) => [
      { key: keys.inventorySerial(r.serial), sha256: r.sha256 },
      { key: keys.inventorySpki(r.spkiSha256), sha256: r.sha256 },
    ]);
    await inParallel(indexUpdates, INVENTORY_CONCURRENCY, (u) =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: u.key,
          UpdateExpression: 'ADD certificates :c',
          ExpressionAttributeValues: { ':c': new Set([u.sha256]) },
        }),
      ),
    );
  }
}
