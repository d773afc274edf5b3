/**
 * From evidence to the certificates a case concerns and the Subscribers to notify (BR 4.9.5:
 * each affected Subscriber gets its own preliminary report).
 */
import type { Subscriber } from '../case/types.ts';
import { type Evidence, provenSpkiHashes } from '../evidence/types.ts';
import type { InventoryQuery, InventoryRecord } from './types.ts';

/** What to ask the inventory for, given the evidence of a report. */
export function inventoryQueryFor(evidence: Evidence): InventoryQuery {
  const provenSpki = provenSpkiHashes(evidence);
  return {
    sha256s: [
      ...new Set([...evidence.certificates.map((c) => c.sha256), ...evidence.sha256Fingerprints]),
    ],
    serials: [...new Set([...evidence.certificates.map((c) => c.serial), ...evidence.serials])],
    spkiSha256s: [...new Set(provenSpki)],
  };
}

export interface Resolution {
  /** sha256 of every certificate the case concerns, in a stable order. */
  readonly affected: readonly string[];
  readonly subscribers: readonly Subscriber[];
  /** Inventory certificates whose key a key or valid CSR in the report proves compromised. */
  readonly keyCompromised: ReadonlySet<string>;
  /** For each proven SPKI, the inventory certificates that share it. */
  readonly spkiMatches: ReadonlyMap<string, readonly string[]>;
}

/**
 * Joins the evidence with inventory records. A key or CSR matches every inventory certificate
 * with the same SPKI hash (a reissued certificate on the same key is just as compromised), not
 * only the certificates attached to the mail.
 */
export function resolveAffected(
  evidence: Evidence,
  records: readonly InventoryRecord[],
): Resolution {
  const query = inventoryQueryFor(evidence);
  const sha = new Set(query.sha256s);
  const serials = new Set(query.serials);
  const spki = new Set(query.spkiSha256s);
  const affected = new Set<string>(evidence.certificates.map((c) => c.sha256));
  const subscribers = new Map<string, Subscriber>();
  const keyCompromised = new Set<string>();
  const spkiMatches = new Map<string, string[]>();
  const sorted = [...records].sort((a, b) => a.sha256.localeCompare(b.sha256));
  for (const record of sorted) {
    const bySpki = spki.has(record.spkiSha256);
    if (!(sha.has(record.sha256) || serials.has(record.serial) || bySpki)) continue;
    affected.add(record.sha256);
    if (!subscribers.has(record.email)) {
      subscribers.set(record.email, { name: record.subscriber, email: record.email });
    }
    if (bySpki) {
      keyCompromised.add(record.sha256);
      const list = spkiMatches.get(record.spkiSha256) ?? [];
      list.push(record.sha256);
      spkiMatches.set(record.spkiSha256, list);
    }
  }
  return {
    affected: [...affected],
    subscribers: [...subscribers.values()].sort((a, b) => a.email.localeCompare(b.email)),
    keyCompromised,
    spkiMatches,
  };
}
