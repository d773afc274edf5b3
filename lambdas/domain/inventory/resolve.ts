/**
 * From evidence to the certificates a case concerns and the Subscribers to notify (BR 4.9.5:
 * each affected Subscriber gets its own preliminary report).
 */
import type { Subscriber } from '../case/types.ts';
import {
  type CertificateEvidence,
  type Evidence,
  provenSpkiHashes,
  unparsedIdentifiers,
} from '../evidence/types.ts';
import { safeIssuerKeyOf, UNKNOWN_ISSUER_KEY } from './issuer-name.ts';
import { serialReadings } from './serial-readings.ts';
import type { InventoryQuery, InventoryRecord } from './types.ts';

/**
 * How a record was matched, strongest first:
 * - `sha256`: the certificate itself (or its fingerprint in the text);
 * - `issuerSerial`: a certificate in the report with the record's issuer, serial and key, and
 *   (where the CA's issuers are configured) a signature of that issuer;
 * - `precertificate`: the same, for the CT precertificate of the record's certificate;
 * - `spki`: a key or valid CSR in the report proves possession of the record's key;
 * - `serialOnly`: only a serial number written in the text, or read from a certificate the
 *   parser refused; the weakest link, shown as such.
 */
export const MATCH_KINDS = [
  'sha256',
  'issuerSerial',
  'precertificate',
  'spki',
  'serialOnly',
] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

export interface ResolveOptions {
  /** The CA's issuer certificates are configured: an issuer+serial match needs `signedBy`. */
  readonly issuersConfigured: boolean;
}

/** What to ask the inventory for, given the evidence of a report. */
export function inventoryQueryFor(
  evidence: Evidence,
  options: ResolveOptions = { issuersConfigured: false },
): InventoryQuery {
  const provenSpki = provenSpkiHashes(evidence);
  const unparsed = unparsedIdentifiers(evidence);
  return {
    sha256s: [
      ...new Set([
        ...evidence.certificates.map((c) => c.sha256),
        ...evidence.sha256Fingerprints,
        ...unparsed.sha256s,
      ]),
    ],
    // Only serials written as text, or read from a certificate the parser refused: a parsed
    // certificate's serial counts only with its issuer. A digit-only serial is asked for in
    // both readings; settleSerialReadings keeps the known one.
    serials: [
      ...new Set([
        ...evidence.serials,
        ...serialReadings(evidence.ambiguousSerials),
        ...unparsed.serials,
      ]),
    ],
    // With the issuers configured, a certificate none of them signed cannot match this way.
    issuerSerials: evidence.certificates
      .filter((c) => !options.issuersConfigured || c.signedBy !== undefined)
      .map((c) => ({
        issuerKey: safeIssuerKeyOf(c.issuer),
        serial: c.serial,
        sha256: c.sha256,
      })),
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
  /** How each matched inventory certificate was matched (strongest first). */
  readonly matchedBy: ReadonlyMap<string, readonly MatchKind[]>;
  /** Inventory certificates matched only by a serial in the text, in a stable order. */
  readonly serialOnly: readonly string[];
}

/** A certificate of the report that stands for `record` without being it (its hash differs). */
function sameCertificate(
  cert: CertificateEvidence,
  record: InventoryRecord,
  options: ResolveOptions,
): boolean {
  if (!record.issuer || cert.serial !== record.serial) return false;
  // A precertificate and its certificate share issuer, serial and key; a forgery with a real
  // serial and our issuer's name but its own key does not.
  if (cert.spkiSha256 !== record.spkiSha256) return false;
  if (safeIssuerKeyOf(cert.issuer) !== safeIssuerKeyOf(record.issuer)) return false;
  if (safeIssuerKeyOf(record.issuer) === UNKNOWN_ISSUER_KEY) return false;
  return !options.issuersConfigured || cert.signedBy !== undefined;
}

/**
 * Joins the evidence with inventory records (BR 4.9.5: the Subscribers to notify). A record is
 * matched by the certificate's SHA-256, or by issuer and serial together (never by a
 * certificate's serial alone: anyone can put a real serial and our issuer's name in a
 * certificate of their own), by a proven key, or by a serial written in the text, which is
 * marked `serialOnly`. A key or CSR matches every inventory certificate with its SPKI hash (a
 * reissued certificate on the same key is just as compromised).
 */
export function resolveAffected(
  evidence: Evidence,
  records: readonly InventoryRecord[],
  options: ResolveOptions = { issuersConfigured: false },
): Resolution {
  const unparsed = unparsedIdentifiers(evidence);
  const sha = new Set([
    ...evidence.certificates.map((c) => c.sha256),
    ...evidence.sha256Fingerprints,
    ...unparsed.sha256s,
  ]);
  // The serial of a certificate the parser refused is as weak as one written in the text:
  // anyone can put a real serial in bytes of their own.
  const textSerials = new Set([...evidence.serials, ...unparsed.serials]);
  const spki = new Set(provenSpkiHashes(evidence));
  const bySerial = new Map<string, CertificateEvidence[]>();
  for (const c of evidence.certificates) {
    const list = bySerial.get(c.serial) ?? [];
    list.push(c);
    bySerial.set(c.serial, list);
  }
  const affected = new Set<string>(evidence.certificates.map((c) => c.sha256));
  const subscribers = new Map<string, Subscriber>();
  const keyCompromised = new Set<string>();
  const spkiMatches = new Map<string, string[]>();
  const matchedBy = new Map<string, MatchKind[]>();
  const sorted = [...records].sort((a, b) => a.sha256.localeCompare(b.sha256));
  for (const record of sorted) {
    const kinds: MatchKind[] = [];
    if (sha.has(record.sha256)) kinds.push('sha256');
    const stand = (bySerial.get(record.serial) ?? []).filter(
      (c) => c.sha256 !== record.sha256 && sameCertificate(c, record, options),
    );
    if (stand.some((c) => !c.precertificate)) kinds.push('issuerSerial');
    if (stand.some((c) => c.precertificate)) kinds.push('precertificate');
    const byKey = spki.has(record.spkiSha256);
    if (byKey) kinds.push('spki');
    if (textSerials.has(record.serial)) kinds.push('serialOnly');
    if (kinds.length === 0) continue;
    matchedBy.set(record.sha256, kinds);
    affected.add(record.sha256);
    if (!subscribers.has(record.email)) {
      subscribers.set(record.email, { name: record.subscriber, email: record.email });
    }
    if (byKey) {
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
    matchedBy,
    serialOnly: [...matchedBy]
      .filter(([, kinds]) => kinds.length === 1 && kinds[0] === 'serialOnly')
      .map(([sha256]) => sha256),
  };
}
