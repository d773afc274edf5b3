/**
 * `cpr inventory import FILE.csv` and `cpr inventory lookup VALUE`: the certificate inventory
 * intake resolves serials, fingerprints and keys against.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { decimalSerialToHex } from '../../lambdas/domain/evidence/serial.ts';
import {
  InventoryCsvError,
  normaliseSerial,
  parseInventoryCsv,
} from '../../lambdas/domain/inventory/csv.ts';
import type { InventoryRecord } from '../../lambdas/domain/inventory/types.ts';
import { type Command, parseCommand } from '../command.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { clean, json, table } from '../output.ts';

/** Records written per progress step; each step is batched by the adapter. */
export const IMPORT_CHUNK = 5_000;

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

async function importCsv(
  ctx: Parameters<Command>[0],
  values: { json?: boolean | undefined },
  file: string,
  servicesOf: () => ReturnType<Parameters<Command>[0]['services']>,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(resolve(ctx.cwd, file), 'utf-8');
  } catch (error) {
    throw new CliError(
      `${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let parsed: ReturnType<typeof parseInventoryCsv>;
  try {
    parsed = parseInventoryCsv(text);
  } catch (error) {
    if (error instanceof InventoryCsvError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
  const services = await servicesOf();
  const { records, rejected } = parsed;
  for (let i = 0; i < records.length; i += IMPORT_CHUNK) {
    await services.inventory.put(records.slice(i, i + IMPORT_CHUNK));
    if (records.length > IMPORT_CHUNK && !values.json) {
      ctx.io.err(
        `  ${Math.min(i + IMPORT_CHUNK, records.length)} of ${records.length} records written`,
      );
    }
  }
  if (values.json) {
    ctx.io.out(json({ file, imported: records.length, rejected }));
  } else {
    ctx.io.out(
      `${clean(file)}: ${records.length} records imported, ${rejected.length} lines rejected`,
    );
    for (const r of rejected) ctx.io.out(`  line ${r.line}: ${r.reason}`);
  }
  return rejected.length > 0 ? EXIT.failed : EXIT.ok;
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
    {},
    {
      min: 2,
      max: 2,
      names: 'a subcommand (import FILE.csv, or lookup SHA256|SERIAL)',
    },
  );
  const [sub, arg] = positionals as [string, string];
  if (sub === 'import') return importCsv(ctx, values, arg, () => ctx.services(values));
  if (sub !== 'lookup')
    throw new UsageError(`unknown subcommand "${sub}" (import or lookup)`, 'inventory');
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
