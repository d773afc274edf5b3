/**
 * Settles digit-only serials (`Evidence.ambiguousSerials`) against the inventory: the reading
 * the inventory knows becomes the serial; a pair neither reading of which matched stays
 * ambiguous, so the team sees both readings rather than one silently chosen.
 */
import type { AmbiguousSerial, Evidence } from '../evidence/types.ts';
import type { InventoryRecord } from './types.ts';

/** Both readings of every ambiguous pair, for the inventory query. */
export function serialReadings(pairs: readonly AmbiguousSerial[]): string[] {
  return pairs.flatMap((p) => [p.asHex, p.asDecimal]);
}

/**
 * Moves each matched reading into `serials` (both, in the unlikely case that both are known)
 * and keeps the unmatched pairs. `records` are the inventory's answer to the report's query.
 */
export function settleSerialReadings(
  evidence: Evidence,
  records: readonly InventoryRecord[],
): Evidence {
  if (evidence.ambiguousSerials.length === 0) return evidence;
  const known = new Set(records.map((r) => r.serial));
  const serials = new Set(evidence.serials);
  const open: AmbiguousSerial[] = [];
  for (const pair of evidence.ambiguousSerials) {
    const matched = [pair.asHex, pair.asDecimal].filter((reading) => known.has(reading));
    if (matched.length === 0) open.push(pair);
    for (const reading of matched) serials.add(reading);
  }
  return { ...evidence, serials: [...serials], ambiguousSerials: open };
}
