/** The CA's certificate inventory: which Subscriber holds which certificate. */

/** RFC 5280 5.3.1 CRLReason names, indexed by their code (7 is not used). */
export const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  null,
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type CrlReason = Exclude<(typeof CRL_REASONS)[number], null>;

/**
 * `active`: in the last full export (or never checked against one); `gone`: absent from a full
 * export imported with `--sync`. Gone records are kept and still matched: a case may need them.
 */
export const INVENTORY_STATUSES = ['active', 'gone'] as const;
export type InventoryStatus = (typeof INVENTORY_STATUSES)[number];

export interface InventoryRecord {
  /** SHA-256 of the DER certificate, lowercase hex. */
  readonly sha256: string;
  /** Serial number, lowercase hex, whole bytes, no leading zero bytes. */
  readonly serial: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex. */
  readonly spkiSha256: string;
  readonly subscriber: string;
  readonly email: string;
  /** Issuer DN, RFC 4514 text (`CN=...,O=...,C=..`). */
  readonly issuer?: string;
  /** ISO 8601 UTC. */
  readonly notBefore?: string;
  /** ISO 8601 UTC. */
  readonly notAfter?: string;
  /** ISO 8601 UTC; present once the CA revoked the certificate. */
  readonly revokedAt?: string;
  readonly revocationReason?: CrlReason;
  /** The certificate itself, PEM: what OCSP and CRL checks and the CCADB export read. */
  readonly pem?: string;
  /** Absent means `active` (records imported before statuses existed). */
  readonly status?: InventoryStatus;
  /** When a `--sync` import found the record absent. */
  readonly goneAt?: string;
}

/** The optional columns: a file without one keeps what the inventory already holds for it. */
// biome-ignore format: a long list of names, packed to read as one block
export const OPTIONAL_RECORD_FIELDS = [
  'issuer', 'notBefore', 'notAfter', 'revokedAt', 'revocationReason', 'pem',
] as const satisfies readonly (keyof InventoryRecord)[];
export type OptionalRecordField = (typeof OPTIONAL_RECORD_FIELDS)[number];

export interface IssuerSerial {
  /** `issuerKeyOf` of the issuer DN. */
  readonly issuerKey: string;
  readonly serial: string;
  /**
   * The fingerprint of the certificate this pair came from: when the inventory holds that very
   * certificate, its issuer and serial need no second look-up.
   */
  readonly sha256?: string;
}

export interface InventoryQuery {
  /** Certificate fingerprints: the table's own key. */
  readonly sha256s: readonly string[];
  /** Serials alone (found as text, with no certificate): every issuer's record with the serial. */
  readonly serials: readonly string[];
  /** A certificate's issuer and serial together. */
  readonly issuerSerials?: readonly IssuerSerial[];
  readonly spkiSha256s: readonly string[];
}

/** Port: looks certificates up in the inventory (a DynamoDB table in AWS and locally). */
export interface Inventory {
  /** Every record matching any of the given values; order unspecified, no duplicates. */
  lookup(query: InventoryQuery): Promise<readonly InventoryRecord[]>;
}

/** One import's writes: which run wrote them, and which stored fields a row without them keeps. */
export interface InventoryWrite {
  readonly records: readonly InventoryRecord[];
  /** Identifies the import; `--sync` marks records that another run wrote last as gone. */
  readonly runId: string;
  /** Optional fields the file has no column for: kept from the stored record. */
  readonly keep: readonly OptionalRecordField[];
}

/** A record the inventory would not store, and why (its key belongs to another certificate). */
export interface RefusedRecord {
  readonly sha256: string;
  readonly reason: string;
}

/** Port: the import's side of the inventory. */
export interface InventoryWriter {
  /**
   * Writes records idempotently (a record is replaced by the same record); returns those it
   * refused, which are not written.
   */
  write(batch: InventoryWrite): Promise<readonly RefusedRecord[]>;
  /** Marks every active record not written by `runId` as gone at `at`; returns how many. */
  markGoneUnlessWrittenBy(runId: string, at: Date): Promise<number>;
}
