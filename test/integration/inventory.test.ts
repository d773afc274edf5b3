/**
 * The inventory table against the DynamoDB stand-in through the real SDK: one item per
 * certificate, look-ups through the table's indexes, batched idempotent imports, `--sync`, and
 * the DynamoDB JSON that DynamoDB's import from S3 loads.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import {
  DynamoInventory,
  InventoryWriteError,
  MAX_UNPROCESSED_RETRIES,
} from '../../lambdas/adapters/dynamo/inventory.ts';
import { exportInventoryDynamoJson } from '../../lambdas/adapters/fs/inventory-ddb-json.ts';
import { parseInventoryText, readInventoryCsv } from '../../lambdas/domain/inventory/csv.ts';
import { InventoryImportError, importInventory } from '../../lambdas/domain/inventory/import.ts';
import { issuerKeyOf } from '../../lambdas/domain/inventory/issuer-name.ts';
import { createTables, pointSdkAt } from '../../local/stand-ins.ts';

const ISSUER_A = 'CN=Issuing CA A,O=Example,C=XX';
const ISSUER_B = 'CN=Issuing CA B,O=Example,C=XX';
const hex64 = (n: number, c = 'a') => `${c}${n.toString(16).padStart(63, '0')}`;
const pemOf = (name: string) =>
  readFileSync(new URL(`../fixtures/pki/${name}`, import.meta.url), 'utf-8');

let db: DynamoDBDocumentClient;

beforeAll(() => {
  pointSdkAt(process.env, { dynamodb: inject('dynamoEndpoint') });
  db = documentClient();
});
afterAll(() => db?.destroy());

async function freshTable(): Promise<string> {
  const name = `inventory-${randomUUID().slice(0, 8)}`;
  await createTables(inject('dynamoEndpoint'), {
    cases: `cases-${name}`,
    audit: `audit-${name}`,
    inventory: name,
  });
  // dynalite makes a new table ACTIVE on a timer; a request before that finds no table.
  const client = new DynamoDBClient({});
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: name });
  client.destroy();
  return name;
}

async function scanAll(table: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The certificate items, without the issuer registry. */
async function certItems(table: string): Promise<Record<string, unknown>[]> {
  return (await scanAll(table)).filter((i) => String(i.pk).startsWith('CERT#'));
}

async function runImport(
  inventory: DynamoInventory,
  text: string,
  options: { sync?: boolean; runId?: string } = {},
) {
  const csv = await readInventoryCsv(
    (async function* () {
      yield* text.split('\n');
    })(),
  );
  return importInventory(csv, inventory, {
    runId: options.runId ?? randomUUID(),
    sync: options.sync ?? false,
    now: () => new Date('2026-12-01T12:00:00Z'),
    elapsed: () => performance.now(),
  });
}

const HEADER = 'sha256,serial,spki_sha256,subscriber,email,issuer,not_after,revoked_at';
const row = (
  n: number,
  extra: Partial<Record<'serial' | 'issuer' | 'spki' | 'revokedAt', string>> = {},
) =>
  [
    hex64(n),
    extra.serial ?? n.toString(16).padStart(n < 256 ? 2 : 4, '0'),
    extra.spki ?? hex64(n % 3, 'b'),
    `Subscriber ${n}`,
    `pki@s${n}.example`,
    `"${extra.issuer ?? ISSUER_A}"`,
    '2027-01-01T00:00:00Z',
    extra.revokedAt ?? '',
  ].join(',');

describe('one item per certificate, found through the table’s indexes', () => {
  let table: string;
  let inventory: DynamoInventory;
  beforeAll(async () => {
    table = await freshTable();
    inventory = new DynamoInventory(db, table);
    const rows = Array.from({ length: 250 }, (_, i) => row(i + 1));
    // The same serial under two issuers: only issuer and serial together tell them apart.
    rows.push(row(1000, { serial: '01', issuer: ISSUER_B, spki: hex64(77, 'b') }));
    const result = await runImport(inventory, [HEADER, ...rows].join('\n'));
    expect(result).toMatchObject({ written: 251, rejected: 0 });
  });

  test('the table holds one item per certificate, keyed by serial; a shared serial’s home lists the other issuer', async () => {
    const items = await scanAll(table);
    expect(items).toHaveLength(251);
    const second = items.filter((i) => i.pk !== `CERT#${i.serial}`);
    expect(second.map((i) => [i.pk, i.sha256])).toEqual([
      [`CERT#01#${issuerKeyOf(ISSUER_B)}`, hex64(1000)],
    ]);
    const home = items.find((i) => i.pk === 'CERT#01');
    expect(home).toMatchObject({
      sha256: hex64(1),
      otherIssuers: new Set([issuerKeyOf(ISSUER_B)]),
    });
    expect(items.filter((i) => i.otherIssuers !== undefined)).toHaveLength(1);
  });

  test('serials are read by key whatever the number of issuers; fingerprints and keys through the indexes', async () => {
    const sent: string[] = [];
    const counting = {
      send: (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return db.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const reader = new DynamoInventory(counting, table);
    const serials = Array.from({ length: 250 }, (_, i) => `0${(i + 1).toString(16)}`.slice(-2));
    const found = await reader.lookup({
      sha256s: [hex64(7), hex64(1000)],
      serials,
      issuerSerials: [{ serial: '05', issuerKey: issuerKeyOf(ISSUER_A), sha256: hex64(5) }],
      spkiSha256s: [],
    });
    expect(found).toHaveLength(251);
    // 250 serials are 250 home keys (three BatchGetItem calls) and the one key a home lists
    // (a fourth), whatever the number of issuers. The two fingerprints are at most one index
    // query each (none once the serials have read their certificates), and what they find
    // was read already: no fifth batch.
    expect(sent.filter((c) => c === 'QueryCommand').length).toBeLessThanOrEqual(2);
    expect(sent.filter((c) => c === 'BatchGetCommand')).toHaveLength(4);

    sent.length = 0;
    const bySha = await reader.lookup({ sha256s: [hex64(9)], serials: [], spkiSha256s: [] });
    expect(bySha.map((r) => r.serial)).toEqual(['09']);
    expect(sent.filter((c) => c === 'QueryCommand')).toHaveLength(1);
  });

  test('an item of an older key layout is never returned', async () => {
    const old = { sha256: hex64(5), serial: '05', spkiSha256: hex64(2, 'b'), subscriber: 'Old' };
    // By SHA-256 (the first layout), and by issuer key then serial (the second).
    const olds = [`CERT#${hex64(5)}`, `CERT#${issuerKeyOf(ISSUER_A)}#05`].map((pk) => ({
      ...old,
      pk,
      issuerKey: issuerKeyOf(ISSUER_A),
      email: 'old@s5.example',
    }));
    await db.send(
      new BatchWriteCommand({
        RequestItems: { [table]: olds.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    const found = await inventory.lookup({ sha256s: [hex64(5)], serials: ['05'], spkiSha256s: [] });
    expect(found.map((r) => r.subscriber)).toEqual(['Subscriber 5']);
    await db.send(
      new BatchWriteCommand({
        RequestItems: { [table]: olds.map(({ pk }) => ({ DeleteRequest: { Key: { pk } } })) },
      }),
    );
  });

  test('by SHA-256, by serial alone, by issuer and serial, by SPKI', async () => {
    const bySha = await inventory.lookup({ sha256s: [hex64(5)], serials: [], spkiSha256s: [] });
    expect(bySha.map((r) => r.subscriber)).toEqual(['Subscriber 5']);

    const bySerial = await inventory.lookup({ sha256s: [], serials: ['01'], spkiSha256s: [] });
    expect(bySerial.map((r) => r.issuer).sort()).toEqual([ISSUER_A, ISSUER_B]);

    const byIssuerSerial = await inventory.lookup({
      sha256s: [],
      serials: [],
      issuerSerials: [{ serial: '01', issuerKey: issuerKeyOf('CN=issuing ca b, o=example, c=xx') }],
      spkiSha256s: [],
    });
    expect(byIssuerSerial.map((r) => r.sha256)).toEqual([hex64(1000)]);

    const bySpki = await inventory.lookup({
      sha256s: [],
      serials: [],
      spkiSha256s: [hex64(1, 'b')],
    });
    expect(bySpki).toHaveLength(84);
    expect(bySpki.every((r) => r.spkiSha256 === hex64(1, 'b'))).toBe(true);
  });

  test('a mass look-up: hundreds of serials and fingerprints in one call, no duplicates', async () => {
    const serials = Array.from({ length: 250 }, (_, i) => `0${(i + 1).toString(16)}`.slice(-2));
    const sha256s = Array.from({ length: 300 }, (_, i) => hex64(i + 1));
    const found = await inventory.lookup({ sha256s, serials, spkiSha256s: [] });
    expect(new Set(found.map((r) => r.sha256)).size).toBe(found.length);
    expect(found.length).toBe(251);
  });

  test('a re-import changes nothing but the run that last wrote each item', async () => {
    const strip = (items: Record<string, unknown>[]) =>
      items
        .map(({ lastImport: _l, ...rest }) => rest)
        .sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
    const before = strip(await scanAll(table));
    const rows = Array.from({ length: 250 }, (_, i) => row(i + 1));
    rows.push(row(1000, { serial: '01', issuer: ISSUER_B, spki: hex64(77, 'b') }));
    await runImport(inventory, [HEADER, ...rows].join('\n'));
    expect(strip(await scanAll(table))).toEqual(before);
  });
});

describe('issuer and serial as the key', () => {
  test('a second certificate under one issuer and serial is refused with its line, not written over the first', async () => {
    const table = await freshTable();
    const inventory = new DynamoInventory(db, table);
    await runImport(inventory, [HEADER, row(1, { serial: '42' })].join('\n'));
    const second = await runImport(
      inventory,
      [HEADER, row(2), row(3, { serial: '42' }), row(4, { serial: '42', issuer: ISSUER_B })].join(
        '\n',
      ),
    );
    expect(second).toMatchObject({ written: 2, rejected: 1 });
    expect(second.rejections).toEqual([
      { line: 3, reason: `issuer and serial 42 already belong to certificate ${hex64(1)}` },
    ]);
    const found = await inventory.lookup({ sha256s: [], serials: ['42'], spkiSha256s: [] });
    expect(found.map((r) => r.sha256).sort()).toEqual([hex64(1), hex64(4)]);
    // The same within one file: the first row keeps the key.
    const inOneFile = await runImport(
      inventory,
      [HEADER, row(5, { serial: '77' }), row(6, { serial: '77' })].join('\n'),
    );
    expect(inOneFile.rejections.map((r) => r.line)).toEqual([3]);
  });

  test('a record first loaded without an issuer gets it in place when a file gives one', async () => {
    const table = await freshTable();
    const inventory = new DynamoInventory(db, table);
    const bare = 'sha256,serial,spki_sha256,subscriber,email';
    const cells = (n: number) => row(n).split(',').slice(0, 5).join(',');
    await runImport(inventory, [bare, cells(1), cells(2)].join('\n'));
    const stored = async () =>
      (await scanAll(table))
        .map((i) => [i.pk, i.issuerKey])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(await stored()).toEqual([
      ['CERT#01', '-'],
      ['CERT#02', '-'],
    ]);
    await runImport(inventory, [HEADER, row(1)].join('\n'));
    expect(await stored()).toEqual([
      ['CERT#01', issuerKeyOf(ISSUER_A)],
      ['CERT#02', '-'],
    ]);
    // A delta without the issuer column finds it under its issuer and keeps the issuer.
    await runImport(
      inventory,
      [`${bare},revoked_at`, `${cells(1)},2026-11-30T00:00:00Z`].join('\n'),
    );
    const [one] = await inventory.lookup({ sha256s: [hex64(1)], serials: [], spkiSha256s: [] });
    expect(one).toMatchObject({ issuer: ISSUER_A, revokedAt: '2026-11-30T00:00:00.000Z' });
    expect(await scanAll(table)).toHaveLength(2);
    // Serials alone find both, the one without an issuer too.
    const both = await inventory.lookup({ sha256s: [], serials: ['01', '02'], spkiSha256s: [] });
    expect(both.map((r) => r.sha256).sort()).toEqual([hex64(1), hex64(2)]);
  });
  test('a certificate stored under the unknown issuer’s key moves to its own issuer’s key, and the home keeps finding it', async () => {
    const table = await freshTable();
    const inventory = new DynamoInventory(db, table);
    const bare = 'sha256,serial,spki_sha256,subscriber,email';
    const cells = (n: number) => row(n, { serial: '07' }).split(',').slice(0, 5).join(',');
    await runImport(inventory, [HEADER, row(1, { serial: '07' })].join('\n'));
    await runImport(inventory, [bare, cells(2)].join('\n'));
    await runImport(inventory, [HEADER, row(2, { serial: '07', issuer: ISSUER_B })].join('\n'));
    const items = await scanAll(table);
    expect(items.map((i) => i.pk).sort()).toEqual(['CERT#07', `CERT#07#${issuerKeyOf(ISSUER_B)}`]);
    // The key it left stays listed: a read that finds nothing, never a certificate lost.
    expect(items.find((i) => i.pk === 'CERT#07')?.otherIssuers).toEqual(
      new Set(['-', issuerKeyOf(ISSUER_B)]),
    );
    const found = await inventory.lookup({ sha256s: [], serials: ['07'], spkiSha256s: [] });
    expect(found.map((r) => r.sha256).sort()).toEqual([hex64(1), hex64(2)]);
  });

  test('batches in flight with the same serial: each certificate is kept, the duplicate refused', async () => {
    const table = await freshTable();
    const inventory = new DynamoInventory(db, table);
    const csv = await parseInventoryText(
      [
        HEADER,
        row(1, { serial: '33' }),
        row(2, { serial: '33', issuer: ISSUER_B }),
        row(3, { serial: '33' }),
      ].join('\n'),
    );
    const records = csv.records;
    // Three writes at once, as the import's groups in flight are: without the per-serial
    // wait, each reads an empty home and the last put wins.
    const refused = await Promise.all(
      records.map((r) => inventory.write({ records: [r], runId: 'race', keep: [] })),
    );
    expect(refused.flat().map((r) => r.sha256)).toEqual([hex64(3)]);
    const items = await scanAll(table);
    expect(items.map((i) => i.sha256).sort()).toEqual([hex64(1), hex64(2)]);
    const found = await inventory.lookup({ sha256s: [], serials: ['33'], spkiSha256s: [] });
    expect(found).toHaveLength(2);
  });
});

describe('delta files and --sync', () => {
  test('a file without a column keeps the stored value; the columns it has are updated', async () => {
    const table = await freshTable();
    const inventory = new DynamoInventory(db, table);
    const pem = pemOf('leaf-rsa.pem');
    const full = await parseInventoryText(`subscriber,email,pem\nRSA,rsa@example.com,"${pem}"\n`);
    const record = full.records[0]!;
    await runImport(inventory, `subscriber,email,pem\nRSA,rsa@example.com,"${pem}"`);
    // The delta: the minimal columns and the revocation, no pem, no issuer.
    await runImport(
      inventory,
      [
        'sha256,serial,spki_sha256,subscriber,email,revoked_at,revocation_reason',
        `${record.sha256},${record.serial},${record.spkiSha256},RSA,rsa@example.com,2026-11-30T08:00:00Z,keyCompromise`,
      ].join('\n'),
    );
    const [stored] = await inventory.lookup({
      sha256s: [record.sha256],
      serials: [],
      spkiSha256s: [],
    });
    expect(stored).toMatchObject({
      pem: record.pem,
      issuer: record.issuer,
      notAfter: record.notAfter,
      revokedAt: '2026-11-30T08:00:00.000Z',
      revocationReason: 'keyCompromise',
      status: 'active',
    });
    // The index still finds it by issuer and serial: the kept issuer keeps its index key.
    const bySerial = await inventory.lookup({
      sha256s: [],
      serials: [],
      issuerSerials: [{ serial: record.serial, issuerKey: issuerKeyOf(record.issuer) }],
      spkiSha256s: [],
    });
    expect(bySerial).toHaveLength(1);
  });

  test('--sync marks what a full export lacks as gone, keeps it, and brings it back when it returns', async () => {
    const table = await freshTable();
    const inventory = new DynamoInventory(db, table);
    const rows = [1, 2, 3, 4].map((n) => row(n));
    await runImport(inventory, [HEADER, ...rows].join('\n'));
    const synced = await runImport(inventory, [HEADER, rows[0], rows[2]].join('\n'), {
      sync: true,
    });
    expect(synced).toMatchObject({ written: 2, markedGone: 2, syncRefused: null });
    const all = await inventory.lookup({
      sha256s: [1, 2, 3, 4].map((n) => hex64(n)),
      serials: [],
      spkiSha256s: [],
    });
    const status = Object.fromEntries(all.map((r) => [r.sha256, r.status]));
    expect(status).toEqual({
      [hex64(1)]: 'active',
      [hex64(2)]: 'gone',
      [hex64(3)]: 'active',
      [hex64(4)]: 'gone',
    });
    expect(all.find((r) => r.sha256 === hex64(2))?.goneAt).toBe('2026-12-01T12:00:00.000Z');
    // Gone records still match: a case may need them.
    expect(await inventory.lookup({ sha256s: [], serials: ['02'], spkiSha256s: [] })).toHaveLength(
      1,
    );

    const again = await runImport(inventory, [HEADER, ...rows].join('\n'), { sync: true });
    expect(again.markedGone).toBe(0);
    const back = await inventory.lookup({ sha256s: [hex64(2)], serials: [], spkiSha256s: [] });
    expect(back[0]?.status).toBe('active');
    expect(back[0]?.goneAt).toBeUndefined();
  });

  test('--sync is refused when rows were rejected or the file is empty', async () => {
    const table = await freshTable();
    const inventory = new DynamoInventory(db, table);
    await runImport(inventory, [HEADER, row(1), row(2)].join('\n'));
    const bad = await runImport(inventory, [HEADER, row(1), 'not,a,row'].join('\n'), {
      sync: true,
    });
    expect(bad.markedGone).toBeNull();
    expect(bad.syncRefused).toMatch(/rejected/);
    const empty = await runImport(inventory, HEADER, { sync: true });
    expect(empty.syncRefused).toMatch(/no record/);
    const items = await certItems(table);
    expect(items.every((i) => i.status === 'active')).toBe(true);
  });
});

describe('batched writes', () => {
  /** The real client, except that BatchWriteItem processes only part of each call at first. */
  function partialWrites(
    real: DynamoDBDocumentClient,
    options: { failures: number; processed?: 'half' | 'none' },
  ) {
    let calls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const client = {
      async send(command: unknown) {
        if (!(command instanceof BatchWriteCommand)) return real.send(command as never);
        calls += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0]!;
          if (calls > options.failures) return await real.send(command);
          const half = options.processed === 'none' ? 0 : Math.ceil(requests.length / 2);
          if (half > 0) {
            await real.send(
              new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, half) } }),
            );
          }
          return { UnprocessedItems: { [table]: requests.slice(half) } };
        } finally {
          inFlight -= 1;
        }
      },
    } as unknown as DynamoDBDocumentClient;
    return { client, stats: () => ({ calls, maxInFlight }) };
  }

  test('unprocessed items are retried with growing backoff until all are written', async () => {
    const table = await freshTable();
    const fake = partialWrites(db, { failures: 3 });
    const pauses: number[] = [];
    const inventory = new DynamoInventory(fake.client, table, {
      sleep: async (ms) => {
        pauses.push(ms);
      },
      random: () => 0.999,
    });
    await runImport(
      inventory,
      [HEADER, ...Array.from({ length: 25 }, (_, i) => row(i + 1))].join('\n'),
    );
    expect(await certItems(table)).toHaveLength(25);
    expect(pauses.length).toBe(3);
    expect(pauses[1]!).toBeGreaterThan(pauses[0]!);
    expect(pauses[2]!).toBeGreaterThan(pauses[1]!);
  });

  test('items that stay unprocessed fail the import loudly, with what was written', async () => {
    const table = await freshTable();
    const fake = partialWrites(db, { failures: Number.POSITIVE_INFINITY, processed: 'none' });
    const inventory = new DynamoInventory(fake.client, table, { sleep: async () => {} });
    const failed = await runImport(
      inventory,
      [HEADER, ...Array.from({ length: 30 }, (_, i) => row(i + 1))].join('\n'),
    ).catch((error: unknown) => error as Error);
    expect(failed).toBeInstanceOf(InventoryImportError);
    expect((failed as Error).message).toMatch(/stayed unprocessed/);
    expect((failed as Error).cause).toBeInstanceOf(InventoryWriteError);
    expect(fake.stats().calls).toBeGreaterThan(MAX_UNPROCESSED_RETRIES);
  });

  test('several batches are in flight at once', async () => {
    const table = await freshTable();
    const fake = partialWrites(db, { failures: 0 });
    const inventory = new DynamoInventory(fake.client, table);
    await runImport(
      inventory,
      [HEADER, ...Array.from({ length: 1000 }, (_, i) => row(i + 1))].join('\n'),
    );
    expect(await certItems(table)).toHaveLength(1000);
    expect(fake.stats().maxInFlight).toBeGreaterThan(1);
    expect(fake.stats().calls).toBe(40);
  });
});

describe('export-ddb-json: the source of DynamoDB\u2019s import from S3', () => {
  let raw: DynamoDBClient;
  let dir: string;
  beforeAll(async () => {
    raw = new DynamoDBClient({});
    dir = await mkdtemp(join(tmpdir(), 'ddb-json-'));
  });
  afterAll(async () => {
    raw?.destroy();
    await rm(dir, { recursive: true, force: true });
  });
  /** The text as the converter reads a file: opened afresh for each pass. */
  const sourceOf = (text: string) => ({
    open: async () => ({
      csv: await readInventoryCsv(
        (async function* () {
          yield* text.split('\n');
        })(),
      ),
      close: () => {},
    }),
  });
  const scan = async (table: string) =>
    (await scanAll(table))
      .map(({ lastImport: _run, ...rest }) => rest)
      .sort((a, b) => String(a.pk).localeCompare(String(b.pk)));

  const CSV = [
    'sha256,serial,spki_sha256,subscriber,email,issuer,not_after,revoked_at,revocation_reason',
    `${hex64(1)},01,${hex64(1, 'b')},Sub 1,pki@s1.example,"${ISSUER_A}",2027-01-01T00:00:00Z,,`,
    `${hex64(2)},01,${hex64(2, 'b')},Sub 2,pki@s2.example,"${ISSUER_B}",2027-01-01T00:00:00Z,2026-11-01T00:00:00Z,keyCompromise`,
    `${hex64(3)},0A:0B,${hex64(1, 'b')},Sub 3,pki@s3.example,,2027-01-01T00:00:00Z,,`,
    `${hex64(4)},0c,${hex64(4, 'b')},Sub 4,not an address,"${ISSUER_A}",,,`,
    `${hex64(5)},0d,${hex64(5, 'b')},Sub 5,pki@s5.example,"${ISSUER_A}",,,`,
  ].join('\n');

  test('the converted items, loaded as DynamoDB loads them, are the items the import writes', async () => {
    const rejected: { line: number; reason: string }[] = [];
    const out = join(dir, 'out');
    const result = await exportInventoryDynamoJson(sourceOf(CSV), out, {
      runId: 'export',
      itemsPerPart: 2,
      onRejected: (r) => rejected.push(r),
    });
    expect(rejected).toEqual([{ line: 5, reason: 'email is not an address' }]);
    expect(result).toMatchObject({ rowsRead: 5, items: 4, rejected: 1 });
    expect(result.files.map((f) => f.slice(out.length + 1))).toEqual([
      'inventory-00001.json.gz',
      'inventory-00002.json.gz',
    ]);

    // DynamoDB's import reads newline-delimited {"Item": {...}} objects in DynamoDB JSON.
    const lines: Record<string, AttributeValue>[] = [];
    for (const file of result.files) {
      const text = gunzipSync(await readFile(file)).toString('utf-8');
      for (const line of text.split('\n').filter(Boolean)) lines.push(JSON.parse(line).Item);
    }
    expect(lines).toHaveLength(4);
    // Serial 01 under two issuers: the first row's certificate holds the home and lists the
    // second's issuer key.
    expect(lines.find((item) => item.pk?.S === 'CERT#01')).toMatchObject({
      sha256: { S: hex64(1) },
      otherIssuers: { SS: [issuerKeyOf(ISSUER_B)] },
    });
    expect(lines.find((item) => item.pk?.S === `CERT#01#${issuerKeyOf(ISSUER_B)}`)).toMatchObject({
      sha256: { S: hex64(2) },
    });

    const loaded = await freshTable();
    await raw.send(
      new BatchWriteItemCommand({
        RequestItems: { [loaded]: lines.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    const imported = await freshTable();
    await runImport(new DynamoInventory(db, imported), CSV);
    expect(await scan(loaded)).toEqual(await scan(imported));

    const inventory = new DynamoInventory(db, loaded);
    const bySerial = await inventory.lookup({
      sha256s: [],
      serials: ['01', '0a0b'],
      spkiSha256s: [],
    });
    expect(bySerial.map((r) => r.subscriber).sort()).toEqual(['Sub 1', 'Sub 2', 'Sub 3']);
    const bySha = await inventory.lookup({ sha256s: [hex64(2)], serials: [], spkiSha256s: [] });
    expect(bySha[0]).toMatchObject({ revocationReason: 'keyCompromise', issuer: ISSUER_B });
    const bySpki = await inventory.lookup({
      sha256s: [],
      serials: [],
      spkiSha256s: [hex64(1, 'b')],
    });
    expect(bySpki.map((r) => r.sha256).sort()).toEqual([hex64(1), hex64(3)]);
    const byIssuerSerial = await inventory.lookup({
      sha256s: [],
      serials: [],
      issuerSerials: [{ issuerKey: issuerKeyOf(ISSUER_A), serial: '0d' }],
      spkiSha256s: [],
    });
    expect(byIssuerSerial.map((r) => r.subscriber)).toEqual(['Sub 5']);
  });

  test('existing output files are never overwritten', async () => {
    const out = join(dir, 'again');
    await exportInventoryDynamoJson(sourceOf(CSV), out, { runId: 'one' });
    await expect(exportInventoryDynamoJson(sourceOf(CSV), out, { runId: 'two' })).rejects.toThrow(
      /EEXIST/,
    );
  });

  test('a second certificate of one issuer and serial is rejected with its line, however far apart', async () => {
    const rows = [HEADER, row(1, { serial: '42' })];
    for (let n = 2; n < 400; n += 1) rows.push(row(n, { serial: (0x1000 + n).toString(16) }));
    rows.push(row(400, { serial: '42' }), row(401, { serial: '42', issuer: ISSUER_B }));
    const rejected: { line: number; reason: string }[] = [];
    const out = join(dir, 'far');
    const result = await exportInventoryDynamoJson(sourceOf(rows.join('\n')), out, {
      runId: 'far',
      onRejected: (r) => rejected.push(r),
    });
    expect(rejected).toEqual([
      { line: 401, reason: `issuer and serial 42 already belong to certificate ${hex64(1)}` },
    ]);
    expect(result).toMatchObject({ rowsRead: 401, items: 400, rejected: 1 });
    const loaded = await freshTable();
    const items: Record<string, AttributeValue>[] = [];
    const text = gunzipSync(await readFile(result.files[0]!)).toString('utf-8');
    for (const line of text.split('\n').filter(Boolean)) items.push(JSON.parse(line).Item);
    for (let i = 0; i < items.length; i += 25) {
      await raw.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [loaded]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
    const found = await new DynamoInventory(db, loaded).lookup({
      sha256s: [],
      serials: ['42'],
      spkiSha256s: [],
    });
    expect(found.map((r) => r.sha256).sort()).toEqual([hex64(1), hex64(401)]);
  });

  test('a file whose serials repeat too much to hold in memory is refused, pointing to the import', async () => {
    const rows = [HEADER];
    for (let n = 1; n <= 20; n += 1) {
      rows.push(row(n, { serial: (0x100 + n).toString(16) }));
      rows.push(row(n + 100, { serial: (0x100 + n).toString(16), issuer: ISSUER_B }));
    }
    await expect(
      exportInventoryDynamoJson(sourceOf(rows.join('\n')), join(dir, 'repeats'), {
        runId: 'repeats',
        maxHeldBackChars: 4_096,
      }),
    ).rejects.toThrow(/too many rows share serials.*cpr inventory import/);
  });
});
