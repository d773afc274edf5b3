/**
 * `cpr inventory import [--sync] FILE.csv`, `cpr inventory export-ddb-json FILE.csv OUT/` and
 * `cpr inventory lookup VALUE`: the certificate inventory intake resolves serials, fingerprints
 * and keys against.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  exportInventoryDynamoJson,
  InventoryExportError,
} from '../../lambdas/adapters/fs/inventory-ddb-json.ts';
import { openInventoryFile } from '../../lambdas/adapters/fs/inventory-file.ts';
import { decimalSerialToHex } from '../../lambdas/domain/evidence/serial.ts';
import { InventoryCsvError, normaliseSerial } from '../../lambdas/domain/inventory/csv.ts';
import {
  type ImportResult,
  InventoryImportError,
  importInventory,
} from '../../lambdas/domain/inventory/import.ts';
import type { InventoryRecord } from '../../lambdas/domain/inventory/types.ts';
import { type Command, parseCommand } from '../command.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { clean, json, table } from '../output.ts';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;

export type MatchedAs = 'sha256' | 'spkiSha256' | 'serial' | 'decimalSerial';

/** What one lookup value is tried as: see the command's help for the rules. */
export function lookupQuery(raw: string): {
  sha256s: string[];
  spkiSha256s: string[];
  serials: string[];
  decimal: string | null;
} {
  const value = raw.trim().toLowerCase().replace(/^0x/, '').replace(/[\s:]/g, '');
  if (!HEX.test(value)) return { sha256s: [], spkiSha256s: [], serials: [], decimal: null };
  const serial = normaliseSerial(value);
  const decimal = /^\d+$/.test(raw.trim()) ? decimalSerialToHex(raw.trim()) : null;
  const is64 = HEX64.test(value);
  return {
    sha256s: is64 ? [value] : [],
    spkiSha256s: is64 ? [value] : [],
    serials: [...new Set([serial, ...(decimal && decimal !== serial ? [decimal] : [])])],
    decimal: decimal !== serial ? decimal : null,
  };
}

async function openCsv(ctx: Parameters<Command>[0], file: string) {
  try {
    return await openInventoryFile(resolve(ctx.cwd, file));
  } catch (error) {
    if (error instanceof InventoryCsvError) throw new CliError(`${file}: ${error.message}`);
    throw new CliError(
      `${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** The CSV as DynamoDB JSON for DynamoDB's import from S3 (docs/deploy.md, section 9). */
async function exportDdbJson(
  ctx: Parameters<Command>[0],
  values: { json?: boolean | undefined },
  file: string,
  outDir: string,
): Promise<number> {
  // The converter opens the file (for its first pass) before it writes anything, so a missing
  // or malformed file is refused with nothing written.
  let result: Awaited<ReturnType<typeof exportInventoryDynamoJson>>;
  try {
    result = await exportInventoryDynamoJson(
      { open: () => openCsv(ctx, file) },
      resolve(ctx.cwd, outDir),
      {
        runId: `${ctx.now().toISOString()}/${randomUUID()}`,
        onRejected: (r) => ctx.io.err(`  line ${r.line}: ${clean(r.reason)}`),
      },
    );
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof InventoryExportError) throw new CliError(`${file}: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`${outDir}: cannot write: ${code ?? (error as Error).message}`);
  }
  if (values.json) {
    ctx.io.out(json({ file, ...result }));
  } else {
    ctx.io.out(
      `${clean(file)}: ${result.items} items in ${result.files.length} files, ${result.rejected} lines rejected`,
    );
    for (const f of result.files) ctx.io.out(`  ${clean(f)}`);
  }
  return result.rejected > 0 ? EXIT.failed : EXIT.ok;
}

async function importCsv(
  ctx: Parameters<Command>[0],
  values: { json?: boolean | undefined; sync?: boolean | undefined },
  file: string,
  servicesOf: () => ReturnType<Parameters<Command>[0]['services']>,
): Promise<number> {
  const opened = await openCsv(ctx, file);
  const services = await servicesOf();
  let result: ImportResult;
  try {
    result = await importInventory(opened.csv, services.inventory, {
      runId: `${ctx.now().toISOString()}/${randomUUID()}`,
      sync: values.sync === true,
      now: ctx.now,
      elapsed: () => performance.now(),
      onProgress: (p) =>
        ctx.io.err(
          `  rows read ${p.rowsRead}, written ${p.written}, rejected ${p.rejected}, ${Math.round(p.rate)} rows/s`,
        ),
      onRejected: values.json
        ? undefined
        : (r) => ctx.io.out(`  line ${r.line}: ${clean(r.reason)}`),
    });
  } catch (error) {
    if (error instanceof InventoryImportError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  } finally {
    opened.close();
  }
  if (values.json) {
    ctx.io.out(
      json({
        file,
        imported: result.written,
        rowsRead: result.rowsRead,
        rejectedCount: result.rejected,
        rejected: result.rejections,
        markedGone: result.markedGone,
        syncRefused: result.syncRefused,
        elapsedMs: Math.round(result.elapsedMs),
      }),
    );
  } else {
    ctx.io.out(
      `${clean(file)}: ${result.written} records imported, ${result.rejected} lines rejected`,
    );
    if (result.markedGone !== null) ctx.io.out(`  ${result.markedGone} records marked gone`);
  }
  if (result.syncRefused !== null) {
    ctx.io.err(`cpr inventory: --sync marked nothing gone: ${result.syncRefused}`);
  }
  return result.rejected > 0 || result.syncRefused !== null ? EXIT.failed : EXIT.ok;
}

function matchesOf(r: InventoryRecord, q: ReturnType<typeof lookupQuery>): MatchedAs[] {
  const m: MatchedAs[] = [];
  if (q.sha256s.includes(r.sha256)) m.push('sha256');
  if (q.spkiSha256s.includes(r.spkiSha256)) m.push('spkiSha256');
  if (q.decimal !== null && r.serial === q.decimal) m.push('decimalSerial');
  if (q.serials.includes(r.serial) && r.serial !== q.decimal) m.push('serial');
  return m;
}

export const inventory: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'inventory',
    args,
    { sync: { type: 'boolean' } },
    {
      min: 2,
      max: 3,
      names:
        'a subcommand (import FILE.csv, export-ddb-json FILE.csv OUT/, or lookup SHA256|SERIAL)',
    },
  );
  const [sub, arg, out] = positionals as [string, string, string | undefined];
  if (sub === 'export-ddb-json') {
    if (out === undefined) {
      throw new UsageError('export-ddb-json needs FILE.csv and an output directory', 'inventory');
    }
    return exportDdbJson(ctx, values, arg, out);
  }
  if (out !== undefined) throw new UsageError(`unexpected argument "${out}"`, 'inventory');
  if (sub === 'import') return importCsv(ctx, values, arg, () => ctx.services(values));
  if (sub !== 'lookup') {
    throw new UsageError(
      `unknown subcommand "${sub}" (import, export-ddb-json or lookup)`,
      'inventory',
    );
  }
  const q = lookupQuery(arg);
  if (q.serials.length === 0) {
    throw new UsageError(
      `"${arg}" is neither a hex SHA-256 nor a serial number (hex or decimal)`,
      'inventory',
    );
  }
  const services = await ctx.services(values);
  const records = await services.inventory.lookup(q);
  const found = records
    .map((r) => ({ ...r, matchedAs: matchesOf(r, q) }))
    .sort((a, b) => a.sha256.localeCompare(b.sha256));
  if (values.json) {
    ctx.io.out(json(found));
  } else if (found.length > 0) {
    ctx.io.out(
      table(
        ['SHA-256', 'SERIAL', 'SUBSCRIBER', 'EMAIL', 'MATCHED AS'],
        found.map((r) => [r.sha256, r.serial, r.subscriber, r.email, r.matchedAs.join(', ')]),
      ),
    );
  }
  if (found.length === 0) {
    ctx.io.err(`cpr inventory: no certificate in the inventory matches ${clean(arg)}`);
    return EXIT.failed;
  }
  return EXIT.ok;
};
